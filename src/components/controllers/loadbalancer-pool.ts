// The address pool LoadBalancer Services draw from on bare metal (as MetalLB's IPAddressPool or k3s
// ServiceLB's node addresses): pure data, no I/O. By default it is the upper part of the underlay —
// .200-.250 of a /24 — which `podnet up` never hands to the host (.1) or nodes (.11 onwards), and which
// the host reaches directly on the underlay bridge, so `curl <EXTERNAL-IP>` works from the host once a
// node answers ARP for it. `loadBalancerPool` in cluster.json overrides it.
import { CIDR, parseIPv4, numberToIPv4 } from '../../core/net/index.js';
import type { ClusterConfig } from '../../core/cluster/config.js';

export interface PoolRange { start: number; end: number }

const EXAMPLE = 'e.g. "172.31.250.200-172.31.250.250", "172.31.250.192/27" or both separated by a comma';

function parseAddress(s: string, whole: string): number {
  try { return parseIPv4(s); } catch {
    throw new Error(`invalid loadBalancerPool "${whole}": "${s}" is not an IPv4 address (${EXAMPLE})`);
  }
}

/**
 * Parses a pool: comma-separated IPv4 CIDRs (network and broadcast addresses left out, except for /31
 * and /32) and `first-last` ranges (inclusive). Throws an Error saying what is wrong.
 */
export function parseLoadBalancerPool(spec: string): PoolRange[] {
  const parts = spec.split(',').map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) throw new Error(`invalid loadBalancerPool "${spec}": it is empty (${EXAMPLE})`);
  const ranges: PoolRange[] = [];
  for (const part of parts) {
    if (part.includes('/')) {
      let cidr: CIDR;
      try { cidr = CIDR.parse(part, { strict: true }); } catch (e) {
        throw new Error(`invalid loadBalancerPool "${spec}": ${(e as Error).message}`);
      }
      if (cidr.family !== 4) throw new Error(`invalid loadBalancerPool "${spec}": ${part} is not IPv4; podnet's LoadBalancer addresses are IPv4 (${EXAMPLE})`);
      const base = Number(cidr.base), last = Number(cidr.last);
      ranges.push(cidr.prefix >= 31 ? { start: base, end: last } : { start: base + 1, end: last - 1 });
    } else if (part.includes('-')) {
      const [a, b, ...rest] = part.split('-').map((x) => x.trim());
      if (rest.length) throw new Error(`invalid loadBalancerPool "${spec}": "${part}" is not a range first-last (${EXAMPLE})`);
      const start = parseAddress(a, spec), end = parseAddress(b, spec);
      if (end < start) throw new Error(`invalid loadBalancerPool "${spec}": the range ${part} ends before it starts; write the lower address first`);
      ranges.push({ start, end });
    } else {
      const ip = parseAddress(part, spec);
      ranges.push({ start: ip, end: ip });
    }
  }
  return ranges;
}

/** The default pool: the addresses at 200/256 to 250/256 of the underlay (.200-.250 of a /24). */
export function defaultLoadBalancerPool(underlayCIDR: string): PoolRange[] {
  const cidr = CIDR.parse(underlayCIDR);
  if (cidr.family !== 4) throw new Error(`underlay ${underlayCIDR} is not IPv4: set loadBalancerPool to IPv4 addresses the host can reach`);
  const size = Number(cidr.size);
  const start = Math.max(1, Math.floor((size * 200) / 256));
  const end = Math.min(size - 2, Math.floor((size * 250) / 256));
  if (end < start) throw new Error(`underlay ${underlayCIDR} is too small for a default LoadBalancer pool: set loadBalancerPool in cluster.json (${EXAMPLE})`);
  return [{ start: Number(cidr.base) + start, end: Number(cidr.base) + end }];
}

export class LoadBalancerPool {
  private readonly reserved: Set<number>;

  /** reserved: addresses never handed out even when inside a range (the host's, the nodes'). */
  constructor(readonly ranges: PoolRange[], reserved: string[] = []) {
    this.reserved = new Set(reserved.map((ip) => { try { return parseIPv4(ip); } catch { return -1; } }));
  }

  /** The cluster's pool: config.loadBalancerPool, else the default part of the underlay. */
  static forCluster(config: Pick<ClusterConfig, 'underlayCIDR' | 'hostIP' | 'nodes' | 'loadBalancerPool'>): LoadBalancerPool {
    const ranges = config.loadBalancerPool ? parseLoadBalancerPool(config.loadBalancerPool) : defaultLoadBalancerPool(config.underlayCIDR);
    return new LoadBalancerPool(ranges, [config.hostIP, ...(config.nodes ?? []).map((n) => n.ip)].filter(Boolean));
  }

  contains(ip: string): boolean {
    let n: number;
    try { n = parseIPv4(ip); } catch { return false; }
    return !this.reserved.has(n) && this.ranges.some((r) => n >= r.start && n <= r.end);
  }

  /** Every address of the pool in order. */
  *addresses(): Generator<string> {
    for (const r of this.ranges) for (let n = r.start; n <= r.end; n++) if (!this.reserved.has(n)) yield numberToIPv4(n);
  }

  get size(): number {
    let n = 0;
    for (const r of this.ranges) for (let i = r.start; i <= r.end; i++) if (!this.reserved.has(i)) n++;
    return n;
  }

  toString(): string {
    return this.ranges.map((r) => (r.start === r.end ? numberToIPv4(r.start) : `${numberToIPv4(r.start)}-${numberToIPv4(r.end)}`)).join(',');
  }
}

/** Which Service holds which pool address (in memory; rebuilt from Service status at start). */
export class LoadBalancerAllocator {
  private readonly byIP = new Map<string, string>();
  private readonly byOwner = new Map<string, string>();

  constructor(readonly pool: LoadBalancerPool) {}

  ipOf(owner: string): string | undefined { return this.byOwner.get(owner); }

  ownerOf(ip: string): string | undefined { return this.byIP.get(ip); }

  /** Gives owner this address; false when it is outside the pool or held by another owner. */
  allocate(owner: string, ip: string): boolean {
    if (!this.pool.contains(ip)) return false;
    const holder = this.byIP.get(ip);
    if (holder !== undefined && holder !== owner) return false;
    this.release(owner);
    this.byIP.set(ip, owner);
    this.byOwner.set(owner, ip);
    return true;
  }

  /** The lowest free address for owner (its current one if it has one), or undefined when the pool is full. */
  allocateNext(owner: string): string | undefined {
    const held = this.byOwner.get(owner);
    if (held) return held;
    for (const ip of this.pool.addresses()) {
      if (!this.byIP.has(ip)) { this.allocate(owner, ip); return ip; }
    }
    return undefined;
  }

  /** Frees owner's address; returns it. */
  release(owner: string): string | undefined {
    const ip = this.byOwner.get(owner);
    if (ip === undefined) return undefined;
    this.byOwner.delete(owner);
    this.byIP.delete(ip);
    return ip;
  }

  get used(): number { return this.byIP.size; }
}
