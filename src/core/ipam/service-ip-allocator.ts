// ClusterIP allocation from the service CIDR, as kube-apiserver's ipallocator does it
// (pkg/registry/core/service/ipallocator): the network address (and for IPv4 the broadcast address) is
// never handed out; random allocation prefers the upper "dynamic" band so that users can pick static IPs
// from the lower band with little risk of collision (KEP-3070); and the range's first address is kept
// for the `kubernetes` Service, which asks for it by name.
import { BitmapAllocator, type BitmapAllocatorOptions } from './bitmap-allocator.js';
import { CIDR, type IP, formatIP, parseIP } from '../net/index.js';
import { AllocationError } from './allocation-error.js';

/** Upstream caps IPv6 service ranges: the allocator keeps a bitmap of this many addresses at most. */
const MAX_IPV6_ADDRESSES = 65536;

/**
 * Size of the lower, static band: min(max(16, size/16), 256) addresses, 0 for ranges of 16 or fewer
 * (upstream calculateRangeOffset).
 */
export function serviceIPRangeOffset(cidr: CIDR): number {
  const size = cidr.size;
  if (size <= 16n) return 0;
  const offset = size / 16n;
  if (offset < 16n) return 16;
  if (offset > 256n) return 256;
  return Number(offset);
}

export class ServiceIPAllocator {
  readonly cidr: CIDR;
  /** Address of bitmap index 0: the network address + 1. */
  private readonly first: bigint;
  private readonly bitmap: BitmapAllocator;
  private readonly offset: number;

  /** cidr: the service range, e.g. `10.96.0.0/12`. Throws if it is not a CIDR. */
  constructor(cidr: string | CIDR, opts: BitmapAllocatorOptions = {}) {
    this.cidr = typeof cidr === 'string' ? CIDR.parse(cidr) : cidr;
    let max = this.cidr.size - 1n; // without the network address
    if (this.cidr.family === 4) max -= 1n; // nor the broadcast address
    else if (max > BigInt(MAX_IPV6_ADDRESSES)) max = BigInt(MAX_IPV6_ADDRESSES);
    if (max < 0n) max = 0n;
    this.first = this.cidr.base + 1n;
    this.bitmap = new BitmapAllocator(Number(max), opts);
    this.offset = Math.min(serviceIPRangeOffset(this.cidr), this.bitmap.size);
  }

  /** `10.96.0.0/12`, as upstream prints it in errors. */
  get range(): string { return this.cidr.toString(); }

  /** How many addresses can be allocated in total. */
  get size(): number { return this.bitmap.size; }

  /** The address the `kubernetes` Service gets: the first one after the network address (10.96.0.1). */
  get kubernetesIP(): string { return formatIP({ family: this.cidr.family, value: this.first }); }

  /** The last address of the static band; `allocateNext` only goes below it once the upper band is full. */
  get staticBandEnd(): string | undefined {
    return this.offset > 0 ? this.addressAt(this.offset - 1) : undefined;
  }

  private notInRange(): AllocationError {
    return new AllocationError('NotInRange', `provided IP is not in the valid range. The range of valid IPs is ${this.range}`);
  }

  /** The bitmap index of ip, or throws the NotInRange error. */
  private indexOf(ip: string): number {
    let a: IP;
    try { a = parseIP(ip); } catch {
      throw new AllocationError('Invalid', `"${ip}" is not a valid IP address`);
    }
    if (a.family !== this.cidr.family || !this.cidr.contains(a)) throw this.notInRange();
    const i = a.value - this.first;
    if (i < 0n || i >= BigInt(this.bitmap.size)) throw this.notInRange();
    return Number(i);
  }

  private addressAt(i: number): string {
    return formatIP({ family: this.cidr.family, value: this.first + BigInt(i) });
  }

  /** Allocates a specific address (a user's spec.clusterIP). */
  allocate(ip: string): void {
    const i = this.indexOf(ip);
    if (!this.bitmap.allocate(i)) throw new AllocationError('Allocated', 'provided IP is already allocated');
  }

  /**
   * Allocates a random free address, upper band first. The `kubernetes` address is skipped while free,
   * so the Service that needs it can always take it, even if it is created after others.
   */
  allocateNext(): string {
    const reserveFirst = this.bitmap.size > 0 && !this.bitmap.has(0);
    if (reserveFirst) this.bitmap.allocate(0);
    let i = this.bitmap.allocateRandom(this.offset);
    if (reserveFirst) {
      this.bitmap.release(0);
      // Nothing else left: the kubernetes address is better used than a full range.
      if (i < 0 && this.bitmap.allocate(0)) i = 0;
    }
    if (i < 0) throw new AllocationError('Full', `range is full: no free IP in ${this.range}; delete unused Services or use a larger service CIDR`);
    return this.addressAt(i);
  }

  /** Frees an address; addresses outside the range or already free are ignored (as upstream). */
  release(ip: string): void {
    let i: number;
    try { i = this.indexOf(ip); } catch { return; }
    this.bitmap.release(i);
  }

  has(ip: string): boolean {
    try { return this.bitmap.has(this.indexOf(ip)); } catch { return false; }
  }

  /** True if ip could be allocated here (inside the range, not network/broadcast), used or not. */
  inRange(ip: string): boolean {
    try { this.indexOf(ip); return true; } catch { return false; }
  }

  used(): number { return this.bitmap.count(); }

  free(): number { return this.bitmap.free(); }

  /** Every allocated address, ascending. */
  *allocated(): IterableIterator<string> {
    for (const i of this.bitmap.usedIndices()) yield this.addressAt(i);
  }

  snapshot(): { range: string; data: Uint8Array } {
    return { range: this.range, data: this.bitmap.snapshot() };
  }

  restore(s: { range: string; data: Uint8Array }): void {
    if (s.range !== this.range) throw new Error(`snapshot is for range ${s.range}, this allocator serves ${this.range}`);
    this.bitmap.restore(s.data);
  }

  /**
   * Marks the ClusterIPs of existing Services as used (what kube-apiserver's repair loop does at start).
   * Returns the addresses it could not take (outside the range or listed twice), for the caller to report.
   */
  occupyFromServices(services: Iterable<{ spec?: { clusterIP?: string; clusterIPs?: string[] } }>): string[] {
    const problems: string[] = [];
    for (const svc of services) {
      const ips = svc.spec?.clusterIPs ?? (svc.spec?.clusterIP ? [svc.spec.clusterIP] : []);
      for (const ip of ips) {
        if (!ip || ip === 'None') continue;
        // Dual-stack Services carry an address of the other family; it belongs to another allocator.
        if (!ip.includes(':') !== (this.cidr.family === 4)) continue;
        try { this.allocate(ip); } catch (e) { problems.push(`${ip}: ${(e as Error).message}`); }
      }
    }
    return problems;
  }
}
