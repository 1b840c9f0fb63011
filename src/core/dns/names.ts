// Domain-name helpers the planners share. Names compare case-insensitively (the Kubernetes DNS spec:
// "all comparisons between query data and Kubernetes data are case-insensitive"); canonical form is
// lower case without the trailing dot, and '.' for the root.
import { formatIP, ipBytes, parseIP, parseIPPrefix } from '../net/index.js';

/** Lower case, no trailing dot; the root stays '.'. */
export function canonical(name: string): string {
  if (name === '.' || name === '') return '.';
  const n = name.endsWith('.') && !name.endsWith('\\.') ? name.slice(0, -1) : name;
  return n.toLowerCase();
}

/** Whether canonical `name` is `zone` or inside it (both canonical). */
export function inZone(name: string, zone: string): boolean {
  if (zone === '.') return true;
  if (name.length === zone.length) return name === zone;
  return name.length > zone.length && name.endsWith(zone) && name.charCodeAt(name.length - zone.length - 1) === 0x2e;
}

/** The most specific of `zones` that holds `name` (both canonical), or undefined. */
export function matchZone(name: string, zones: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const z of zones) if (inZone(name, z) && (best === undefined || z.length > best.length || best === '.')) best = z;
  return best;
}

/** The labels of `name` left of `zone` (name must be in zone), right-most last: `a.b.zone` → ['a', 'b']. */
export function labelsBefore(name: string, zone: string): string[] {
  if (zone === '.') return name === '.' ? [] : name.split('.');
  if (name.length === zone.length) return [];
  return name.slice(0, name.length - zone.length - 1).split('.');
}

/** The original-case tail of `qname` that spells `zone` (CoreDNS keeps the query's case for the zone part). */
export function zoneAsAsked(qname: string, zone: string): string {
  if (zone === '.') return '.';
  const q = qname.endsWith('.') ? qname.slice(0, -1) : qname;
  return q.slice(q.length - zone.length);
}

/** `a.b.c` + `zone` → `a.b.c.zone`, handling the root zone. */
export function join(prefix: string, zone: string): string {
  if (!prefix) return zone;
  return zone === '.' ? prefix : `${prefix}.${zone}`;
}

/** The reverse-lookup name of an IP: 1.2.3.4 → 4.3.2.1.in-addr.arpa; IPv6 as 32 reversed nibbles under ip6.arpa. */
export function reverseName(ip: string): string {
  const addr = parseIP(ip);
  if (addr.family === 4) return `${[...ipBytes(addr)].reverse().join('.')}.in-addr.arpa`;
  const nibbles: string[] = [];
  for (const b of ipBytes(addr)) nibbles.push((b >> 4).toString(16), (b & 15).toString(16));
  return `${nibbles.reverse().join('.')}.ip6.arpa`;
}

/**
 * The IP a reverse name stands for (canonical name), or undefined when it is not a complete
 * in-addr.arpa (4 decimal labels) or ip6.arpa (32 nibbles) name.
 */
export function ipFromReverse(name: string): string | undefined {
  if (name.endsWith('.in-addr.arpa')) {
    const parts = name.slice(0, -'.in-addr.arpa'.length).split('.');
    if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255)) return undefined;
    return parts.reverse().join('.');
  }
  if (name.endsWith('.ip6.arpa')) {
    const parts = name.slice(0, -'.ip6.arpa'.length).split('.');
    if (parts.length !== 32 || !parts.every((p) => /^[0-9a-f]$/.test(p))) return undefined;
    return formatIP({ family: 6, value: BigInt(`0x${parts.reverse().join('')}`) });
  }
  return undefined;
}

/** The reverse zones of a CIDR on octet (v4) or nibble (v6) boundaries: 10.0.0.0/8 → 10.in-addr.arpa. */
export function reverseZonesOfCidr(cidr: string): string[] {
  const { ip: addr, prefix: bits } = parseIPPrefix(cidr, 'CIDR');
  const bytes = ipBytes(addr);
  if (addr.family === 4) {
    // CoreDNS widens a prefix that is not on an octet boundary to the enclosing octet(s): one zone per
    // value of the partial octet.
    const whole = Math.floor(bits / 8);
    const rest = bits % 8;
    const head = bytes.slice(0, whole);
    if (rest === 0) return [head.length ? `${[...head].reverse().join('.')}.in-addr.arpa` : 'in-addr.arpa'];
    const base = bytes[whole] & (0xff << (8 - rest));
    const out: string[] = [];
    for (let v = base; v < base + (1 << (8 - rest)); v++) out.push(`${[...head, v].reverse().join('.')}.in-addr.arpa`);
    return out;
  }
  const nibbles: number[] = [];
  for (const b of bytes) nibbles.push(b >> 4, b & 15);
  const whole = Math.floor(bits / 4);
  const rest = bits % 4;
  const head = nibbles.slice(0, whole);
  const fmt = (ns: number[]) => (ns.length ? `${ns.map((n) => n.toString(16)).reverse().join('.')}.ip6.arpa` : 'ip6.arpa');
  if (rest === 0) return [fmt(head)];
  const base = nibbles[whole] & (0xf << (4 - rest));
  const out: string[] = [];
  for (let v = base; v < base + (1 << (4 - rest)); v++) out.push(fmt([...head, v]));
  return out;
}

/** A Go-style duration ('5s', '1m30s', '500ms', '2h') in milliseconds; a bare number means seconds. */
export function parseDuration(s: string): number | undefined {
  if (/^[0-9]+$/.test(s)) return Number(s) * 1000;
  const re = /([0-9]+(?:\.[0-9]+)?)(ms|us|µs|ns|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    const n = Number(m[1]);
    total += m[2] === 'h' ? n * 3_600_000 : m[2] === 'm' ? n * 60_000 : m[2] === 's' ? n * 1000 : m[2] === 'ms' ? n : m[2] === 'ns' ? n / 1e6 : n / 1000;
    matched = re.lastIndex;
  }
  return matched === s.length && s.length > 0 ? total : undefined;
}
