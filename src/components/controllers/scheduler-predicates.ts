// The scheduler's filters and its failure message, as kube-scheduler's default plugins decide and word
// them (NodeUnschedulable, TaintToleration, NodeAffinity, NodePorts, in that order; the first failing
// filter gives a node's reason). Pure functions over plain objects, so they are tested without a cluster.
import type { JsonObject, KubeObject } from '../../core/api/object.js';
import { NODE_PORTS_REASON, hostPortConflict, type PodLike } from '../../core/net/index.js';

export interface Taint { key: string; value?: string; effect: string }
export interface Toleration { key?: string; operator?: string; value?: string; effect?: string }

export const REASONS = {
  unschedulable: "node(s) were unschedulable",
  affinity: "node(s) didn't match Pod's node affinity/selector",
  ports: NODE_PORTS_REASON,
  taint: (t: Taint) => `node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`,
};

export function tolerates(tol: Toleration, taint: Taint): boolean {
  if (tol.effect && tol.effect !== taint.effect) return false;
  if (tol.key && tol.key !== taint.key) return false;
  if (tol.operator === 'Exists') return true;
  if (tol.operator && tol.operator !== 'Equal') return false;
  return (tol.value ?? '') === (taint.value ?? '');
}

function readyStatus(node: KubeObject): string | undefined {
  return ((node as JsonObject).status?.conditions ?? []).find((c: JsonObject) => c.type === 'Ready')?.status;
}

/**
 * The node's taints, plus the ones the node lifecycle controller would add for its Ready condition
 * (not-ready when False, unreachable when Unknown or not reported yet), so that pods only land on
 * Ready nodes unless they tolerate otherwise.
 */
export function effectiveTaints(node: KubeObject): Taint[] {
  const taints: Taint[] = [...((node as JsonObject).spec?.taints ?? [])];
  const ready = readyStatus(node);
  const add = (key: string) => { if (!taints.some((t) => t.key === key && t.effect === 'NoSchedule')) taints.push({ key, effect: 'NoSchedule' }); };
  if (ready === 'False') add('node.kubernetes.io/not-ready');
  else if (ready !== 'True') add('node.kubernetes.io/unreachable');
  return taints;
}

function tolerations(pod: KubeObject): Toleration[] {
  return (pod as JsonObject).spec?.tolerations ?? [];
}

/** The first NoSchedule/NoExecute taint the pod does not tolerate. */
export function untoleratedTaint(pod: KubeObject, node: KubeObject): Taint | undefined {
  const tols = tolerations(pod);
  return effectiveTaints(node).find((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tols.some((x) => tolerates(x, t)));
}

/** Untolerated PreferNoSchedule taints: fewer is better. */
export function preferNoScheduleCount(pod: KubeObject, node: KubeObject): number {
  const tols = tolerations(pod);
  return effectiveTaints(node).filter((t) => t.effect === 'PreferNoSchedule' && !tols.some((x) => tolerates(x, t))).length;
}

interface Requirement { key: string; operator: string; values?: string[] }

function matchRequirement(r: Requirement, get: (k: string) => string | undefined): boolean {
  const v = get(r.key);
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In': return v !== undefined && values.includes(v);
    case 'NotIn': return v === undefined || !values.includes(v);
    case 'Exists': return v !== undefined;
    case 'DoesNotExist': return v === undefined;
    case 'Gt': case 'Lt': {
      if (v === undefined || values.length !== 1) return false;
      const a = Number(v), b = Number(values[0]);
      if (!Number.isInteger(a) || !Number.isInteger(b)) return false;
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default: return false;
  }
}

/** One NodeSelectorTerm: its expressions (labels) and fields (metadata.name) all hold; an empty term matches nothing. */
export function matchTerm(term: JsonObject, node: KubeObject): boolean {
  const exprs: Requirement[] = term.matchExpressions ?? [];
  const fields: Requirement[] = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  return exprs.every((r) => matchRequirement(r, (k) => labels[k])) &&
    fields.every((r) => matchRequirement(r, (k) => (k === 'metadata.name' ? node.metadata.name : undefined)));
}

/** spec.nodeSelector and requiredDuringSchedulingIgnoredDuringExecution (terms are ORed). */
export function matchesNodeAffinity(pod: KubeObject, node: KubeObject): boolean {
  const spec = (pod as JsonObject).spec ?? {};
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(spec.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required) {
    const terms: JsonObject[] = required.nodeSelectorTerms ?? [];
    if (!terms.some((t) => matchTerm(t, node))) return false;
  }
  return true;
}

/** Sum of the weights of the preferred node affinity terms the node matches: higher is better. */
export function preferredAffinityScore(pod: KubeObject, node: KubeObject): number {
  const prefs: JsonObject[] = (pod as JsonObject).spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
  return prefs.reduce((n, p) => n + (p.preference && matchTerm(p.preference, node) ? p.weight ?? 0 : 0), 0);
}

/**
 * Why the pod cannot go to the node (the first failing filter's reason), or undefined if it can.
 * podsOnNode: the active pods already on (or assumed to) the node.
 */
export function filterNode(pod: KubeObject, node: KubeObject, podsOnNode: KubeObject[]): string | undefined {
  const tols = tolerations(pod);
  if ((node as JsonObject).spec?.unschedulable &&
    !tols.some((t) => tolerates(t, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }))) {
    return REASONS.unschedulable;
  }
  const taint = untoleratedTaint(pod, node);
  if (taint) return REASONS.taint(taint);
  if (!matchesNodeAffinity(pod, node)) return REASONS.affinity;
  if (hostPortConflict(pod as PodLike, podsOnNode as PodLike[])) return REASONS.ports;
  return undefined;
}

/** `0/3 nodes are available: 1 node(s) ..., 2 node(s) ....` (upstream FitError, reasons sorted). */
export function fitErrorMessage(total: number, reasons: string[]): string {
  if (total === 0) return 'no nodes available to schedule pods';
  const counts = new Map<string, number>();
  for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  const parts = [...counts].map(([r, n]) => `${n} ${r}`).sort();
  return `0/${total} nodes are available: ${parts.join(', ')}.`;
}
