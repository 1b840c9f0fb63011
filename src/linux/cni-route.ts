// Which interface of this namespace routes to an IPv4 address: a longest-prefix match over
// /proc/net/route (read directly, no process). portmap needs it to enable route_localnet on the
// pod-facing interface, as the reference does.
import { readFileSync } from 'node:fs';

/** The interface that the main table routes `ip` (an IPv4 address as a 32-bit number) through. */
export function routeInterfaceV4(ip: number): string | null {
  let text: string;
  try { text = readFileSync('/proc/net/route', 'utf8'); } catch { return null; }
  let best: { iface: string; len: number; metric: number } | null = null;
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    // Fields are little-endian hex: Iface Destination Gateway Flags RefCnt Use Metric Mask ...
    const le = (h: string) => { const n = parseInt(h, 16); return (((n & 0xff) << 24) | ((n & 0xff00) << 8) | ((n >>> 8) & 0xff00) | (n >>> 24)) >>> 0; };
    const dst = le(f[1]);
    const mask = le(f[7]);
    const metric = Number(f[6]);
    if (((ip & mask) >>> 0) !== dst) continue;
    const len = mask.toString(2).replace(/0/g, '').length;
    if (!best || len > best.len || (len === best.len && metric < best.metric)) best = { iface: f[0], len, metric };
  }
  return best?.iface ?? null;
}
