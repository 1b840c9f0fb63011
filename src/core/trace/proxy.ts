// The service proxy hop: the node's nftables table as the agent plans it (planServiceRules, the same
// call), walked by the proxy's packet tracer for every random choice, so the trace shows which rule
// matched, which endpoints can be chosen and how likely each is, affinity, traffic policy and masquerade.
// A packet the proxy rejects or drops is explained from the Service, its selector and its pods.
import { fromLabelSelector, matches, selectorString } from '../api/labels.js';
import { planServiceRules, traceAll, type ProxyNode, type Ruleset, type TracePacket } from '../proxy/index.js';
import { servicePortShells, slicesByService, withEndpoints } from '../proxy/service-ports.js';
import { inCIDR, internalIPOf, nodeByName, podReady, svcKey } from './snapshot.js';
import type { ClusterSnapshot, Proto, ServiceLike } from './types.js';
import { podCIDROf } from '../overlay/index.js';

const rulesets = new WeakMap<ClusterSnapshot, Map<string, Ruleset>>();

export function proxyNode(snap: ClusterSnapshot, node: string): ProxyNode {
  const n = nodeByName(snap, node);
  const ip = n && internalIPOf(n);
  return { name: node, ips: ip ? [ip] : [], podCIDR: n ? podCIDROf(n) : undefined, clusterCIDR: snap.clusterCIDR };
}

/** The table the agent on `node` programs, planned from the snapshot (once per snapshot and node). */
export function nodeRuleset(snap: ClusterSnapshot, node: string): Ruleset {
  let m = rulesets.get(snap);
  if (!m) rulesets.set(snap, m = new Map());
  let rs = m.get(node);
  if (!rs) {
    rs = planServiceRules({
      services: snap.services, endpointSlices: snap.endpointSlices, node: proxyNode(snap, node),
      options: { serviceCIDRs: [snap.serviceCIDR] },
    });
    m.set(node, rs);
  }
  return rs;
}

export interface ProxyOutcome {
  verdict: 'accept' | 'reject' | 'drop';
  /** Possible DNAT targets `ip:port` with their probability (empty: no Service rule took the packet). */
  candidates: Array<{ endpoint: string; probability: number; nodeName?: string }>;
  masquerade: boolean;
  chains: string[];
  /** The Service (and port) the destination belongs to, if any. */
  service?: ServiceLike;
  servicePort?: { port: number; name?: string; targetPort?: number | string; nodePort?: number };
  via?: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'externalIP';
  why: string[];
  fix?: string;
}

/** The Service a packet to dst:port is addressed to, and through which of its addresses. */
export function serviceFor(snap: ClusterSnapshot, dst: string, port: number, proto: Proto, nodeIPs: string[]) {
  const P = proto.toUpperCase();
  for (const s of snap.services) {
    const sp = s.spec ?? {};
    const ports = sp.ports ?? [];
    const byPort = ports.find((p) => p.port === port && (p.protocol ?? 'TCP') === P);
    if ((sp.clusterIPs ?? [sp.clusterIP]).includes(dst)) return { service: s, port: byPort, via: 'ClusterIP' as const, ports };
    if (nodeIPs.includes(dst)) {
      const np = ports.find((p) => p.nodePort === port && (p.protocol ?? 'TCP') === P);
      if (np) return { service: s, port: np, via: 'NodePort' as const, ports };
    }
    if ((s.status?.loadBalancer?.ingress ?? []).some((i) => i.ip === dst)) return { service: s, port: byPort, via: 'LoadBalancer' as const, ports };
    if ((sp.externalIPs ?? []).includes(dst)) return { service: s, port: byPort, via: 'externalIP' as const, ports };
  }
  return undefined;
}

/** Why a Service has no endpoint to send to, in the words of the seeds, with the fix. */
export function explainNoEndpoints(snap: ClusterSnapshot, svc: ServiceLike, node: string): { why: string[]; fix?: string } {
  const ns = svc.metadata.namespace ?? 'default';
  const name = svc.metadata.name ?? '';
  const sel = svc.spec?.selector;
  if (!sel || Object.keys(sel).length === 0) {
    return { why: [`Service ${ns}/${name} has no selector, and no EndpointSlice lists a ready endpoint for it`], fix: `create an EndpointSlice labelled kubernetes.io/service-name=${name}, or give the Service a selector` };
  }
  const selector = fromLabelSelector({ matchLabels: sel })!;
  const text = selectorString(selector);
  const pods = snap.pods.filter((p) => (p.metadata.namespace ?? 'default') === ns && matches(selector, p.metadata.labels) && !p.metadata.deletionTimestamp);
  if (pods.length === 0) {
    const elsewhere = snap.pods.filter((p) => matches(selector, p.metadata.labels)).map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
    return {
      why: [`the selector ${text} of Service ${ns}/${name} matches no pod in namespace ${ns}${elsewhere.length ? ` (it matches ${elsewhere.slice(0, 3).join(', ')} in other namespaces; a selector only sees its own namespace)` : ''}`],
      fix: `fix the Service's selector or the pods' labels (kubectl get pods -n ${ns} --show-labels)`,
    };
  }
  const ready = pods.filter(podReady);
  if (ready.length === 0) {
    return { why: [`${pods.length} pod(s) match ${text} (${pods.slice(0, 3).map((p) => p.metadata.name).join(', ')}) but none is Ready`], fix: `see why: kubectl describe pod -n ${ns} ${pods[0].metadata.name}` };
  }
  if (svc.spec?.internalTrafficPolicy === 'Local' || svc.spec?.externalTrafficPolicy === 'Local') {
    return { why: [`the traffic policy is Local and no ready endpoint runs on node ${node} (ready pods: ${ready.map((p) => `${p.metadata.name}@${p.spec?.nodeName}`).join(', ')})`], fix: 'send the traffic to a node that runs a pod of the Service, or use policy Cluster' };
  }
  return { why: [`${ready.length} Ready pod(s) match ${text} but the EndpointSlices list none for this port: the EndpointSlice controller has not caught up, or the targetPort names a port the pods do not declare`], fix: `kubectl get endpointslices -n ${ns} -l kubernetes.io/service-name=${name} -o yaml` };
}

export function traceProxy(snap: ClusterSnapshot, node: string, pkt: TracePacket): ProxyOutcome {
  const rs = nodeRuleset(snap, node);
  const pnode = proxyNode(snap, node);
  const pc = pnode.podCIDR;
  const local = [...pnode.ips, ...(pc ? [pc.replace(/\.0\/\d+$/, '.1')] : [])];
  const results = traceAll(rs, pkt, { localAddresses: local });
  const hit = serviceFor(snap, pkt.dst, pkt.dport, pkt.proto as Proto, pnode.ips);
  const out: ProxyOutcome = { verdict: 'accept', candidates: [], masquerade: false, chains: results[0]?.chains ?? [], why: [] };
  if (hit) {
    out.service = hit.service;
    out.via = hit.via;
    if (hit.port) out.servicePort = { port: hit.port.port, name: hit.port.name, targetPort: hit.port.targetPort, nodePort: hit.port.nodePort };
  }
  const first = results[0];
  if (first && first.verdict !== 'accept') {
    out.verdict = first.verdict;
    const svcName = hit ? svcKey(hit.service) : undefined;
    if (hit && !hit.port) {
      out.why.push(`Service ${svcName} has no ${pkt.proto.toUpperCase()} port ${pkt.dport} (its ports: ${hit.ports.map((p) => `${p.port}/${p.protocol ?? 'TCP'}${p.nodePort ? ` nodePort ${p.nodePort}` : ''}`).join(', ') || 'none'})`);
      out.fix = `use one of the Service's ports, or add port ${pkt.dport} to it`;
    } else if (hit) {
      const e = explainNoEndpoints(snap, hit.service, node);
      out.why.push(`the proxy ${first.verdict === 'reject' ? `rejects it (${first.rejectWith})` : 'drops it'}: Service ${svcName} has no endpoints here`, ...e.why);
      out.fix = e.fix;
    } else if (inCIDR(snap.serviceCIDR, pkt.dst)) {
      out.why.push(`${pkt.dst} is in the service CIDR ${snap.serviceCIDR} but no Service has it as ClusterIP: the proxy drops it`);
      out.fix = 'kubectl get svc -A -o wide shows the ClusterIPs in use';
    } else {
      out.why.push(`the proxy's rules ${first.verdict} it (chains ${first.chains.join(' → ')})`);
    }
    return out;
  }
  // Group the branches by DNAT target: each branch is one equally likely random choice.
  const counts = new Map<string, number>();
  for (const r of results) if (r.dnat) counts.set(`${r.dnat.addr}:${r.dnat.port}`, (counts.get(`${r.dnat.addr}:${r.dnat.port}`) ?? 0) + 1);
  const slices = hit ? slicesByService(snap.endpointSlices).get(svcKey(hit.service)) ?? [] : [];
  const eps = hit && hit.port ? servicePortShells(hit.service).filter((s) => s.port === hit.port!.port && s.protocol === pkt.proto)
    .flatMap((sh) => withEndpoints(sh, slices, pnode).clusterEndpoints) : [];
  for (const [endpoint, n] of counts) {
    const nodeName = eps.find((e) => `${e.ip}:${e.port}` === endpoint)?.nodeName;
    out.candidates.push({ endpoint, probability: n / results.length, nodeName });
  }
  out.masquerade = results.some((r) => r.masquerade);
  if (hit && out.candidates.length) {
    const sp = hit.service.spec ?? {};
    out.why.push(`${hit.via} ${pkt.dst}:${pkt.dport}/${pkt.proto} is Service ${svcKey(hit.service)} port ${hit.port?.name ?? hit.port?.port} (targetPort ${hit.port?.targetPort ?? hit.port?.port})`);
    out.why.push(`DNAT to one of ${out.candidates.length} endpoint(s): ${out.candidates.map((c) => `${c.endpoint}${c.nodeName ? ` on ${c.nodeName}` : ''} (${Math.round(c.probability * 100)}%)`).join(', ')}`);
    if (sp.sessionAffinity === 'ClientIP') out.why.push(`sessionAffinity ClientIP: a client sticks to the endpoint it got first for ${sp.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800} s`);
    if (hit.via !== 'ClusterIP') out.why.push(`externalTrafficPolicy ${sp.externalTrafficPolicy ?? 'Cluster'}`);
    else if (sp.internalTrafficPolicy === 'Local') out.why.push('internalTrafficPolicy Local: only endpoints on this node');
    out.why.push(out.masquerade ? 'masqueraded: the endpoint sees the node\'s address as the source' : 'not masqueraded: the endpoint sees the client\'s own address');
    out.why.push(`chains: ${out.chains.join(' → ')}`);
  }
  return out;
}
