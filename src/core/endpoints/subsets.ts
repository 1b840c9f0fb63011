// The v1 Endpoints object's subsets (upstream pkg/controller/endpoint and pkg/api/v1/endpoints): one
// address per selected pod and service port, repacked into the canonical form (addresses that offer
// the same ports share a subset; an address not ready on any port is not ready on all of them), then
// truncated at 1000 addresses with ready ones kept first.
import type { JsonObject } from '../api/object.js';
import { findPort } from './ports.js';
import { isPodReady, podIPs, shouldPodBeInEndpoints, shouldSetHostname } from './pod-endpoint.js';

/** Upstream's maxCapacity: more addresses than this are truncated and the object annotated. */
export const ENDPOINTS_MAX_CAPACITY = 1000;
export const ANNOTATION_OVER_CAPACITY = 'endpoints.kubernetes.io/over-capacity';

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: { kind: string; namespace: string; name: string; uid: string };
}

export interface EndpointsPort {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointsPort[];
}

/**
 * The pod's address for the Service's primary family (upstream podToEndpointAddressForService): the
 * family of spec.ipFamilies[0], else of the ClusterIP, else (headless) of the pod's first IP.
 */
function addressFor(service: JsonObject, pod: JsonObject): EndpointAddress | undefined {
  const ips = podIPs(pod);
  let v6: boolean;
  const families: string[] = service.spec?.ipFamilies ?? [];
  if (families.length) v6 = families[0] === 'IPv6';
  else if (service.spec?.clusterIP && service.spec.clusterIP !== 'None') v6 = service.spec.clusterIP.includes(':');
  else v6 = (ips[0] ?? '').includes(':');
  const ip = ips.find((a) => a.includes(':') === v6);
  if (!ip) return undefined;
  const addr: EndpointAddress = { ip };
  if (pod.spec?.nodeName) addr.nodeName = pod.spec.nodeName;
  addr.targetRef = { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid };
  if (shouldSetHostname(pod, service)) addr.hostname = pod.spec.hostname;
  return addr;
}

/** Subsets for the pods a Service selects, repacked (before truncation). */
export function desiredSubsets(service: JsonObject, pods: JsonObject[]): EndpointSubset[] {
  const publishNotReady = service.spec?.publishNotReadyAddresses === true;
  const raw: EndpointSubset[] = [];
  const servicePorts: JsonObject[] = service.spec?.ports ?? [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const addr = addressFor(service, pod);
    if (!addr) continue;
    const ready = publishNotReady || isPodReady(pod);
    const add = (ports: EndpointsPort[]) => raw.push(ready ? { addresses: [addr], ports } : { notReadyAddresses: [addr], ports });
    if (servicePorts.length === 0) {
      // A headless Service may have no ports: its pods are still its endpoints.
      if (service.spec?.clusterIP === 'None') add([]);
      continue;
    }
    for (const sp of servicePorts) {
      const n = findPort(pod, sp);
      if (n === undefined) continue;
      const p: EndpointsPort = { port: n, protocol: sp.protocol ?? 'TCP' };
      if (sp.name) p.name = sp.name;
      if (sp.appProtocol !== undefined && sp.appProtocol !== null) p.appProtocol = sp.appProtocol;
      add([p]);
    }
  }
  return repackSubsets(raw);
}

function addressId(a: EndpointAddress): string {
  return `${a.ip}\0${a.targetRef?.uid ?? ''}`;
}

function portId(p: EndpointsPort | undefined): string {
  return p ? JSON.stringify([p.name ?? '', p.port, p.protocol, p.appProtocol ?? null]) : '';
}

function compareAddresses(a: EndpointAddress, b: EndpointAddress): number {
  if (a.ip !== b.ip) return a.ip < b.ip ? -1 : 1;
  const ua = a.targetRef?.uid ?? '', ub = b.targetRef?.uid ?? '';
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

function comparePorts(a: EndpointsPort, b: EndpointsPort): number {
  return (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port || a.protocol.localeCompare(b.protocol);
}

/**
 * The canonical layout (upstream RepackSubsets): expand to (address, port) pairs, give every port the
 * set of addresses offering it (not ready on a port wins over ready), then put ports with the same
 * address set into one subset. Ports without a number (headless without ports) are kept as such.
 */
export function repackSubsets(subsets: EndpointSubset[]): EndpointSubset[] {
  const addrs = new Map<string, EndpointAddress>();
  const byPort = new Map<string, { port?: EndpointsPort; ready: Map<string, boolean> }>();
  const note = (a: EndpointAddress, port: EndpointsPort | undefined, ready: boolean) => {
    const id = addressId(a);
    if (!addrs.has(id)) addrs.set(id, a);
    const pid = portId(port);
    let entry = byPort.get(pid);
    if (!entry) byPort.set(pid, entry = { port, ready: new Map() });
    const was = entry.ready.get(id);
    if (was === undefined || was) entry.ready.set(id, ready);
  };
  for (const ss of subsets) {
    const ports: Array<EndpointsPort | undefined> = ss.ports?.length ? ss.ports : [undefined];
    for (const port of ports) {
      for (const a of ss.addresses ?? []) note(a, port, true);
      for (const a of ss.notReadyAddresses ?? []) note(a, port, false);
    }
  }
  const byAddressSet = new Map<string, { ready: Map<string, boolean>; ports: EndpointsPort[] }>();
  for (const { port, ready } of byPort.values()) {
    const key = JSON.stringify([...ready].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    let g = byAddressSet.get(key);
    if (!g) byAddressSet.set(key, g = { ready, ports: [] });
    if (port) g.ports.push(port);
  }
  const out: EndpointSubset[] = [];
  for (const { ready, ports } of byAddressSet.values()) {
    const r: EndpointAddress[] = [], nr: EndpointAddress[] = [];
    for (const [id, isReady] of ready) (isReady ? r : nr).push(addrs.get(id)!);
    const ss: EndpointSubset = {};
    if (r.length) ss.addresses = r.sort(compareAddresses);
    if (nr.length) ss.notReadyAddresses = nr.sort(compareAddresses);
    if (ports.length) ss.ports = ports.sort(comparePorts);
    out.push(ss);
  }
  const first = (ss: EndpointSubset) => (ss.addresses ?? ss.notReadyAddresses ?? [])[0];
  return out.sort((a, b) => compareAddresses(first(a), first(b)) || JSON.stringify(a.ports ?? []).localeCompare(JSON.stringify(b.ports ?? [])));
}

/**
 * Truncates to ENDPOINTS_MAX_CAPACITY addresses (upstream truncateEndpoints): when the ready ones alone
 * fit, not-ready ones are cut, spread over subsets in proportion; otherwise every not-ready one goes and
 * the ready ones are cut in proportion. Returns whether anything was cut.
 */
export function truncateSubsets(subsets: EndpointSubset[], max = ENDPOINTS_MAX_CAPACITY): { subsets: EndpointSubset[]; truncated: boolean } {
  let totalReady = 0, totalNotReady = 0;
  for (const ss of subsets) { totalReady += ss.addresses?.length ?? 0; totalNotReady += ss.notReadyAddresses?.length ?? 0; }
  if (totalReady + totalNotReady <= max) return { subsets, truncated: false };
  const truncateReady = totalReady > max;
  const room = truncateReady ? max : max - totalReady;
  const total = truncateReady ? totalReady : totalNotReady;
  let left = room;
  const out = subsets.map((ss) => {
    const n = truncateReady ? ss.addresses?.length ?? 0 : ss.notReadyAddresses?.length ?? 0;
    const take = Math.min(Math.ceil((n / total) * room), left);
    const next: EndpointSubset = { ...ss };
    if (truncateReady) {
      next.addresses = (ss.addresses ?? []).slice(0, take);
      delete next.notReadyAddresses;
      left -= next.addresses.length;
      if (next.addresses.length === 0) delete next.addresses;
    } else {
      next.notReadyAddresses = (ss.notReadyAddresses ?? []).slice(0, take);
      left -= next.notReadyAddresses.length;
      if (next.notReadyAddresses.length === 0) delete next.notReadyAddresses;
    }
    return next;
  }).filter((ss) => (ss.addresses?.length ?? 0) + (ss.notReadyAddresses?.length ?? 0) > 0);
  return { subsets: out, truncated: true };
}
