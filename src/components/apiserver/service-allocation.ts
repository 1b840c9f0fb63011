// ClusterIP and NodePort allocation for Services, done in the write path as kube-apiserver's service
// REST storage does it: a create or update that asks for a taken or out-of-range address or port fails
// at once with 422 and stores nothing; what a failed write reserved is released again. The bitmaps live
// in the datastore as RangeAllocations (range-allocation.ts), so that several API servers on one
// datastore share them; a dry run computes on a copy and writes nothing, as upstream's dry-run allocators.
import type { JsonObject, KubeObject } from '../../core/api/object.js';
import type { ClusterConfig } from '../../core/cluster/config.js';
import { type FieldError, invalid, invalidError } from '../../core/api/errors.js';
import { mustResource } from '../../core/api/resources.js';
import type { ApiClient } from '../../core/api/client.js';
import { ServiceIPAllocator, PortAllocator } from '../../core/ipam/index.js';
import type { AdmissionAttributes, AdmissionPlugin } from './admission.js';
import type { Store } from '../store/store.js';
import { SERVICE_IPS_KEY, SERVICE_NODE_PORTS_KEY, StoredRange } from './range-allocation.js';

interface Reservation { ips: string[]; ports: number[]; releaseIps: string[]; releasePorts: number[] }

const SERVICES = mustResource('services');

function usesNodePorts(spec: JsonObject): boolean {
  return spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
}

function wantsClusterIP(spec: JsonObject): boolean {
  return spec.type !== 'ExternalName';
}

function nodePortsOf(spec: JsonObject | undefined): number[] {
  if (!spec) return [];
  const ports = (spec.ports ?? []).map((p: JsonObject) => p.nodePort).filter((p: unknown) => typeof p === 'number');
  if (typeof spec.healthCheckNodePort === 'number' && spec.healthCheckNodePort > 0) ports.push(spec.healthCheckNodePort);
  return [...new Set<number>(ports)];
}

function clusterIPsOf(spec: JsonObject | undefined): string[] {
  if (!spec) return [];
  const ips: string[] = spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : []);
  return ips.filter((ip) => ip && ip !== 'None');
}

export class ServiceAllocation implements AdmissionPlugin {
  readonly name = 'ServiceAllocation';
  private readonly pending = new WeakMap<AdmissionAttributes, Reservation>();

  constructor(readonly ips: StoredRange<ServiceIPAllocator>, readonly ports: StoredRange<PortAllocator>) {}

  /**
   * Opens the stored bitmaps and adds the addresses and ports of the Services already stored (what
   * kube-apiserver's repair loop does at start), so a restart, a lost bitmap or a changed range never
   * hands out a taken IP. Servers starting together on one datastore only ever add bits here.
   */
  static async open(store: Store, client: Pick<ApiClient, 'list'>, config: ClusterConfig): Promise<ServiceAllocation> {
    const ips = new StoredRange(store, SERVICE_IPS_KEY, () => new ServiceIPAllocator(config.serviceCIDR));
    const ports = new StoredRange(store, SERVICE_NODE_PORTS_KEY, () => new PortAllocator(config.nodePortRange));
    const { items } = await client.list('services');
    const specs = items.map((svc) => (svc as JsonObject).spec as JsonObject | undefined);
    // Outside a changed range: keep serving the Service, as upstream's repair does.
    await ips.update((a, stale) => {
      let changed = stale;
      for (const ip of specs.flatMap(clusterIPsOf)) { if (a.inRange(ip) && !a.has(ip)) { a.allocate(ip); changed = true; } }
      return changed;
    });
    await ports.update((a, stale) => {
      let changed = stale;
      for (const p of specs.flatMap(nodePortsOf)) { if (a.inRange(p) && !a.has(p)) { a.allocate(p); changed = true; } }
      return changed;
    });
    return new ServiceAllocation(ips, ports);
  }

  // admit, committed and abort return nothing (not a promise) when there is nothing to do, so that the
  // writes of other kinds take no extra turns of the event loop.
  admit(attrs: AdmissionAttributes): Promise<void> | void {
    if (attrs.info.kind !== 'Service' || attrs.subresource) return;
    return this.admitService(attrs);
  }

  private async admitService(attrs: AdmissionAttributes): Promise<void> {
    const r: Reservation = { ips: [], ports: [], releaseIps: [], releasePorts: [] };
    this.pending.set(attrs, r);
    if (attrs.operation === 'DELETE') {
      if (attrs.removes) { r.releaseIps = clusterIPsOf(spec(attrs.oldObject)); r.releasePorts = nodePortsOf(spec(attrs.oldObject)); }
      return;
    }
    const s = spec(attrs.object)!;
    const old = attrs.operation === 'UPDATE' ? spec(attrs.oldObject) : undefined;
    if (attrs.removes) { r.releaseIps = clusterIPsOf(old); r.releasePorts = nodePortsOf(old); return; }
    const errs: FieldError[] = [];
    const persist = !attrs.dryRun;
    // Each step may run again on a fresh bitmap after a conflict: it starts from the spec as it came in.
    const before = structuredClone(s);
    const restart = () => { for (const k of Object.keys(s)) delete s[k]; Object.assign(s, structuredClone(before)); };
    await this.ips.update((ips) => {
      restart(); r.ips = []; r.releaseIps = []; errs.length = 0;
      this.allocateClusterIP(ips, s, old, r, errs);
      return r.ips.length > 0;
    }, { persist });
    const afterIPs = structuredClone(s);
    if (!errs.length) {
      await this.ports.update((ports) => {
        for (const k of Object.keys(s)) delete s[k];
        Object.assign(s, structuredClone(afterIPs));
        r.ports = []; r.releasePorts = []; errs.length = 0;
        this.allocateNodePorts(ports, s, old, r, errs);
        // Refused: nothing is written, so there is nothing of ours to free in the stored bitmap.
        if (errs.length) { r.ports = []; return false; }
        return r.ports.length > 0;
      }, { persist }).catch(async (e) => {
        // Whether the port write happened is unknown: free only the addresses (a leaked port is safer than a shared one).
        r.ports = [];
        await this.rollback(r, persist);
        throw e;
      });
    }
    if (errs.length) {
      await this.rollback(r, persist);
      this.pending.delete(attrs);
      throw invalidError(SERVICES, attrs.object.metadata.name ?? '', errs);
    }
  }

  private allocateClusterIP(ips: ServiceIPAllocator, s: JsonObject, old: JsonObject | undefined, r: Reservation, errs: FieldError[]): void {
    const oldIPs = clusterIPsOf(old);
    if (!wantsClusterIP(s)) {
      delete s.clusterIP; delete s.clusterIPs; delete s.ipFamilies; delete s.ipFamilyPolicy;
      r.releaseIps.push(...oldIPs);
      return;
    }
    // An update that leaves clusterIP out keeps the allocated one (kubectl replace, PUT without it).
    if (!s.clusterIP && !s.clusterIPs && old && oldIPs.length) { s.clusterIP = oldIPs[0]; s.clusterIPs = [...oldIPs]; }
    if (!s.clusterIP && s.clusterIPs?.length) s.clusterIP = s.clusterIPs[0];
    s.ipFamilies ??= ['IPv4'];
    s.ipFamilyPolicy ??= 'SingleStack';
    if (s.clusterIP === 'None') { s.clusterIPs = ['None']; return; }
    if (oldIPs.includes(s.clusterIP)) { s.clusterIPs ??= [s.clusterIP]; return; }
    if (s.clusterIP) {
      try { ips.allocate(s.clusterIP); r.ips.push(s.clusterIP); } catch (e) {
        errs.push(invalid('spec.clusterIPs', [s.clusterIP], `failed to allocate IP ${s.clusterIP}: ${(e as Error).message}`));
        return;
      }
    } else {
      try { s.clusterIP = ips.allocateNext(); r.ips.push(s.clusterIP); } catch (e) {
        errs.push(invalid('spec.clusterIPs', [], `failed to allocate a serviceIP: ${(e as Error).message}`));
        return;
      }
    }
    s.clusterIPs = [s.clusterIP];
    r.releaseIps.push(...oldIPs.filter((ip) => ip !== s.clusterIP));
  }

  private allocateNodePorts(allocator: PortAllocator, s: JsonObject, old: JsonObject | undefined, r: Reservation, errs: FieldError[]): void {
    const oldPorts = new Set(nodePortsOf(old));
    const ports: JsonObject[] = s.ports ?? [];
    if (!usesNodePorts(s)) {
      // Leaving NodePort/LoadBalancer drops the node ports the server allocated (upstream does the same).
      for (const p of ports) if (p.nodePort !== undefined && oldPorts.has(p.nodePort)) delete p.nodePort;
    } else {
      const oldByPort = new Map<string, number>();
      for (const p of old?.ports ?? []) if (p.nodePort) oldByPort.set(`${p.port}/${p.protocol ?? 'TCP'}`, p.nodePort);
      // The same port number with two protocols shares one node port, as upstream allows.
      const byNumber = new Map<number, number>();
      ports.forEach((p, i) => {
        if (!p.nodePort) p.nodePort = oldByPort.get(`${p.port}/${p.protocol ?? 'TCP'}`) ?? byNumber.get(p.port);
        if (p.nodePort) {
          if (!oldPorts.has(p.nodePort) && !r.ports.includes(p.nodePort)) {
            try { allocator.allocate(p.nodePort); r.ports.push(p.nodePort); } catch (e) {
              errs.push(invalid(`spec.ports[${i}].nodePort`, p.nodePort, (e as Error).message));
            }
          }
        } else {
          try { p.nodePort = allocator.allocateNext(); r.ports.push(p.nodePort); } catch (e) {
            errs.push(invalid(`spec.ports[${i}].nodePort`, 0, `failed to allocate a nodePort: ${(e as Error).message}`));
          }
        }
        if (p.nodePort) byNumber.set(p.port, p.nodePort);
      });
    }
    const needsHealthCheck = s.type === 'LoadBalancer' && s.externalTrafficPolicy === 'Local';
    if (needsHealthCheck) {
      if (!s.healthCheckNodePort && old?.healthCheckNodePort) s.healthCheckNodePort = old.healthCheckNodePort;
      if (!s.healthCheckNodePort) {
        try { s.healthCheckNodePort = allocator.allocateNext(); r.ports.push(s.healthCheckNodePort); } catch (e) {
          errs.push(invalid('spec.healthCheckNodePort', 0, `failed to allocate a nodePort: ${(e as Error).message}`));
        }
      } else if (!oldPorts.has(s.healthCheckNodePort) && !r.ports.includes(s.healthCheckNodePort)) {
        try { allocator.allocate(s.healthCheckNodePort); r.ports.push(s.healthCheckNodePort); } catch (e) {
          errs.push(invalid('spec.healthCheckNodePort', s.healthCheckNodePort, (e as Error).message));
        }
      }
    } else {
      delete s.healthCheckNodePort;
    }
    const kept = new Set(nodePortsOf(s));
    r.releasePorts.push(...[...oldPorts].filter((p) => !kept.has(p)));
  }

  /** Frees what admit reserved (nothing was written for a dry run). */
  private async rollback(r: Reservation, persisted = true): Promise<void> {
    if (!persisted) return;
    await this.release(r.ips, r.ports);
  }

  private async release(ips: string[], ports: number[]): Promise<void> {
    if (ips.length) await this.ips.update((a) => { const had = ips.filter((ip) => a.has(ip)); for (const ip of had) a.release(ip); return had.length > 0; });
    if (ports.length) await this.ports.update((a) => { const had = ports.filter((p) => a.has(p)); for (const p of had) a.release(p); return had.length > 0; });
  }

  committed(attrs: AdmissionAttributes): Promise<void> | void {
    const r = this.pending.get(attrs);
    if (!r) return;
    this.pending.delete(attrs);
    if (attrs.dryRun || (!r.releaseIps.length && !r.releasePorts.length)) return;
    return this.release(r.releaseIps, r.releasePorts);
  }

  abort(attrs: AdmissionAttributes): Promise<void> | void {
    const r = this.pending.get(attrs);
    if (!r) return;
    this.pending.delete(attrs);
    return this.rollback(r, !attrs.dryRun);
  }
}

function spec(o: KubeObject | undefined): JsonObject | undefined {
  return (o as JsonObject | undefined)?.spec;
}
