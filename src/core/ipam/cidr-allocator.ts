// Per-node podCIDRs carved from the cluster CIDR, as kube-controller-manager's range allocator does it
// (pkg/controller/nodeipam/ipam/cidrset): 10.244.0.0/16 with node mask 24 gives 10.244.0.0/24,
// 10.244.1.0/24, ... in order; allocation is round robin from after the last one handed out, so a
// released CIDR is not reused at once (a new node does not inherit the routes and ARP entries of one
// that just left); existing assignments are occupied at start.
import { BitmapAllocator } from './bitmap-allocator.js';
import { CIDR } from '../net/index.js';
import { AllocationError } from './allocation-error.js';

/** Upstream refuses more than 2^16 subnets (clusterSubnetMaxDiff). */
const MAX_SUBNET_BITS = 16;

export class CIDRAllocator {
  readonly clusterCIDR: CIDR;
  readonly nodeMaskSize: number;
  private readonly bitmap: BitmapAllocator;
  private nextCandidate = 0;

  constructor(clusterCIDR: string | CIDR, nodeMaskSize: number) {
    this.clusterCIDR = typeof clusterCIDR === 'string' ? CIDR.parse(clusterCIDR) : clusterCIDR;
    const c = this.clusterCIDR;
    if (!Number.isInteger(nodeMaskSize) || nodeMaskSize < c.prefix || nodeMaskSize > c.bits) {
      throw new Error(`node CIDR mask size ${nodeMaskSize} does not fit the cluster CIDR ${c}: it must be between ${c.prefix} and ${c.bits}`);
    }
    if (nodeMaskSize - c.prefix > MAX_SUBNET_BITS) {
      throw new Error(`node CIDR mask size /${nodeMaskSize} cuts ${c} into more than ${1 << MAX_SUBNET_BITS} node CIDRs; use a node mask of at most /${c.prefix + MAX_SUBNET_BITS} or a smaller cluster CIDR`);
    }
    this.nodeMaskSize = nodeMaskSize;
    this.bitmap = new BitmapAllocator(1 << (nodeMaskSize - c.prefix));
  }

  /** How many node CIDRs the cluster CIDR holds. */
  get size(): number { return this.bitmap.size; }

  used(): number { return this.bitmap.count(); }

  free(): number { return this.bitmap.free(); }

  private subnet(i: number): string {
    return this.clusterCIDR.subnet(this.nodeMaskSize, i).toString();
  }

  /** The next free node CIDR, round robin; throws AllocationError 'Full' when none is left. */
  allocateNext(): string {
    const i = this.bitmap.allocateFrom(this.nextCandidate);
    if (i < 0) {
      throw new AllocationError('Full', `CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range (${this.size} /${this.nodeMaskSize} CIDRs of ${this.clusterCIDR} are in use); use a larger cluster CIDR or a longer node CIDR mask`);
    }
    this.nextCandidate = (i + 1) % this.size;
    return this.subnet(i);
  }

  /** The range of subnet indices that cidr covers (one for a node CIDR, several for a larger block). */
  private indices(cidr: string): [number, number] {
    let c: CIDR;
    try { c = CIDR.parse(cidr); } catch (e) {
      throw new AllocationError('Invalid', (e as Error).message);
    }
    if (!this.clusterCIDR.containsCIDR(c)) {
      throw new AllocationError('NotInRange', `cidr ${cidr} is out the range of cluster cidr ${this.clusterCIDR}`);
    }
    const shift = BigInt(this.clusterCIDR.bits - this.nodeMaskSize);
    const begin = Number((c.base - this.clusterCIDR.base) >> shift);
    const end = Number((c.last - this.clusterCIDR.base) >> shift);
    return [begin, end];
  }

  /** Marks a CIDR already assigned to a node as used (at start, from Node.spec.podCIDR). */
  occupy(cidr: string): void {
    const [begin, end] = this.indices(cidr);
    for (let i = begin; i <= end; i++) this.bitmap.allocate(i);
  }

  /** Allocates one specific node CIDR; throws 'Allocated' if it is taken. */
  allocate(cidr: string): void {
    const [begin, end] = this.indices(cidr);
    for (let i = begin; i <= end; i++) {
      if (this.bitmap.has(i)) throw new AllocationError('Allocated', `CIDR ${cidr} is already allocated to another node`);
    }
    for (let i = begin; i <= end; i++) this.bitmap.allocate(i);
  }

  /** Frees a node CIDR (a deleted node's). CIDRs outside the cluster CIDR are ignored. */
  release(cidr: string): void {
    let range: [number, number];
    try { range = this.indices(cidr); } catch { return; }
    for (let i = range[0]; i <= range[1]; i++) this.bitmap.release(i);
  }

  has(cidr: string): boolean {
    try {
      const [begin, end] = this.indices(cidr);
      for (let i = begin; i <= end; i++) if (!this.bitmap.has(i)) return false;
      return true;
    } catch { return false; }
  }

  /** True if cidr lies inside the cluster CIDR (so occupy/release apply to it). */
  inRange(cidr: string): boolean {
    try { this.indices(cidr); return true; } catch { return false; }
  }
}
