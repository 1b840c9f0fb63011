// What the kubernetes plugin knows about the cluster, kept the way CoreDNS's controller indexes it:
// Services by namespace/name and by ClusterIP, the ready endpoints of each Service merged from all its
// EndpointSlices (and indexed by IP for PTR), pods by IP (for `pods verified`), and the namespaces that
// exist. Updates are incremental (one object at a time, as informers deliver them) so that the cost of
// a change does not grow with the size of the cluster. Pure: no I/O; the clock is injected.

import { canonicalIP, isIP } from '../net/index.js';
import { endpointState } from '../endpoints/slice-endpoints.js';

export interface ServicePort { name: string; port: number; protocol: string }

export interface ServiceInfo {
  namespace: string;
  name: string;
  type: string;
  /** ClusterIPs of a ClusterIP/NodePort/LoadBalancer Service; empty for headless and ExternalName. */
  clusterIPs: string[];
  headless: boolean;
  externalName?: string;
  ports: ServicePort[];
}

export interface EndpointInfo {
  ip: string;
  /** EndpointSlice `hostname` (set from pod.spec.hostname when the pod's subdomain is the Service). */
  hostname?: string;
  /** targetRef name when it is a Pod (for endpoint_pod_names). */
  podName?: string;
  /** Ports of the slice this endpoint came from; [{port: -1}] when the slice declares none (CoreDNS's placeholder). */
  ports: ServicePort[];
}

/** Loose shapes of the API objects, as informers deliver them (JSON or @kubernetes/client-node models). */
export interface ObjectMetaInput { namespace?: string; name?: string; labels?: Record<string, string> | null; deletionTimestamp?: unknown }
export interface ServiceInput { metadata?: ObjectMetaInput; spec?: { type?: string; clusterIP?: string; clusterIPs?: string[]; externalName?: string; ports?: Array<{ name?: string; port?: number; protocol?: string }> } }
export interface EndpointSliceInput {
  metadata?: ObjectMetaInput;
  addressType?: string;
  endpoints?: Array<{ addresses?: string[]; conditions?: { ready?: boolean | null } | null; hostname?: string | null; targetRef?: { kind?: string; name?: string } | null }> | null;
  ports?: Array<{ name?: string | null; port?: number | null; protocol?: string | null }> | null;
}
export interface PodInput { metadata?: ObjectMetaInput; status?: { podIP?: string; podIPs?: Array<{ ip?: string }> | null } }
export interface NamespaceInput { metadata?: ObjectMetaInput }

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

const key = (ns: string, name: string) => `${ns}/${name}`;

function addTo<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  let s = m.get(k);
  if (!s) m.set(k, s = new Set());
  s.add(v);
}

function removeFrom<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  const s = m.get(k);
  if (!s) return;
  s.delete(v);
  if (s.size === 0) m.delete(k);
}

export function serviceInfo(svc: ServiceInput): ServiceInfo {
  const spec = svc.spec ?? {};
  const type = spec.type ?? 'ClusterIP';
  const ips = spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
  const headless = type !== 'ExternalName' && (ips[0] === 'None');
  return {
    namespace: svc.metadata?.namespace ?? 'default',
    name: svc.metadata?.name ?? '',
    type,
    clusterIPs: type === 'ExternalName' || headless ? [] : ips.filter((ip) => ip && ip !== 'None'),
    headless,
    externalName: type === 'ExternalName' ? spec.externalName : undefined,
    ports: (spec.ports ?? []).map((p) => ({ name: p.name ?? '', port: p.port ?? 0, protocol: p.protocol ?? 'TCP' })),
  };
}

/** The ready endpoints of one slice: conditions.ready unset counts as ready (EndpointSlice API semantics). */
export function sliceEndpoints(slice: EndpointSliceInput): EndpointInfo[] {
  const ports = (slice.ports ?? []).map((p) => ({ name: p.name ?? '', port: p.port ?? -1, protocol: p.protocol ?? 'TCP' }));
  const eps: EndpointInfo[] = [];
  for (const ep of slice.endpoints ?? []) {
    if (!endpointState(ep).ready) continue;
    for (const ip of ep.addresses ?? []) {
      eps.push({
        ip, hostname: ep.hostname || undefined,
        podName: ep.targetRef?.kind === 'Pod' || ep.targetRef?.kind === undefined ? ep.targetRef?.name : undefined,
        ports: ports.length ? ports : [{ name: '', port: -1, protocol: '' }],
      });
    }
  }
  return eps;
}

export class ClusterIndex {
  private readonly services = new Map<string, ServiceInfo>();
  private readonly servicesByIP = new Map<string, Set<string>>();
  /** service key → slice name → that slice's ready endpoints. */
  private readonly slices = new Map<string, Map<string, EndpointInfo[]>>();
  /** slice key (ns/slice) → the service key it belongs to, to undo a slice whose label changed. */
  private readonly sliceOwner = new Map<string, string>();
  private readonly merged = new Map<string, EndpointInfo[]>();
  private readonly endpointsByIP = new Map<string, Set<string>>();
  private readonly podsByIP = new Map<string, Set<string>>();
  private readonly podIPs = new Map<string, string[]>();
  private readonly namespaceSet = new Set<string>();
  private modifiedSec: number;
  private gen = 0;
  private isSynced = false;

  /** Whether every informer has listed once; until then, name errors answer SERVFAIL (CoreDNS). */
  get synced(): boolean { return this.isSynced; }
  set synced(v: boolean) { if (v !== this.isSynced) { this.isSynced = v; this.gen++; } }

  /**
   * Bumped by every change, including those that leave the SOA serial alone (a second's worth of changes
   * share one serial): the DNS server reuses an encoded reply only while this is unchanged.
   */
  get generation(): number { return this.gen; }

  constructor(private readonly now: () => number = Date.now) {
    this.modifiedSec = Math.floor(now() / 1000);
  }

  /** Seconds since the epoch of the last change: the SOA serial. */
  get modified(): number { return this.modifiedSec; }

  private touch(): void { this.modifiedSec = Math.floor(this.now() / 1000); this.gen++; }

  upsertService(svc: ServiceInput): void {
    const info = serviceInfo(svc);
    const k = key(info.namespace, info.name);
    const old = this.services.get(k);
    if (old) for (const ip of old.clusterIPs) removeFrom(this.servicesByIP, ip, k);
    this.services.set(k, info);
    for (const ip of info.clusterIPs) addTo(this.servicesByIP, ip, k);
    this.touch();
  }

  deleteService(svc: ServiceInput): void {
    const k = key(svc.metadata?.namespace ?? 'default', svc.metadata?.name ?? '');
    const old = this.services.get(k);
    if (!old) return;
    for (const ip of old.clusterIPs) removeFrom(this.servicesByIP, ip, k);
    this.services.delete(k);
    this.touch();
  }

  upsertEndpointSlice(slice: EndpointSliceInput): void {
    const ns = slice.metadata?.namespace ?? 'default';
    const sliceKey = key(ns, slice.metadata?.name ?? '');
    const svcName = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
    const prevOwner = this.sliceOwner.get(sliceKey);
    const owner = svcName ? key(ns, svcName) : undefined;
    if (prevOwner && prevOwner !== owner) this.dropSlice(prevOwner, sliceKey);
    if (!owner) { this.sliceOwner.delete(sliceKey); return; }
    this.sliceOwner.set(sliceKey, owner);
    let bySlice = this.slices.get(owner);
    if (!bySlice) this.slices.set(owner, bySlice = new Map());
    bySlice.set(sliceKey, sliceEndpoints(slice));
    this.remerge(owner);
  }

  deleteEndpointSlice(slice: EndpointSliceInput): void {
    const sliceKey = key(slice.metadata?.namespace ?? 'default', slice.metadata?.name ?? '');
    const owner = this.sliceOwner.get(sliceKey);
    if (!owner) return;
    this.sliceOwner.delete(sliceKey);
    this.dropSlice(owner, sliceKey);
  }

  private dropSlice(owner: string, sliceKey: string): void {
    const bySlice = this.slices.get(owner);
    if (!bySlice) return;
    bySlice.delete(sliceKey);
    if (bySlice.size === 0) this.slices.delete(owner);
    this.remerge(owner);
  }

  /** All slices of a service as one list; the same address+hostname in two slices counts once. */
  private remerge(owner: string): void {
    const old = this.merged.get(owner) ?? [];
    for (const ep of old) removeFrom(this.endpointsByIP, ep.ip, owner);
    const seen = new Set<string>();
    const out: EndpointInfo[] = [];
    for (const eps of this.slices.get(owner)?.values() ?? []) {
      for (const ep of eps) {
        const id = `${ep.ip}|${ep.hostname ?? ''}`;
        if (seen.has(id)) continue;
        seen.add(id);
        out.push(ep);
      }
    }
    if (out.length) this.merged.set(owner, out); else this.merged.delete(owner);
    for (const ep of out) addTo(this.endpointsByIP, ep.ip, owner);
    this.touch();
  }

  upsertPod(pod: PodInput): void {
    const k = key(pod.metadata?.namespace ?? 'default', pod.metadata?.name ?? '');
    this.deletePod(pod, false);
    // A pod being deleted no longer answers for its IP (the IP may be reused at once).
    if (pod.metadata?.deletionTimestamp) { this.touch(); return; }
    const raw = pod.status?.podIPs?.length ? pod.status.podIPs.map((p) => p.ip ?? '') : [pod.status?.podIP ?? ''];
    // IPv6 in one spelling (RFC 5952), as the pod-name parser produces it.
    const ips = raw.filter(isIP).map(canonicalIP);
    this.podIPs.set(k, ips);
    for (const ip of ips) addTo(this.podsByIP, ip, k);
    this.touch();
  }

  deletePod(pod: PodInput, touch = true): void {
    const k = key(pod.metadata?.namespace ?? 'default', pod.metadata?.name ?? '');
    for (const ip of this.podIPs.get(k) ?? []) removeFrom(this.podsByIP, ip, k);
    this.podIPs.delete(k);
    this.gen++;
    if (touch) this.touch();
  }

  upsertNamespace(ns: NamespaceInput): void { if (ns.metadata?.name) { this.namespaceSet.add(ns.metadata.name); this.gen++; } }
  deleteNamespace(ns: NamespaceInput): void { if (ns.metadata?.name) { this.namespaceSet.delete(ns.metadata.name); this.gen++; } }

  // ----------------------------------------------------------------------------------------- reads

  service(namespace: string, name: string): ServiceInfo | undefined { return this.services.get(key(namespace, name)); }

  /** Ready endpoints of a Service, merged over its slices. */
  endpoints(namespace: string, name: string): readonly EndpointInfo[] { return this.merged.get(key(namespace, name)) ?? []; }

  /** Services whose ClusterIPs include ip. */
  servicesWithIP(ip: string): ServiceInfo[] {
    return [...(this.servicesByIP.get(ip) ?? [])].map((k) => this.services.get(k)!).filter(Boolean);
  }

  /** (namespace, service name, endpoint) for every ready endpoint with this IP. */
  endpointsWithIP(ip: string): Array<{ namespace: string; service: string; endpoint: EndpointInfo }> {
    const out = [];
    for (const owner of this.endpointsByIP.get(ip) ?? []) {
      const [namespace, service] = owner.split('/');
      for (const ep of this.merged.get(owner) ?? []) if (ep.ip === ip) out.push({ namespace, service, endpoint: ep });
    }
    return out;
  }

  /** Namespaces of pods (not being deleted) with this IP. */
  podNamespacesWithIP(ip: string): string[] {
    return [...(this.podsByIP.get(ip) ?? [])].map((k) => k.split('/')[0]);
  }

  namespaceExists(ns: string): boolean { return this.namespaceSet.has(ns); }

  get serviceCount(): number { return this.services.size; }
}
