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
import { type Fragment, type PickKind, pickChainName } from './fragment.js';
import { addChain, addSet, type KeyField, type Rule, verdict, jump } from './ruleset.js';
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

/** Creates (once per plan) the shared chain that picks among `n` endpoints (and `m` local ones). */
export function ensurePickChain(ctx: PlanContext, kind: PickKind, n: number, m: number): void {
  const name = pickChainName(kind, n, m);
  if (ctx.rs.chains.has(name)) return;
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
}

function fillEndpoints(f: Fragment, map: string, key: string[], eps: EndpointInfo[]): void {
  eps.forEach((ep, slot) => f.element(map, { key: [...key, String(slot)], value: [ep.ip, String(ep.port)] }));
}

export function planMapsServicePort(ctx: PlanContext, f: Fragment, sp: ServicePortInfo, dests: Destination[]): void {
  const cluster = sp.clusterEndpoints;
  const local = sp.localEndpoints;
  const hasAny = cluster.length > 0;
  for (const d of dests) {
    const np = d.kind === 'nodePort';
    if (d.kind === 'clusterIP') {
      const eps = sp.internalLocal ? local : cluster;
      if (!eps.length) { noEndpoints(f, sp, d, hasAny); continue; }
      serviceTarget(f, sp, d, f.pick('clusterip', eps.length));
      fillEndpoints(f, MAPS.endpoints, d.key, eps);
    } else if (!hasAny) {
      noEndpoints(f, sp, d, false);
    } else if (!sp.externalLocal) {
      serviceTarget(f, sp, d, f.pick(np ? 'nodeport' : 'external', cluster.length));
      fillEndpoints(f, np ? MAPS.nodePortEndpoints : MAPS.endpoints, d.key, cluster);
    } else {
      serviceTarget(f, sp, d, f.pick(np ? 'nodeport-local' : 'external-local', cluster.length, local.length));
      fillEndpoints(f, np ? MAPS.nodePortClusterEndpoints : MAPS.clusterEndpoints, d.key, cluster);
      fillEndpoints(f, np ? MAPS.nodePortEndpoints : MAPS.endpoints, d.key, local);
      // Outside clients on a node without local endpoints: dropped in the filter chains.
      if (!local.length) noEndpoints(f, sp, d, true);
    }
  }
  // A pod DNATed to itself must be masqueraded (only pods of this node can be; kube-proxy checks every endpoint) or its reply would skip conntrack's reverse NAT.
  const seen = new Set<string>();
  for (const ep of [...cluster, ...local]) {
    // Endpoints without a nodeName (hand-made slices) might be local pods too.
    if (seen.has(ep.ip) || !(ep.local || ep.nodeName === undefined || (ctx.podCIDR && cidrContains(ctx.podCIDR, ep.ip)))) continue;
    seen.add(ep.ip);
    f.element(N.hairpin, { key: [ep.ip, ep.ip] });
  }
}
