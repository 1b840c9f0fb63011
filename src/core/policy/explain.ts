// "Which policy decided?": evaluates one connection attempt against the plans, the way the kernel
// table does (both ends must allow; traffic between a pod and its own node, and a pod to itself, is
// always allowed), and names the policies and rules responsible. `podnet trace` calls this.
//
//   explain(input, { src: '10.244.1.5', dst: '10.244.2.7', port: 80, protocol: 'TCP' })
//     → { allowed: false, egress: { isolated: false, ... }, ingress: { isolated: true,
//         policies: ['y/deny-all'], allowedBy: [], reason: 'y/b is isolated for ingress by y/deny-all and no rule allows ...' } }
import { type DirectionPlan, type Grant, PolicyIndex, type PodPlan } from './planner.js';
import { inRanges, ipRange } from './ranges.js';
import type { Direction, PolicyInput, Protocol } from './types.js';

export interface ConnectionQuery {
  /** Source IP (a pod, a node, anything). */
  src: string;
  /** Destination IP after Service DNAT (policies see the endpoint, not the ClusterIP). */
  dst: string;
  /** Destination port after DNAT (the container port). */
  port: number;
  protocol: Protocol | 'ICMP';
}

export interface DirectionVerdict {
  /** `namespace/name` of the pod whose policy this is (undefined: the address is no pod's). */
  pod?: string;
  isolated: boolean;
  allowed: boolean;
  /** Policies isolating the pod in this direction. */
  policies: string[];
  /** The rules that allow the connection (`policy` and its rule index), empty when none does. */
  allowedBy: Array<{ policy: string; rule: number }>;
  reason: string;
}

export interface Explanation {
  allowed: boolean;
  egress: DirectionVerdict;
  ingress: DirectionVerdict;
}

export function grantAllows(g: Grant, peer: number, q: ConnectionQuery): boolean {
  if (!inRanges(g.addrs, peer)) return false;
  if (!g.ports) return true;
  return g.ports.some((p) => p.proto === q.protocol && q.port >= p.ports[0] && q.port <= p.ports[1]);
}

function judge(dir: Direction, plan: PodPlan | undefined, peerIP: string, hostIP: string | undefined, q: ConnectionQuery): DirectionVerdict {
  const who = plan ? `${plan.namespace}/${plan.name}` : undefined;
  const d: DirectionPlan | undefined = plan?.[dir];
  const base = { pod: who, policies: d?.policies ?? [], allowedBy: [] as DirectionVerdict['allowedBy'] };
  if (!plan) return { ...base, isolated: false, allowed: true, reason: `${dir === 'ingress' ? q.dst : q.src} is not a pod: no policy applies` };
  if (!d) return { ...base, isolated: false, allowed: true, reason: `${who} is not isolated for ${dir}: no policy selects it with ${dir === 'ingress' ? 'Ingress' : 'Egress'} in policyTypes` };
  if (peerIP === plan.ip) return { ...base, isolated: true, allowed: true, reason: `${who} talks to itself: a pod cannot block access to itself` };
  if (hostIP && peerIP === hostIP) return { ...base, isolated: true, allowed: true, reason: `traffic between ${who} and its node is always allowed` };
  const peer = ipRange(peerIP)?.[0];
  if (peer !== undefined) {
    for (const r of d.rules) if (r.grants.some((g) => grantAllows(g, peer, q))) base.allowedBy.push({ policy: r.policy, rule: r.index });
  }
  const proto = q.protocol === 'ICMP' ? 'ICMP' : `${q.protocol}/${q.port}`;
  if (base.allowedBy.length) {
    return { ...base, isolated: true, allowed: true, reason: `${who} ${dir} ${proto} ${dir === 'ingress' ? 'from' : 'to'} ${peerIP} is allowed by ${base.allowedBy.map((a) => `${a.policy} ${dir}[${a.rule}]`).join(', ')}` };
  }
  return { ...base, isolated: true, allowed: false, reason: `${who} is isolated for ${dir} by ${d.policies.join(', ')} and no rule allows ${proto} ${dir === 'ingress' ? 'from' : 'to'} ${peerIP}` };
}

/** Explains one connection; pass a PolicyIndex to explain many against one snapshot. */
export function explain(input: PolicyInput | PolicyIndex, q: ConnectionQuery): Explanation {
  const index = input instanceof PolicyIndex ? input : new PolicyIndex(input);
  const srcPod = index.podAt(q.src);
  const dstPod = index.podAt(q.dst);
  const egress = judge('egress', srcPod && index.planPod(srcPod), q.dst, srcPod?.status?.hostIP, q);
  const ingress = judge('ingress', dstPod && index.planPod(dstPod), q.src, dstPod?.status?.hostIP, q);
  return { allowed: egress.allowed && ingress.allowed, egress, ingress };
}
