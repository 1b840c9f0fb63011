// What one Service contributes to the table, recorded as a list of additions. The planner applies it
// to the Ruleset and, when the Service changes or goes away, takes exactly those additions back out
// (IncrementalPlanner), so a change never requires re-planning the other Services.
import { type Chain, type Element, elementKey, type L4Proto, type NftSet } from '../nft/ruleset.js';

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
