// IP addresses and CIDR ranges as numbers, for the allocators (ClusterIP, podCIDR) and for planners that
// need containment and overlap checks. Addresses are bigints internally so IPv4 and IPv6 share one code
// path; IPv4 also converts to a plain number where a hot loop wants it.
import ipaddr from 'ipaddr.js';

export type IPFamily = 4 | 6;

/** An address with its family: `value` is the address as an unsigned integer of 32 or 128 bits. */
export interface IP {
  family: IPFamily;
  value: bigint;
}

export class IPParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IPParseError';
  }
}

const IPV4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function bitsOf(family: IPFamily): number {
  return family === 4 ? 32 : 128;
}

/**
 * Parses `10.96.0.1` or `fd00::1`. IPv4 must be four decimal octets without leading zeros (Go's
 * net.ParseIP, which Kubernetes uses, refuses `010.1.1.1` and `10.1`); IPv4-mapped IPv6 stays IPv6.
 */
export function parseIP(s: string): IP {
  if (typeof s !== 'string') throw new IPParseError(`invalid IP address ${JSON.stringify(s)}: must be a string`);
  if (IPV4_RE.test(s)) {
    const o = s.split('.').map(Number);
    return { family: 4, value: BigInt(((o[0] << 24) >>> 0) + (o[1] << 16) + (o[2] << 8) + o[3]) };
  }
  if (s.includes(':') && ipaddr.IPv6.isValid(s) && !s.includes('%')) {
    const parts = ipaddr.IPv6.parse(s).parts;
    let v = 0n;
    for (const p of parts) v = (v << 16n) | BigInt(p);
    return { family: 6, value: v };
  }
  throw new IPParseError(`invalid IP address "${s}": expected an IPv4 address like 10.96.0.1 or an IPv6 address like fd00::1`);
}

export function isIP(s: string): boolean {
  try { parseIP(s); return true; } catch { return false; }
}

/** Formats an address: dotted quad for IPv4, RFC 5952 (`fd00::a`) for IPv6. */
export function formatIP(ip: IP): string {
  if (ip.family === 4) return numberToIPv4(Number(ip.value));
  const parts: number[] = [];
  for (let i = 7; i >= 0; i--) parts.push(Number((ip.value >> BigInt(i * 16)) & 0xffffn));
  return new ipaddr.IPv6(parts).toRFC5952String();
}

/** `10.0.0.1` → 167772161. Throws IPParseError for anything but IPv4. */
export function ipv4ToNumber(s: string): number {
  const ip = parseIP(s);
  if (ip.family !== 4) throw new IPParseError(`"${s}" is not an IPv4 address`);
  return Number(ip.value);
}

export function numberToIPv4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export function ipToBigInt(s: string): bigint {
  return parseIP(s).value;
}

export function bigIntToIP(value: bigint, family: IPFamily): string {
  const max = (1n << BigInt(bitsOf(family))) - 1n;
  if (value < 0n || value > max) throw new RangeError(`${value} is outside the IPv${family} address space`);
  return formatIP({ family, value });
}

/** A network: `10.96.0.0/12`. Immutable; `base` is the network address (host bits cleared). */
export class CIDR {
  readonly family: IPFamily;
  readonly base: bigint;
  readonly prefix: number;

  constructor(family: IPFamily, base: bigint, prefix: number) {
    const bits = bitsOf(family);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) {
      throw new IPParseError(`invalid prefix length ${prefix} for IPv${family} (must be 0-${bits})`);
    }
    this.family = family;
    this.prefix = prefix;
    this.base = base & CIDR.maskOf(family, prefix);
  }

  private static maskOf(family: IPFamily, prefix: number): bigint {
    const bits = BigInt(bitsOf(family));
    const all = (1n << bits) - 1n;
    return all ^ ((1n << (bits - BigInt(prefix))) - 1n);
  }

  /**
   * Parses `10.96.0.0/12`. Like Go's net.ParseCIDR it accepts host bits (`10.96.0.1/12`) and masks them
   * off; pass strict to refuse them, as flags naming a range should.
   */
  static parse(s: string, opts: { strict?: boolean } = {}): CIDR {
    const slash = typeof s === 'string' ? s.indexOf('/') : -1;
    if (slash < 0) throw new IPParseError(`invalid CIDR "${s}": expected an address and a prefix length, like 10.96.0.0/12`);
    let ip: IP;
    try { ip = parseIP(s.slice(0, slash)); } catch {
      throw new IPParseError(`invalid CIDR "${s}": "${s.slice(0, slash)}" is not an IP address`);
    }
    const p = s.slice(slash + 1);
    const bits = bitsOf(ip.family);
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > bits) {
      throw new IPParseError(`invalid CIDR "${s}": prefix length must be a number from 0 to ${bits}`);
    }
    const cidr = new CIDR(ip.family, ip.value, Number(p));
    if (opts.strict && cidr.base !== ip.value) {
      throw new IPParseError(`invalid CIDR "${s}": host bits are set; did you mean ${cidr}?`);
    }
    return cidr;
  }

  get bits(): number { return bitsOf(this.family); }

  /** Number of addresses, network and broadcast included. */
  get size(): bigint { return 1n << BigInt(this.bits - this.prefix); }

  /** The last address (IPv4 broadcast). */
  get last(): bigint { return this.base + this.size - 1n; }

  get network(): string { return formatIP({ family: this.family, value: this.base }); }

  get broadcast(): string { return formatIP({ family: this.family, value: this.last }); }

  /** The netmask in dotted form for IPv4 (`255.255.255.0`), as a prefix-length address for IPv6. */
  get mask(): string { return formatIP({ family: this.family, value: CIDR.maskOf(this.family, this.prefix) }); }

  contains(ip: string | IP): boolean {
    let a: IP;
    if (typeof ip === 'string') {
      try { a = parseIP(ip); } catch { return false; }
    } else a = ip;
    return a.family === this.family && a.value >= this.base && a.value <= this.last;
  }

  /** True if this network and other share at least one address. */
  overlaps(other: CIDR): boolean {
    return this.family === other.family && this.base <= other.last && other.base <= this.last;
  }

  /** True if every address of other is in this network. */
  containsCIDR(other: CIDR): boolean {
    return this.family === other.family && other.base >= this.base && other.last <= this.last;
  }

  /** The n-th address of the network (0 = network address); negative counts from the end (-1 = last). */
  nth(n: number | bigint): string {
    const i = BigInt(n);
    const v = i >= 0n ? this.base + i : this.last + 1n + i;
    if (v < this.base || v > this.last) throw new RangeError(`address index ${n} is outside ${this} (${this.size} addresses)`);
    return formatIP({ family: this.family, value: v });
  }

  /** The index of ip inside the network (inverse of nth), or -1 when it is outside. */
  indexOf(ip: string | IP): bigint {
    const a = typeof ip === 'string' ? parseIP(ip) : ip;
    if (a.family !== this.family || a.value < this.base || a.value > this.last) return -1n;
    return a.value - this.base;
  }

  /** The i-th subnet with the given (longer) prefix: `10.244.0.0/16`.subnet(24, 3) = 10.244.3.0/24. */
  subnet(prefix: number, i: number | bigint): CIDR {
    if (prefix < this.prefix || prefix > this.bits) throw new RangeError(`prefix /${prefix} does not fit inside ${this}`);
    const count = 1n << BigInt(prefix - this.prefix);
    const n = BigInt(i);
    if (n < 0n || n >= count) throw new RangeError(`subnet index ${i} is outside ${this} (${count} /${prefix} subnets)`);
    return new CIDR(this.family, this.base + n * (1n << BigInt(this.bits - prefix)), prefix);
  }

  equals(other: CIDR): boolean {
    return this.family === other.family && this.base === other.base && this.prefix === other.prefix;
  }

  toString(): string {
    return `${this.network}/${this.prefix}`;
  }
}

export function parseCIDR(s: string, opts: { strict?: boolean } = {}): CIDR {
  return CIDR.parse(s, opts);
}

export function isCIDR(s: string): boolean {
  try { CIDR.parse(s); return true; } catch { return false; }
}
