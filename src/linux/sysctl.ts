// Kernel parameters (`sysctl`), per network namespace: net.* keys are per namespace, so a node's
// net.ipv4.ip_forward is written from inside the node. Writes go through the executor as sysctl steps:
// in this process's own namespace they are plain writes to /proc/sys (no process at all, which the CNI
// plugin needs on its ADD path), elsewhere one shell inside the namespace writes them all.
import { run, runSteps } from './exec.js';
import { validateNetnsName } from './netns.js';
import type { InNetns } from './link.js';

// Dotted (net.ipv4.ip_forward) or slashed (net/ipv4/conf/eth0/rp_filter); interface names may contain '.'
// only in the slashed form, which sysctl(8) also accepts.
const KEY = /^[a-zA-Z0-9_]+([./][a-zA-Z0-9_.-]+)*$/;

function validateKey(key: string): void {
  if (!KEY.test(key) || key.includes('..')) {
    throw new Error(`invalid sysctl key ${JSON.stringify(key)}: use a name like net.ipv4.ip_forward or net/ipv4/conf/eth0/rp_filter`);
  }
}

function where(opts: InNetns): { netns?: string } {
  if (opts.netns !== undefined) validateNetnsName(opts.netns);
  return opts.netns !== undefined ? { netns: opts.netns } : {};
}

/** The key relative to /proc/sys: net.ipv4.ip_forward → net/ipv4/ip_forward (slashed keys stay as they are). */
export function sysctlPath(key: string): string {
  validateKey(key);
  return key.includes('/') ? key : key.replace(/\./g, '/');
}

/**
 * Sets each key to its value, in `netns` (a name, or a path such as a CNI_NETNS) when given. Throws
 * naming every key that could not be written; the others are written all the same.
 */
export async function setSysctls(values: Record<string, string | number>, opts: { netns?: string } = {}): Promise<void> {
  const writes = Object.entries(values).map(([k, value]) => {
    const v = String(value);
    if (/[\n=]/.test(v)) throw new Error(`invalid sysctl value ${JSON.stringify(v)} for ${k}: no newlines or '='`);
    return [sysctlPath(k), v] as const;
  });
  if (!writes.length) return;
  const [r] = await runSteps([{ sysctls: writes }], opts.netns !== undefined ? { netns: opts.netns } : {});
  if (r.exitCode !== 0) throw new Error(`setting sysctl ${Object.keys(values).join(', ')} failed${opts.netns ? ` in ${opts.netns}` : ''}: ${r.stderr.trim()}`);
}

/** Sets `key` to `value`, in `netns` when given. */
export async function setSysctl(key: string, value: string | number, opts: InNetns = {}): Promise<void> {
  await setSysctls({ [key]: value }, where(opts));
}

/** Reads `key` (`sysctl -n key`), in `netns` when given; the value without the trailing newline. */
export async function getSysctl(key: string, opts: InNetns = {}): Promise<string> {
  validateKey(key);
  const { stdout } = await run(['sysctl', '-n', key], where(opts));
  return stdout.trim();
}
