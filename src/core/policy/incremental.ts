// Incremental planning of one node's pods: between two snapshots, only the pods whose plan may have
// changed are planned again; the others keep their plan object (so the table builder and the differ see
// the same objects and skip them). Unchanged API objects must come as the same objects (informer caches
// do that), since changes are found by reference.
//
// A pod's plan depends on: the pod itself; the policies of its namespace (selection, rules); the peers
// of their rules (pods by labels and namespace, namespace labels); for egress named ports, every peer
// pod's ports; and which pod owns each address. So:
//   - a policy added, changed or deleted → the local pods its old or new version selects;
//   - a pod added, changed or deleted → itself, and the local pods selected by every policy whose peers
//     match its old or new version (or that has egress named ports);
//   - which pod owns an address (a dying pod and its successor) needs nothing more: only owners are
//     planned, a pod that was not an owner last time has no plan to reuse, and peers are every pod's.
//   - a namespace changed, the first snapshot, or many changes → everything (the plain planner).
// The result always equals planNode on the same snapshot; incremental.test.ts checks that on random
// sequences of changes.
import { PolicyIndex, type PodPlan } from './planner.js';
import type { Namespace, NetworkPolicy, Pod, PolicyInput } from './types.js';

const keyOf = (o: { metadata?: { namespace?: string; name?: string; uid?: string } }) => o.metadata?.uid ?? `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

function byKey<T extends { metadata?: { namespace?: string; name?: string } }>(list: readonly T[]): Map<string, T> {
  const m = new Map<string, T>();
  for (const o of list) m.set(keyOf(o), o);
  return m;
}

/** Entries whose object differs (by reference) between two maps: [old, new], either may be missing. */
function changes<T>(before: Map<string, T>, after: Map<string, T>): Array<[T | undefined, T | undefined]> {
  const out: Array<[T | undefined, T | undefined]> = [];
  for (const [k, o] of before) if (after.get(k) !== o) out.push([o, after.get(k)]);
  for (const [k, n] of after) if (!before.has(k)) out.push([undefined, n]);
  return out;
}

export interface IncrementalPlan {
  index: PolicyIndex;
  plans: PodPlan[];
  /** Pods planned anew (all of them when `full`). */
  replanned: number;
  full: boolean;
}

interface Snapshot {
  policies: Map<string, NetworkPolicy>;
  pods: Map<string, Pod>;
  namespaces: Map<string, Namespace>;
  /** The plan of each local pod, by the pod's key. */
  plans: Map<string, PodPlan>;
}

export class IncrementalPolicyPlanner {
  private last: Snapshot | undefined;

  /** `node`: plan the pods bound to it (undefined: every pod, as planNode). */
  constructor(readonly node?: string) {}

  /** Forget the last snapshot: the next plan is a full one. */
  reset(): void {
    this.last = undefined;
  }

  plan(input: PolicyInput): IncrementalPlan {
    const index = new PolicyIndex(input);
    const policies = byKey(input.policies);
    const pods = byKey(input.pods);
    const namespaces = byKey(input.namespaces);
    const last = this.last;
    const affected = last && this.affected(index, last, policies, pods, namespaces);
    const plans: PodPlan[] = [];
    const byPod = new Map<string, PodPlan>();
    let replanned = 0;
    for (const pod of index.nodePods(this.node)) {
      const k = keyOf(pod);
      let p = affected && !affected.has(k) && last!.pods.get(k) === pod ? last!.plans.get(k) : undefined;
      if (!p) { p = index.planPod(pod)!; replanned++; }
      plans.push(p);
      byPod.set(k, p);
    }
    this.last = { policies, pods, namespaces, plans: byPod };
    return { index, plans, replanned, full: !affected };
  }

  /** Keys of the local pods to plan again; undefined: plan everything. */
  private affected(index: PolicyIndex, last: Snapshot, policies: Map<string, NetworkPolicy>, pods: Map<string, Pod>, namespaces: Map<string, Namespace>): Set<string> | undefined {
    if (changes(last.namespaces, namespaces).length) return undefined;
    const changedPolicies = changes(last.policies, policies);
    const changedPods = changes(last.pods, pods);
    // Past this, checking every change against every policy costs more than planning the node again.
    if (changedPolicies.length + changedPods.length > Math.max(16, pods.size / 8)) return undefined;

    const local = index.nodePods(this.node);
    const out = new Set<string>();
    const selectedBy = (np: NetworkPolicy) => { for (const pod of local) if (index.selects(np, pod)) out.add(keyOf(pod)); };
    for (const [before, after] of changedPolicies) {
      if (before) selectedBy(before);
      if (after) selectedBy(after);
    }
    const dirty = new Set<NetworkPolicy>();
    for (const [before, after] of changedPods) {
      for (const pod of [before, after]) {
        if (!pod) continue;
        out.add(keyOf(pod));
        for (const np of policies.values()) if (!dirty.has(np) && index.dependsOnPeer(np, pod)) dirty.add(np);
      }
    }
    for (const np of dirty) selectedBy(np);
    return out;
  }
}
