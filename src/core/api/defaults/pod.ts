// Pod and PodSpec defaulting: pkg/apis/core/v1/defaults.go plus what the admission plugins a default
// kube-apiserver runs add to every pod (ServiceAccount, Priority, DefaultTolerationSeconds).
import type { JsonObject } from '../object.js';

const isObj = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): JsonObject[] => (Array.isArray(v) ? v.filter(isObj) : []);

// The reference grammar of distribution/reference (docker.io/library/nginx:1.27@sha256:...).
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*';
const DOMAIN = '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?';
const REFERENCE = new RegExp(`^(?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*(?::([\\w][\\w.-]{0,127}))?(@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$`);

/**
 * The tag kubelet would pull: the explicit tag, "latest" when there is neither tag nor digest, and ""
 * for a digest-only or unparsable reference (parsers.ParseImageName).
 */
export function imageTag(image: string): string {
  const m = REFERENCE.exec(image);
  if (!m || image.length > 255 + 200) return '';
  if (m[1]) return m[1];
  return m[2] ? '' : 'latest';
}

export function defaultContainer(c: JsonObject): void {
  if (!c.imagePullPolicy) c.imagePullPolicy = imageTag(String(c.image ?? '')) === 'latest' ? 'Always' : 'IfNotPresent';
  if (!c.terminationMessagePath) c.terminationMessagePath = '/dev/termination-log';
  if (!c.terminationMessagePolicy) c.terminationMessagePolicy = 'File';
  // Go always serialises the Resources struct, so a stored container shows `resources: {}`.
  if (!isObj(c.resources)) c.resources = {};
  for (const p of list(c.ports)) if (!p.protocol) p.protocol = 'TCP';
  for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) if (isObj(probe)) defaultProbe(probe);
  for (const h of [c.lifecycle?.postStart, c.lifecycle?.preStop]) if (isObj(h) && isObj(h.httpGet)) defaultHTTPGet(h.httpGet);
  for (const e of list(c.env)) if (isObj(e.valueFrom?.fieldRef) && !e.valueFrom.fieldRef.apiVersion) e.valueFrom.fieldRef.apiVersion = 'v1';
}

function defaultProbe(p: JsonObject): void {
  if (!p.timeoutSeconds) p.timeoutSeconds = 1;
  if (!p.periodSeconds) p.periodSeconds = 10;
  if (!p.successThreshold) p.successThreshold = 1;
  if (!p.failureThreshold) p.failureThreshold = 3;
  if (isObj(p.httpGet)) defaultHTTPGet(p.httpGet);
}

function defaultHTTPGet(h: JsonObject): void {
  if (!h.path) h.path = '/';
  if (!h.scheme) h.scheme = 'HTTP';
}

const VOLUME_SOURCES = ['hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi',
  'glusterfs', 'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile',
  'configMap', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume', 'scaleIO',
  'storageos', 'csi', 'ephemeral', 'image'];

function defaultVolume(v: JsonObject): void {
  if (!VOLUME_SOURCES.some((k) => isObj(v[k]))) v.emptyDir = {};
  for (const k of ['secret', 'configMap', 'downwardAPI', 'projected']) {
    if (isObj(v[k]) && (v[k].defaultMode === undefined || v[k].defaultMode === null)) v[k].defaultMode = 420; // 0644
  }
  if (isObj(v.hostPath) && (v.hostPath.type === undefined || v.hostPath.type === null)) v.hostPath.type = '';
  for (const item of list(v.downwardAPI?.items)) if (isObj(item.fieldRef) && !item.fieldRef.apiVersion) item.fieldRef.apiVersion = 'v1';
  for (const src of list(v.projected?.sources)) {
    if (isObj(src.serviceAccountToken) && (src.serviceAccountToken.expirationSeconds ?? null) === null) src.serviceAccountToken.expirationSeconds = 3600;
    for (const item of list(src.downwardAPI?.items)) if (isObj(item.fieldRef) && !item.fieldRef.apiVersion) item.fieldRef.apiVersion = 'v1';
  }
}

/** SetDefaults_PodSpec and what it reaches: containers, volumes. Applies to pods and pod templates. */
export function defaultPodSpec(spec: JsonObject): void {
  if (!spec.dnsPolicy) spec.dnsPolicy = 'ClusterFirst';
  if (!spec.restartPolicy) spec.restartPolicy = 'Always';
  if (!isObj(spec.securityContext)) spec.securityContext = {};
  if (spec.terminationGracePeriodSeconds === undefined || spec.terminationGracePeriodSeconds === null) spec.terminationGracePeriodSeconds = 30;
  if (!spec.schedulerName) spec.schedulerName = 'default-scheduler';
  for (const c of [...list(spec.containers), ...list(spec.initContainers), ...list(spec.ephemeralContainers)]) defaultContainer(c);
  for (const v of list(spec.volumes)) defaultVolume(v);
}

const NOT_READY = 'node.kubernetes.io/not-ready';
const UNREACHABLE = 'node.kubernetes.io/unreachable';

/** kube-apiserver's --default-not-ready-toleration-seconds and --default-unreachable-toleration-seconds. */
export interface TolerationSeconds { notReady: number; unreachable: number }
const DEFAULT_TOLERATION_SECONDS: TolerationSeconds = { notReady: 300, unreachable: 300 };

/** DefaultTolerationSeconds admission: pods ride out a NotReady/Unreachable node for 300s unless they say otherwise. */
function defaultTolerations(spec: JsonObject, seconds: TolerationSeconds): void {
  const tolerations = list(spec.tolerations);
  const tolerates = (key: string) => tolerations.some((t) => (t.key === key || !t.key) && (t.effect === 'NoExecute' || !t.effect));
  const add: JsonObject[] = [];
  if (!tolerates(NOT_READY)) add.push({ key: NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds.notReady });
  if (!tolerates(UNREACHABLE)) add.push({ key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds.unreachable });
  if (add.length) spec.tolerations = [...(Array.isArray(spec.tolerations) ? spec.tolerations : []), ...add];
}

/** A Pod: its spec's defaults, SetDefaults_Pod, and the admission plugins' additions. */
export function defaultPod(pod: JsonObject, tolerationSeconds = DEFAULT_TOLERATION_SECONDS): void {
  if (!isObj(pod.spec)) pod.spec = {};
  const spec = pod.spec;
  defaultPodSpec(spec);
  // Requests default to limits for pods (not templates).
  for (const c of [...list(spec.containers), ...list(spec.initContainers)]) {
    const r = c.resources;
    if (isObj(r) && isObj(r.limits)) {
      r.requests = isObj(r.requests) ? r.requests : {};
      for (const [k, v] of Object.entries(r.limits)) if (!(k in r.requests)) r.requests[k] = v;
    }
  }
  if (spec.enableServiceLinks === undefined || spec.enableServiceLinks === null) spec.enableServiceLinks = true;
  if (spec.hostNetwork === true) {
    for (const c of [...list(spec.containers), ...list(spec.initContainers)]) {
      for (const p of list(c.ports)) if (!p.hostPort) p.hostPort = p.containerPort;
    }
  }
  // v1 conversion: the deprecated serviceAccount mirrors serviceAccountName; the ServiceAccount
  // admission plugin fills in "default".
  if (!spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount || 'default';
  spec.serviceAccount = spec.serviceAccountName;
  // Priority admission without a PriorityClass: priority 0, preempting lower priorities.
  if (!spec.priorityClassName) {
    if (spec.priority === undefined || spec.priority === null) spec.priority = 0;
    if (!spec.preemptionPolicy) spec.preemptionPolicy = 'PreemptLowerPriority';
  }
  defaultTolerations(spec, tolerationSeconds);
}

/** A pod template (Deployment, ReplicaSet): PodSpec defaults only, and Go's `creationTimestamp: null`. */
export function defaultPodTemplate(template: JsonObject): void {
  if (!isObj(template.metadata)) template.metadata = {};
  if (!('creationTimestamp' in template.metadata)) template.metadata.creationTimestamp = null;
  if (!isObj(template.spec)) template.spec = {};
  defaultPodSpec(template.spec);
}
