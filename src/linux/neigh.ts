// Neighbour (ARP) entries (`ip neigh`): the permanent entries an overlay programs so the kernel never
// has to ARP across a tunnel, as flannel's vxlan backend does for each remote node's VTEP address
// (`ip neigh replace 10.244.2.0 lladdr <VTEP MAC> dev flannel.1 nud permanent`).
import { run, runJson, CommandError } from './exec.js';
import { ipIn } from './netns.js';
import { validateIfName, type InNetns } from './link.js';

export interface NeighSpec {
  /** The neighbour's IPv4 address. */
  ip: string;
  /** Its link-layer (MAC) address. */
  lladdr: string;
  dev: string;
}

/** One entry of `ip -j neigh show dev DEV`; the fields podnet reads. */
export interface NeighInfo {
  dst: string;
  lladdr?: string;
  /** e.g. ["PERMANENT"], ["REACHABLE"], ["STALE"], ["FAILED"]. */
  state: string[];
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const MAC = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;

/** Throws unless `ip` is a dotted IPv4 address. */
export function validateIPv4(ip: string, what = 'address'): void {
  const m = IPV4.exec(ip);
  if (!m || m.slice(1).some((o) => Number(o) > 255)) {
    throw new Error(`invalid ${what} ${JSON.stringify(ip)}: expected a dotted IPv4 address like 10.244.2.0`);
  }
}

/** Throws unless `mac` is six colon-separated hex pairs. */
export function validateMac(mac: string): void {
  if (!MAC.test(mac)) throw new Error(`invalid MAC address ${JSON.stringify(mac)}: use six hex pairs like 0a:58:0a:f4:01:01`);
}

/** The words after `ip neigh` that replace the entry with a permanent one; also used in `ip -batch`. */
export function neighReplaceArgs(spec: NeighSpec): string[] {
  validateIPv4(spec.ip, 'neighbour address');
  validateMac(spec.lladdr);
  validateIfName(spec.dev);
  return ['neigh', 'replace', spec.ip, 'lladdr', spec.lladdr.toLowerCase(), 'dev', spec.dev, 'nud', 'permanent'];
}

/** The words after `ip` that delete the entry for `ip` on `dev`. */
export function neighDeleteArgs(ip: string, dev: string): string[] {
  validateIPv4(ip, 'neighbour address');
  validateIfName(dev);
  return ['neigh', 'del', ip, 'dev', dev];
}

/** Adds or replaces a permanent neighbour entry: idempotent. */
export async function replaceNeigh(spec: NeighSpec, opts: InNetns = {}): Promise<void> {
  await run([...ipIn(opts.netns), ...neighReplaceArgs(spec)]);
}

/** Deletes the entry for `ip` on `dev`; returns false when there was none. */
export async function deleteNeigh(ip: string, dev: string, opts: InNetns = {}): Promise<boolean> {
  try {
    await run([...ipIn(opts.netns), ...neighDeleteArgs(ip, dev)]);
    return true;
  } catch (e) {
    if (e instanceof CommandError && /(No such file or directory|Cannot find device)/.test(e.stderr)) return false;
    throw e;
  }
}

/** IPv4 neighbour entries of `dev` (`ip -j -4 neigh show dev DEV`). */
export async function listNeigh(dev: string, opts: InNetns = {}): Promise<NeighInfo[]> {
  validateIfName(dev);
  const raw = await runJson<Array<{ dst: string; lladdr?: string; state?: string[] }>>([...ipIn(opts.netns), '-j', '-4', 'neigh', 'show', 'dev', dev]);
  return raw.map((n) => ({ dst: n.dst, lladdr: n.lladdr, state: n.state ?? [] }));
}
