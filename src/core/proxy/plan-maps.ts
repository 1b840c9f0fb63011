// podnet's default layout: endpoint lists are data, not rules. Each destination maps (@service-ips /
// @service-nodeports) to a shared "pick" chain chosen by protocol and endpoint count, and that chain's
// single DNAT rule looks the endpoint up by `destination . numgen random mod N` in an endpoint map:
//
//   chain clusterip-tcp-3 { ip saddr != 10.244.0.0/16 jump mark-for-masquerade
//                           meta l4proto tcp dnat ip to ip daddr . meta l4proto . th dport . numgen random mod 3 map @endpoints-tcp }
//   map endpoints-tcp { 10.96.0.10 . tcp . 53 . 0 : 10.244.1.3 . 53, ... . 1 : ..., ... . 2 : ... }
//
// Why: the kernel's cost of loading `dnat` rules into a table with NAT base chains grows faster than
// linearly (bench/proxy-sync.ts: kube-proxy's per-endpoint chains need minutes for 10,000 services × 5
// endpoints), while map elements are cheap. Here a table has one DNAT rule per protocol and distinct
// endpoint count, and a Service change is a handful of element adds/deletes. Hairpin masquerade is a set
// of local `endpoint . endpoint` pairs checked in postrouting. ClientIP affinity needs per-endpoint
// state, so those services use kube-proxy's chains (plan-chains.ts).
//
// Why one map per protocol: the map's data must be declared `typeof ip daddr . tcp dport` (or udp/sctp).
// With the protocol-neutral `th dport`, nft 1.0.6 cannot add a rule that uses a map it reads back from
// the kernel ("conflicting protocols specified: ip vs. th"), so incremental syncs would fail; and a
// `tcp dport` map makes nft add an implicit `meta l4proto tcp` to the rule that uses it.
import { cidrContains } from '../net/index.js';
import { type Fragment, type PickKind, pickChainName } from './fragment.js';
import { addChain, addSet, type KeyField, type L4Proto, type Rule, verdict, jump } from '../nft/ruleset.js';
import type { EndpointInfo, ServicePortInfo } from './service-ports.js';
import { N, type PlanContext } from './skeleton.js';
import { type Destination, noEndpoints, serviceTarget } from './destinations.js';
import { clusterIPMasqueradeRule } from './plan-chains.js';

/** Endpoint lists: `endpoints` is what each destination's normal traffic gets; `cluster-endpoints` the
 * cluster-wide list of externalTrafficPolicy Local destinations (pod/node short-circuit). */
export type EndpointMapKind = 'endpoints' | 'cluster-endpoints' | 'nodeport-endpoints' | 'nodeport-cluster-endpoints';
const MAP_KINDS: EndpointMapKind[] = ['endpoints', 'cluster-endpoints', 'nodeport-endpoints', 'nodeport-cluster-endpoints'];
const PROTOCOLS: L4Proto[] = ['tcp', 'udp', 'sctp'];

export const endpointMap = (kind: EndpointMapKind, proto: L4Proto) => `${kind}-${proto}`;

const IP_KEY: KeyField[] = ['daddr', 'l4proto', 'dport'];
const PORT_KEY: KeyField[] = ['l4proto', 'dport'];

export function declareEndpointMaps(ctx: PlanContext): void {
  for (const kind of MAP_KINDS) {
    const key = kind.startsWith('nodeport') ? 'meta l4proto . th dport' : 'ip daddr . meta l4proto . th dport';
    for (const proto of PROTOCOLS) {
      addSet(ctx.rs, {
        name: endpointMap(kind, proto), kind: 'map',
        type: `typeof ${key} . numgen random mod 1 : ip daddr . ${proto} dport`,
        comment: `${kind.startsWith('nodeport') ? 'proto . nodePort' : 'IP . proto . port'} . slot : ${kind.includes('cluster') ? 'cluster-wide endpoint (policy Local short-circuit)' : 'endpoint'}`,
      });
    }
  }
}

const dnatPick = (kind: EndpointMapKind, proto: L4Proto, n: number): Rule => ({
  matches: [{ kind: 'l4proto', proto }],
  stmts: [{ kind: 'dnatMap', key: [...(kind.startsWith('nodeport') ? PORT_KEY : IP_KEY), { numgen: n }], map: endpointMap(kind, proto) }],
});

/** Creates (once per plan) the shared chain that picks among `n` endpoints (and `m` local ones). */
export function ensurePickChain(ctx: PlanContext, kind: PickKind, proto: L4Proto, n: number, m: number): void {
  const name = pickChainName(kind, proto, n, m);
  if (ctx.rs.chains.has(name)) return;
  const np = kind.startsWith('nodeport');
  const primary: EndpointMapKind = np ? 'nodeport-endpoints' : 'endpoints';
  const cluster: EndpointMapKind = np ? 'nodeport-cluster-endpoints' : 'cluster-endpoints';
  const rules: Rule[] = [];
  if (kind === 'clusterip') {
    rules.push(clusterIPMasqueradeRule(ctx), dnatPick(primary, proto, n));
  } else if (kind === 'external' || kind === 'nodeport') {
    rules.push({ matches: [], stmts: [verdict(jump(N.markForMasquerade))], comment: 'masquerade external traffic (policy Cluster)' });
    rules.push(dnatPick(primary, proto, n));
  } else {
    const shortCircuit = dnatPick(cluster, proto, n);
    rules.push({ ...shortCircuit, matches: [{ kind: 'addr', field: 'saddr', op: '==', values: [ctx.localCIDR] }, ...shortCircuit.matches], comment: 'short-circuit pod traffic' });
    rules.push({ matches: [{ kind: 'fibSaddrLocal' }], stmts: [verdict(jump(N.markForMasquerade))], comment: 'masquerade local traffic' });
    rules.push({ ...shortCircuit, matches: [{ kind: 'fibSaddrLocal' }, ...shortCircuit.matches], comment: 'short-circuit local traffic' });
    if (m > 0) rules.push({ ...dnatPick(primary, proto, m), comment: 'local endpoints only, client IP kept' });
  }
  addChain(ctx.rs, { name, rules });
}

/** Endpoint elements carry the service port's name, so `nft list table ip podnet` reads like
 * `iptables -t nat -L` with kube-proxy's comments (measured: +5% load time at 10,000 services). */
function fillEndpoints(f: Fragment, kind: EndpointMapKind, sp: ServicePortInfo, key: string[], eps: EndpointInfo[]): void {
  const map = endpointMap(kind, sp.protocol);
  eps.forEach((ep, slot) => f.element(map, { key: [...key, String(slot)], value: [ep.ip, String(ep.port)], comment: sp.comment }));
}

export function planMapsServicePort(ctx: PlanContext, f: Fragment, sp: ServicePortInfo, dests: Destination[]): void {
  const cluster = sp.clusterEndpoints;
  const local = sp.localEndpoints;
  const hasAny = cluster.length > 0;
  const p = sp.protocol;
  for (const d of dests) {
    const np = d.kind === 'nodePort';
    if (d.kind === 'clusterIP') {
      const eps = sp.internalLocal ? local : cluster;
      if (!eps.length) { noEndpoints(f, sp, d, hasAny); continue; }
      serviceTarget(f, sp, d, f.pick('clusterip', p, eps.length));
      fillEndpoints(f, 'endpoints', sp, d.key, eps);
    } else if (!hasAny) {
      noEndpoints(f, sp, d, false);
    } else if (!sp.externalLocal) {
      serviceTarget(f, sp, d, f.pick(np ? 'nodeport' : 'external', p, cluster.length));
      fillEndpoints(f, np ? 'nodeport-endpoints' : 'endpoints', sp, d.key, cluster);
    } else {
      serviceTarget(f, sp, d, f.pick(np ? 'nodeport-local' : 'external-local', p, cluster.length, local.length));
      fillEndpoints(f, np ? 'nodeport-cluster-endpoints' : 'cluster-endpoints', sp, d.key, cluster);
      fillEndpoints(f, np ? 'nodeport-endpoints' : 'endpoints', sp, d.key, local);
      // Outside clients on a node without local endpoints: dropped in the filter chains.
      if (!local.length) noEndpoints(f, sp, d, true);
    }
  }
  // A pod DNATed to itself must be masqueraded, or its reply would skip conntrack's reverse NAT. Only
  // pods of this node can be (kube-proxy puts the check in every endpoint chain instead).
  const seen = new Set<string>();
  for (const ep of [...cluster, ...local]) {
    // Endpoints without a nodeName (hand-made slices) might be local pods too.
    if (seen.has(ep.ip) || !(ep.local || ep.nodeName === undefined || (ctx.podCIDR && cidrContains(ctx.podCIDR, ep.ip)))) continue;
    seen.add(ep.ip);
    f.element(N.hairpin, { key: [ep.ip, ep.ip] });
  }
}
