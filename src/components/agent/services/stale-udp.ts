// Stale UDP conntrack entries (kube-proxy's conntrack reconciler, pkg/proxy/conntrack/cleanup.go). A UDP
// client that keeps its source port (DNS forwarders, statsd, ...) keeps hitting whatever its conntrack
// entry was DNATed to: a deleted pod, or nothing at all when the packets came before the rules. The
// entry never times out while the client keeps sending, so it must be deleted. Pure: from the listed
// entries and the Services/EndpointSlices, which entries to delete.
//
// An entry is stale when its original destination is a UDP service frontend (ClusterIP, LoadBalancer
// IP or external IP with the service port, or any address with the NodePort) and its reply source is
// not a serving endpoint of that service port. Services without serving endpoints are left alone (their
// packets are rejected anyway), and traffic policies, topology and terminating state are ignored, so
// that established UDP flows behave as TCP connections do.
import { isIPv4 } from '../../../core/net/index.js';
import { isProxied, type EndpointSlice, type Service } from '../../../core/proxy/index.js';
import { endpointState, slicesByService } from '../../../core/endpoints/slice-endpoints.js';

export interface Tuple { src: string; dst: string; sport: number; dport: number }

/** One line of `conntrack -L`: the original and the reply direction. */
export interface ConntrackEntry { proto: string; orig: Tuple; reply: Tuple }

/** What `conntrack -D -p udp` is given: kube-proxy's filterForIPPortNAT (origDst set) or filterForPortNAT. */
export interface ConntrackFilter { origDst?: string; origPortDst: number; replySrc: string }

/** Parses `conntrack -L` text output (`udp 17 29 src=.. dst=.. sport=.. dport=.. [UNREPLIED] src=.. ...`). */
export function parseConntrackList(text: string): ConntrackEntry[] {
  const out: ConntrackEntry[] = [];
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words.length < 4) continue;
    const tuples: Array<Partial<Record<'src' | 'dst' | 'sport' | 'dport', string>>> = [{}, {}];
    const seen = { src: 0, dst: 0, sport: 0, dport: 0 };
    for (const w of words) {
      const eq = w.indexOf('=');
      if (eq < 0) continue;
      const k = w.slice(0, eq) as keyof typeof seen;
      if (!(k in seen) || seen[k] > 1) continue;
      tuples[seen[k]++][k] = w.slice(eq + 1);
    }
    const full = (t: (typeof tuples)[number]): t is Record<'src' | 'dst' | 'sport' | 'dport', string> =>
      !!(t.src && t.dst && t.sport && t.dport);
    if (!full(tuples[0]) || !full(tuples[1])) continue;
    const tuple = (t: Record<'src' | 'dst' | 'sport' | 'dport', string>): Tuple =>
      ({ src: t.src, dst: t.dst, sport: Number(t.sport), dport: Number(t.dport) });
    out.push({ proto: words[0], orig: tuple(tuples[0]), reply: tuple(tuples[1]) });
  }
  return out;
}

/** UDP frontends with the serving endpoint addresses behind each. */
export interface UdpFrontends {
  /** `ip:port` → serving endpoint IPs. */
  ipPorts: Map<string, Set<string>>;
  /** NodePort → serving endpoint IPs. */
  nodePorts: Map<number, Set<string>>;
}

const protoOf = (p: { protocol?: string | null }) => (p.protocol ?? 'TCP').toUpperCase();

export function udpFrontends(services: readonly Service[], slices: readonly EndpointSlice[]): UdpFrontends {
  const out: UdpFrontends = { ipPorts: new Map(), nodePorts: new Map() };
  const bySvc = slicesByService(slices.filter((s) => s.addressType === 'IPv4'));
  for (const svc of services) {
    const ports = (svc.spec?.ports ?? []).filter((p) => protoOf(p) === 'UDP');
    if (!ports.length || !isProxied(svc)) continue;
    const spec = svc.spec!;
    const clusterIP = [...(spec.clusterIPs ?? []), spec.clusterIP ?? ''].find((ip) => isIPv4(ip));
    const lbIPs = (svc.status?.loadBalancer?.ingress ?? []).filter((i) => i.ip && i.ipMode !== 'Proxy').map((i) => i.ip!);
    const frontends = [clusterIP, ...lbIPs, ...(spec.externalIPs ?? [])].filter((ip): ip is string => !!ip && isIPv4(ip));
    const svcSlices = bySvc.get(`${svc.metadata.namespace ?? 'default'}/${svc.metadata.name}`) ?? [];
    for (const sp of ports) {
      const serving = new Set<string>();
      for (const slice of svcSlices) {
        if (!(slice.ports ?? []).some((p) => (p.name ?? '') === (sp.name ?? '') && protoOf(p) === 'UDP')) continue;
        for (const ep of slice.endpoints ?? []) {
          if (endpointState(ep).serving && ep.addresses?.[0]) serving.add(ep.addresses[0]);
        }
      }
      if (!serving.size) continue;
      for (const ip of frontends) out.ipPorts.set(`${ip}:${sp.port}`, serving);
      if (sp.nodePort && (spec.type === 'NodePort' || spec.type === 'LoadBalancer')) out.nodePorts.set(sp.nodePort, serving);
    }
  }
  return out;
}

/** The delete filters for the stale UDP entries among `entries`, without duplicates. */
export function staleUdpFilters(entries: readonly ConntrackEntry[], frontends: UdpFrontends): ConntrackFilter[] {
  const out = new Map<string, ConntrackFilter>();
  for (const e of entries) {
    if (e.proto !== 'udp') continue;
    const eps = frontends.ipPorts.get(`${e.orig.dst}:${e.orig.dport}`);
    if (eps && !eps.has(e.reply.src)) {
      out.set(`${e.orig.dst}:${e.orig.dport}>${e.reply.src}`, { origDst: e.orig.dst, origPortDst: e.orig.dport, replySrc: e.reply.src });
    }
    const nodePortEps = frontends.nodePorts.get(e.orig.dport);
    if (nodePortEps && !nodePortEps.has(e.reply.src)) {
      out.set(`*:${e.orig.dport}>${e.reply.src}`, { origPortDst: e.orig.dport, replySrc: e.reply.src });
    }
  }
  return [...out.values()];
}
