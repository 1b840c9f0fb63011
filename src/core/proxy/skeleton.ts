// The fixed part of the table, copied from kube-proxy's nftables layout (pkg/proxy/nftables, KEP-3866):
// DNAT in `nat` chains at priority dstnat on prerouting/output, masquerade at srcnat on postrouting for
// packets carrying the masquerade mark, and the no-endpoint reject/drop in `filter` chains at priority
// filter on input/forward/output (reject is not allowed in prerouting on older kernels). The per-service
// parts only ever add elements to the maps declared here, or chains those elements point to.
import { IPParseError, parseCIDR } from '../net/index.js';
import {
  addChain, addSet, emptyRuleset, type Hook, goto, jump, type Rule, type Ruleset, ret, verdict, drop,
} from '../nft/ruleset.js';
import type { ProxyInput } from './types.js';

/** Names of the fixed chains and sets (kube-proxy's, so that its documentation applies). */
export const N = {
  services: 'services',
  markForMasquerade: 'mark-for-masquerade',
  masquerading: 'masquerading',
  rejectChain: 'reject-chain',
  firewallCheck: 'firewall-check',
  serviceEndpointsCheck: 'service-endpoints-check',
  nodeportEndpointsCheck: 'nodeport-endpoints-check',
  clusterIPsCheck: 'cluster-ips-check',
  serviceIPs: 'service-ips',
  serviceNodePorts: 'service-nodeports',
  noEndpointServices: 'no-endpoint-services',
  noEndpointNodePorts: 'no-endpoint-nodeports',
  firewallIPs: 'firewall-ips',
  clusterIPs: 'cluster-ips',
  nodePortIPs: 'nodeport-ips',
  /** pairs `endpoint . endpoint` of this node's endpoints: a packet DNATed back to its sender (hairpin). */
  hairpin: 'hairpin-endpoints',
} as const;

export const IP_PORT_VERDICT = 'type ipv4_addr . inet_proto . inet_service : verdict';
export const PORT_VERDICT = 'type inet_proto . inet_service : verdict';

/** What the per-service planners share while they fill one Ruleset. */
export interface PlanContext {
  rs: Ruleset;
  masqBit: number;
  masqueradeAll: boolean;
  /** Sources inside this range are "in cluster" (kube-proxy detect-local, ClusterCIDR mode). */
  localCIDR: string;
  /** This node's pod range, when known: endpoints in it are local for hairpin purposes. */
  podCIDR?: string;
  /** Destinations (`ip . proto . port` or `proto . port`) already given to a service port. */
  claimed: Map<string, string>;
}

export function newContext(input: ProxyInput): PlanContext {
  const opts = input.options ?? {};
  const table = opts.table ?? 'podnet';
  if (!/^[A-Za-z][A-Za-z0-9_-]{0,31}$/.test(table)) {
    throw new Error(`proxy option table: "${table}" is not a valid nft table name (letters, digits, - and _, at most 32)`);
  }
  const masqBit = opts.masqueradeBit ?? 14;
  if (!Number.isInteger(masqBit) || masqBit < 0 || masqBit > 31) {
    throw new Error(`proxy option masqueradeBit: ${masqBit} is not a bit number 0..31`);
  }
  const rs = emptyRuleset(table);
  const localCIDR = checkCIDR(input.node.clusterCIDR || input.node.podCIDR || '',
    'proxy node clusterCIDR (the pod network, e.g. 10.244.0.0/16)');
  for (const ip of input.node.ips) checkCIDR(ip, `proxy node ${input.node.name} ip`);
  const podCIDR = input.node.podCIDR ? checkCIDR(input.node.podCIDR, 'proxy node podCIDR') : undefined;
  const ctx: PlanContext = { rs, masqBit, masqueradeAll: !!opts.masqueradeAll, localCIDR, podCIDR, claimed: new Map() };
  planSkeleton(ctx, input.node.ips, (opts.serviceCIDRs ?? []).map((c) => checkCIDR(c, 'proxy option serviceCIDRs')));
  return ctx;
}

const base = (rs: Ruleset, name: string, type: 'nat' | 'filter', hook: Hook, priority: number, rules: Rule[]) =>
  addChain(rs, { name, base: { type, hook, priority }, rules });

const ctNewJump = (chain: string): Rule => ({ matches: [{ kind: 'ctStateNew' }], stmts: [verdict(jump(chain))] });

function planSkeleton(ctx: PlanContext, nodeIPs: string[], serviceCIDRs: string[]): void {
  const { rs, masqBit } = ctx;
  // Sets and maps first: chains below refer to them.
  addSet(rs, { name: N.serviceIPs, kind: 'map', type: IP_PORT_VERDICT, comment: 'ClusterIP, external IP and LoadBalancer IP traffic' });
  addSet(rs, { name: N.serviceNodePorts, kind: 'map', type: PORT_VERDICT, comment: 'NodePort traffic' });
  addSet(rs, { name: N.noEndpointServices, kind: 'map', type: IP_PORT_VERDICT, comment: 'vmap to drop or reject packets to services with no endpoints' });
  addSet(rs, { name: N.noEndpointNodePorts, kind: 'map', type: PORT_VERDICT, comment: 'vmap to drop or reject packets to service nodeports with no endpoints' });
  addSet(rs, { name: N.firewallIPs, kind: 'map', type: IP_PORT_VERDICT, comment: 'destinations that are subject to LoadBalancerSourceRanges' });
  addSet(rs, { name: N.clusterIPs, kind: 'set', type: 'type ipv4_addr', comment: 'Active ClusterIPs' });
  const nodePortIPs = addSet(rs, { name: N.nodePortIPs, kind: 'set', type: 'type ipv4_addr', comment: 'IPs that accept NodePort traffic' });
  for (const ip of nodeIPs) nodePortIPs.elements.set(ip, { key: [ip] });
  addSet(rs, { name: N.hairpin, kind: 'set', type: 'type ipv4_addr . ipv4_addr', comment: 'local endpoints, to masquerade a pod reaching itself through a service' });

  // Helper chains.
  addChain(rs, { name: N.markForMasquerade, rules: [{ matches: [], stmts: [{ kind: 'markOr', bit: masqBit }] }] });
  addChain(rs, { name: N.masquerading, rules: [
    { matches: [{ kind: 'pairSet', set: N.hairpin }], stmts: [{ kind: 'masquerade', fullyRandom: true }], comment: 'hairpin' },
    { matches: [{ kind: 'markClear', bit: masqBit }], stmts: [verdict(ret)] },
    { matches: [], stmts: [{ kind: 'markXor', bit: masqBit }] },
    { matches: [], stmts: [{ kind: 'masquerade', fullyRandom: true }] },
  ] });
  // `reject` can't be a vmap verdict, hence a chain; TCP gets a reset, the rest ICMP port-unreachable.
  addChain(rs, { name: N.rejectChain, comment: 'helper for @no-endpoint-services / @no-endpoint-nodeports', rules: [
    { matches: [{ kind: 'l4proto', proto: 'tcp' }], stmts: [{ kind: 'reject', tcpReset: true }] },
    { matches: [], stmts: [{ kind: 'reject' }] },
  ] });
  addChain(rs, { name: N.services, rules: [
    { matches: [], stmts: [{ kind: 'vmap', key: ['daddr', 'l4proto', 'dport'], map: N.serviceIPs }] },
    { matches: [{ kind: 'addrSet', field: 'daddr', set: N.nodePortIPs }],
      stmts: [{ kind: 'vmap', key: ['l4proto', 'dport'], map: N.serviceNodePorts }] },
  ] });
  addChain(rs, { name: N.firewallCheck, rules: [
    { matches: [], stmts: [{ kind: 'vmap', key: ['daddr', 'l4proto', 'dport'], map: N.firewallIPs }] },
  ] });
  addChain(rs, { name: N.serviceEndpointsCheck, rules: [
    { matches: [], stmts: [{ kind: 'vmap', key: ['daddr', 'l4proto', 'dport'], map: N.noEndpointServices }] },
  ] });
  addChain(rs, { name: N.nodeportEndpointsCheck, rules: [
    { matches: [{ kind: 'addrSet', field: 'daddr', set: N.nodePortIPs }],
      stmts: [{ kind: 'vmap', key: ['l4proto', 'dport'], map: N.noEndpointNodePorts }] },
  ] });
  // Runs after DNAT: a packet still addressed to a ClusterIP hit no service port of it.
  const clusterIPsCheck: Rule[] = [{ matches: [{ kind: 'addrSet', field: 'daddr', set: N.clusterIPs }],
    stmts: [verdict(goto(N.rejectChain))], comment: 'Reject traffic to invalid ports of ClusterIPs' }];
  if (serviceCIDRs.length) {
    clusterIPsCheck.push({ matches: [{ kind: 'addr', field: 'daddr', op: '==', values: serviceCIDRs }],
      stmts: [verdict(drop)], comment: 'Drop traffic to unallocated ClusterIPs' });
  }
  addChain(rs, { name: N.clusterIPsCheck, rules: clusterIPsCheck });

  // Base chains (numeric priorities: nft 1.0.6 accepts `dstnat` only on prerouting).
  base(rs, 'filter-prerouting-pre-dnat', 'filter', 'prerouting', -110, [ctNewJump(N.firewallCheck)]);
  base(rs, 'filter-output-pre-dnat', 'filter', 'output', -110, [ctNewJump(N.firewallCheck)]);
  base(rs, 'nat-prerouting', 'nat', 'prerouting', -100, [{ matches: [], stmts: [verdict(jump(N.services))] }]);
  base(rs, 'nat-output', 'nat', 'output', -100, [{ matches: [], stmts: [verdict(jump(N.services))] }]);
  base(rs, 'filter-input', 'filter', 'input', 0, [ctNewJump(N.nodeportEndpointsCheck), ctNewJump(N.serviceEndpointsCheck)]);
  base(rs, 'filter-forward', 'filter', 'forward', 0, [ctNewJump(N.serviceEndpointsCheck), ctNewJump(N.clusterIPsCheck)]);
  base(rs, 'filter-output', 'filter', 'output', 0, [ctNewJump(N.serviceEndpointsCheck), ctNewJump(N.clusterIPsCheck)]);
  base(rs, 'nat-postrouting', 'nat', 'postrouting', 100, [{ matches: [], stmts: [verdict(jump(N.masquerading))] }]);
}

/**
 * Reserves a destination for one service port. Two services can't share an IP/port (the API server
 * prevents it for ClusterIPs and NodePorts; external IPs are not checked by Kubernetes): the first in
 * namespace/name order keeps it and the conflict is reported.
 */
export function claim(ctx: PlanContext, dest: string, owner: string): boolean {
  const prev = ctx.claimed.get(dest);
  if (prev === undefined) {
    ctx.claimed.set(dest, owner);
    return true;
  }
  if (prev !== owner) ctx.rs.warnings.push(`${owner}: destination ${dest} is already used by ${prev}; ignored`);
  return false;
}

/** Validates an IPv4 range (or address) for a rule, so that nft never sees a malformed one. */
function checkCIDR(cidr: string, what: string): string {
  if (parseCIDR(cidr, { bareIP: true, what }).family !== 4) {
    throw new IPParseError(`invalid ${what} "${cidr}": the service proxy programs IPv4 only (one table per family, as kube-proxy)`);
  }
  return cidr;
}
