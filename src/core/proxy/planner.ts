// planServiceRules: Services + EndpointSlices + the node → the desired nftables table. Pure and
// deterministic (same input, same table), so that the programmer can diff two plans and the tests can
// trace packets through one without a kernel.
//
// IncrementalPlanner is the same planner for a long-running proxy: it keeps the table and each
// Service's fragment, re-plans only Services whose object or EndpointSlices changed (informer caches
// replace an object on every change, so identity tells), and returns the nft transaction for just
// those. At 10,000 Services a one-Service change costs microseconds of planning instead of re-planning
// and diffing everything (kube-proxy's change trackers do the same job).
import { destinations, type Destination, planFirewall, wantedDestinations } from './destinations.js';
import { diffRulesets, type RulesetDiff } from '../nft/diff.js';
import { Fragment, type FragmentOp, pickChainName } from './fragment.js';
import { planChainsServicePort } from './plan-chains.js';
import { declareEndpointMaps, ensurePickChain, planMapsServicePort } from './plan-maps.js';
import { renderRuleset } from '../nft/render.js';
import { addChain, addElement, addSet, type Chain, type Element, emptyRuleset, type NftSet, type Ruleset } from '../nft/ruleset.js';
import {
  isProxied, serviceKey, servicePortShells, type ServicePortShell, slicesByService, sortedServices, withEndpoints,
} from './service-ports.js';
import { N, newContext, type PlanContext } from './skeleton.js';
import type { EndpointSlice, ProxyInput, Service } from './types.js';

/** One Service's part of the plan. */
interface Entry {
  svc: Service;
  slices: EndpointSlice[];
  shells: ServicePortShell[];
  dests: Destination[][];
  fragment: Fragment;
}

/** Records the previous state of everything a partial plan touches, to diff just that. */
interface Touched {
  elements: Map<string, Map<string, Element | undefined>>;
  chains: Map<string, Chain | undefined>;
  sets: Map<string, NftSet | undefined>;
}

/** The plan as it stands, with reference counts for what several services share. */
interface State {
  env: string;
  ctx: PlanContext;
  layout: 'maps' | 'chains';
  node: ProxyInput['node'];
  entries: Map<string, Entry>;
  /** `set\0key` → number of fragments that add this element (hairpin pairs, ClusterIPs of multi-port services). */
  refs: Map<string, number>;
  /** pick chain → number of destinations using it. */
  picks: Map<string, number>;
}

const sameList = <T>(a: readonly T[], b: readonly T[]) => a.length === b.length && a.every((x, i) => x === b[i]);

function buildFragment(st: State, shells: ServicePortShell[], slices: EndpointSlice[], dests: Destination[][]): Fragment {
  const f = new Fragment();
  shells.forEach((shell, i) => {
    const sp = withEndpoints(shell, slices, st.node);
    if (dests[i].some((d) => d.kind === 'clusterIP')) f.element(N.clusterIPs, { key: [sp.clusterIP] });
    planFirewall(f, sp, dests[i], st.node.ips);
    if (st.layout === 'chains' || sp.affinityTimeout !== undefined) planChainsServicePort(st.ctx, f, sp, dests[i]);
    else planMapsServicePort(st.ctx, f, sp, dests[i]);
  });
  return f;
}

function touchElement(t: Touched | undefined, rs: Ruleset, set: string, key: string): void {
  if (!t) return;
  let m = t.elements.get(set);
  if (!m) t.elements.set(set, m = new Map());
  if (!m.has(key)) m.set(key, rs.sets.get(set)!.elements.get(key));
}

function touchChain(t: Touched | undefined, rs: Ruleset, name: string): void {
  if (t && !t.chains.has(name)) t.chains.set(name, rs.chains.get(name));
}

function touchSet(t: Touched | undefined, rs: Ruleset, name: string): void {
  if (t && !t.sets.has(name)) t.sets.set(name, rs.sets.get(name));
}

const refKey = (op: FragmentOp & { t: 'element' }) => `${op.set}\0${op.key}`;

function apply(st: State, f: Fragment, t?: Touched): void {
  const rs = st.ctx.rs;
  for (const op of f.ops) {
    switch (op.t) {
      case 'element': {
        const n = st.refs.get(refKey(op)) ?? 0;
        if (n === 0) {
          touchElement(t, rs, op.set, op.key);
          addElement(rs.sets.get(op.set)!, op.element, op.key);
        }
        st.refs.set(refKey(op), n + 1);
        break;
      }
      case 'chain': touchChain(t, rs, op.chain.name); addChain(rs, op.chain); break;
      case 'set': touchSet(t, rs, op.set.name); addSet(rs, op.set); break;
      case 'pick': {
        const name = pickChainName(op.kind, op.proto, op.n, op.m);
        const n = st.picks.get(name) ?? 0;
        if (n === 0) {
          touchChain(t, rs, name);
          ensurePickChain(st.ctx, op.kind, op.proto, op.n, op.m);
        }
        st.picks.set(name, n + 1);
        break;
      }
    }
  }
}

function unapply(st: State, f: Fragment, t: Touched): void {
  const rs = st.ctx.rs;
  for (const op of f.ops) {
    switch (op.t) {
      case 'element': {
        const n = st.refs.get(refKey(op))! - 1;
        if (n > 0) { st.refs.set(refKey(op), n); break; }
        st.refs.delete(refKey(op));
        touchElement(t, rs, op.set, op.key);
        rs.sets.get(op.set)!.elements.delete(op.key);
        break;
      }
      case 'chain': touchChain(t, rs, op.chain.name); rs.chains.delete(op.chain.name); break;
      case 'set': touchSet(t, rs, op.set.name); rs.sets.delete(op.set.name); break;
      case 'pick': {
        const name = pickChainName(op.kind, op.proto, op.n, op.m);
        const n = st.picks.get(name)! - 1;
        if (n > 0) { st.picks.set(name, n); break; }
        st.picks.delete(name);
        touchChain(t, rs, name);
        rs.chains.delete(name);
        break;
      }
    }
  }
}

function fullState(input: ProxyInput, env: string): State {
  const ctx = newContext(input);
  const layout = input.options?.layout ?? 'maps';
  if (layout !== 'maps' && layout !== 'chains') {
    throw new Error(`proxy option layout: "${String(layout)}" is not one of maps, chains`);
  }
  if (layout === 'maps') declareEndpointMaps(ctx);
  const st: State = { env, ctx, layout, node: input.node, entries: new Map(), refs: new Map(), picks: new Map() };
  const bySvc = slicesByService(input.endpointSlices);
  for (const svc of sortedServices(input.services)) {
    const key = serviceKey(svc);
    const slices = bySvc.get(key) ?? [];
    const shells = servicePortShells(svc);
    // Claims in namespace/name order: who keeps a contested destination depends on the others.
    const dests = shells.map((sp) => destinations(ctx, sp));
    const fragment = buildFragment(st, shells, slices, dests);
    apply(st, fragment);
    st.entries.set(key, { svc, slices, shells, dests, fragment });
  }
  return st;
}

export function planServiceRules(input: ProxyInput): Ruleset {
  return fullState(input, '').ctx.rs;
}

/** A transaction from the plan of generation `from` to that of `to`. */
export interface PlannedChange extends RulesetDiff {
  from: number;
  to: number;
  /** Services re-planned (all of them on a full plan). */
  replanned: number;
}

export interface IncrementalPlan {
  /** The desired table. The planner keeps changing this object on later plans: render or diff it now. */
  ruleset: Ruleset;
  change: PlannedChange;
}

export class IncrementalPlanner {
  private st: State | undefined;
  private generation = 0;

  /** Drops all state: the next plan is computed from scratch and its change is the full table. */
  reset(): void {
    this.st = undefined;
  }

  plan(input: ProxyInput): IncrementalPlan {
    const from = this.generation;
    const to = ++this.generation;
    const env = JSON.stringify([input.node, input.options ?? {}]);
    const prev = this.st;
    let reliable = true;
    if (prev && prev.env === env && prev.ctx.rs.warnings.length === 0) {
      try {
        const partial = this.partial(prev, input);
        if (partial) return { ruleset: prev.ctx.rs, change: { ...partial, from, to } };
      } catch (e) {
        // Half-applied: the old table is no longer known, so the change must be the whole new table.
        this.st = undefined;
        reliable = false;
        if (!(e instanceof Error)) throw e;
      }
    }
    // From scratch: a first plan, new node or options, conflicts in play, or many changes at once.
    this.st = fullState(input, env);
    const diff = diffRulesets(reliable ? prev?.ctx.rs : undefined, this.st.ctx.rs);
    return { ruleset: this.st.ctx.rs, change: { ...diff, from, to, replanned: this.st.entries.size } };
  }

  /** Re-plans the changed services in place; undefined when that can't be done safely. */
  private partial(st: State, input: ProxyInput): (RulesetDiff & { replanned: number }) | undefined {
    const bySvc = slicesByService(input.endpointSlices);
    const current = new Map<string, Service>();
    for (const svc of input.services) if (isProxied(svc)) current.set(serviceKey(svc), svc);
    const changed: string[] = [];
    for (const [key, svc] of current) {
      const e = st.entries.get(key);
      if (!e || e.svc !== svc || !sameList(e.slices, bySvc.get(key) ?? [])) changed.push(key);
    }
    const removed = [...st.entries.keys()].filter((k) => !current.has(k));
    if (!changed.length && !removed.length) return { text: '', full: false, replanned: 0 };
    if (changed.length + removed.length > Math.max(100, st.entries.size / 10)) return undefined;

    // Check the new claims before touching anything, so that bailing out leaves the state intact.
    const released = new Set<string>();
    for (const key of [...changed, ...removed]) st.entries.get(key)?.shells.forEach((sp) => released.add(sp.comment));
    const shells = new Map(changed.map((k) => [k, servicePortShells(current.get(k)!)]));
    const wanted = new Set<string>();
    for (const list of shells.values()) {
      for (const sp of list) {
        for (const d of wantedDestinations(sp)) {
          const owner = st.ctx.claimed.get(d.claim);
          if (wanted.has(d.claim) || (owner !== undefined && !released.has(owner))) return undefined;
          wanted.add(d.claim);
        }
      }
    }

    const t: Touched = { elements: new Map(), chains: new Map(), sets: new Map() };
    for (const key of [...changed, ...removed]) {
      const e = st.entries.get(key);
      if (!e) continue;
      unapply(st, e.fragment, t);
      for (const sp of e.shells) for (const d of wantedDestinations(sp)) {
        if (st.ctx.claimed.get(d.claim) === sp.comment) st.ctx.claimed.delete(d.claim);
      }
      st.entries.delete(key);
    }
    for (const key of changed) {
      const svc = current.get(key)!;
      const slices = bySvc.get(key) ?? [];
      const svcShells = shells.get(key)!;
      const dests = svcShells.map((sp) => destinations(st.ctx, sp));
      const fragment = buildFragment(st, svcShells, slices, dests);
      apply(st, fragment, t);
      st.entries.set(key, { svc, slices, shells: svcShells, dests, fragment });
    }
    const diff = diffRulesets(...subsets(st.ctx.rs, t));
    return { ...(diff.full ? { text: renderRuleset(st.ctx.rs), full: true } : diff), replanned: changed.length + removed.length };
  }
}

/** Two small rulesets holding only what a partial plan touched, before and after: their diff is the change. */
function subsets(rs: Ruleset, t: Touched): [Ruleset, Ruleset] {
  const before = emptyRuleset(rs.table);
  const after = emptyRuleset(rs.table);
  for (const [name, keys] of t.elements) {
    const set = rs.sets.get(name)!;
    const b = new Map<string, Element>();
    const a = new Map<string, Element>();
    for (const [k, old] of keys) {
      if (old) b.set(k, old);
      const now = set.elements.get(k);
      if (now) a.set(k, now);
    }
    before.sets.set(name, { ...set, elements: b });
    after.sets.set(name, { ...set, elements: a });
  }
  for (const [name, old] of t.sets) {
    if (old) before.sets.set(name, old);
    const now = rs.sets.get(name);
    if (now) after.sets.set(name, now);
  }
  for (const [name, old] of t.chains) {
    if (old) before.chains.set(name, old);
    const now = rs.chains.get(name);
    if (now) after.chains.set(name, now);
  }
  return [before, after];
}
