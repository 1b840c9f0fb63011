// podnet's default layout: endpoint lists are data, not rules. Each destination maps (@service-ips /
// @service-nodeports) to a shared "pick" chain chosen by endpoint count, and that chain's single DNAT
// rule looks the endpoint up by `destination . numgen random mod N` in an endpoint map:
//
//   chain clusterip-3 { ip saddr != 10.244.0.0/16 jump mark-for-masquerade
//                       dnat ip to ip daddr . meta l4proto . th dport . numgen random mod 3 map @endpoints }
//   map endpoints { 10.96.0.10 . udp . 53 . 0 : 10.244.1.3 . 53, ... . 1 : ..., ... . 2 : ... }
//
// Why: the kernel's cost of loading `dnat` rules into a table with NAT base chains grows faster than
// linearly (bench/proxy-sync.ts: kube-proxy's per-endpoint chains need minutes for 10,000 services × 5
// endpoints), while map elements are cheap. Here a table has one DNAT rule per distinct endpoint count,
// and a Service change is a handful of element adds/deletes. Hairpin masquerade is a set of local
// `endpoint . endpoint` pairs checked in postrouting. ClientIP affinity needs per-endpoint state, so
// those services use kube-proxy's chains (plan-chains.ts).
import { cidrContains } from './cidr.js';
import { addChain, addElement, addSet, type KeyField, type Rule, verdict, jump } from './ruleset.js';
import type { EndpointInfo, ServicePortInfo } from './service-ports.js';
import { N, type PlanContext } from './skeleton.js';
import { type Destination, noEndpoints, serviceTarget } from './destinations.js';
import { clusterIPMasqueradeRule } from './plan-chains.js';

export const MAPS = {
  /** The endpoints each IP destination's normal traffic goes to. */
  endpoints: 'endpoints',
  /** Cluster-wide endpoints of external IPs with externalTrafficPolicy Local (pod/node short-circuit). */
  clusterEndpoints: 'cluster-endpoints',
  nodePortEndpoints: 'nodeport-endpoints',
  nodePortClusterEndpoints: 'nodeport-cluster-endpoints',
} as const;

const IP_KEY: KeyField[] = ['daddr', 'l4proto', 'dport'];
const PORT_KEY: KeyField[] = ['l4proto', 'dport'];

export function declareEndpointMaps(ctx: PlanContext): void {
  const ipType = 'typeof ip daddr . meta l4proto . th dport . numgen random mod 1 : ip daddr . th dport';
  const portType = 'typeof meta l4proto . th dport . numgen random mod 1 : ip daddr . th dport';
  addSet(ctx.rs, { name: MAPS.endpoints, kind: 'map', type: ipType, comment: 'service IP . proto . port . slot : endpoint' });
  addSet(ctx.rs, { name: MAPS.clusterEndpoints, kind: 'map', type: ipType, comment: 'cluster-wide endpoints of externalTrafficPolicy Local IPs' });
  addSet(ctx.rs, { name: MAPS.nodePortEndpoints, kind: 'map', type: portType, comment: 'proto . nodePort . slot : endpoint' });
  addSet(ctx.rs, { name: MAPS.nodePortClusterEndpoints, kind: 'map', type: portType, comment: 'cluster-wide endpoints of externalTrafficPolicy Local NodePorts' });
}

const dnatPick = (nodePort: boolean, n: number, map: string): Rule['stmts'][number] =>
  ({ kind: 'dnatMap', key: [...(nodePort ? PORT_KEY : IP_KEY), { numgen: n }], map });

/** Creates (once) the shared chain that picks among `n` endpoints (and `m` local ones). */
function pickChain(ctx: PlanContext, kind: 'clusterip' | 'external' | 'external-local' | 'nodeport' | 'nodeport-local', n: number, m = 0): string {
  const name = kind.endsWith('-local') ? `${kind}-${n}-${m}` : `${kind}-${n}`;
  if (ctx.rs.chains.has(name)) return name;
  const np = kind.startsWith('nodeport');
  const primary = np ? MAPS.nodePortEndpoints : MAPS.endpoints;
  const cluster = np ? MAPS.nodePortClusterEndpoints : MAPS.clusterEndpoints;
  const rules: Rule[] = [];
  if (kind === 'clusterip') {
    rules.push(clusterIPMasqueradeRule(ctx), { matches: [], stmts: [dnatPick(false, n, primary)] });
  } else if (kind === 'external' || kind === 'nodeport') {
    rules.push({ matches: [], stmts: [verdict(jump(N.markForMasquerade))], comment: 'masquerade external traffic (policy Cluster)' });
    rules.push({ matches: [], stmts: [dnatPick(np, n, primary)] });
  } else {
    rules.push({ matches: [{ kind: 'addr', field: 'saddr', op: '==', values: [ctx.localCIDR] }],
      stmts: [dnatPick(np, n, cluster)], comment: 'short-circuit pod traffic' });
    rules.push({ matches: [{ kind: 'fibSaddrLocal' }], stmts: [verdict(jump(N.markForMasquerade))], comment: 'masquerade local traffic' });
    rules.push({ matches: [{ kind: 'fibSaddrLocal' }], stmts: [dnatPick(np, n, cluster)], comment: 'short-circuit local traffic' });
    if (m > 0) rules.push({ matches: [], stmts: [dnatPick(np, m, primary)], comment: 'local endpoints only, client IP kept' });
  }
  addChain(ctx.rs, { name, rules });
  return name;
}

function fillEndpoints(ctx: PlanContext, map: string, key: string[], eps: EndpointInfo[]): void {
  const set = ctx.rs.sets.get(map)!;
  eps.forEach((ep, slot) => addElement(set, { key: [...key, String(slot)], value: [ep.ip, String(ep.port)] }));
}

export function planMapsServicePort(ctx: PlanContext, sp: ServicePortInfo, dests: Destination[]): void {
  const cluster = sp.clusterEndpoints;
  const local = sp.localEndpoints;
  const hasAny = cluster.length > 0;
  for (const d of dests) {
    const np = d.kind === 'nodePort';
    if (d.kind === 'clusterIP') {
      const eps = sp.internalLocal ? local : cluster;
      if (!eps.length) { noEndpoints(ctx, sp, d, hasAny); continue; }
      serviceTarget(ctx, sp, d, pickChain(ctx, 'clusterip', eps.length));
      fillEndpoints(ctx, MAPS.endpoints, d.key, eps);
    } else if (!hasAny) {
      noEndpoints(ctx, sp, d, false);
    } else if (!sp.externalLocal) {
      serviceTarget(ctx, sp, d, pickChain(ctx, np ? 'nodeport' : 'external', cluster.length));
      fillEndpoints(ctx, np ? MAPS.nodePortEndpoints : MAPS.endpoints, d.key, cluster);
    } else {
      serviceTarget(ctx, sp, d, pickChain(ctx, np ? 'nodeport-local' : 'external-local', cluster.length, local.length));
      fillEndpoints(ctx, np ? MAPS.nodePortClusterEndpoints : MAPS.clusterEndpoints, d.key, cluster);
      fillEndpoints(ctx, np ? MAPS.nodePortEndpoints : MAPS.endpoints, d.key, local);
      // Outside clients on a node without local endpoints: dropped in the filter chains.
      if (!local.length) noEndpoints(ctx, sp, d, true);
    }
  }
  // A pod DNATed to itself must be masqueraded or its reply would skip conntrack's reverse NAT.
  const hairpin = ctx.rs.sets.get(N.hairpin)!;
  for (const ep of [...cluster, ...local]) {
    if (ep.local || (ctx.podCIDR && cidrContains(ctx.podCIDR, ep.ip))) hairpin.elements.set(`${ep.ip} . ${ep.ip}`, { key: [ep.ip, ep.ip] });
  }
}
