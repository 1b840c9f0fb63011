// Pod facts the workload controllers and the scheduler share (upstream pkg/api/v1/pod and
// pkg/controller/controller_utils.go): readiness, availability after minReadySeconds, controller
// references, pods from a template, and the order in which a scale-down picks pods to delete.
import type { JsonObject, KubeObject, OwnerReference } from '../../core/api/object.js';

export type Pod = KubeObject & { spec: JsonObject; status?: JsonObject };

function condition(pod: KubeObject, type: string): JsonObject | undefined {
  return ((pod as JsonObject).status?.conditions ?? []).find((c: JsonObject) => c.type === type);
}

/** Not finished and not being deleted: counts towards a ReplicaSet's replicas. */
export function isPodActive(pod: KubeObject): boolean {
  const phase = (pod as JsonObject).status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

export function isPodTerminal(pod: KubeObject): boolean {
  const phase = (pod as JsonObject).status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

export function isPodReady(pod: KubeObject): boolean {
  return condition(pod, 'Ready')?.status === 'True';
}

/** When the pod last became Ready (ms since epoch), or undefined if it is not ready. */
export function podReadySince(pod: KubeObject): number | undefined {
  const c = condition(pod, 'Ready');
  if (c?.status !== 'True') return undefined;
  const t = Date.parse(c.lastTransitionTime ?? '');
  return Number.isNaN(t) ? 0 : t;
}

/** Ready for at least minReadySeconds (upstream IsPodAvailable). */
export function isPodAvailable(pod: KubeObject, minReadySeconds: number, now = Date.now()): boolean {
  const since = podReadySince(pod);
  if (since === undefined) return false;
  return minReadySeconds <= 0 || since + minReadySeconds * 1000 <= now;
}

/** Milliseconds until a ready pod becomes available, or undefined if it is not ready or already available. */
export function msUntilAvailable(pod: KubeObject, minReadySeconds: number, now = Date.now()): number | undefined {
  const since = podReadySince(pod);
  if (since === undefined || minReadySeconds <= 0) return undefined;
  const left = since + minReadySeconds * 1000 - now;
  return left > 0 ? left : undefined;
}

export function controllerRefOf(obj: KubeObject): OwnerReference | undefined {
  return (obj.metadata.ownerReferences ?? []).find((r) => r.controller === true);
}

export function newControllerRef(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name!, uid: owner.metadata.uid!,
    controller: true, blockOwnerDeletion: true,
  };
}

/** generateName is cut so that the 5 random characters still fit in 63 (apiserver's SimpleNameGenerator). */
export function generateNamePrefix(base: string): string {
  const prefix = `${base}-`;
  return prefix.length > 58 ? prefix.slice(0, 58) : prefix;
}

/** A pod for a ReplicaSet, from its template (upstream GetPodFromTemplate). */
export function podFromTemplate(owner: KubeObject, template: JsonObject): KubeObject {
  const meta = template?.metadata ?? {};
  const pod: JsonObject = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      generateName: generateNamePrefix(owner.metadata.name!),
      namespace: owner.metadata.namespace,
      ownerReferences: [newControllerRef(owner)],
    },
    spec: structuredClone(template?.spec ?? {}),
  };
  if (meta.labels) pod.metadata.labels = { ...meta.labels };
  if (meta.annotations) pod.metadata.annotations = { ...meta.annotations };
  if (meta.finalizers) pod.metadata.finalizers = [...meta.finalizers];
  return pod as KubeObject;
}

const PHASE_ORDER: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function restarts(pod: KubeObject): number {
  return ((pod as JsonObject).status?.containerStatuses ?? []).reduce((n: number, c: JsonObject) => n + (c.restartCount ?? 0), 0);
}

function deletionCost(pod: KubeObject): number {
  const v = Number(pod.metadata.annotations?.['controller.kubernetes.io/pod-deletion-cost'] ?? 0);
  return Number.isFinite(v) ? v : 0;
}

/**
 * Orders pods so that the ones to delete first come first (upstream ActivePodsWithRanks):
 * unassigned < assigned; Pending < Unknown < Running; not ready < ready; lower pod-deletion-cost first;
 * more pods of the same workload on the node first; ready for less time first; more restarts first;
 * newer first.
 */
export function compareForDeletion(rank: (pod: KubeObject) => number): (a: KubeObject, b: KubeObject) => number {
  return (a, b) => {
    const na = (a as JsonObject).spec?.nodeName ?? '', nb = (b as JsonObject).spec?.nodeName ?? '';
    if (na !== nb && (na === '' || nb === '')) return na === '' ? -1 : 1;
    const pa = PHASE_ORDER[(a as JsonObject).status?.phase ?? 'Pending'] ?? 0;
    const pb = PHASE_ORDER[(b as JsonObject).status?.phase ?? 'Pending'] ?? 0;
    if (pa !== pb) return pa - pb;
    const ra = isPodReady(a), rb = isPodReady(b);
    if (ra !== rb) return ra ? 1 : -1;
    const ca = deletionCost(a), cb = deletionCost(b);
    if (ca !== cb) return ca - cb;
    const ka = rank(a), kb = rank(b);
    if (ka !== kb) return kb - ka;
    if (ra && rb) {
      const sa = podReadySince(a) ?? 0, sb = podReadySince(b) ?? 0;
      if (sa !== sb) return sb - sa;
    }
    const xa = restarts(a), xb = restarts(b);
    if (xa !== xb) return xb - xa;
    const ta = Date.parse(a.metadata.creationTimestamp ?? '') || Infinity;
    const tb = Date.parse(b.metadata.creationTimestamp ?? '') || Infinity;
    if (ta !== tb) return tb - ta;
    return (b.metadata.name ?? '').localeCompare(a.metadata.name ?? '');
  };
}

/** `namespace/name` of a pod: the key expectations track deletions by. */
export function podKey(pod: KubeObject): string {
  return `${pod.metadata.namespace}/${pod.metadata.name}`;
}
