// Address ranges, in the two shapes Go (and so Kubernetes and CNI) distinguishes:
//  - CIDR: a network, `10.96.0.0/12` (net.IPNet, netip.Prefix.Masked()): service and pod ranges, routes,
//    source ranges. Host bits are masked off, or refused with `strict`.
//  - IPPrefix: an interface address, `10.99.0.2/24` (what `ip addr` and CNI results carry): an address
//    with the prefix length of its subnet, host bits kept.
// Both parse their address with parseIP, so `010.1.1.1/8` is refused like `010.1.1.1`.
import { type IP, type IPFamily, IPParseError, bitsOf, formatIP, isIPv4, parseIP, parseIPv4 } from './ip.js';

function maskOf(family: IPFamily, prefix: number): bigint {
  const bits = BigInt(bitsOf(family));
  const all = (1n << bits) - 1n;
  return all ^ ((1n << (bits - BigInt(prefix))) - 1n);
}

/** Splits `addr/len` and parses both; a prefix length is decimal without leading zeros (netip.ParsePrefix). */
function parseAddrPrefix(s: string, what: string, bareIP: boolean): { ip: IP; prefix: number } {
  const slash = typeof s === 'string' ? s.indexOf('/') : -1;
  if (slash < 0) {
    if (bareIP && typeof s === 'string') {
      try {
        const ip = parseIP(s);
        return { ip, prefix: bitsOf(ip.family) };
      } catch { /* reported below */ }
    }
    throw new IPParseError(`invalid ${what} ${JSON.stringify(s)}: expected an address and a prefix length, like 10.96.0.0/12 or fd00::/108`);
  }
  let ip: IP;
  try { ip = parseIP(s.slice(0, slash)); } catch (e) {
    throw new IPParseError(`invalid ${what} "${s}": ${(e as Error).message}`);
  }
  const p = s.slice(slash + 1);
  const bits = bitsOf(ip.family);
  if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > bits) {
    throw new IPParseError(`invalid ${what} "${s}": the prefix length must be a number from 0 to ${bits} without leading zeros`);
  }
  return { ip, prefix: Number(p) };
}

export interface CIDRParseOptions {
  /** Refuse host bits (`10.96.0.1/12`) instead of masking them off, as flags naming a range should. */
  strict?: boolean;
  /** Accept a bare address as the range of just that address (/32, /128), as `ip route` prints host routes. */
  bareIP?: boolean;
  /** What the value is, for the error message (`--cluster-cidr`, `podCIDR`); default "CIDR". */
  what?: string;
}

/** A network: `10.96.0.0/12`. Immutable; `base` is the network address (host bits cleared). */
export class CIDR {
  readonly family: IPFamily;
  readonly base: bigint;
  readonly prefix: number;
  // IPv4 bounds as plain numbers, so contains() on an IPv4 string is integer compares only (proxy hot path).
  private readonly v4lo: number;
  private readonly v4hi: number;

  constructor(family: IPFamily, base: bigint, prefix: number) {
    const bits = bitsOf(family);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) {
      throw new IPParseError(`invalid prefix length ${prefix} for IPv${family} (must be 0-${bits})`);
    }
    this.family = family;
    this.prefix = prefix;
    this.base = base & maskOf(family, prefix);
    this.v4lo = family === 4 ? Number(this.base) : -1;
    this.v4hi = family === 4 ? this.v4lo + 2 ** (32 - prefix) - 1 : -1;
  }

  /**
   * Parses `10.96.0.0/12`. Like Go's net.ParseCIDR it masks host bits off (`10.96.0.1/12` is
   * 10.96.0.0/12) unless `strict`; see CIDRParseOptions. Throws IPParseError.
   */
  static parse(s: string, opts: CIDRParseOptions = {}): CIDR {
    const what = opts.what ?? 'CIDR';
    const { ip, prefix } = parseAddrPrefix(s, what, !!opts.bareIP);
    const cidr = new CIDR(ip.family, ip.value, prefix);
    if (opts.strict && cidr.base !== ip.value) {
      throw new IPParseError(`invalid ${what} "${s}": host bits are set; the range is ${cidr}`);
    }
    return cidr;
  }

  /** The network of an interface address: 10.99.0.2/24 → 10.99.0.0/24. */
  static of(p: IPPrefix): CIDR {
    return new CIDR(p.ip.family, p.ip.value, p.prefix);
  }

  get bits(): number { return bitsOf(this.family); }

  /** Number of addresses, network and broadcast included. */
  get size(): bigint { return 1n << BigInt(this.bits - this.prefix); }

  /** The last address (IPv4 broadcast). */
  get last(): bigint { return this.base + this.size - 1n; }

  get network(): string { return formatIP({ family: this.family, value: this.base }); }

  get broadcast(): string { return formatIP({ family: this.family, value: this.last }); }

  /** The netmask in dotted form for IPv4 (`255.255.255.0`), as a prefix-length address for IPv6. */
  get mask(): string { return formatIP({ family: this.family, value: maskOf(this.family, this.prefix) }); }

  /** Whether ip is in this network; an unparsable address is in none. */
  contains(ip: string | IP): boolean {
    if (typeof ip === 'string') {
      if (this.family === 4) {
        if (!isIPv4(ip)) return false;
        const n = parseIPv4(ip);
        return n >= this.v4lo && n <= this.v4hi;
      }
      try { ip = parseIP(ip); } catch { return false; }
    }
    return ip.family === this.family && ip.value >= this.base && ip.value <= this.last;
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

export function parseCIDR(s: string, opts: CIDRParseOptions = {}): CIDR {
  return CIDR.parse(s, opts);
}

export function isCIDR(s: string): boolean {
  try { CIDR.parse(s); return true; } catch { return false; }
}

// Ranges named by text (a node's podCIDR, a Service's source ranges) are tested against every endpoint
// address in a proxy sync; parsing them once per text keeps that an integer compare.
const parsedRanges = new Map<string, CIDR>();

/**
 * Whether `ip` lies in `cidr` (a range, or a bare address meaning only itself). Throws IPParseError when
 * cidr is not a range; an unparsable ip is in no range.
 */
export function cidrContains(cidr: string, ip: string | IP): boolean {
  let c = parsedRanges.get(cidr);
  if (!c) {
    c = CIDR.parse(cidr, { bareIP: true });
    if (parsedRanges.size >= 1024) parsedRanges.clear();
    parsedRanges.set(cidr, c);
  }
  return c.contains(ip);
}

/** An interface address: an address and the prefix length of its subnet (`10.99.0.2/24`), host bits kept. */
export interface IPPrefix {
  ip: IP;
  prefix: number;
}

/** Parses `10.99.0.2/24` or `fd00::2/64`; throws IPParseError. */
export function parseIPPrefix(s: string, what = 'address'): IPPrefix {
  return parseAddrPrefix(s, what, false);
}

export function isIPPrefix(s: string): boolean {
  try { parseAddrPrefix(s, 'address', false); return true; } catch { return false; }
}

export function formatIPPrefix(p: IPPrefix): string {
  return `${formatIP(p.ip)}/${p.prefix}`;
}

/** The network of an interface address, as an interface address with host bits cleared. */
export function networkOf(p: IPPrefix): IPPrefix {
  return { ip: { family: p.ip.family, value: p.ip.value & maskOf(p.ip.family, p.prefix) }, prefix: p.prefix };
}

/** The last address of an interface address's subnet (the IPv4 broadcast address). */
export function lastOf(p: IPPrefix): IP {
  const host = ((1n << BigInt(bitsOf(p.ip.family))) - 1n) ^ maskOf(p.ip.family, p.prefix);
  return { family: p.ip.family, value: (p.ip.value & maskOf(p.ip.family, p.prefix)) | host };
}

/** Whether ip is in the subnet of the interface address p. */
export function prefixContains(p: IPPrefix, ip: IP): boolean {
  if (p.ip.family !== ip.family) return false;
  const m = maskOf(ip.family, p.prefix);
  return (p.ip.value & m) === (ip.value & m);
}

export function defaultRouteDst(family: IPFamily): string {
  return family === 4 ? '0.0.0.0/0' : '::/0';
}

