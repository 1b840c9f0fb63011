// Forwarding database entries of a VXLAN device (`bridge fdb`): which underlay address a frame for a
// given MAC is tunnelled to. With `nolearning` the agent writes them, one per remote node, as flannel
// does: `bridge fdb replace <VTEP MAC> dev flannel.1 dst <node IP> self permanent`.
import { run, runJson, CommandError } from './exec.js';
import { validateNetnsName } from './netns.js';
import { validateIfName, type InNetns } from './link.js';
import { validateIPv4, validateMac } from './neigh.js';

export interface FdbSpec {
  mac: string;
  /** Underlay address of the remote tunnel endpoint. */
  dst: string;
  dev: string;
}

/** One entry of `bridge -j fdb show dev DEV`; the fields podnet reads. */
export interface FdbInfo {
  mac: string;
  /** Present for VXLAN remote entries. */
  dst?: string;
  flags: string[];
  state?: string;
}

/** `['bridge']`, or `['bridge', '-n', NS]` for a named namespace. */
export function bridgeIn(netns?: string): string[] {
  if (netns === undefined) return ['bridge'];
  validateNetnsName(netns);
  return ['bridge', '-n', netns];
}

/** The words after `bridge` that replace the entry for `mac`; also used in `bridge -batch`. */
export function fdbReplaceArgs(spec: FdbSpec): string[] {
  validateMac(spec.mac);
  validateIPv4(spec.dst, 'FDB destination');
  validateIfName(spec.dev);
  return ['fdb', 'replace', spec.mac.toLowerCase(), 'dev', spec.dev, 'dst', spec.dst, 'self', 'permanent'];
}

/**
 * The words after `bridge` that delete the entry for `mac` towards `dst`. A VXLAN device may hold
 * several entries for one MAC (one per dst), so the dst is named.
 */
export function fdbDeleteArgs(spec: FdbSpec): string[] {
  validateMac(spec.mac);
  validateIPv4(spec.dst, 'FDB destination');
  validateIfName(spec.dev);
  return ['fdb', 'del', spec.mac.toLowerCase(), 'dev', spec.dev, 'dst', spec.dst, 'self'];
}

/** Adds or replaces a permanent FDB entry: idempotent. */
export async function replaceFdb(spec: FdbSpec, opts: InNetns = {}): Promise<void> {
  await run([...bridgeIn(opts.netns), ...fdbReplaceArgs(spec)]);
}

/** Deletes an FDB entry; returns false when there was none. */
export async function deleteFdb(spec: FdbSpec, opts: InNetns = {}): Promise<boolean> {
  try {
    await run([...bridgeIn(opts.netns), ...fdbDeleteArgs(spec)]);
    return true;
  } catch (e) {
    if (e instanceof CommandError && /(No such file or directory|Cannot find device)/.test(e.stderr)) return false;
    throw e;
  }
}

/** The FDB entries of `dev` (`bridge -j fdb show dev DEV`). */
export async function listFdb(dev: string, opts: InNetns = {}): Promise<FdbInfo[]> {
  validateIfName(dev);
  const raw = await runJson<Array<{ mac: string; dst?: string; flags?: string[]; state?: string }>>([...bridgeIn(opts.netns), '-j', 'fdb', 'show', 'dev', dev]);
  return raw.map((e) => ({ mac: e.mac, dst: e.dst, flags: e.flags ?? [], state: e.state }));
}
