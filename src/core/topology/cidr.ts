// IPv4 CIDR arithmetic for planning the underlay and checking overlaps. Addresses are unsigned 32-bit
// numbers; a CIDR is its network number and prefix length. Pure, no I/O.

export interface Cidr {
  /** Network address as an unsigned 32-bit number. */
  network: number;
  prefix: number;
}

const OCTETS = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Parses a dotted IPv4 address; undefined when it is not one. */
export function parseIPv4(text: string): number | undefined {
  const m = OCTETS.exec(text);
  if (!m) return undefined;
  const o = m.slice(1).map(Number);
  if (o.some((x) => x > 255)) return undefined;
  return ((o[0] << 24) >>> 0) + (o[1] << 16) + (o[2] << 8) + o[3];
}

export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
}

/**
 * Parses "a.b.c.d/n". A bare address is a /32 (as `ip -j route` prints host routes). Throws with the
 * network address to use when host bits are set, since a range like 10.244.1.0/16 is almost always a typo.
 */
export function parseCidr(text: string, what = 'CIDR'): Cidr {
  const [addr, len, extra] = text.split('/');
  const ip = parseIPv4(addr);
  const prefix = len === undefined ? 32 : /^\d{1,2}$/.test(len) ? Number(len) : NaN;
  if (ip === undefined || extra !== undefined || !(prefix >= 0 && prefix <= 32)) {
    throw new Error(`invalid ${what} ${JSON.stringify(text)}: expected an IPv4 range like 10.244.0.0/16`);
  }
  const network = (ip & maskOf(prefix)) >>> 0;
  if (network !== ip) {
    throw new Error(`invalid ${what} ${JSON.stringify(text)}: host bits are set; the range is ${formatCidr({ network, prefix })}`);
  }
  return { network, prefix };
}

export function formatCidr(c: Cidr): string {
  return `${formatIPv4(c.network)}/${c.prefix}`;
}

/** Number of addresses in the range. */
export function sizeOf(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

/** Whether two ranges share any address. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  const p = Math.min(a.prefix, b.prefix);
  return ((a.network & maskOf(p)) >>> 0) === ((b.network & maskOf(p)) >>> 0);
}

/** The address `offset` places after the network address (offset 1 is the usual gateway). */
export function addressAt(c: Cidr, offset: number): string {
  if (offset < 0 || offset >= sizeOf(c)) throw new Error(`offset ${offset} is outside ${formatCidr(c)}`);
  return formatIPv4(c.network + offset);
}
