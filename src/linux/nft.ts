// nftables through the `nft` CLI: apply a transaction (`nft -f -`, atomic: all of it or nothing), read
// a table back as JSON (`nft -j list table`), delete a table, check that nft works here. Everything can
// run inside a named network namespace (`ip netns exec NS nft ...`); without one it runs in the
// caller's namespace (the node agent already lives in its node's namespace).
import { CommandError, run, runJson } from './exec.js';

export interface NftOptions {
  /** Named network namespace to run in. */
  netns?: string;
  timeoutMs?: number;
}

export type NftFamily = 'ip' | 'ip6' | 'inet' | 'arp' | 'bridge' | 'netdev';

/** `nft -j` output: a list of one-key objects (`{table: ...}`, `{chain: ...}`, `{rule: ...}`, `{set|map: ...}`). */
export interface NftJson { nftables: Array<Record<string, any>> }

const NAME_RE = /^[A-Za-z][A-Za-z0-9_.-]{0,255}$/;

function checkName(what: string, name: string): void {
  if (!NAME_RE.test(name)) throw new Error(`nft ${what} name "${name}" is invalid: use letters, digits, '-', '_' or '.', starting with a letter`);
}

function netnsArgs(opts: NftOptions) {
  return { netns: opts.netns, timeoutMs: opts.timeoutMs };
}

/** Thrown when nft rejects a transaction; `lines` are the input lines its messages point at. */
export class NftError extends Error {
  constructor(readonly command: CommandError, readonly lines: string[]) {
    super(`nft rejected the transaction (nothing was changed): ${command.stderr.trim().split('\n').slice(0, 6).join(' | ')}`);
    this.name = 'NftError';
  }
}

/**
 * Applies `nft -f -` text as one transaction. Returns how long nft took, in milliseconds.
 * With `check`, nft only parses and validates it against the kernel (`nft -c`), changing nothing.
 */
export async function nftApply(text: string, opts: NftOptions & { check?: boolean } = {}): Promise<number> {
  const start = process.hrtime.bigint();
  if (!text.trim()) return 0;
  try {
    // Newline-terminated: nft does not mind, and the executor then feeds it from its pooled shells.
    await run(['nft', ...(opts.check ? ['-c'] : []), '-f', '-'], { input: text.endsWith('\n') ? text : `${text}\n`, ...netnsArgs(opts) });
  } catch (e) {
    if (!(e instanceof CommandError)) throw e;
    // nft reports `/dev/stdin:LINE:COL-COL: Error: ...`; keep those lines of the input for the error report.
    const input = text.split('\n');
    const nums = [...e.stderr.matchAll(/:(\d+):\d+-\d+: Error/g)].map((m) => Number(m[1]));
    throw new NftError(e, [...new Set(nums)].map((n) => `${n}: ${input[n - 1] ?? ''}`));
  }
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** `nft -j list table FAMILY NAME`, or undefined when the table does not exist. */
export async function nftListTable(family: NftFamily, table: string, opts: NftOptions = {}): Promise<NftJson | undefined> {
  checkName('table', table);
  try {
    return await runJson<NftJson>(['nft', '-j', 'list', 'table', family, table], netnsArgs(opts));
  } catch (e) {
    if (e instanceof CommandError && /No such file or directory/.test(e.stderr)) return undefined;
    throw e;
  }
}

/**
 * `nft -j list <what...>` for any object (`['map', 'ip', 'podnet_masquerade', 'pods']`, `['tables']`);
 * null when it does not exist (nothing to clean up).
 */
export async function nftListJson(what: readonly string[], opts: NftOptions = {}): Promise<NftJson | null> {
  try {
    const { stdout } = await run(['nft', '-j', 'list', ...what], netnsArgs(opts));
    return stdout.trim() ? JSON.parse(stdout) as NftJson : null;
  } catch (e) {
    if (e instanceof CommandError && /No such file or directory|does not exist/.test(e.stderr)) return null;
    throw e;
  }
}

/** The named counters of a table (`nft -j list counters table ...`): name → packets and bytes; empty when there is no table. */
export async function nftListCounters(family: NftFamily, table: string, opts: NftOptions = {}): Promise<Map<string, { packets: number; bytes: number }>> {
  checkName('table', table);
  const out = new Map<string, { packets: number; bytes: number }>();
  let json: NftJson;
  try {
    json = await runJson<NftJson>(['nft', '-j', 'list', 'counters', 'table', family, table], netnsArgs(opts));
  } catch (e) {
    if (e instanceof CommandError && /No such file or directory/.test(e.stderr)) return out;
    throw e;
  }
  for (const item of json.nftables) {
    if (item.counter) out.set(item.counter.name, { packets: Number(item.counter.packets ?? 0), bytes: Number(item.counter.bytes ?? 0) });
  }
  return out;
}

/** Names of the tables of one family (all families when omitted), as `family name`. */
export async function nftListTables(opts: NftOptions = {}): Promise<string[]> {
  const { stdout } = await run(['nft', 'list', 'tables'], netnsArgs(opts));
  return stdout.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('table ')).map((l) => l.slice(6));
}

/** Deletes a table and everything in it; false when there was none. */
export async function nftDeleteTable(family: NftFamily, table: string, opts: NftOptions = {}): Promise<boolean> {
  checkName('table', table);
  try {
    await run(['nft', 'delete', 'table', family, table], netnsArgs(opts));
    return true;
  } catch (e) {
    if (e instanceof CommandError && /No such file or directory/.test(e.stderr)) return false;
    throw e;
  }
}

export type NftAvailability = { ok: true; version: string } | { ok: false; reason: string };

/** Whether nft is installed and may change rulesets here (root, or CAP_NET_ADMIN in the namespace). */
export async function nftAvailable(opts: NftOptions = {}): Promise<NftAvailability> {
  let version: string;
  try {
    version = (await run(['nft', '--version'])).stdout.trim();
  } catch (e) {
    return { ok: false, reason: `nft is not installed or not runnable (${(e as Error).message}); install the nftables package` };
  }
  try {
    await run(['nft', '-c', '-f', '-'], { input: 'add table ip podnet-probe\n', ...netnsArgs(opts) });
  } catch (e) {
    return { ok: false, reason: `nft cannot change rulesets here (${(e as Error).message}); run as root` };
  }
  return { ok: true, version };
}

/**
 * A table's JSON listing in a canonical form, to compare two tables structurally: handles dropped,
 * sets and chains sorted by name, set elements sorted (without dynamic ones), rules kept in chain order.
 */
export function canonicalTable(json: NftJson): { sets: unknown[]; chains: unknown[] } {
  const strip = (o: Record<string, any>) => {
    const { handle, ...rest } = o;
    return rest;
  };
  const sets: Array<Record<string, any>> = [];
  const chains = new Map<string, { chain: Record<string, any>; rules: unknown[] }>();
  for (const item of json.nftables) {
    if (item.set || item.map) {
      const s = strip(item.set ?? item.map);
      // Elements with `expires` were added by the packet path (dynamic sets), not by a transaction.
      if (Array.isArray(s.elem)) {
        s.elem = s.elem.filter((e: any) => e?.elem?.expires === undefined).map((e: unknown) => JSON.stringify(e)).sort();
        if (!s.elem.length) delete s.elem;
      }
      sets.push({ kind: item.set ? 'set' : 'map', ...s });
    } else if (item.chain) {
      chains.set(item.chain.name, { chain: strip(item.chain), rules: [] });
    } else if (item.rule) {
      const r = strip(item.rule);
      chains.get(r.chain)?.rules.push(r);
    }
  }
  const byName = (a: { name?: string }, b: { name?: string }) => (a.name ?? '').localeCompare(b.name ?? '');
  return {
    sets: sets.sort(byName),
    chains: [...chains.values()].sort((a, b) => byName(a.chain, b.chain)),
  };
}
