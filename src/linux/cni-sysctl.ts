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
