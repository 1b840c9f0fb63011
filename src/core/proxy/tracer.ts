// A model of netfilter walking one Ruleset for the first packet of a connection, so that the planner's
// behaviour (DNAT target, masquerade, reject/drop) is tested without a kernel, like kube-proxy's
// packet-flow tests. Hooks run in kernel order (prerouting → input|forward → postrouting, or output →
// postrouting), base chains by priority; a DNAT takes effect when its NAT chain ends; `numgen random`
// is a choice the caller makes (or that traceAll enumerates).
import { cidrContains } from '../net/index.js';
import {
  elementKey, type Hook, type KeyField, type L4Proto, type Match, type Rule, type Ruleset, type Verdict,
} from '../nft/ruleset.js';

export interface TracePacket {
  src: string;
  dst: string;
  proto: L4Proto;
  dport: number;
  /** 'inbound': arrives on an interface (from a pod, another node, outside); 'local': sent by a process on the node. */
  origin: 'inbound' | 'local';
}

export interface TraceEnv {
  /** The node's own addresses: `fib saddr type local`, and input-vs-forward after DNAT. */
  localAddresses: string[];
  /** Contents of dynamic sets (session affinity); `update` statements write to it. */
  dynamicSets?: Map<string, Set<string>>;
}

export interface TraceResult {
  verdict: 'accept' | 'drop' | 'reject';
  rejectWith?: 'tcp reset' | 'icmp port-unreachable';
  dnat?: { addr: string; port: number };
  masquerade: boolean;
  /** Chains entered, in order: what `nft monitor trace` would show. */
  chains: string[];
}

type Outcome =
  | { kind: 'return' }
  | { kind: 'accept' }
  | { kind: 'drop' }
  | { kind: 'reject'; tcpReset: boolean };

interface State {
  rs: Ruleset;
  env: TraceEnv;
  pkt: TracePacket;
  dst: string;
  dport: number;
  mark: number;
  dnat?: { addr: string; port: number };
  masquerade: boolean;
  chains: string[];
  choose: (n: number) => number;
  depth: number;
}

const HOOK_ORDER: Record<TracePacket['origin'], Hook[]> = {
  inbound: ['prerouting'],
  local: ['output', 'postrouting'],
};

function isLocal(env: TraceEnv, ip: string): boolean {
  return ip.startsWith('127.') || env.localAddresses.includes(ip);
}

function keyValue(s: State, f: KeyField): string {
  if (typeof f === 'object') {
    const pick = s.choose(f.numgen);
    if (!Number.isInteger(pick) || pick < 0 || pick >= f.numgen) throw new Error(`choose(${f.numgen}) returned ${pick}`);
    return String(pick);
  }
  switch (f) {
    case 'saddr': return s.pkt.src;
    case 'daddr': return s.dst;
    case 'l4proto': return s.pkt.proto;
    case 'dport': return String(s.dport);
  }
}

function inSet(s: State, set: string, key: string): boolean {
  const dyn = s.env.dynamicSets?.get(set);
  if (dyn?.has(key)) return true;
  const st = s.rs.sets.get(set);
  if (!st) throw new Error(`rule refers to set @${set}, which the ruleset does not define`);
  return st.elements.has(key);
}

function matches(s: State, m: Match): boolean {
  switch (m.kind) {
    case 'addr': {
      const ip = m.field === 'saddr' ? s.pkt.src : s.dst;
      const hit = m.values.some((c) => cidrContains(c, ip));
      return m.op === '==' ? hit : !hit;
    }
    case 'addrSet': return inSet(s, m.set, m.field === 'saddr' ? s.pkt.src : s.dst);
    case 'pairSet': return inSet(s, m.set, elementKey([s.pkt.src, s.dst]));
    case 'l4proto': return s.pkt.proto === m.proto;
    case 'fibSaddrLocal': return isLocal(s.env, s.pkt.src);
    case 'ctStateNew': return true;
    // The tracer follows the first packet of a connection: its state is new.
    case 'ctState': return m.states.includes('new');
    // Exact keys only: interval sets (the policy table's) are modelled by the policy planner's explain().
    case 'keySet': return inSet(s, m.set, elementKey(m.key.map((f) => keyValue(s, f))));
    case 'markClear': return (s.mark & (1 << m.bit)) === 0;
    case 'fibDaddrLocal': return isLocal(s.env, s.dst);
    case 'dport': return s.pkt.proto === m.proto && s.dport === m.port;
    case 'ctStatusDnat': return s.dnat !== undefined;
  }
}

function lookup(s: State, map: string, key: KeyField[]) {
  const set = s.rs.sets.get(map);
  if (!set) throw new Error(`rule refers to map @${map}, which the ruleset does not define`);
  return set.elements.get(elementKey(key.map((f) => keyValue(s, f))));
}

function applyVerdict(s: State, v: Verdict): Outcome | 'next' {
  switch (v.kind) {
    case 'accept': return { kind: 'accept' };
    case 'drop': return { kind: 'drop' };
    case 'return': return { kind: 'return' };
    case 'jump': {
      const r = runChain(s, v.chain);
      return r.kind === 'return' ? 'next' : r;
    }
    case 'goto': return runChain(s, v.chain);
  }
}

/** Runs one rule: 'nomatch' when a match or map lookup fails, 'next' to go on, or a final outcome. */
function runRule(s: State, r: Rule): Outcome | 'next' | 'nomatch' {
  for (const m of r.matches) if (!matches(s, m)) return 'nomatch';
  for (const st of r.stmts) {
    switch (st.kind) {
      case 'verdict': {
        const o = applyVerdict(s, st.verdict);
        if (o !== 'next') return o;
        break;
      }
      case 'vmap': {
        const el = lookup(s, st.map, st.key);
        if (!el || Array.isArray(el.value) || !el.value) return 'nomatch';
        const o = applyVerdict(s, el.value);
        if (o !== 'next') return o;
        break;
      }
      case 'numgenVmap': {
        const o = applyVerdict(s, st.targets[keyValueNumgen(s, st.targets.length)]);
        if (o !== 'next') return o;
        break;
      }
      case 'dnat':
        s.dnat = { addr: st.addr, port: st.port };
        return { kind: 'accept' };
      case 'dnatMap': {
        const el = lookup(s, st.map, st.key);
        if (!el || !Array.isArray(el.value)) return 'nomatch';
        s.dnat = { addr: el.value[0], port: Number(el.value[1]) };
        return { kind: 'accept' };
      }
      case 'markOr': s.mark |= 1 << st.bit; break;
      case 'markXor': s.mark ^= 1 << st.bit; break;
      case 'masquerade':
        s.masquerade = true;
        return { kind: 'accept' };
      case 'reject': return { kind: 'reject', tcpReset: !!st.tcpReset };
      case 'counter': break;
      case 'updateSet': {
        s.env.dynamicSets ??= new Map();
        let set = s.env.dynamicSets.get(st.set);
        if (!set) s.env.dynamicSets.set(st.set, set = new Set());
        set.add(s.pkt.src);
        break;
      }
    }
  }
  return 'next';
}

function keyValueNumgen(s: State, n: number): number {
  return Number(keyValue(s, { numgen: n }));
}

function runChain(s: State, name: string): Outcome {
  const chain = s.rs.chains.get(name);
  if (!chain) throw new Error(`jump/goto to chain ${name}, which the ruleset does not define`);
  if (++s.depth > 64) throw new Error(`chain ${name}: jumps nested deeper than 64 (a loop?)`);
  s.chains.push(name);
  try {
    for (const r of chain.rules) {
      const o = runRule(s, r);
      if (o !== 'next' && o !== 'nomatch') return o;
    }
    return { kind: 'return' };
  } finally {
    s.depth--;
  }
}

function runHook(s: State, hook: Hook): Outcome | undefined {
  const chains = [...s.rs.chains.values()].filter((c) => c.base?.hook === hook)
    .sort((a, b) => a.base!.priority - b.base!.priority);
  for (const c of chains) {
    const before = s.dnat;
    const o = runChain(s, c.name);
    if (o.kind === 'drop' || o.kind === 'reject') return o;
    // NAT is applied to the packet when the NAT chain is done; later chains see the new destination.
    if (s.dnat && s.dnat !== before) { s.dst = s.dnat.addr; s.dport = s.dnat.port; }
  }
  return undefined;
}

/** Traces the first packet of a connection; `choose(n)` picks numgen results (default: always 0). */
export function tracePacket(rs: Ruleset, pkt: TracePacket, env: TraceEnv, choose: (n: number) => number = () => 0): TraceResult {
  const s: State = { rs, env, pkt, dst: pkt.dst, dport: pkt.dport, mark: 0, masquerade: false, chains: [], choose, depth: 0 };
  const hooks = [...HOOK_ORDER[pkt.origin]];
  for (let i = 0; i < hooks.length; i++) {
    const o = runHook(s, hooks[i]);
    if (o) {
      return {
        verdict: o.kind === 'drop' ? 'drop' : 'reject',
        rejectWith: o.kind === 'reject' ? (o.tcpReset ? 'tcp reset' : 'icmp port-unreachable') : undefined,
        dnat: s.dnat, masquerade: false, chains: s.chains,
      };
    }
    // After prerouting the routing decision: to this node (input) or through it (forward, postrouting).
    if (hooks[i] === 'prerouting') hooks.push(...(isLocal(env, s.dst) ? ['input' as const] : ['forward' as const, 'postrouting' as const]));
  }
  return { verdict: 'accept', dnat: s.dnat, masquerade: s.masquerade, chains: s.chains };
}

/** Every outcome the random endpoint choice can produce, one per combination of numgen results. */
export function traceAll(rs: Ruleset, pkt: TracePacket, env: TraceEnv): TraceResult[] {
  const out: TraceResult[] = [];
  const script: number[] = [];
  for (;;) {
    const limits: number[] = [];
    let i = 0;
    // Each branch runs on its own copy of the dynamic sets, so branches don't see each other's updates.
    const branchEnv: TraceEnv = { ...env, dynamicSets: new Map([...(env.dynamicSets ?? [])].map(([k, v]) => [k, new Set(v)])) };
    out.push(tracePacket(rs, pkt, branchEnv, (n) => {
      limits[i] = n;
      return script[i++] ?? 0;
    }));
    // Advance the odometer over the choices this run made.
    script.length = limits.length;
    let j = limits.length - 1;
    while (j >= 0 && (script[j] ?? 0) + 1 >= limits[j]) { script[j] = 0; j--; }
    if (j < 0) return out;
    script[j] = (script[j] ?? 0) + 1;
    script.length = j + 1;
  }
}
