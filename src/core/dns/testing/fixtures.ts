// A small cluster for DNS tests, in the spirit of CoreDNS's APIConnServeTest: ClusterIP, headless (with
// hostnames, unnamed endpoints, duplicate slices, IPv6, no ports, nothing ready), ExternalName (outside
// and inside the zone), dual-stack, and the kube-dns Service whose endpoint is the DNS server itself.
import { ClusterIndex, SERVICE_NAME_LABEL, type EndpointSliceInput, type ServiceInput } from '../cluster-index.js';
import { RRType, type ResourceRecord, type SoaData, type SrvData, type MxData } from '../types.js';

export function service(ns: string, name: string, spec: NonNullable<ServiceInput['spec']>): ServiceInput {
  return { metadata: { namespace: ns, name }, spec };
}

type Ep = { ip: string; hostname?: string; ready?: boolean | null; pod?: string };

export function slice(ns: string, name: string, svc: string, eps: Ep[], ports: Array<{ name?: string; port: number; protocol?: string }> = [], addressType = 'IPv4'): EndpointSliceInput {
  return {
    metadata: { namespace: ns, name, labels: { [SERVICE_NAME_LABEL]: svc } },
    addressType,
    endpoints: eps.map((e) => ({
      addresses: [e.ip], hostname: e.hostname, conditions: e.ready === undefined ? {} : { ready: e.ready },
      targetRef: e.pod ? { kind: 'Pod', name: e.pod } : undefined,
    })),
    ports,
  };
}

const http = [{ name: 'http', port: 80, protocol: 'TCP' }];

export function fixtureIndex(now: () => number = () => 1_700_000_000_000): ClusterIndex {
  const idx = new ClusterIndex(now);
  for (const ns of ['testns', 'default', 'kube-system']) idx.upsertNamespace({ metadata: { name: ns } });
  idx.upsertService(service('testns', 'svc1', { type: 'ClusterIP', clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1'], ports: http }));
  idx.upsertEndpointSlice(slice('testns', 'svc1-abcde', 'svc1', [{ ip: '172.0.0.1', hostname: 'ep1a' }, { ip: '172.0.0.2' }, { ip: '172.0.0.9', ready: false }], http));
  idx.upsertService(service('testns', 'svcempty', { clusterIP: '10.0.0.2', ports: http }));
  idx.upsertService(service('testns', 'hdls1', { clusterIP: 'None', clusterIPs: ['None'], ports: http }));
  idx.upsertEndpointSlice(slice('testns', 'hdls1-aaaaa', 'hdls1', [{ ip: '172.0.0.2' }, { ip: '172.0.0.3', hostname: 'hdls1-1' }, { ip: '172.0.0.4', ready: null }], http));
  // The same address again in a second slice counts once.
  idx.upsertEndpointSlice(slice('testns', 'hdls1-bbbbb', 'hdls1', [{ ip: '172.0.0.2' }], http));
  idx.upsertEndpointSlice(slice('testns', 'hdls1-ccccc', 'hdls1', [{ ip: '5678:abcd::1' }, { ip: '5678:abcd::2' }], http, 'IPv6'));
  idx.upsertService(service('testns', 'hdlsprtls', { clusterIP: 'None' }));
  idx.upsertEndpointSlice(slice('testns', 'hdlsprtls-xxxxx', 'hdlsprtls', [{ ip: '172.0.0.20' }]));
  idx.upsertService(service('testns', 'hdls-unready', { clusterIP: 'None', ports: http }));
  idx.upsertEndpointSlice(slice('testns', 'hdls-unready-1', 'hdls-unready', [{ ip: '172.0.0.30', ready: false }], http));
  idx.upsertService(service('testns', 'external', { type: 'ExternalName', externalName: 'ext.interwebs.test', ports: http }));
  idx.upsertService(service('testns', 'external-to-service', { type: 'ExternalName', externalName: 'svc1.testns.svc.cluster.local' }));
  idx.upsertService(service('testns', 'external-ip', { type: 'ExternalName', externalName: '1.2.3.4' }));
  idx.upsertService(service('testns', 'dual-svc', { clusterIP: '10.0.0.3', clusterIPs: ['10.0.0.3', '10::3'], ports: http }));
  idx.upsertService(service('testns', 'named', { clusterIP: '10.0.0.5', ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }, { port: 8080, protocol: 'TCP' }] }));
  idx.upsertEndpointSlice(slice('testns', 'named-1', 'named', [{ ip: '172.0.0.50', pod: 'named-pod-1' }], [{ name: 'http', port: 8080, protocol: 'TCP' }]));
  idx.upsertService(service('kube-system', 'kube-dns', { clusterIP: '10.96.0.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] }));
  idx.upsertEndpointSlice(slice('kube-system', 'kube-dns-1', 'kube-dns', [{ ip: '10.244.0.2' }], [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }]));
  idx.upsertPod({ metadata: { namespace: 'testns', name: 'pod1' }, status: { podIP: '10.244.1.5', podIPs: [{ ip: '10.244.1.5' }] } });
  idx.synced = true;
  return idx;
}

/** One record as text, for comparing sections as sorted sets: SOA shows only its names (serials vary). */
export function rrText(r: ResourceRecord): string {
  const head = `${r.name} ${r.ttl} ${RRType.SRV === r.type ? 'SRV' : typeText(r.type)}`;
  switch (r.type) {
    case RRType.SRV: { const s = r.data as SrvData; return `${head} ${s.priority} ${s.weight} ${s.port} ${s.target}`; }
    case RRType.SOA: { const s = r.data as SoaData; return `${head} ${s.mname} ${s.rname} ${s.refresh} ${s.retry} ${s.expire} ${s.minimum}`; }
    case RRType.MX: { const m = r.data as MxData; return `${head} ${m.preference} ${m.exchange}`; }
    case RRType.TXT: return `${head} ${(r.data as string[]).map((t) => JSON.stringify(t)).join(' ')}`;
    default: return `${head} ${String(r.data)}`;
  }
}

function typeText(t: number): string {
  return Object.entries(RRType).find(([, v]) => v === t)?.[0] ?? `TYPE${t}`;
}

export const sortedTexts = (rs: readonly ResourceRecord[]) => rs.map(rrText).sort();
