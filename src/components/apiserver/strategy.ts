// Per-kind rules the registry applies around every write, after kube-apiserver's REST strategies:
// what a create resets, which part a main-resource update may change versus a status update, when
// metadata.generation moves, and how a delete proceeds (graceful pods, finalizers, namespaces).
import type { KubeObject, JsonObject } from '../../core/api/object.js';
import type { ResourceInfo } from '../../core/api/resources.js';
import { isDeepStrictEqual } from 'node:util';
import {
  DAEMONSET_TEMPLATE_GENERATION as TEMPLATE_GENERATION, JOB_CONTROLLER_UID, JOB_NAME, LEGACY_CONTROLLER_UID, LEGACY_JOB_NAME,
} from '../../core/api/workload-keys.js';

/** Kinds whose spec changes bump metadata.generation (the ones whose controllers report observedGeneration). */
const GENERATION_KINDS = new Set([
  'Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet', 'Job', 'CronJob', 'Ingress', 'NetworkPolicy', 'IngressClass', 'Pod',
]);

/** Kinds with a status that only the /status subresource may change. */
export function hasStatusSubresource(info: ResourceInfo): boolean {
  return info.subresources.includes('status');
}

export function nowTimestamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Resets what a client may not set on create (PrepareForCreate). */
export function prepareForCreate(info: ResourceInfo, obj: KubeObject): void {
  const o = obj as JsonObject;
  if (GENERATION_KINDS.has(info.kind)) obj.metadata.generation = 1;
  else delete obj.metadata.generation;
  switch (info.kind) {
    case 'Pod':
      o.status = { phase: 'Pending', qosClass: qosClass(o.spec) };
      break;
    case 'Service':
      o.status = { loadBalancer: {} };
      break;
    case 'DaemonSet':
      // apps/v1 keeps the internal spec.templateGeneration in this annotation; pods carry it as the
      // pod-template-generation label.
      obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), [TEMPLATE_GENERATION]: '1' };
      // The daemon set strategy starts status with zero counts (upstream's PrepareForCreate sets
      // templateGeneration; the counters are not omitempty).
      o.status = { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
      break;
    case 'StatefulSet':
      o.status = { replicas: 0, availableReplicas: 0 };
      break;
    case 'Job':
      o.status = {};
      if (o.spec?.manualSelector !== true) generateJobSelector(o);
      break;
    case 'CronJob':
      o.status = {};
      break;
    case 'Deployment': case 'ReplicaSet': case 'Ingress':
      o.status = info.kind === 'Ingress' ? { loadBalancer: {} } : {};
      break;
    case 'Namespace':
      o.status = { phase: 'Active' };
      break;
  }
}

/**
 * The Job strategy's generateSelector: unless the user chose a manual selector, pods are selected by the
 * Job's uid, and the template carries the uid and the job name (both label spellings, as 1.32 does).
 */
function generateJobSelector(job: JsonObject): void {
  const uid = job.metadata.uid, name = job.metadata.name;
  const [UID, LEGACY_UID, NAME, LEGACY_NAME] = [JOB_CONTROLLER_UID, LEGACY_CONTROLLER_UID, JOB_NAME, LEGACY_JOB_NAME];
  if (typeof job.spec !== 'object' || job.spec === null) return;
  const t = job.spec.template ??= {};
  t.metadata ??= {};
  const labels = t.metadata.labels ??= {};
  labels[UID] ??= uid;
  labels[LEGACY_UID] ??= uid;
  if (name) {
    labels[NAME] ??= name;
    labels[LEGACY_NAME] ??= name;
  }
  const sel = job.spec.selector;
  if (!sel) job.spec.selector = { matchLabels: { [UID]: uid } };
  else if (!sel.matchLabels?.[UID]) sel.matchLabels = { ...(sel.matchLabels ?? {}), [UID]: uid };
}

/** Guaranteed / Burstable / BestEffort, from the containers' requests and limits. */
function qosClass(spec: JsonObject | undefined): string {
  const containers: JsonObject[] = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])];
  let any = false, guaranteed = containers.length > 0;
  for (const c of containers) {
    const req = c.resources?.requests ?? {}, lim = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const r of ['cpu', 'memory']) {
      if (!lim[r] || (req[r] !== undefined && req[r] !== lim[r])) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

const SERVER_OWNED_META = ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'name', 'namespace'];

/**
 * Builds the object a main-resource update stores (PrepareForUpdate): the server's metadata fields come
 * from the old object, the status too when the kind has a status subresource, and generation moves when
 * the spec changed.
 */
export function prepareForUpdate(info: ResourceInfo, next: KubeObject, old: KubeObject): KubeObject {
  const o = next as JsonObject;
  for (const k of SERVER_OWNED_META) {
    if (old.metadata[k] === undefined) delete next.metadata[k];
    else next.metadata[k] = old.metadata[k];
  }
  if (hasStatusSubresource(info)) {
    if ((old as JsonObject).status === undefined) delete o.status;
    else o.status = (old as JsonObject).status;
  }
  if (info.kind === 'Namespace') o.spec = (old as JsonObject).spec; // only /finalize changes it
  if (info.kind === 'Service' && o.spec && (old as JsonObject).spec) {
    patchAllocatedValues(o.spec, (old as JsonObject).spec);
    dropTypeDependentFields(o.spec, (old as JsonObject).spec);
  }
  bumpGeneration(info, next, old);
  if (info.kind === 'DaemonSet') {
    const prev = Number(old.metadata.annotations?.[TEMPLATE_GENERATION] ?? 0) || 0;
    const changed = !isDeepStrictEqual(o.spec?.template, (old as JsonObject).spec?.template);
    next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [TEMPLATE_GENERATION]: String(changed ? prev + 1 : prev) };
  }
  return next;
}


function bumpGeneration(info: ResourceInfo, next: KubeObject, old: KubeObject): void {
  if (!GENERATION_KINDS.has(info.kind)) return;
  const specChanged = !isDeepStrictEqual((next as JsonObject).spec, (old as JsonObject).spec);
  next.metadata.generation = (old.metadata.generation ?? 1) + (specChanged ? 1 : 0);
}

/** The object a /status update stores: the old object with the new status (and, for nodes, nothing more). */
export function prepareForStatusUpdate(next: KubeObject, old: KubeObject): KubeObject {
  const out = structuredClone(old) as JsonObject;
  out.status = (next as JsonObject).status;
  out.metadata.resourceVersion = next.metadata.resourceVersion;
  return out as KubeObject;
}

/** The object a /finalize update stores: the old namespace with the new spec.finalizers. */
export function prepareForFinalize(next: KubeObject, old: KubeObject): KubeObject {
  const out = structuredClone(old) as JsonObject;
  out.spec = { ...(out.spec ?? {}), finalizers: (next as JsonObject).spec?.finalizers ?? [] };
  if (out.spec.finalizers.length === 0) delete out.spec.finalizers;
  out.metadata.resourceVersion = next.metadata.resourceVersion;
  return out as KubeObject;
}

/**
 * How long a delete waits: undefined means remove now. Pods bound to a node that may be running get the
 * grace period, ended by the node's agent (as kubelet does); everything else goes at once.
 */
export function gracePeriodFor(info: ResourceInfo, obj: KubeObject, requested?: number): number | undefined {
  if (info.kind !== 'Pod') return undefined;
  const o = obj as JsonObject;
  if (!o.spec?.nodeName) return undefined;
  if (o.status?.phase === 'Succeeded' || o.status?.phase === 'Failed') return undefined;
  const grace = requested ?? o.spec?.terminationGracePeriodSeconds ?? 30;
  if (grace <= 0) return undefined;
  // A deletion already in progress may only be shortened.
  const current = obj.metadata.deletionGracePeriodSeconds;
  return current !== undefined ? Math.min(current, grace) : grace;
}

/** True once nothing holds a deleted object back (no finalizers; for namespaces also spec.finalizers). */
export function readyToRemove(obj: KubeObject): boolean {
  if (!obj.metadata.deletionTimestamp) return false;
  if ((obj.metadata.finalizers ?? []).length > 0) return false;
  if (obj.kind === 'Namespace' && ((obj as JsonObject).spec?.finalizers ?? []).length > 0) return false;
  if (obj.kind === 'Pod' && obj.metadata.deletionGracePeriodSeconds) return false;
  return true;
}

const usesNodePorts = (s: JsonObject) => s.type === 'NodePort' || (s.type === 'LoadBalancer' && s.allocateLoadBalancerNodePorts !== false);

/**
 * An update that leaves out what the server allocated (clusterIP, nodePorts, healthCheckNodePort) keeps the
 * old values, as upstream's PatchAllocatedValues does, so `kubectl replace` of a manifest works.
 */
function patchAllocatedValues(spec: JsonObject, old: JsonObject): void {
  if (spec.type !== 'ExternalName' && old.type !== 'ExternalName') {
    if (!spec.clusterIP && old.clusterIP) spec.clusterIP = old.clusterIP;
    if (!spec.clusterIPs && old.clusterIPs && spec.clusterIP === old.clusterIP) spec.clusterIPs = old.clusterIPs;
    spec.ipFamilies ??= old.ipFamilies;
    spec.ipFamilyPolicy ??= old.ipFamilyPolicy;
  }
  if (usesNodePorts(spec) && usesNodePorts(old)) {
    const byPort = new Map<string, number>();
    for (const p of old.ports ?? []) if (p.nodePort) byPort.set(`${p.port}/${p.protocol ?? 'TCP'}`, p.nodePort);
    for (const p of spec.ports ?? []) if (!p.nodePort) {
      const n = byPort.get(`${p.port}/${p.protocol ?? 'TCP'}`);
      if (n) p.nodePort = n;
    }
  }
  if (spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local' && !spec.healthCheckNodePort && old.healthCheckNodePort) {
    spec.healthCheckNodePort = old.healthCheckNodePort;
  }
}

/** A type change drops the fields only the old type had, when the user left them as they were (upstream 1.20+). */
function dropTypeDependentFields(spec: JsonObject, old: JsonObject): void {
  if (spec.type === 'ExternalName' && old.type !== 'ExternalName') {
    if (spec.clusterIP === old.clusterIP) { delete spec.clusterIP; delete spec.clusterIPs; }
    if (JSON.stringify(spec.ipFamilies) === JSON.stringify(old.ipFamilies)) delete spec.ipFamilies;
    if (spec.ipFamilyPolicy === old.ipFamilyPolicy) delete spec.ipFamilyPolicy;
  }
  if (!usesNodePorts(spec) && usesNodePorts(old)) {
    const oldPorts = new Set((old.ports ?? []).map((p: JsonObject) => p.nodePort));
    for (const p of spec.ports ?? []) if (p.nodePort !== undefined && oldPorts.has(p.nodePort)) delete p.nodePort;
  }
  const needsHealthCheck = spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
  if (!needsHealthCheck && spec.healthCheckNodePort === old.healthCheckNodePort) delete spec.healthCheckNodePort;
  if (spec.type !== 'LoadBalancer' && old.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === old.allocateLoadBalancerNodePorts) {
    delete spec.allocateLoadBalancerNodePorts;
  }
  if (spec.type === 'ClusterIP' || spec.type === 'ExternalName') {
    if (spec.externalTrafficPolicy === old.externalTrafficPolicy) delete spec.externalTrafficPolicy;
  }
}
