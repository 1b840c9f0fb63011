// Link attributes from /sys/class/net, read directly (no process): the CNI bridge plugin waits for its
// veth's operstate this way when sysfs belongs to its namespace.
import { readFileSync } from 'node:fs';

/**
 * An attribute of /sys/class/net/<name>, or null. Only meaningful when this process's sysfs belongs
 * to its network namespace (true in the root namespace and under `ip netns exec`, which remounts
 * /sys; not after a bare setns) — check with sysfsShows first.
 */
export function sysfsNet(name: string, attr: string): string | null {
  try {
    return readFileSync(`/sys/class/net/${name}/${attr}`, 'utf8').trim();
  } catch {
    return null;
  }
}

/** True when /sys/class/net shows the link we know by name, ifindex and MAC (i.e. sysfs is ours). */
export function sysfsShows(name: string, ifindex: number, mac: string): boolean {
  return sysfsNet(name, 'ifindex') === String(ifindex) && sysfsNet(name, 'address') === mac;
}
