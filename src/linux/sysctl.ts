// Kernel parameters (`sysctl`), per network namespace: net.* keys are per namespace, so a node's
// net.ipv4.ip_forward is set by running sysctl inside the node (`ip netns exec NODE sysctl -w ...`).
import { run } from './exec.js';
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

/** Sets `key` to `value` (`sysctl -w key=value`), in `netns` when given. */
export async function setSysctl(key: string, value: string | number, opts: InNetns = {}): Promise<void> {
  validateKey(key);
  const v = String(value);
  if (/[\n=]/.test(v)) throw new Error(`invalid sysctl value ${JSON.stringify(v)} for ${key}: no newlines or '='`);
  await run(['sysctl', '-q', '-w', `${key}=${v}`], where(opts));
}

/** Reads `key` (`sysctl -n key`), in `netns` when given; the value without the trailing newline. */
export async function getSysctl(key: string, opts: InNetns = {}): Promise<string> {
  validateKey(key);
  const { stdout } = await run(['sysctl', '-n', key], where(opts));
  return stdout.trim();
}
