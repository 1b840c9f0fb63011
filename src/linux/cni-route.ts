// Which interface of this namespace routes to an IPv4 address: a longest-prefix match over
// /proc/net/route (read directly, no process). portmap needs it to enable route_localnet on the
// pod-facing interface, as the reference does.
import { readFileSync } from 'node:fs';
import { CIDR, type IP, ipFromBytes } from '../core/net/index.js';

/** The interface that the main table routes the IPv4 address `ip` through. */
export function routeInterfaceV4(ip: IP): string | null {
  let text: string;
  try { text = readFileSync('/proc/net/route', 'utf8'); } catch { return null; }
  let best: { iface: string; len: number; metric: number } | null = null;
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    // Fields are the kernel's 32-bit words in host (little-endian) byte order, in hex:
    // Iface Destination Gateway Flags RefCnt Use Metric Mask ...
    const le = (h: string) => Number(ipFromBytes([...Buffer.from(h.padStart(8, '0'), 'hex')].reverse()).value);
    const mask = le(f[7]);
    const len = mask.toString(2).replace(/0/g, '').length;
    const metric = Number(f[6]);
    if (!new CIDR(4, BigInt(le(f[1])), len).contains(ip)) continue;
    if (!best || len > best.len || (len === best.len && metric < best.metric)) best = { iface: f[0], len, metric };
  }
  return best?.iface ?? null;
}
