// Turns the Ruleset model into `nft -f` command text, the only place podnet writes nft syntax. A full
// render replaces the table in one transaction (`add table` + `delete table` + re-create, so it works
// whether or not the table exists); the differ (diff.ts) reuses the per-object renderers for incremental
// transactions; renderUpsert / renderChainRemoval / renderElementRemoval change some objects of a table
// that others share (the CNI plugins' per-attachment chains and map elements) without reading it first.
import type { Chain, Element, KeyField, Match, NftCounter, NftFamily, NftSet, Rule, Ruleset, Stmt, Verdict } from './ruleset.js';

/** Elements per `add element` command: long enough to amortise parsing, short enough for readable errors. */
const ELEMENTS_PER_COMMAND = 500;

export function renderKey(key: readonly KeyField[], fam: NftFamily = 'ip'): string {
  return key.map((f) => {
    if (typeof f === 'object') return `numgen random mod ${f.numgen}`;
    switch (f) {
      case 'saddr': return `${fam} saddr`;
      case 'daddr': return `${fam} daddr`;
      case 'l4proto': return 'meta l4proto';
      case 'dport': return 'th dport';
    }
  }).join(' . ');
}

export function renderVerdict(v: Verdict): string {
  return v.kind === 'jump' || v.kind === 'goto' ? `${v.kind} ${v.chain}` : v.kind;
}

const hex = (bit: number) => `0x${(1 << bit >>> 0).toString(16)}`;

function renderValues(values: readonly string[]): string {
  return values.length === 1 ? values[0] : `{ ${values.join(', ')} }`;
}

export function renderMatch(m: Match, fam: NftFamily = 'ip'): string {
  switch (m.kind) {
    case 'addr': return `${fam} ${m.field} ${m.op === '!=' ? '!= ' : ''}${renderValues(m.values)}`;
    case 'addrSet': return `${fam} ${m.field} @${m.set}`;
    case 'pairSet': return `${fam} saddr . ${fam} daddr @${m.set}`;
    case 'l4proto': return `meta l4proto ${m.proto}`;
    case 'fibSaddrLocal': return 'fib saddr type local';
    case 'ctStateNew': return 'ct state new';
    case 'ctState': return `ct state ${m.states.join(',')}`;
    case 'keySet': return `${renderKey(m.key, fam)} @${m.set}`;
    case 'markClear': return `meta mark & ${hex(m.bit)} == 0`;
    case 'fibDaddrLocal': return 'fib daddr type local';
    case 'dport': return `${m.proto} dport ${m.port}`;
    case 'ctStatusDnat': return 'ct status dnat';
  }
}

export function renderStmt(s: Stmt, fam: NftFamily = 'ip'): string {
  switch (s.kind) {
    case 'verdict': return renderVerdict(s.verdict);
    case 'vmap': return `${renderKey(s.key, fam)} vmap @${s.map}`;
    case 'numgenVmap':
      return `numgen random mod ${s.targets.length} vmap { ${s.targets.map((t, i) => `${i} : ${renderVerdict(t)}`).join(', ')} }`;
    case 'dnat': return fam === 'ip6' ? `dnat ip6 to [${s.addr}]:${s.port}` : `dnat ip to ${s.addr}:${s.port}`;
    case 'dnatMap': return `dnat ${fam} to ${renderKey(s.key, fam)} map @${s.map}`;
    case 'markOr': return `meta mark set meta mark | ${hex(s.bit)}`;
    case 'markXor': return `meta mark set meta mark ^ ${hex(s.bit)}`;
    case 'masquerade': return s.fullyRandom ? 'masquerade fully-random' : 'masquerade';
    case 'reject': return s.tcpReset ? 'reject with tcp reset' : 'reject';
    case 'updateSet': return `update @${s.set} { ip saddr }`;
    case 'counter': return `counter name ${quote(s.name)}`;
  }
}

/** Comments come from object names (DNS labels), but never let one break the command syntax. */
export function quote(text: string): string {
  return `"${text.replace(/["\\\n]/g, '_').slice(0, 128)}"`;
}

export function renderRuleBody(r: Rule, fam: NftFamily = 'ip'): string {
  const parts = [...r.matches.map((m) => renderMatch(m, fam)), ...r.stmts.map((s) => renderStmt(s, fam))];
  if (r.comment) parts.push(`comment ${quote(r.comment)}`);
  return parts.join(' ');
}

export function renderAddRule(rs: Ruleset, chain: string, r: Rule): string {
  return `add rule ${rs.family} ${rs.table} ${chain} ${renderRuleBody(r, rs.family)}`;
}

export function renderAddChain(rs: Ruleset, c: Chain): string {
  const opts: string[] = [];
  if (c.base) opts.push(`type ${c.base.type} hook ${c.base.hook} priority ${c.base.priority} ;`, 'policy accept ;');
  if (c.comment) opts.push(`comment ${quote(c.comment)} ;`);
  return `add chain ${rs.family} ${rs.table} ${c.name}${opts.length ? ` { ${opts.join(' ')} }` : ''}`;
}

export function renderAddSet(rs: Ruleset, s: NftSet): string {
  const opts = [`${s.type} ;`];
  if (s.flags?.length) opts.push(`flags ${s.flags.join(',')} ;`);
  if (s.timeout !== undefined) opts.push(`timeout ${s.timeout}s ;`);
  if (s.comment) opts.push(`comment ${quote(s.comment)} ;`);
  return `add ${s.kind} ${rs.family} ${rs.table} ${s.name} { ${opts.join(' ')} }`;
}

export function renderAddCounter(rs: Ruleset, c: NftCounter): string {
  return `add counter ${rs.family} ${rs.table} ${c.name}${c.comment ? ` { comment ${quote(c.comment)} ; }` : ''}`;
}

export function renderElement(e: Element, withValue = true): string {
  let text = e.key.join(' . ');
  if (e.comment && withValue) text += ` comment ${quote(e.comment)}`;
  if (withValue && e.value !== undefined) {
    text += ` : ${Array.isArray(e.value) ? e.value.join(' . ') : renderVerdict(e.value)}`;
  }
  return text;
}

/** `add element` / `delete element` commands for many elements, in chunks. */
export function renderElements(rs: Ruleset, op: 'add' | 'delete', set: string, elements: Iterable<Element>): string[] {
  const out: string[] = [];
  let chunk: string[] = [];
  const flush = () => {
    if (chunk.length) out.push(`${op} element ${rs.family} ${rs.table} ${set} { ${chunk.join(', ')} }`);
    chunk = [];
  };
  for (const e of elements) {
    chunk.push(renderElement(e, op === 'add'));
    if (chunk.length >= ELEMENTS_PER_COMMAND) flush();
  }
  flush();
  return out;
}

/**
 * The whole table as one transaction that first removes any previous version of it. Order: sets, then
 * every chain (empty), then elements (vmaps name chains), then rules (rules name chains and sets).
 */
export function renderRuleset(rs: Ruleset): string {
  const out = [
    `add table ${rs.family} ${rs.table}`,
    `delete table ${rs.family} ${rs.table}`,
    `add table ${rs.family} ${rs.table}`,
  ];
  for (const s of rs.sets.values()) out.push(renderAddSet(rs, s));
  for (const c of rs.counters?.values() ?? []) out.push(renderAddCounter(rs, c));
  for (const c of rs.chains.values()) out.push(renderAddChain(rs, c));
  for (const s of rs.sets.values()) out.push(...renderElements(rs, 'add', s.name, s.elements.values()));
  for (const c of rs.chains.values()) for (const r of c.rules) out.push(renderAddRule(rs, c.name, r));
  return out.join('\n') + '\n';
}

/** Removes the table (nothing else): what `podnet down` and a disabled proxy run. */
export function renderDeleteTable(rs: Pick<Ruleset, 'family' | 'table'>): string {
  return `add table ${rs.family} ${rs.table}\ndelete table ${rs.family} ${rs.table}\n`;
}

/**
 * Makes the objects of `rs` hold exactly what `rs` says, leaving every other object of the table as it
 * is: the table, sets and chains are added (a no-op when they exist), each chain is flushed and refilled,
 * the elements are added. One transaction, no listing first.
 */
export function renderUpsert(rs: Ruleset): string {
  const out = [`add table ${rs.family} ${rs.table}`];
  for (const s of rs.sets.values()) out.push(renderAddSet(rs, s));
  for (const c of rs.chains.values()) out.push(renderAddChain(rs, c));
  for (const c of rs.chains.values()) out.push(`flush chain ${rs.family} ${rs.table} ${c.name}`);
  for (const s of rs.sets.values()) out.push(...renderElements(rs, 'add', s.name, s.elements.values()));
  for (const c of rs.chains.values()) for (const r of c.rules) out.push(renderAddRule(rs, c.name, r));
  return out.join('\n') + '\n';
}

/** Deletes the chains of `rs` whether or not they exist: each is declared (a no-op when it exists), then deleted. */
export function renderChainRemoval(rs: Ruleset): string {
  const out = [`add table ${rs.family} ${rs.table}`];
  for (const c of rs.chains.values()) out.push(renderAddChain(rs, c), `delete chain ${rs.family} ${rs.table} ${c.name}`);
  return out.join('\n') + '\n';
}

/**
 * Deletes the elements of the sets of `rs` whether or not they exist: the sets and the chains their
 * values name are declared (never flushed), each element is added and deleted. The add fails (File
 * exists) only when the key is there with another value; the caller then deletes by key.
 */
export function renderElementRemoval(rs: Ruleset): string {
  const out = [`add table ${rs.family} ${rs.table}`];
  for (const s of rs.sets.values()) out.push(renderAddSet(rs, s));
  for (const c of rs.chains.values()) out.push(renderAddChain(rs, c));
  for (const s of rs.sets.values()) {
    for (const e of s.elements.values()) out.push(...renderElements(rs, 'add', s.name, [e]), ...renderElements(rs, 'delete', s.name, [e]));
  }
  return out.join('\n') + '\n';
}
