// What the web page draws, as the seeds draw it: the host and its underlay bridge, nodes with cni0, their
// podCIDR and overlay device, pods with IPs on their node, Services with their endpoints, Ingresses; and
// live connections (conntrack entries of each node) mapped onto pods and Services. Pure.
import { podCIDROf, vxlanBackendDataOf } from '../overlay/index.js';
import { internalIPOf, podKey, podReady, svcKey } from './snapshot.js';
import type { ClusterSnapshot } from './types.js';

export interface TopologyView {
  overlay: string;
  clusterCIDR: string;
  serviceCIDR: string;
  hostIP: string;
  nodes: Array<{ name: string; ip?: string; podCIDR?: string; vtepMAC?: string }>;
  pods: Array<{ key: string; name: string; namespace: string; ip?: string; node?: string; ready: boolean; phase?: string }>;
  services: Array<{ key: string; type: string; clusterIP?: string; ports: string[]; lb?: string; endpoints: Array<{ ip: string; ready: boolean; pod?: string }> }>;
  ingresses: Array<{ key: string; rules: Array<{ host: string; path: string; backend: string }> }>;
}

export function topologyView(snap: ClusterSnapshot): TopologyView {
  const podsByIP = new Map<string, string>();
  for (const p of snap.pods) if (p.status?.podIP && !p.spec?.hostNetwork) podsByIP.set(p.status.podIP, podKey(p));
  const slicesBySvc = new Map<string, typeof snap.endpointSlices>();
  for (const s of snap.endpointSlices) {
    const k = `${s.metadata.namespace}/${s.metadata.labels?.['kubernetes.io/service-name']}`;
    slicesBySvc.set(k, [...(slicesBySvc.get(k) ?? []), s]);
  }
  return {
    overlay: snap.overlay, clusterCIDR: snap.clusterCIDR, serviceCIDR: snap.serviceCIDR, hostIP: snap.hostIP,
    nodes: snap.nodes.map((n) => {
      const v = vxlanBackendDataOf(n);
      return { name: n.metadata?.name ?? '', ip: internalIPOf(n), podCIDR: podCIDROf(n), vtepMAC: 'VtepMAC' in v ? v.VtepMAC : undefined };
    }).sort((a, b) => a.name.localeCompare(b.name)),
    pods: snap.pods.filter((p) => !p.spec?.hostNetwork).map((p) => ({
      key: podKey(p), name: p.metadata.name ?? '', namespace: p.metadata.namespace ?? 'default', ip: p.status?.podIP, node: p.spec?.nodeName,
      ready: podReady(p), phase: p.status?.phase,
    })).sort((a, b) => a.key.localeCompare(b.key)),
    services: snap.services.map((s) => ({
      key: svcKey(s), type: s.spec?.type ?? 'ClusterIP', clusterIP: s.spec?.clusterIP,
      ports: (s.spec?.ports ?? []).map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`),
      lb: s.status?.loadBalancer?.ingress?.[0]?.ip,
      endpoints: (slicesBySvc.get(svcKey(s)) ?? []).flatMap((sl) => (sl.endpoints ?? []).flatMap((e) => e.addresses.map((ip) => ({
        ip, ready: e.conditions?.ready !== false, pod: podsByIP.get(ip),
      })))),
    })).sort((a, b) => a.key.localeCompare(b.key)),
    ingresses: (snap.ingresses ?? []).map((i) => {
      const ing = i as { metadata?: { namespace?: string; name?: string }; spec?: { rules?: Array<{ host?: string; http?: { paths?: Array<{ path?: string; backend?: { service?: { name?: string; port?: { number?: number; name?: string } } } }> } }> } };
      return {
        key: `${ing.metadata?.namespace}/${ing.metadata?.name}`,
        rules: (ing.spec?.rules ?? []).flatMap((r) => (r.http?.paths ?? []).map((p) => ({
          host: r.host ?? '*', path: p.path ?? '/', backend: `${p.backend?.service?.name ?? '?'}:${p.backend?.service?.port?.number ?? p.backend?.service?.port?.name ?? ''}`,
        }))),
      };
    }),
  };
}

export interface ConntrackTuple { proto: string; orig: { src: string; dst: string; sport: number; dport: number }; reply: { src: string; dst: string; sport: number; dport: number } }

export interface FlowView { node: string; proto: string; from: string; to: string; via?: string; dport: number }

/** Conntrack entries of each node as flows between pods (or the host / a node) and Services. */
export function flowsView(snap: ClusterSnapshot, perNode: Map<string, ConntrackTuple[]>): FlowView[] {
  const name = (ip: string): string => {
    const p = snap.pods.find((x) => x.status?.podIP === ip && !x.spec?.hostNetwork);
    if (p) return `pod/${podKey(p)}`;
    const n = snap.nodes.find((x) => internalIPOf(x) === ip);
    if (n) return `node/${n.metadata?.name}`;
    if (ip === snap.hostIP) return 'host';
    return ip;
  };
  const svc = (ip: string) => snap.services.find((s) => s.spec?.clusterIP === ip || (s.status?.loadBalancer?.ingress ?? []).some((i) => i.ip === ip));
  const out: FlowView[] = [];
  const seen = new Set<string>();
  for (const [node, entries] of perNode) {
    for (const e of entries) {
      if (e.orig.dport === 53 || e.orig.dst === '127.0.0.1') continue;
      const s = svc(e.orig.dst);
      const natted = e.reply.src !== e.orig.dst;
      const f: FlowView = { node, proto: e.proto, from: name(e.orig.src), to: name(natted ? e.reply.src : e.orig.dst), via: s ? `svc/${svcKey(s)}` : undefined, dport: e.orig.dport };
      const k = `${f.from}|${f.to}|${f.via}|${f.dport}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(f);
    }
  }
  return out;
}
