// A structured model of one nftables table: a planner (service proxy, NetworkPolicy, overlay
// masquerade, CNI portmap and ipMasq) builds it, the renderer turns it into `nft -f` text, the differ
// compares two of them and the proxy's tracer walks it like the kernel would. Only the expressions the
// planners need exist here, so each one can be rendered and traced.

export type L4Proto = 'tcp' | 'udp' | 'sctp';
/** The table's family: addresses in matches, keys and dnat are of this family (`ip saddr`, `ip6 saddr`). */
export type NftFamily = 'ip' | 'ip6';
export type Hook = 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';

/** One component of a concatenated lookup key, in packet terms. */
export type KeyField = 'saddr' | 'daddr' | 'l4proto' | 'dport' | { numgen: number };

export type Verdict =
  | { kind: 'accept' }
  | { kind: 'drop' }
  | { kind: 'return' }
  | { kind: 'jump'; chain: string }
  | { kind: 'goto'; chain: string };

export type Match =
  /** `ip saddr 10.244.0.0/16`, `ip daddr != { a, b }`: addresses or CIDRs. */
  | { kind: 'addr'; field: 'saddr' | 'daddr'; op: '==' | '!='; values: string[] }
  /** `ip saddr @set` */
  | { kind: 'addrSet'; field: 'saddr' | 'daddr'; set: string }
  /** `ip saddr . ip daddr @set`: the hairpin test (source is the endpoint it was DNATed to). */
  | { kind: 'pairSet'; set: string }
  | { kind: 'l4proto'; proto: L4Proto }
  /** `fib saddr type local`: the packet comes from one of this node's own addresses. */
  | { kind: 'fibSaddrLocal' }
  | { kind: 'ctStateNew' }
  /** `ct state established,related`: any of the states. */
  | { kind: 'ctState'; states: Array<'new' | 'established' | 'related' | 'invalid' | 'untracked'> }
  /** `ip daddr . meta l4proto . th dport @set`: a (concatenated) key looked up in a named set. */
  | { kind: 'keySet'; key: KeyField[]; set: string }
  /** `meta mark & bit == 0` */
  | { kind: 'markClear'; bit: number }
  /** `fib daddr type local`: the packet is addressed to one of this node's own addresses. */
  | { kind: 'fibDaddrLocal' }
  /** `tcp dport 8080`: the protocol and its destination port. */
  | { kind: 'dport'; proto: L4Proto; port: number }
  /** `ct status dnat`: the connection was DNATed (hostPort hairpin). */
  | { kind: 'ctStatusDnat' };

export type Stmt =
  | { kind: 'verdict'; verdict: Verdict }
  /** `<key> vmap @map` */
  | { kind: 'vmap'; key: KeyField[]; map: string }
  /** `numgen random mod N vmap { 0 : goto a, 1 : goto b }`: kube-proxy's per-service endpoint pick. */
  | { kind: 'numgenVmap'; targets: Verdict[] }
  /** `dnat ip to 10.244.1.5:8080`, `dnat ip6 to [fd00::5]:8080` (needs an l4proto match before it). */
  | { kind: 'dnat'; addr: string; port: number }
  /** `dnat ip to <key> map @map`: the map yields `address . port`. */
  | { kind: 'dnatMap'; key: KeyField[]; map: string }
  | { kind: 'markOr'; bit: number }
  | { kind: 'markXor'; bit: number }
  /** `masquerade`, or `masquerade fully-random` (the proxy's: no port collisions under load). */
  | { kind: 'masquerade'; fullyRandom?: boolean }
  /** `reject` (ICMP port-unreachable) or `reject with tcp reset` (needs `meta l4proto tcp`). */
  | { kind: 'reject'; tcpReset?: boolean }
  /** `update @set { ip saddr }`: refreshes a dynamic timeout set (session affinity). */
  | { kind: 'updateSet'; set: string }
  /** `counter name "c"`: counts into a named counter object of the table (readable by name). */
  | { kind: 'counter'; name: string };

export interface Rule { matches: Match[]; stmts: Stmt[]; comment?: string }

export interface BaseChainSpec { type: 'nat' | 'filter'; hook: Hook; priority: number }

export interface Chain { name: string; base?: BaseChainSpec; comment?: string; rules: Rule[] }

/** A map element's value: a verdict (vmap) or a tuple of values (`10.244.1.5 . 8080`). */
export type ElementValue = Verdict | string[];

export interface Element { key: string[]; value?: ElementValue; comment?: string }

export interface NftSet {
  name: string;
  kind: 'set' | 'map';
  /** The declaration clause: `type ipv4_addr . inet_proto . inet_service : verdict` or `typeof ...`. */
  type: string;
  flags?: string[];
  /** Default element timeout in seconds (dynamic sets). */
  timeout?: number;
  comment?: string;
  /** Keyed by `elementKey(key)`. */
  elements: Map<string, Element>;
}

/** A named counter object (`add counter`): kept across incremental updates, so its values survive them. */
export interface NftCounter { name: string; comment?: string }

export interface Ruleset {
  family: NftFamily;
  table: string;
  chains: Map<string, Chain>;
  sets: Map<string, NftSet>;
  /** Named counters (absent: none). */
  counters?: Map<string, NftCounter>;
  /** What the planner could not program (e.g. two services claiming one external IP:port); not rendered. */
  warnings: string[];
}

export function emptyRuleset(table: string, family: NftFamily = 'ip'): Ruleset {
  return { family, table, chains: new Map(), sets: new Map(), warnings: [] };
}

/** The canonical text of a key tuple, used as map key here and by the tracer. */
export function elementKey(key: readonly string[]): string {
  return key.join(' . ');
}

export function addChain(rs: Ruleset, chain: Omit<Chain, 'rules'> & { rules?: Rule[] }): Chain {
  if (rs.chains.has(chain.name)) throw new Error(`ruleset ${rs.table}: chain ${chain.name} defined twice`);
  // Kept as given (not copied) when complete, so that a cached chain is the same object in two plans.
  const c: Chain = chain.rules ? chain as Chain : { ...chain, rules: [] };
  rs.chains.set(c.name, c);
  return c;
}

export function addCounter(rs: Ruleset, counter: NftCounter): NftCounter {
  rs.counters ??= new Map();
  if (rs.counters.has(counter.name)) throw new Error(`ruleset ${rs.table}: counter ${counter.name} defined twice`);
  rs.counters.set(counter.name, counter);
  return counter;
}

export function addSet(rs: Ruleset, set: Omit<NftSet, 'elements'>): NftSet {
  if (rs.sets.has(set.name)) throw new Error(`ruleset ${rs.table}: set ${set.name} defined twice`);
  const s: NftSet = { ...set, elements: new Map() };
  rs.sets.set(s.name, s);
  return s;
}

/** Adds an element; a second element with the same key must be identical (two services can't share one). */
export function addElement(set: NftSet, el: Element, k = elementKey(el.key)): void {
  const prev = set.elements.get(k);
  if (prev && !sameValue(prev.value, el.value)) {
    throw new Error(`set ${set.name}: key ${k} given two values (${prev.comment ?? '?'} and ${el.comment ?? '?'})`);
  }
  if (!prev) set.elements.set(k, el);
}

export function sameValue(a: ElementValue | undefined, b: ElementValue | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => v === b[i]);
  }
  return a.kind === b.kind && ('chain' in a ? a.chain : '') === ('chain' in b ? b.chain : '');
}

export const accept: Verdict = { kind: 'accept' };
export const drop: Verdict = { kind: 'drop' };
export const ret: Verdict = { kind: 'return' };
export const jump = (chain: string): Verdict => ({ kind: 'jump', chain });
export const goto = (chain: string): Verdict => ({ kind: 'goto', chain });
export const verdict = (v: Verdict): Stmt => ({ kind: 'verdict', verdict: v });
