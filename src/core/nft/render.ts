// Turns the Ruleset model into `nft -f` command text. A full render replaces the table in one
// transaction (`add table` + `delete table` + re-create, so it works whether or not the table exists);
// the differ (diff.ts) reuses the per-object renderers for incremental transactions.
import type { Chain, Element, KeyField, Match, NftCounter, NftSet, Rule, Ruleset, Stmt, Verdict } from './ruleset.js';

/** Elements per `add element` command: long enough to amortise parsing, short enough for readable errors. */
const ELEMENTS_PER_COMMAND = 500;

export function renderKey(key: readonly KeyField[]): string {
  return key.map((f) => {
    if (typeof f === 'object') return `numgen random mod ${f.numgen}`;
    switch (f) {
      case 'saddr': return 'ip saddr';
      case 'daddr': return 'ip daddr';
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

export function renderMatch(m: Match): string {
  switch (m.kind) {
    case 'addr': return `ip ${m.field} ${m.op === '!=' ? '!= ' : ''}${renderValues(m.values)}`;
    case 'addrSet': return `ip ${m.field} @${m.set}`;
    case 'pairSet': return `ip saddr . ip daddr @${m.set}`;
    case 'l4proto': return `meta l4proto ${m.proto}`;
    case 'fibSaddrLocal': return 'fib saddr type local';
    case 'ctStateNew': return 'ct state new';
    case 'ctState': return `ct state ${m.states.join(',')}`;
    case 'keySet': return `${renderKey(m.key)} @${m.set}`;
    case 'markClear': return `meta mark & ${hex(m.bit)} == 0`;
  }
}

export function renderStmt(s: Stmt): string {
  switch (s.kind) {
    case 'verdict': return renderVerdict(s.verdict);
    case 'vmap': return `${renderKey(s.key)} vmap @${s.map}`;
    case 'numgenVmap':
      return `numgen random mod ${s.targets.length} vmap { ${s.targets.map((t, i) => `${i} : ${renderVerdict(t)}`).join(', ')} }`;
    case 'dnat': return `dnat ip to ${s.addr}:${s.port}`;
    case 'dnatMap': return `dnat ip to ${renderKey(s.key)} map @${s.map}`;
    case 'markOr': return `meta mark set meta mark | ${hex(s.bit)}`;
    case 'markXor': return `meta mark set meta mark ^ ${hex(s.bit)}`;
    case 'masquerade': return 'masquerade fully-random';
    case 'reject': return s.tcpReset ? 'reject with tcp reset' : 'reject';
    case 'updateSet': return `update @${s.set} { ip saddr }`;
    case 'counter': return `counter name ${quote(s.name)}`;
  }
}

/** Comments come from object names (DNS labels), but never let one break the command syntax. */
export function quote(text: string): string {
  return `"${text.replace(/["\\\n]/g, '_').slice(0, 128)}"`;
}

export function renderRuleBody(r: Rule): string {
  const parts = [...r.matches.map(renderMatch), ...r.stmts.map(renderStmt)];
  if (r.comment) parts.push(`comment ${quote(r.comment)}`);
  return parts.join(' ');
}

export function renderAddRule(rs: Ruleset, chain: string, r: Rule): string {
  return `add rule ${rs.family} ${rs.table} ${chain} ${renderRuleBody(r)}`;
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
