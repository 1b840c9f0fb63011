// What kube-controller-manager's node lifecycle controller and its taint-eviction controller decide,
// as pure functions over plain objects (pkg/controller/nodelifecycle, pkg/controller/tainteviction):
//  - a node whose kubelet (here: the agent) has not renewed its Lease nor posted status for the grace
//    period gets every condition set to Unknown, reason NodeStatusUnknown;
//  - a node's Ready condition becomes taints: False → node.kubernetes.io/not-ready, Unknown →
//    node.kubernetes.io/unreachable, each with NoSchedule and NoExecute (timeAdded on the NoExecute one);
//  - a pod on a node with NoExecute taints is evicted at once if it does not tolerate one, after the
//    smallest tolerationSeconds of the tolerations that match if it does, never if those have none.
import type { JsonObject, KubeObject } from '../../core/api/object.js';
import { tolerates, type Taint, type Toleration } from './scheduler-predicates.js';

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
const LIFECYCLE_TAINTS = new Set([TAINT_NOT_READY, TAINT_UNREACHABLE]);

export interface NodeTaint extends Taint { timeAdded?: string }

/** The last sign of life of a node: its Lease's renewTime or its Ready condition's heartbeat, in ms. */
export function lastHeartbeatMs(node: KubeObject, lease: KubeObject | undefined): number | undefined {
  const times: number[] = [];
  const renew = (lease as JsonObject | undefined)?.spec?.renewTime;
  if (typeof renew === 'string') times.push(Date.parse(renew));
  const ready = readyCondition(node);
  if (typeof ready?.lastHeartbeatTime === 'string') times.push(Date.parse(ready.lastHeartbeatTime));
  const valid = times.filter((t) => Number.isFinite(t));
  return valid.length ? Math.max(...valid) : undefined;
}

export function readyCondition(node: KubeObject): JsonObject | undefined {
  return ((node as JsonObject).status?.conditions ?? []).find((c: JsonObject) => c.type === 'Ready');
}

/**
 * The node's conditions once its agent stopped reporting: each one Unknown (Ready, MemoryPressure, ...),
 * with the transition time moved only for those that were not Unknown already; undefined when every
 * condition is Unknown already. A node that never reported gets a Ready condition saying so.
 */
export function conditionsWhenSilent(node: KubeObject, now: Date): JsonObject[] | undefined {
  const conditions: JsonObject[] = (node as JsonObject).status?.conditions ?? [];
  const at = now.toISOString().replace(/\.\d+Z$/, 'Z');
  if (conditions.length === 0) {
    return [{ type: 'Ready', status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: at, lastTransitionTime: at }];
  }
  if (conditions.every((c) => c.status === 'Unknown')) return undefined;
  return conditions.map((c) => c.status === 'Unknown' ? c : {
    ...c, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: at,
  });
}

/**
 * The node's taints with the lifecycle taints its Ready condition calls for (and no others of theirs);
 * undefined when nothing changes. Taints already present keep their timeAdded.
 */
export function taintsForCondition(node: KubeObject, now: Date): NodeTaint[] | undefined {
  const current: NodeTaint[] = (node as JsonObject).spec?.taints ?? [];
  const status = readyCondition(node)?.status;
  const key = status === 'False' ? TAINT_NOT_READY : status === 'Unknown' ? TAINT_UNREACHABLE : undefined;
  const at = now.toISOString().replace(/\.\d+Z$/, 'Z');
  const wanted: NodeTaint[] = key ? [{ key, effect: 'NoSchedule' }, { key, effect: 'NoExecute', timeAdded: at }] : [];
  const kept = current.filter((t) => !LIFECYCLE_TAINTS.has(t.key) || wanted.some((w) => w.key === t.key && w.effect === t.effect));
  const added = wanted.filter((w) => !kept.some((t) => t.key === w.key && t.effect === w.effect));
  if (added.length === 0 && kept.length === current.length) return undefined;
  return [...kept, ...added];
}

/**
 * Milliseconds from now until a pod on a node with these taints is evicted: 0 at once, Infinity never.
 * Only NoExecute taints count; the clock for a tolerated taint starts when it was added.
 */
export function evictionDelayMs(pod: KubeObject, taints: readonly NodeTaint[], now: number): number {
  const noExecute = taints.filter((t) => t.effect === 'NoExecute');
  if (noExecute.length === 0) return Infinity;
  const tolerations: Toleration[] = (pod as JsonObject).spec?.tolerations ?? [];
  let fireAt = Infinity;
  for (const taint of noExecute) {
    const matching = tolerations.filter((t) => tolerates(t, taint)) as Array<Toleration & { tolerationSeconds?: number }>;
    if (matching.length === 0) return 0;
    const bounded = matching.filter((t) => typeof t.tolerationSeconds === 'number');
    // A matching toleration without tolerationSeconds tolerates the taint forever.
    if (bounded.length < matching.length) continue;
    const seconds = Math.max(0, Math.min(...bounded.map((t) => t.tolerationSeconds!)));
    const added = taint.timeAdded ? Date.parse(taint.timeAdded) : now;
    fireAt = Math.min(fireAt, (Number.isFinite(added) ? added : now) + seconds * 1000);
  }
  return fireAt === Infinity ? Infinity : Math.max(0, fireAt - now);
}
