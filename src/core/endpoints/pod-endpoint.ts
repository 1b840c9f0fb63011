// Which pods are endpoints of a Service, and the endpoint each becomes (upstream
// staging/src/k8s.io/endpointslice/utils.go podToEndpoint, ShouldPodBeInEndpoints, ShouldSetHostname):
//
//   serving     = the pod is Ready (Ready condition True)
//   terminating = the pod has a deletionTimestamp
//   ready       = publishNotReadyAddresses || (serving && !terminating)
//
// so a terminating pod is never `ready` (unless the Service publishes not-ready addresses) but stays
// `serving` while its readiness probe passes, which is what lets proxies fall back to serving-terminating
// endpoints (KEP-1669).
import type { JsonObject } from '../api/object.js';

export const ADDRESS_TYPE_IPV4 = 'IPv4';
export const ADDRESS_TYPE_IPV6 = 'IPv6';
export const LABEL_TOPOLOGY_ZONE = 'topology.kubernetes.io/zone';

/** An endpoint of an EndpointSlice (discovery.k8s.io/v1), with only the fields this controller sets. */
export interface SliceEndpoint {
  addresses: string[];
  conditions: { ready: boolean; serving: boolean; terminating: boolean };
  hostname?: string;
  targetRef: { kind: 'Pod'; namespace: string; name: string; uid: string };
  nodeName?: string;
  zone?: string;
}

export function isPodReady(pod: JsonObject): boolean {
  return (pod.status?.conditions ?? []).some((c: JsonObject) => c.type === 'Ready' && c.status === 'True');
}

export function isPodTerminal(pod: JsonObject): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** The pod's IPs: status.podIPs, or status.podIP for a writer that only set that. */
export function podIPs(pod: JsonObject): string[] {
  const list: string[] = (pod.status?.podIPs ?? []).map((p: JsonObject) => p.ip).filter((ip: unknown) => typeof ip === 'string' && ip);
  if (list.length) return list;
  return pod.status?.podIP ? [pod.status.podIP] : [];
}

function isIPv6(ip: string): boolean {
  return ip.includes(':');
}

/**
 * Finished pods and pods without an IP are never endpoints; terminating ones only when asked
 * (EndpointSlices always include them with terminating=true; Endpoints only with publishNotReadyAddresses).
 */
export function shouldPodBeInEndpoints(pod: JsonObject, includeTerminating: boolean): boolean {
  if (isPodTerminal(pod)) return false;
  if (podIPs(pod).length === 0) return false;
  if (!includeTerminating && pod.metadata?.deletionTimestamp) return false;
  return true;
}

/** A pod's DNS hostname is published when it names this Service as its subdomain (headless DNS records). */
export function shouldSetHostname(pod: JsonObject, service: JsonObject): boolean {
  return !!pod.spec?.hostname && pod.spec?.subdomain === service.metadata?.name && pod.metadata?.namespace === service.metadata?.namespace;
}

/** True for Services with a ClusterIP (not headless, not ExternalName). */
export function isServiceIPSet(service: JsonObject): boolean {
  const ip = service.spec?.clusterIP;
  return !!ip && ip !== 'None';
}

/** The address types a Service's slices have (upstream getAddressTypesForService). */
export function addressTypesFor(service: JsonObject): string[] {
  const families: string[] = service.spec?.ipFamilies ?? [];
  const types = new Set<string>();
  for (const f of families) types.add(f === 'IPv6' ? ADDRESS_TYPE_IPV6 : ADDRESS_TYPE_IPV4);
  if (types.size) return [...types];
  if (isServiceIPSet(service)) return [isIPv6(service.spec.clusterIP) ? ADDRESS_TYPE_IPV6 : ADDRESS_TYPE_IPV4];
  // A headless Service from a writer that set no families: both, as upstream.
  return [ADDRESS_TYPE_IPV4, ADDRESS_TYPE_IPV6];
}

/** The pod's addresses of one family (upstream getEndpointAddresses). */
export function endpointAddresses(pod: JsonObject, addressType: string): string[] {
  return podIPs(pod).filter((ip) => isIPv6(ip) === (addressType === ADDRESS_TYPE_IPV6));
}

/**
 * The slice endpoint for a pod. node is the pod's Node from the cache (for its zone), undefined when the
 * pod is unscheduled or its node is unknown.
 */
export function podToEndpoint(pod: JsonObject, node: JsonObject | undefined, service: JsonObject, addressType: string): SliceEndpoint {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata?.deletionTimestamp;
  const ready = service.spec?.publishNotReadyAddresses === true || (serving && !terminating);
  const ep: SliceEndpoint = {
    addresses: endpointAddresses(pod, addressType),
    conditions: { ready, serving, terminating },
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
  };
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  const zone = node?.metadata?.labels?.[LABEL_TOPOLOGY_ZONE];
  if (zone) ep.zone = zone;
  if (shouldSetHostname(pod, service)) ep.hostname = pod.spec.hostname;
  return ep;
}

/**
 * The identity of an endpoint within a Service (upstream hashEndpoint): its addresses, hostname and the
 * pod it points at. Endpoints with the same identity are the same endpoint, possibly with new conditions.
 */
export function endpointKey(ep: JsonObject): string {
  const addresses = [...(ep.addresses ?? [])].sort();
  return JSON.stringify([addresses, ep.hostname ?? '', ep.targetRef?.namespace ?? '', ep.targetRef?.name ?? '']);
}

/** True when an existing endpoint already says everything the desired one says (no write needed). */
export function endpointsEqual(a: JsonObject, b: JsonObject): boolean {
  const c1 = a.conditions ?? {}, c2 = b.conditions ?? {};
  const ref1 = a.targetRef ?? {}, ref2 = b.targetRef ?? {};
  return JSON.stringify([...(a.addresses ?? [])].sort()) === JSON.stringify([...(b.addresses ?? [])].sort()) &&
    (c1.ready ?? null) === (c2.ready ?? null) && (c1.serving ?? null) === (c2.serving ?? null) &&
    (c1.terminating ?? null) === (c2.terminating ?? null) &&
    (a.hostname ?? null) === (b.hostname ?? null) && (a.nodeName ?? null) === (b.nodeName ?? null) &&
    (a.zone ?? null) === (b.zone ?? null) && JSON.stringify(a.hints ?? null) === JSON.stringify(b.hints ?? null) &&
    (ref1.kind ?? null) === (ref2.kind ?? null) && (ref1.namespace ?? null) === (ref2.namespace ?? null) &&
    (ref1.name ?? null) === (ref2.name ?? null) && (ref1.uid ?? null) === (ref2.uid ?? null);
}
