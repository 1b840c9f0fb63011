// nftables (`nft`), per network namespace: a whole table is written in one `nft -f -` transaction, so
// the kernel never holds half a ruleset, and read back as JSON (`nft -j list table`).
import { run, runJson, CommandError } from './exec.js';
import { validateNetnsName } from './netns.js';
import type { InNetns } from './link.js';

export type NftFamily = 'ip' | 'ip6' | 'inet' | 'arp' | 'bridge' | 'netdev';

/** `nft -j` output: a list of objects each holding one of table, chain, rule, set, map, element, metainfo. */
export interface NftJson { nftables: Array<Record<string, any>> }

const TABLE_NAME = /^[a-zA-Z][a-zA-Z0-9_-]{0,63}$/;

/** Throws unless `name` can be a table name without quoting. */
export function validateNftTableName(name: string): void {
  if (!TABLE_NAME.test(name)) {
    throw new Error(`invalid nftables table name ${JSON.stringify(name)}: use letters, digits, '-' or '_', starting with a letter, at most 64 characters`);
  }
}

function where(opts: InNetns): { netns?: string } {
  if (opts.netns !== undefined) validateNetnsName(opts.netns);
  return opts.netns !== undefined ? { netns: opts.netns } : {};
}

/** Applies an nft script atomically (`nft -f -`): all of it or, on any error, nothing. */
export async function applyNft(script: string, opts: InNetns = {}): Promise<void> {
  await run(['nft', '-f', '-'], { ...where(opts), input: script });
}

/** One table as `nft -j list table FAMILY NAME`, or undefined when there is no such table. */
export async function listNftTable(family: NftFamily, name: string, opts: InNetns = {}): Promise<NftJson | undefined> {
  validateNftTableName(name);
  try {
    return await runJson<NftJson>(['nft', '-j', 'list', 'table', family, name], where(opts));
  } catch (e) {
    if (e instanceof CommandError && /No such file or directory/.test(e.stderr)) return undefined;
    throw e;
  }
}

/** Deletes a table and everything in it; returns false when there was none. */
export async function deleteNftTable(family: NftFamily, name: string, opts: InNetns = {}): Promise<boolean> {
  validateNftTableName(name);
  try {
    await run(['nft', 'delete', 'table', family, name], where(opts));
    return true;
  } catch (e) {
    if (e instanceof CommandError && /No such file or directory/.test(e.stderr)) return false;
    throw e;
  }
}
