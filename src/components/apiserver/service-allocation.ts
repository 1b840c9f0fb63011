// ClusterIP and NodePort allocation for Services, done in the write path as kube-apiserver's service
// REST storage does it: a create or update that asks for a taken or out-of-range address or port fails
// at once with 422 and stores nothing; what a failed or dry-run write reserved is released again.
import type { JsonObject, KubeObject } from '../../core/api/object.js';
import type { ClusterConfig } from '../../core/cluster/config.js';
import { type FieldError, invalid, invalidError } from '../../core/api/errors.js';
import { mustResource } from '../../core/api/resources.js';
import type { ApiClient } from '../../core/api/client.js';
import { ServiceIPAllocator, PortAllocator } from '../../core/ipam/index.js';
import type { AdmissionAttributes, AdmissionPlugin } from './admission.js';

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

  constructor(readonly ips: ServiceIPAllocator, readonly ports: PortAllocator) {}

  /** Builds the allocators from the Services already stored, so a restart never hands out a taken IP. */
  static async fromRegistry(client: Pick<ApiClient, 'list'>, config: ClusterConfig): Promise<ServiceAllocation> {
    const ips = new ServiceIPAllocator(config.serviceCIDR);
    const ports = new PortAllocator(config.nodePortRange);
    const { items } = await client.list('services');
    for (const svc of items) {
      const spec = (svc as JsonObject).spec;
      for (const ip of clusterIPsOf(spec)) { try { ips.allocate(ip); } catch { /* outside a changed range: keep serving it */ } }
      for (const p of nodePortsOf(spec)) { try { ports.allocate(p); } catch { /* same */ } }
    }
    return new ServiceAllocation(ips, ports);
  }

  admit(attrs: AdmissionAttributes): void {
    if (attrs.info.kind !== 'Service' || attrs.subresource) return;
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
    this.allocateClusterIP(s, old, r, errs);
    this.allocateNodePorts(s, old, r, errs);
    if (errs.length) {
      this.rollback(r);
      throw invalidError(SERVICES, attrs.object.metadata.name ?? '', errs);
    }
  }

  private allocateClusterIP(s: JsonObject, old: JsonObject | undefined, r: Reservation, errs: FieldError[]): void {
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
      try { this.ips.allocate(s.clusterIP); r.ips.push(s.clusterIP); } catch (e) {
        errs.push(invalid('spec.clusterIPs', [s.clusterIP], `failed to allocate IP ${s.clusterIP}: ${(e as Error).message}`));
        return;
      }
    } else {
      try { s.clusterIP = this.ips.allocateNext(); r.ips.push(s.clusterIP); } catch (e) {
        errs.push(invalid('spec.clusterIPs', [], `failed to allocate a serviceIP: ${(e as Error).message}`));
        return;
      }
    }
    s.clusterIPs = [s.clusterIP];
    r.releaseIps.push(...oldIPs.filter((ip) => ip !== s.clusterIP));
  }

  private allocateNodePorts(s: JsonObject, old: JsonObject | undefined, r: Reservation, errs: FieldError[]): void {
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
            try { this.ports.allocate(p.nodePort); r.ports.push(p.nodePort); } catch (e) {
              errs.push(invalid(`spec.ports[${i}].nodePort`, p.nodePort, (e as Error).message));
            }
          }
        } else {
          try { p.nodePort = this.ports.allocateNext(); r.ports.push(p.nodePort); } catch (e) {
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
        try { s.healthCheckNodePort = this.ports.allocateNext(); r.ports.push(s.healthCheckNodePort); } catch (e) {
          errs.push(invalid('spec.healthCheckNodePort', 0, `failed to allocate a nodePort: ${(e as Error).message}`));
        }
      } else if (!oldPorts.has(s.healthCheckNodePort) && !r.ports.includes(s.healthCheckNodePort)) {
        try { this.ports.allocate(s.healthCheckNodePort); r.ports.push(s.healthCheckNodePort); } catch (e) {
          errs.push(invalid('spec.healthCheckNodePort', s.healthCheckNodePort, (e as Error).message));
        }
      }
    } else {
      delete s.healthCheckNodePort;
    }
    const kept = new Set(nodePortsOf(s));
    r.releasePorts.push(...[...oldPorts].filter((p) => !kept.has(p)));
  }

  private rollback(r: Reservation): void {
    for (const ip of r.ips) this.ips.release(ip);
    for (const p of r.ports) this.ports.release(p);
  }

  committed(attrs: AdmissionAttributes): void {
    const r = this.pending.get(attrs);
    if (!r) return;
    this.pending.delete(attrs);
    if (attrs.dryRun) { this.rollback(r); return; }
    for (const ip of r.releaseIps) this.ips.release(ip);
    for (const p of r.releasePorts) this.ports.release(p);
  }

  abort(attrs: AdmissionAttributes): void {
    const r = this.pending.get(attrs);
    if (!r) return;
    this.pending.delete(attrs);
    this.rollback(r);
  }
}

function spec(o: KubeObject | undefined): JsonObject | undefined {
  return (o as JsonObject | undefined)?.spec;
}
