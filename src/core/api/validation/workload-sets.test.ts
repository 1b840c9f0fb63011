// Validation and defaulting of DaemonSet, StatefulSet, Job and CronJob: upstream's messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorString } from '../errors.js';
import type { JsonObject, KubeObject } from '../object.js';
import { defaultObject } from '../defaults/index.js';
import { validateCreate, validateUpdate } from './index.js';

const tmpl = (labels: Record<string, string>, restartPolicy?: string) => ({
  metadata: { labels }, spec: { ...(restartPolicy ? { restartPolicy } : {}), containers: [{ name: 'c', image: 'nginx' }] },
});
const errors = (o: JsonObject) => { defaultObject(o as KubeObject, { create: true }); return validateCreate(o as KubeObject).map(fieldErrorString); };

test('DaemonSet: defaults, selector/template mismatch, rolling update fenceposts', () => {
  const ds: JsonObject = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'd', namespace: 'default' },
    spec: { selector: { matchLabels: { app: 'a' } }, template: tmpl({ app: 'a' }) } };
  assert.deepEqual(errors(ds), []);
  assert.deepEqual(ds.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  assert.equal(ds.spec.revisionHistoryLimit, 10);
  const bad = structuredClone(ds);
  bad.spec.template.metadata.labels = { app: 'b' };
  bad.spec.updateStrategy.rollingUpdate = { maxUnavailable: 0, maxSurge: 0 };
  assert.deepEqual(errors(bad), [
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"b"}: `selector` does not match template `labels`',
    'spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0',
  ]);
  const both = structuredClone(ds);
  both.spec.updateStrategy.rollingUpdate = { maxUnavailable: 1, maxSurge: '10%' };
  assert.deepEqual(errors(both), ['spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 10%: may not be set when maxUnavailable is non-zero']);
});

test('StatefulSet: defaults, podManagementPolicy, immutable fields, volumeClaimTemplates refused', () => {
  const sts: JsonObject = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'default', resourceVersion: '1' },
    spec: { serviceName: 'nginx', selector: { matchLabels: { app: 'a' } }, template: tmpl({ app: 'a' }) } };
  assert.deepEqual(errors(sts), []);
  assert.equal(sts.spec.podManagementPolicy, 'OrderedReady');
  assert.deepEqual(sts.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  assert.deepEqual(sts.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
  const next = structuredClone(sts);
  next.spec.serviceName = 'other';
  assert.deepEqual(validateUpdate(next as KubeObject, sts as KubeObject).map(fieldErrorString), [
    "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
  ]);
  const bad = structuredClone(sts);
  bad.spec.podManagementPolicy = 'Sometimes';
  bad.spec.volumeClaimTemplates = [{ metadata: { name: 'data' } }];
  const errs = errors(bad);
  assert.deepEqual(errs[0], "spec.podManagementPolicy: Invalid value: \"Sometimes\": must be 'OrderedReady' or 'Parallel'");
  assert.match(errs[1], /^spec.volumeClaimTemplates: Forbidden: podnet has no storage \(no PersistentVolumes or provisioner\): remove volumeClaimTemplates/);
  assert.equal(errs.length, 2);
});

test('Job and CronJob: restartPolicy, negative parallelism, Indexed, schedule and time zone', () => {
  const job: JsonObject = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'default' },
    spec: { selector: { matchLabels: { x: 'y' } }, template: tmpl({ x: 'y' }, 'Never') } };
  assert.deepEqual(errors(job), []);
  assert.deepEqual([job.spec.completions, job.spec.parallelism, job.spec.backoffLimit, job.spec.completionMode, job.spec.suspend, job.spec.podReplacementPolicy],
    [1, 1, 6, 'NonIndexed', false, 'TerminatingOrFailed']);
  const bad = structuredClone(job);
  bad.spec.parallelism = -1;
  bad.spec.completionMode = 'Indexed';
  delete bad.spec.completions;
  bad.spec.template.spec.restartPolicy = 'Always';
  assert.deepEqual(errors(bad), [
    'spec.parallelism: Invalid value: -1: must be greater than or equal to 0',
    'spec.completions: Required value: when completion mode is Indexed',
    'spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
  ]);
  const cj: JsonObject = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c', namespace: 'default' },
    spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: tmpl({}, 'OnFailure') } } } };
  assert.deepEqual(errors(cj), []);
  assert.deepEqual([cj.spec.concurrencyPolicy, cj.spec.suspend, cj.spec.successfulJobsHistoryLimit, cj.spec.failedJobsHistoryLimit], ['Allow', false, 3, 1]);
  const badCj = structuredClone(cj);
  badCj.spec.schedule = 'TZ=UTC 0 * * * *';
  badCj.spec.concurrencyPolicy = 'Sometimes';
  badCj.spec.timeZone = 'Local';
  assert.deepEqual(errors(badCj), [
    'spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use both timeZone field and TZ or CRON_TZ in schedule',
    'spec.timeZone: Invalid value: "Local": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones',
    'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
  ]);
  const long = structuredClone(cj);
  long.metadata.name = 'x'.repeat(53);
  assert.deepEqual(errors(long), [`metadata.name: Invalid value: "${'x'.repeat(53)}": must be no more than 52 characters`]);
});
