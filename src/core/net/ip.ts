// IP addresses: the one parser every planner, allocator, validator and component uses, so that one
// string means one address everywhere. The rules are Go's netip.ParseAddr, which kube-apiserver applies
// with StrictIPCIDRValidation: IPv4 is four decimal octets without leading zeros (`010.1.1.1` is refused
// because libc reads it as octal 8.1.1.1 while Go's old parser read 10.1.1.1), IPv6 has no zone, and an
// IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) stays IPv6. Bad input throws IPParseError, always.
//
// Hand-written rather than on ipaddr.js (no longer a dependency): ipaddr.js accepts
// exactly the ambiguous forms this module exists to refuse (`ipaddr.parse('010.1.1.1')` is 8.1.1.1, and
// `0x0a.1.1.1` and `10.1` are "valid"), and every caller wants the address as an integer, which its
// byte-array objects would only be converted to. The IPv4 scanner below is also the proxy planner's hot
// path (every endpoint address, hundreds of thousands per sync), so it allocates nothing.

export type IPFamily = 4 | 6;

/** An address with its family: `value` is the address as an unsigned integer of 32 or 128 bits. */
export interface IP {
  family: IPFamily;
  value: bigint;
}

/** The one error for an unparsable address or range; the message says what was expected. */
export class IPParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IPParseError';
  }
}

export function bitsOf(family: IPFamily): number {
  return family === 4 ? 32 : 128;
}

/** Scans a dotted-quad IPv4 address in s[from, to) to an unsigned 32-bit number; -1 when it is not one. */
function scanIPv4(s: string, from = 0, to = s.length): number {
  let n = 0, octet = 0, digits = 0, dots = 0, lead = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits === 0) lead = c;
      else if (lead === 48) return -1; // a leading zero: ambiguous (octal to libc), refused as by Go
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return -1;
    } else if (c === 46 && digits > 0 && dots < 3) {
      n = n * 256 + octet;
      octet = 0; digits = 0; dots++;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return n * 256 + octet;
}

const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** Parses an IPv6 address (`::` compression, optional dotted IPv4 tail) to a 128-bit value; -1n when invalid. */
function scanIPv6(s: string): bigint {
  let text = s;
  let tail4 = -1;
  const lastColon = text.lastIndexOf(':');
  if (lastColon < 0) return -1n;
  if (text.indexOf('.', lastColon) >= 0) {
    // An embedded IPv4 tail (::ffff:10.0.0.1) fills the last 32 bits, with IPv4's rules.
    tail4 = scanIPv4(text, lastColon + 1);
    if (tail4 < 0) return -1n;
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return -1n;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const groups = head.length + tail.length;
  if (halves.length === 1 ? groups !== 8 : groups > 7) return -1n;
  let v = 0n;
  for (const g of head) { if (!HEX_GROUP.test(g)) return -1n; v = (v << 16n) | BigInt(parseInt(g, 16)); }
  v <<= BigInt(16 * (8 - groups));
  for (const g of tail) { if (!HEX_GROUP.test(g)) return -1n; v = (v << 16n) | BigInt(parseInt(g, 16)); }
  if (tail4 >= 0) v = (v & ~0xffffffffn) | BigInt(tail4);
  return v;
}

function invalidIP(s: unknown): IPParseError {
  const shown = typeof s === 'string' ? `"${s}"` : String(s);
  const hint = typeof s === 'string' && /^\d+(\.\d+){3}$/.test(s) && scanIPv4(s.replace(/(^|\.)0+(?=\d)/g, '$1')) >= 0
    ? `; write it without leading zeros (${s.replace(/(^|\.)0+(?=\d)/g, '$1')}), a leading 0 reads as octal to some software`
    : '';
  return new IPParseError(`invalid IP address ${shown}: expected an IPv4 address like 10.96.0.1 or an IPv6 address like fd00::1${hint}`);
}

/** Parses `10.96.0.1` or `fd00::1`; throws IPParseError for anything else (see the file comment). */
export function parseIP(s: string): IP {
  if (typeof s === 'string') {
    if (s.indexOf(':') < 0) {
      const n = scanIPv4(s);
      if (n >= 0) return { family: 4, value: BigInt(n) };
    } else {
      const v = scanIPv6(s);
      if (v >= 0n) return { family: 6, value: v };
    }
  }
  throw invalidIP(s);
}

/** `10.0.0.1` → 167772161: the IPv4 fast path, no allocation. Throws IPParseError for anything but IPv4. */
export function parseIPv4(s: string): number {
  const n = typeof s === 'string' ? scanIPv4(s) : -1;
  if (n < 0) {
    if (typeof s === 'string' && s.includes(':') && scanIPv6(s) >= 0n) throw new IPParseError(`"${s}" is an IPv6 address; an IPv4 address is needed here`);
    throw invalidIP(s);
  }
  return n;
}

export function isIP(s: string): boolean {
  if (typeof s !== 'string') return false;
  return s.indexOf(':') < 0 ? scanIPv4(s) >= 0 : scanIPv6(s) >= 0n;
}

export function isIPv4(s: string): boolean {
  return typeof s === 'string' && scanIPv4(s) >= 0;
}

export function isIPv6(s: string): boolean {
  return typeof s === 'string' && s.indexOf(':') >= 0 && scanIPv6(s) >= 0n;
}

export function numberToIPv4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Formats like Go: dotted quad, or RFC 5952 (lower case, the longest run of 2+ zero groups as ::). */
export function formatIP(ip: IP): string {
  if (ip.family === 4) return numberToIPv4(Number(ip.value));
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((ip.value >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
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

/** The canonical text of an address (`FD00:0::1` → `fd00::1`); throws IPParseError when it is not one. */
export function canonicalIP(s: string): string {
  return formatIP(parseIP(s));
}

export function ipToBigInt(s: string): bigint {
  return parseIP(s).value;
}

export function bigIntToIP(value: bigint, family: IPFamily): string {
  const max = (1n << BigInt(bitsOf(family))) - 1n;
  if (value < 0n || value > max) throw new RangeError(`${value} is outside the IPv${family} address space`);
  return formatIP({ family, value });
}

/** The address in network byte order: 4 bytes for IPv4, 16 for IPv6. */
export function ipBytes(ip: IP): Uint8Array {
  const n = bitsOf(ip.family) / 8;
  const out = new Uint8Array(n);
  let v = ip.value;
  for (let i = n - 1; i >= 0; i--) { out[i] = Number(v & 0xffn); v >>= 8n; }
  return out;
}

/** The address of 4 (IPv4) or 16 (IPv6) bytes in network byte order. */
export function ipFromBytes(bytes: ArrayLike<number>): IP {
  if (bytes.length !== 4 && bytes.length !== 16) throw new IPParseError(`an IP address has 4 or 16 bytes, not ${bytes.length}`);
  let v = 0n;
  for (let i = 0; i < bytes.length; i++) v = (v << 8n) | BigInt(bytes[i] & 0xff);
  return { family: bytes.length === 4 ? 4 : 6, value: v };
}

export function ipEqual(a: IP | null | undefined, b: IP | null | undefined): boolean {
  return !!a && !!b && a.family === b.family && a.value === b.value;
}

/** Orders IPv4 before IPv6, then numerically. */
export function compareIP(a: IP, b: IP): number {
  if (a.family !== b.family) return a.family - b.family;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

/** The next address, wrapping from the last address of the family to the first. */
export function nextIP(ip: IP): IP {
  const max = (1n << BigInt(bitsOf(ip.family))) - 1n;
  return { family: ip.family, value: ip.value === max ? 0n : ip.value + 1n };
}

export function addIP(ip: IP, n: bigint): IP {
  return { family: ip.family, value: ip.value + n };
}
