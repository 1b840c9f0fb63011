// IP addresses and prefixes as the CNI plugins see them: parsed into BigInt so that IPv4 and IPv6
// ranges share one arithmetic, and formatted exactly as Go's net.IP.String() does (the reference
// plugins name host-local reservation files and write results with it, so ours must match byte
// for byte for the two plugins to share a data directory).

export type Family = 4 | 6;

export interface IP {
  family: Family;
  value: bigint;
}

export interface CIDR {
  /** The address as written (host bits may be set, e.g. a pod address 10.99.0.2/24). */
  ip: IP;
  prefix: number;
}

const BITS: Record<Family, number> = { 4: 32, 6: 128 };

export function bits(family: Family): number {
  return BITS[family];
}

function parseIPv4(s: string): bigint | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  let v = 0n;
  for (const p of parts) {
    // Go rejects leading zeros ("010") as ambiguous octal; so do we.
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p[0] === '0')) return null;
    const n = Number(p);
    if (n > 255) return null;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

function parseIPv6(s: string): bigint | null {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return null;
  let tail4: bigint | null = null;
  let text = s;
  // An embedded IPv4 tail (::ffff:10.0.0.1) fills the last 32 bits.
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    tail4 = parseIPv4(text.slice(lastColon + 1));
    if (tail4 === null) return null;
    text = text.slice(0, lastColon + 1) + '0:0';
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const groups = head.length + tail.length;
  if (halves.length === 1 ? groups !== 8 : groups > 7) return null;
  const all = [...head, ...Array(8 - groups).fill('0'), ...tail];
  let v = 0n;
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  if (tail4 !== null) v = (v & ~0xffffffffn) | tail4;
  return v;
}

/** Parses an IPv4 or IPv6 address; an IPv4-mapped IPv6 address becomes IPv4, as in Go's To4(). */
export function parseIP(s: string): IP | null {
  if (typeof s !== 'string') return null;
  if (s.includes(':')) {
    const v = parseIPv6(s);
    if (v === null) return null;
    if (v >> 32n === 0xffffn) return { family: 4, value: v & 0xffffffffn };
    return { family: 6, value: v };
  }
  const v = parseIPv4(s);
  return v === null ? null : { family: 4, value: v };
}

/** Formats like Go: dotted quad, or RFC 5952 (lowercase, longest zero run of 2+ groups as ::). */
export function formatIP(ip: IP): string {
  if (ip.family === 4) {
    const v = ip.value;
    return [24n, 16n, 8n, 0n].map((sh) => String((v >> sh) & 255n)).join('.');
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((ip.value >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function parseCIDR(s: string): CIDR | null {
  if (typeof s !== 'string') return null;
  const slash = s.indexOf('/');
  if (slash < 0) return null;
  const ip = parseIP(s.slice(0, slash));
  const p = s.slice(slash + 1);
  if (!ip || !/^\d{1,3}$/.test(p)) return null;
  const prefix = Number(p);
  // "::ffff:10.0.0.0/120" would be a v4 network in Go with prefix-96; keep it simple: reject.
  if (ip.family === 4 && s.slice(0, slash).includes(':')) return null;
  if (prefix > bits(ip.family)) return null;
  return { ip, prefix };
}

export function formatCIDR(c: CIDR): string {
  return `${formatIP(c.ip)}/${c.prefix}`;
}

export function maskOf(family: Family, prefix: number): bigint {
  const total = BigInt(bits(family));
  const all = (1n << total) - 1n;
  return prefix === 0 ? 0n : (all >> (total - BigInt(prefix))) << (total - BigInt(prefix));
}

/** The network address of a CIDR (host bits cleared). */
export function networkOf(c: CIDR): CIDR {
  return { ip: { family: c.ip.family, value: c.ip.value & maskOf(c.ip.family, c.prefix) }, prefix: c.prefix };
}

/** The last address of the prefix (the IPv4 broadcast address). */
export function lastOf(c: CIDR): IP {
  const hostMask = ((1n << BigInt(bits(c.ip.family))) - 1n) ^ maskOf(c.ip.family, c.prefix);
  return { family: c.ip.family, value: (c.ip.value & maskOf(c.ip.family, c.prefix)) | hostMask };
}

export function contains(net: CIDR, ip: IP): boolean {
  if (net.ip.family !== ip.family) return false;
  const m = maskOf(ip.family, net.prefix);
  return (net.ip.value & m) === (ip.value & m);
}

export function ipEqual(a: IP | null | undefined, b: IP | null | undefined): boolean {
  return !!a && !!b && a.family === b.family && a.value === b.value;
}

export function cmpIP(a: IP, b: IP): number {
  if (a.family !== b.family) return a.family - b.family;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

export function nextIP(ip: IP): IP {
  const max = (1n << BigInt(bits(ip.family))) - 1n;
  return { family: ip.family, value: ip.value === max ? 0n : ip.value + 1n };
}

export function addIP(ip: IP, n: bigint): IP {
  return { family: ip.family, value: ip.value + n };
}

/** Canonical text of an address given as a string; null when it is not an address. */
export function canonicalIP(s: string): string | null {
  const ip = parseIP(s);
  return ip ? formatIP(ip) : null;
}

export function defaultRouteDst(family: Family): string {
  return family === 4 ? '0.0.0.0/0' : '::/0';
}
