// From Services and EndpointSlices to the proxy's unit of work: one service port with its destinations
// and its endpoint lists, chosen as kube-proxy's CategorizeEndpoints does (pkg/proxy/topology.go):
// ready endpoints, else serving-and-terminating ones; "local" lists only this node's endpoints.
import { isIPv4, parseIPv4 } from '../net/index.js';
import type { L4Proto } from '../nft/ruleset.js';
import { endpointState, slicesByService } from '../endpoints/slice-endpoints.js';
import {
  DEFAULT_AFFINITY_TIMEOUT_SECONDS, type EndpointSlice, LABEL_HEADLESS,
  LABEL_SERVICE_PROXY_NAME, type ProxyNode, type Service, type ServicePort,
} from './types.js';

export interface EndpointInfo {
  ip: string;
  port: number;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  /** On this node: the endpoint's nodeName is this node's name. */
  local: boolean;
  nodeName?: string;
}

/** A service port as the Service alone defines it (no endpoints yet). */
export interface ServicePortShell {
  /** The ServicePort as written, for endpoint matching. */
  spec: ServicePort;
  /** `ns/svc/proto/portName` (port number when unnamed): unique, used to name chains. */
  id: string;
  /** `ns/svc:portName`, or `ns/svc` for an unnamed port: what comments show, as kube-proxy's. */
  comment: string;
  protocol: L4Proto;
  port: number;
  clusterIP: string;
  nodePort?: number;
  /** externalIPs and LoadBalancer ingress IPs (ipMode VIP): destinations treated as external traffic. */
  externalIPs: string[];
  /** The LoadBalancer ingress IPs among them: `loadBalancerSourceRanges` applies to these only. */
  loadBalancerIPs: string[];
  sourceRanges: string[];
  /** ClientIP session affinity timeout in seconds, when affinity is on. */
  affinityTimeout?: number;
  internalLocal: boolean;
  externalLocal: boolean;
}

export interface ServicePortInfo extends ServicePortShell {
  /** Endpoints for Cluster policy: ready ones, else serving-terminating ones. */
  clusterEndpoints: EndpointInfo[];
  /** Endpoints on this node, chosen the same way. */
  localEndpoints: EndpointInfo[];
}

/** Whether the proxy handles this Service at all (ExternalName, headless and foreign ones have no rules). */
// Per-object memos: API objects from informer caches are never modified in place (a change is a new
// object), so what is derived from one object alone can be kept as long as the object lives. At 10,000
// Services this makes a re-plan that finds nothing changed a matter of a few milliseconds.
const proxiedMemo = new WeakMap<Service, boolean>();
const serviceKeyMemo = new WeakMap<Service, string>();

export function isProxied(svc: Service): boolean {
  let v = proxiedMemo.get(svc);
  if (v === undefined) proxiedMemo.set(svc, v = computeProxied(svc));
  return v;
}

function computeProxied(svc: Service): boolean {
  const spec = svc.spec ?? {};
  const labels = svc.metadata.labels ?? {};
  if (LABEL_SERVICE_PROXY_NAME in labels || LABEL_HEADLESS in labels) return false;
  if (spec.type === 'ExternalName') return false;
  return primaryClusterIP(svc) !== undefined;
}

function primaryClusterIP(svc: Service): string | undefined {
  const ips = svc.spec?.clusterIPs?.length ? svc.spec.clusterIPs : [svc.spec?.clusterIP ?? ''];
  return ips.find((ip) => ip && ip !== 'None' && isIPv4(ip));
}

function protocolOf(p: { protocol?: string }): L4Proto {
  return ((p.protocol ?? 'TCP').toLowerCase()) as L4Proto;
}

/** Endpoints of one service port across all of the service's IPv4 slices, deduplicated by ip:port. */
function endpointsFor(slices: EndpointSlice[], sp: ServicePort, node: ProxyNode): EndpointInfo[] {
  const byAddr = new Map<string, EndpointInfo>();
  const name = sp.name ?? '';
  const proto = protocolOf(sp);
  for (const slice of slices) {
    if (slice.addressType !== 'IPv4') continue;
    // The slice port with the service port's name carries the targetPort resolved for these pods.
    const port = (slice.ports ?? []).find((p) => (p.name ?? '') === name && protocolOf(p) === proto);
    if (!port || typeof port.port !== 'number') continue;
    for (const ep of slice.endpoints ?? []) {
      const ip = ep.addresses?.[0];
      if (!ip || !isIPv4(ip)) continue;
      const info: EndpointInfo = {
        ip, port: port.port, ...endpointState(ep),
        local: ep.nodeName === node.name,
        nodeName: ep.nodeName,
      };
      const key = `${ip}:${port.port}`;
      const prev = byAddr.get(key);
      // The same address in two slices (during a controller update): the more usable copy wins.
      if (!prev || (!prev.ready && info.ready)) byAddr.set(key, info);
    }
  }
  const keyed = [...byAddr.values()].map((e) => ({ e, n: parseIPv4(e.ip) }));
  return keyed.sort((a, b) => a.n - b.n || a.e.port - b.e.port).map((k) => k.e);
}

function usable(eps: EndpointInfo[]): EndpointInfo[] {
  const ready = eps.filter((e) => e.ready);
  return ready.length ? ready : eps.filter((e) => e.serving && e.terminating);
}

/** Groups slices by `namespace/service` (core/endpoints: the one reading of the service-name label). */
export { slicesByService };

/** The service ports of one proxied Service, without endpoints. */
export function servicePortShells(svc: Service): ServicePortShell[] {
  const spec = svc.spec ?? {};
  const ns = svc.metadata.namespace ?? 'default';
  const svcName = svc.metadata.name ?? '';
  const clusterIP = primaryClusterIP(svc);
  if (!clusterIP) return [];
  const type = spec.type ?? 'ClusterIP';
  const lbIPs = type === 'LoadBalancer'
    ? (svc.status?.loadBalancer?.ingress ?? [])
      .filter((i) => i.ip && isIPv4(i.ip) && i.ipMode !== 'Proxy').map((i) => i.ip!)
    : [];
  const externalIPs = [...new Set([...(spec.externalIPs ?? []).filter(isIPv4), ...lbIPs])];
  return (spec.ports ?? []).map((sp) => {
    const protocol = protocolOf(sp);
    const portLabel = sp.name || String(sp.port);
    return {
      spec: sp,
      id: `${ns}/${svcName}/${protocol}/${portLabel}`,
      comment: sp.name ? `${ns}/${svcName}:${sp.name}` : `${ns}/${svcName}`,
      protocol,
      port: sp.port,
      clusterIP,
      nodePort: (type === 'NodePort' || type === 'LoadBalancer') && sp.nodePort ? sp.nodePort : undefined,
      externalIPs,
      loadBalancerIPs: lbIPs,
      sourceRanges: lbIPs.length ? (spec.loadBalancerSourceRanges ?? []).map((r) => r.trim()).filter(Boolean) : [],
      affinityTimeout: spec.sessionAffinity === 'ClientIP'
        ? spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT_SECONDS
        : undefined,
      internalLocal: spec.internalTrafficPolicy === 'Local',
      externalLocal: spec.externalTrafficPolicy === 'Local',
    };
  });
}

/** Adds the endpoint lists of a service port from its Service's slices. */
export function withEndpoints(shell: ServicePortShell, slices: EndpointSlice[], node: ProxyNode): ServicePortInfo {
  const all = endpointsFor(slices, shell.spec, node);
  return { ...shell, clusterEndpoints: usable(all), localEndpoints: usable(all.filter((e) => e.local)) };
}

export function serviceKey(svc: Service): string {
  let k = serviceKeyMemo.get(svc);
  if (k === undefined) serviceKeyMemo.set(svc, k = `${svc.metadata.namespace ?? 'default'}/${svc.metadata.name ?? ''}`);
  return k;
}

/** Proxied services in namespace/name order (the order that decides conflicts). */
export function sortedServices(services: Service[]): Service[] {
  return services.filter(isProxied).map((s) => ({ s, k: serviceKey(s) }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0)).map((x) => x.s);
}

/** All service ports the proxy programs, with endpoints, sorted by namespace, name and port order. */
export function servicePorts(services: Service[], slices: EndpointSlice[], node: ProxyNode): ServicePortInfo[] {
  const bySvc = slicesByService(slices);
  return sortedServices(services).flatMap((svc) =>
    servicePortShells(svc).map((shell) => withEndpoints(shell, bySvc.get(serviceKey(svc)) ?? [], node)));
}
