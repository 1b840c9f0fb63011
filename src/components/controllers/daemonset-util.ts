// Pure helpers of the DaemonSet controller (upstream pkg/controller/daemon/util and the predicates of
// daemon_controller.go): which nodes should run a daemon pod, the pod a DaemonSet makes for one node
// (its tolerations and the node affinity that pins it), and which of a node's pods are up to date.
import type { JsonObject, KubeObject } from '../../core/api/object.js';
import { effectiveTaints, matchesNodeAffinity, tolerates, type Toleration } from './scheduler-predicates.js';
import {
  CONTROLLER_REVISION_HASH, DAEMONSET_TEMPLATE_GENERATION as TEMPLATE_GENERATION, POD_TEMPLATE_GENERATION,
} from '../../core/api/workload-keys.js';

/** What AddOrUpdateDaemonPodTolerations adds to every daemon pod (hostNetwork pods also ride out network-unavailable). */
export function daemonTolerations(spec: JsonObject): Toleration[] {
  const tols: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (spec.hostNetwork === true) tols.push({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  return tols;
}

/** Adds the daemon tolerations a spec lacks (same key and effect counts as present, as upstream). */
export function addDaemonTolerations(spec: JsonObject): void {
  const tols: Toleration[] = [...(spec.tolerations ?? [])];
  for (const t of daemonTolerations(spec)) {
    const i = tols.findIndex((x) => x.key === t.key && x.effect === t.effect);
    if (i >= 0) tols[i] = t; else tols.push(t);
  }
  spec.tolerations = tols;
}

/** The pod the predicates judge for a node (upstream NewPod): the template with the daemon tolerations. */
function podForNode(ds: KubeObject): KubeObject {
  const t = (ds as JsonObject).spec?.template ?? {};
  const spec = structuredClone(t.spec ?? {});
  addDaemonTolerations(spec);
  return { apiVersion: 'v1', kind: 'Pod', metadata: { ...(t.metadata ?? {}), namespace: ds.metadata.namespace }, spec } as KubeObject;
}

/**
 * [shouldRun, shouldContinueRunning] (upstream NodeShouldRunDaemonPod): the node must match nodeName,
 * nodeSelector and required node affinity; an untolerated NoSchedule taint stops new pods, an untolerated
 * NoExecute taint also removes the running one. Taints are the node's plus those the node lifecycle
 * controller would put for its Ready condition.
 */
export function nodeShouldRunDaemonPod(node: KubeObject, ds: KubeObject): [boolean, boolean] {
  const pod = podForNode(ds);
  const spec = (pod as JsonObject).spec;
  if (spec.nodeName && spec.nodeName !== node.metadata.name) return [false, false];
  if (!matchesNodeAffinity(pod, node)) return [false, false];
  const tols: Toleration[] = spec.tolerations ?? [];
  const untolerated = effectiveTaints(node).filter((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tols.some((x) => tolerates(x, t)));
  if (untolerated.length === 0) return [true, true];
  return [false, !untolerated.some((t) => t.effect === 'NoExecute')];
}

/** Replaces the required node affinity by one term pinning the pod to `nodeName` (ReplaceDaemonSetPodNodeNameNodeAffinity). */
export function pinToNode(spec: JsonObject, nodeName: string): void {
  const term = { matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] };
  spec.affinity ??= {};
  spec.affinity.nodeAffinity ??= {};
  spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = { nodeSelectorTerms: [term] };
}

/** The node a daemon pod is for: its nodeName, else the node its affinity pins it to (GetTargetNodeName). */
export function targetNodeName(pod: KubeObject): string | undefined {
  const spec = (pod as JsonObject).spec ?? {};
  if (spec.nodeName) return spec.nodeName;
  const terms: JsonObject[] = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const t of terms) for (const f of t.matchFields ?? []) {
    if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  }
  return undefined;
}

export function templateGeneration(ds: KubeObject): string | undefined {
  return ds.metadata.annotations?.[TEMPLATE_GENERATION];
}

/** Up to date: the current revision's hash, or (pods of older controllers) the template generation (IsPodUpdated). */
export function isPodUpdated(pod: KubeObject, hash: string, generation: string | undefined): boolean {
  const labels = pod.metadata.labels ?? {};
  return labels[CONTROLLER_REVISION_HASH] === hash ||
    (generation !== undefined && labels[POD_TEMPLATE_GENERATION] === generation && labels[CONTROLLER_REVISION_HASH] === undefined);
}

/** [maxSurge, maxUnavailable] over the number of nodes that should run a pod (upstream updatedDesiredNodeCounts). */
export function surgeAndUnavailable(ds: KubeObject, desired: number, scaled: (v: unknown, total: number, up: boolean) => number): [number, number] {
  const ru = (ds as JsonObject).spec?.updateStrategy?.rollingUpdate ?? {};
  const surge = scaled(ru.maxSurge ?? 0, desired, true);
  let unavailable = scaled(ru.maxUnavailable ?? 1, desired, true);
  // Never 0 and 0: one pod at a time.
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return [surge, unavailable];
}

/** Oldest first; at equal age, running before pending (podByCreationTimestampAndPhase). */
export function byCreationAndPhase(a: KubeObject, b: KubeObject): number {
  const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0, tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
  if (ta !== tb) return ta - tb;
  const pa = (a as JsonObject).status?.phase === 'Running' ? 0 : 1, pb = (b as JsonObject).status?.phase === 'Running' ? 0 : 1;
  if (pa !== pb) return pa - pb;
  return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}
