// IPv4 address and port intervals for policy sets. nftables refuses two elements of a concatenated
// interval set that clash, so the planner hands the programmer disjoint boxes (address range × port
// range per protocol): `unionRanges` merges one dimension, `disjointBoxes` the two together. CIDRs are
// parsed by the one IP library (ipam/ip.ts); here they are only turned into number intervals.
import { CIDR, parseIP } from '../net/index.js';

/** An inclusive interval [lo, hi]: IPv4 addresses as numbers, or ports. */
export type Range = readonly [number, number];

export const ALL_ADDRESSES: Range = [0, 0xffffffff];
export const ALL_PORTS: Range = [0, 65535];

/** The IPv4 interval of a CIDR; undefined for IPv6 (the policy table is IPv4, as the cluster is). */
export function cidrRange(cidr: CIDR): Range | undefined {
  if (cidr.family !== 4) return undefined;
  return [Number(cidr.base), Number(cidr.last)];
}

export function ipRange(ip: string): Range | undefined {
  const a = parseIP(ip);
  return a.family === 4 ? [Number(a.value), Number(a.value)] : undefined;
}

/** Sorted, non-overlapping, non-adjacent union of intervals. */
export function unionRanges(ranges: Iterable<Range>): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: Array<[number, number]> = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

/** `ranges` minus `holes` (both unions). */
export function subtractRanges(ranges: Iterable<Range>, holes: Iterable<Range>): Range[] {
  let out = unionRanges(ranges);
  for (const [hlo, hhi] of unionRanges(holes)) {
    const next: Range[] = [];
    for (const [lo, hi] of out) {
      if (hhi < lo || hlo > hi) { next.push([lo, hi]); continue; }
      if (lo < hlo) next.push([lo, hlo - 1]);
      if (hi > hhi) next.push([hhi + 1, hi]);
    }
    out = next;
  }
  return out;
}

export function inRanges(ranges: readonly Range[], v: number): boolean {
  return ranges.some(([lo, hi]) => v >= lo && v <= hi);
}

/** An address box: addresses × ports. */
export interface Box { addrs: Range; ports: Range }

/**
 * The union of boxes as disjoint boxes: the port axis is cut at every box edge; inside each piece the
 * address ranges covering it are merged; neighbouring pieces with the same addresses are joined again.
 */
export function disjointBoxes(boxes: readonly Box[]): Box[] {
  if (boxes.length === 0) return [];
  const cuts = new Set<number>();
  for (const b of boxes) { cuts.add(b.ports[0]); cuts.add(b.ports[1] + 1); }
  const points = [...cuts].sort((a, b) => a - b);
  const pieces: Array<{ ports: [number, number]; addrs: Range[]; sig: string }> = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const lo = points[i], hi = points[i + 1] - 1;
    const addrs = unionRanges(boxes.filter((b) => b.ports[0] <= lo && b.ports[1] >= hi).map((b) => b.addrs));
    const sig = addrs.map((r) => r.join('-')).join(',');
    const prev = pieces[pieces.length - 1];
    if (prev && prev.sig === sig && prev.ports[1] + 1 === lo) prev.ports[1] = hi;
    else if (addrs.length) pieces.push({ ports: [lo, hi], addrs, sig });
  }
  return pieces.flatMap((p) => p.addrs.map((a) => ({ addrs: a, ports: p.ports as Range })));
}

const ipText = (n: number) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;

/** An address interval as nft writes it: `10.0.0.1`, `10.0.0.0/8`, or `10.0.0.1-10.0.0.5`. */
export function addrRangeText([lo, hi]: Range): string {
  if (lo === hi) return ipText(lo);
  const size = hi - lo + 1;
  const prefix = 32 - Math.log2(size);
  if (Number.isInteger(prefix) && lo % size === 0) return `${ipText(lo)}/${prefix}`;
  return `${ipText(lo)}-${ipText(hi)}`;
}

export function portRangeText([lo, hi]: Range): string {
  return lo === hi ? String(lo) : `${lo}-${hi}`;
}
