// Sysctls of the namespace this process runs in, written directly to /proc/sys (no process spawn;
// /proc/sys/net resolves against the writer's network namespace). Used by the CNI plugins for
// accept_ra, ip_forward and route_localnet on host-side interfaces.
import { readFileSync, writeFileSync } from 'node:fs';

/** Writes a sysctl ("net/ipv4/ip_forward"); returns false instead of throwing when it cannot. */
export function setSysctl(key: string, value: string): boolean {
  try {
    writeFileSync(`/proc/sys/${key}`, value);
    return true;
  } catch {
    return false;
  }
}

export function getSysctl(key: string): string | null {
  try {
    return readFileSync(`/proc/sys/${key}`, 'utf8').trim();
  } catch {
    return null;
  }
}

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
