// Defaults of the apps/v1 DaemonSet and StatefulSet and the batch/v1 Job and CronJob (upstream
// pkg/apis/apps/v1/defaults.go and pkg/apis/batch/v1/defaults.go, with the 1.32 feature gates on by
// default: PersistentVolumeClaimRetentionPolicy, JobPodReplacementPolicy).
import type { JsonObject } from '../object.js';
import { defaultPodTemplate } from './pod.js';

const isObj = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const unset = (v: unknown) => v === undefined || v === null;
const spec = (o: JsonObject): JsonObject => (isObj(o.spec) ? o.spec : (o.spec = {}));
const template = (s: JsonObject): JsonObject => (isObj(s.template) ? s.template : (s.template = {}));

export function defaultDaemonSet(o: JsonObject): void {
  const s = spec(o);
  if (!isObj(s.updateStrategy)) s.updateStrategy = {};
  const us = s.updateStrategy;
  if (!us.type) us.type = 'RollingUpdate';
  if (us.type === 'RollingUpdate') {
    if (!isObj(us.rollingUpdate)) us.rollingUpdate = {};
    if (unset(us.rollingUpdate.maxUnavailable)) us.rollingUpdate.maxUnavailable = 1;
    if (unset(us.rollingUpdate.maxSurge)) us.rollingUpdate.maxSurge = 0;
  }
  if (unset(s.revisionHistoryLimit)) s.revisionHistoryLimit = 10;
  defaultPodTemplate(template(s));
}

export function defaultStatefulSet(o: JsonObject): void {
  const s = spec(o);
  if (!s.podManagementPolicy) s.podManagementPolicy = 'OrderedReady';
  if (!isObj(s.updateStrategy)) s.updateStrategy = {};
  const us = s.updateStrategy;
  if (!us.type) us.type = 'RollingUpdate';
  if (us.type === 'RollingUpdate') {
    if (!isObj(us.rollingUpdate)) us.rollingUpdate = {};
    if (unset(us.rollingUpdate.partition)) us.rollingUpdate.partition = 0;
  }
  if (!isObj(s.persistentVolumeClaimRetentionPolicy)) s.persistentVolumeClaimRetentionPolicy = {};
  const pr = s.persistentVolumeClaimRetentionPolicy;
  if (!pr.whenDeleted) pr.whenDeleted = 'Retain';
  if (!pr.whenScaled) pr.whenScaled = 'Retain';
  if (unset(s.replicas)) s.replicas = 1;
  if (unset(s.revisionHistoryLimit)) s.revisionHistoryLimit = 10;
  defaultPodTemplate(template(s));
}

export function defaultJob(o: JsonObject): void {
  const s = spec(o);
  if (unset(s.completions) && unset(s.parallelism)) { s.completions = 1; s.parallelism = 1; }
  if (unset(s.parallelism)) s.parallelism = 1;
  if (unset(s.backoffLimit)) s.backoffLimit = unset(s.backoffLimitPerIndex) ? 6 : 2147483647;
  const t = template(s);
  // A Job without labels carries its template's (SetDefaults_Job).
  if (!isObj(o.metadata.labels) || Object.keys(o.metadata.labels).length === 0) {
    if (isObj(t.metadata?.labels) && Object.keys(t.metadata.labels).length) o.metadata.labels = { ...t.metadata.labels };
  }
  if (!s.completionMode) s.completionMode = 'NonIndexed';
  if (unset(s.suspend)) s.suspend = false;
  if (!s.podReplacementPolicy) s.podReplacementPolicy = isObj(s.podFailurePolicy) ? 'Failed' : 'TerminatingOrFailed';
  defaultPodTemplate(t);
}

export function defaultCronJob(o: JsonObject): void {
  const s = spec(o);
  if (!s.concurrencyPolicy) s.concurrencyPolicy = 'Allow';
  if (unset(s.suspend)) s.suspend = false;
  if (unset(s.successfulJobsHistoryLimit)) s.successfulJobsHistoryLimit = 3;
  if (unset(s.failedJobsHistoryLimit)) s.failedJobsHistoryLimit = 1;
  if (!isObj(s.jobTemplate)) s.jobTemplate = {};
  if (!isObj(s.jobTemplate.spec)) s.jobTemplate.spec = {};
  // Only the pod template inside is defaulted: SetDefaults_Job applies to Jobs, not to JobTemplateSpecs.
  defaultPodTemplate(template(s.jobTemplate.spec));
}
