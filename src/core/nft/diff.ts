// The minimal transaction from one Ruleset to the next, as kube-proxy's partial sync does it: map and
// set elements are added/deleted one by one, a chain whose rules changed is flushed and refilled, a
// chain or set that is gone is deleted. One Service change at 10,000 Services is then a few lines.
import {
  renderAddChain, renderAddCounter, renderAddRule, renderAddSet, renderElements, renderRuleBody, renderRuleset,
} from './render.js';
import { type Chain, type Element, type NftSet, type Ruleset, sameValue } from './ruleset.js';

function sameSetDefinition(a: NftSet, b: NftSet): boolean {
  return a.kind === b.kind && a.type === b.type && a.timeout === b.timeout && a.comment === b.comment
    && (a.flags ?? []).join(',') === (b.flags ?? []).join(',');
}

function sameChainDefinition(a: Chain, b: Chain): boolean {
  return a.comment === b.comment && JSON.stringify(a.base ?? null) === JSON.stringify(b.base ?? null);
}

function sameRules(a: Chain, b: Chain): boolean {
  if (a === b) return true;
  if (a.rules.length !== b.rules.length) return false;
  for (let i = 0; i < a.rules.length; i++) {
    if (a.rules[i] !== b.rules[i] && renderRuleBody(a.rules[i]) !== renderRuleBody(b.rules[i])) return false;
  }
  return true;
}

export interface RulesetDiff {
  /** `nft -f` text; empty when nothing changed. */
  text: string;
  /** True when the text replaces the whole table (first sync, or a change nft can't make in place). */
  full: boolean;
}

/**
 * Returns the transaction that turns `old` (what the kernel holds) into `next`. Without `old`, or when a
 * set or base chain changes its definition (which nft can't alter in place while rules use it), the
 * result is the full render of `next`.
 */
export function diffRulesets(old: Ruleset | undefined, next: Ruleset): RulesetDiff {
  const full = (): RulesetDiff => ({ text: renderRuleset(next), full: true });
  if (!old || old.family !== next.family || old.table !== next.table) return full();
  for (const [name, s] of next.sets) {
    const o = old.sets.get(name);
    if (o && !sameSetDefinition(o, s)) return full();
  }
  for (const [name, c] of next.chains) {
    const o = old.chains.get(name);
    if (o && !sameChainDefinition(o, c)) return full();
  }

  // Order matters inside the transaction: objects must exist before anything names them, and must be
  // unreferenced before they are deleted.
  const addSets: string[] = [];
  const addChains: string[] = [];
  const delElements: string[] = [];
  const refill: string[] = [];
  const addElements: string[] = [];
  const newRules: string[] = [];
  const deletions: string[] = [];

  for (const [name, s] of next.sets) {
    const o = old.sets.get(name);
    if (!o) {
      addSets.push(renderAddSet(next, s));
      addElements.push(...renderElements(next, 'add', name, s.elements.values()));
      continue;
    }
    const gone: Element[] = [];
    const added: Element[] = [];
    // Elements from cached fragments are the same objects in both plans: compare by reference first.
    const same = (a: Element, b: Element) => a === b || (sameValue(a.value, b.value) && a.comment === b.comment);
    for (const [k, e] of o.elements) {
      const n = s.elements.get(k);
      // A changed value or comment is a delete and an add: `add element` refuses to overwrite.
      if (!n || !same(n, e)) gone.push(e);
    }
    for (const [k, e] of s.elements) {
      const p = o.elements.get(k);
      if (!p || !same(p, e)) added.push(e);
    }
    delElements.push(...renderElements(next, 'delete', name, gone));
    addElements.push(...renderElements(next, 'add', name, added));
  }

  // Counters: new ones before the rules that name them; a changed comment replaces the counter.
  for (const [name, c] of next.counters ?? []) {
    const o = old.counters?.get(name);
    if (!o) addSets.push(renderAddCounter(next, c));
    else if (o.comment !== c.comment) return full();
  }
  for (const [name, c] of next.chains) {
    const o = old.chains.get(name);
    if (!o) {
      addChains.push(renderAddChain(next, c));
      for (const r of c.rules) newRules.push(renderAddRule(next, name, r));
    } else if (!sameRules(o, c)) {
      refill.push(`flush chain ${next.family} ${next.table} ${name}`);
      for (const r of c.rules) refill.push(renderAddRule(next, name, r));
    }
  }
  for (const name of old.chains.keys()) {
    if (next.chains.has(name)) continue;
    // Flushed first so that no rule of a dying chain still names another dying chain or set.
    refill.push(`flush chain ${next.family} ${next.table} ${name}`);
    deletions.push(`delete chain ${next.family} ${next.table} ${name}`);
  }
  for (const [name, s] of old.sets) {
    if (!next.sets.has(name)) deletions.push(`delete ${s.kind} ${next.family} ${next.table} ${name}`);
  }
  for (const name of old.counters?.keys() ?? []) {
    if (!next.counters?.has(name)) deletions.push(`delete counter ${next.family} ${next.table} ${name}`);
  }

  const lines = [...addSets, ...addChains, ...delElements, ...refill, ...addElements, ...newRules, ...deletions];
  return { text: lines.length ? lines.join('\n') + '\n' : '', full: false };
}
