// What one Service contributes to the table, recorded as a list of additions and replayed into the
// Ruleset. Recording lets a PlanCache keep the fragment of every unchanged Service between syncs: at
// 10,000 Services a re-plan replays prebuilt elements (the same objects, so the differ compares them by
// reference) instead of recomputing every endpoint list.
import { addChain, addElement, addSet, type Chain, type Element, elementKey, type L4Proto, type NftSet } from './ruleset.js';
import type { PlanContext } from './skeleton.js';

/** A shared chain of the maps layout that picks among `n` endpoints (`m` local ones). */
export type PickKind = 'clusterip' | 'external' | 'external-local' | 'nodeport' | 'nodeport-local';

export type FragmentOp =
  /** `key` is elementKey(element.key), computed once when recorded. */
  | { t: 'element'; set: string; element: Element; key: string }
  | { t: 'chain'; chain: Chain }
  | { t: 'set'; set: Omit<NftSet, 'elements'> }
  | { t: 'pick'; kind: PickKind; proto: L4Proto; n: number; m: number };

export class Fragment {
  readonly ops: FragmentOp[] = [];

  element(set: string, element: Element): void {
    this.ops.push({ t: 'element', set, element, key: elementKey(element.key) });
  }

  chain(chain: Chain): void {
    this.ops.push({ t: 'chain', chain });
  }

  set(set: Omit<NftSet, 'elements'>): void {
    this.ops.push({ t: 'set', set });
  }

  /** Asks for a shared pick chain and returns its name. */
  pick(kind: PickKind, proto: L4Proto, n: number, m = 0): string {
    this.ops.push({ t: 'pick', kind, proto, n, m });
    return pickChainName(kind, proto, n, m);
  }
}

export function pickChainName(kind: PickKind, proto: L4Proto, n: number, m: number): string {
  return kind.endsWith('-local') ? `${kind}-${proto}-${n}-${m}` : `${kind}-${proto}-${n}`;
}

/** Adds a fragment to the plan; `ensurePick` creates a shared pick chain the first time it is named. */
export function replay(ctx: PlanContext, f: Fragment, ensurePick: (ctx: PlanContext, kind: PickKind, proto: L4Proto, n: number, m: number) => void): void {
  for (const op of f.ops) {
    switch (op.t) {
      case 'element': {
        const set = ctx.rs.sets.get(op.set);
        if (!set) throw new Error(`planner bug: element for undeclared set ${op.set}`);
        addElement(set, op.element, op.key);
        break;
      }
      case 'chain': addChain(ctx.rs, op.chain); break;
      case 'set': addSet(ctx.rs, op.set); break;
      case 'pick': ensurePick(ctx, op.kind, op.proto, op.n, op.m); break;
    }
  }
}
