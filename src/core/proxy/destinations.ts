// The destinations of one service port and how they enter the fixed maps: ClusterIP and external IPs
// are keyed `ip . proto . port` in @service-ips / @no-endpoint-services, NodePorts `proto . port` in
// @service-nodeports / @no-endpoint-nodeports. Both layouts (maps and chains) go through here.
import { cidrContains } from '../net/index.js';
import { servicePortChain } from './names.js';
import type { Fragment } from './fragment.js';
import { drop, goto, type Verdict, verdict } from '../nft/ruleset.js';
import type { ServicePortShell } from './service-ports.js';
import { claim, N, type PlanContext } from './skeleton.js';

export interface Destination {
  kind: 'clusterIP' | 'externalIP' | 'nodePort';
  /** Map key: `[ip, proto, port]` or, for NodePorts, `[proto, port]`. */
  key: string[];
}

/** Every destination a service port asks for, with the key it is claimed under. */
export function wantedDestinations(sp: ServicePortShell): Array<Destination & { claim: string }> {
  const out: Array<Destination & { claim: string }> = [];
  const ipDest = (kind: Destination['kind'], ip: string) => {
    const key = [ip, sp.protocol, String(sp.port)];
    out.push({ kind, key, claim: key.join(' . ') });
  };
  ipDest('clusterIP', sp.clusterIP);
  for (const ip of sp.externalIPs) ipDest('externalIP', ip);
  if (sp.nodePort !== undefined) {
    const key = [sp.protocol, String(sp.nodePort)];
    out.push({ kind: 'nodePort', key, claim: `nodeport ${key.join(' . ')}` });
  }
  return out;
}

/** The service port's destinations this planner owns (conflicting ones are reported and skipped). */
export function destinations(ctx: PlanContext, sp: ServicePortShell): Destination[] {
  return wantedDestinations(sp).filter((d) => claim(ctx, d.claim, sp.comment)).map(({ kind, key }) => ({ kind, key }));
}

/** Sends new connections to `dest` to a chain (DNAT path). */
export function serviceTarget(f: Fragment, sp: ServicePortShell, dest: Destination, chain: string): void {
  f.element(dest.kind === 'nodePort' ? N.serviceNodePorts : N.serviceIPs, { key: dest.key, value: goto(chain), comment: sp.comment });
}

/**
 * No usable endpoint for `dest`: reject (TCP reset / ICMP port-unreachable, so clients fail at once)
 * when the service has no endpoints anywhere; drop when endpoints exist but none for this traffic's
 * policy scope (traffic policy Local on a node without local endpoints), as kube-proxy does.
 */
export function noEndpoints(f: Fragment, sp: ServicePortShell, dest: Destination, anyEndpoints: boolean): void {
  const v: Verdict = anyEndpoints ? drop : goto(N.rejectChain);
  f.element(dest.kind === 'nodePort' ? N.noEndpointNodePorts : N.noEndpointServices, { key: dest.key, value: v, comment: sp.comment });
}

/**
 * loadBalancerSourceRanges: packets to a LoadBalancer IP from elsewhere are dropped before DNAT. They do
 * not apply to NodePorts or the ClusterIP. When a range holds a node IP, the LB IPs themselves are allowed
 * too, so that the node (which may source from the LB IP after hairpinning) is not locked out.
 */
export function planFirewall(f: Fragment, sp: ServicePortShell, dests: Destination[], nodeIPs: string[]): void {
  if (!sp.sourceRanges.length) return;
  const lbDests = dests.filter((d) => d.kind === 'externalIP' && sp.loadBalancerIPs.includes(d.key[0]));
  if (!lbDests.length) return;
  const allowed = [...sp.sourceRanges];
  if (sp.sourceRanges.some((r) => nodeIPs.some((ip) => cidrContains(r, ip)))) allowed.push(...sp.loadBalancerIPs);
  const name = servicePortChain('firewall', sp.id);
  f.chain({ name, rules: [{
    matches: [{ kind: 'addr', field: 'saddr', op: '!=', values: allowed }],
    stmts: [verdict(drop)], comment: `${sp.comment} loadBalancerSourceRanges`,
  }] });
  for (const d of lbDests) f.element(N.firewallIPs, { key: d.key, value: goto(name), comment: sp.comment });
}
