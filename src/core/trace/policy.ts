// NetworkPolicy verdicts for a trace: the policy planner's own explain() (src/core/policy) asked about
// the connection as each end's node sees it — egress from the source pod with the endpoint after DNAT,
// ingress at the endpoint pod with the source address that reaches its node (a masquerading node's
// address when the proxy masqueraded across nodes). A deny names the policies and says which rule to add.
import { explain, PolicyIndex, POLICY_TABLE, podChainName, type DirectionVerdict, type Protocol } from '../policy/index.js';
import type { ClusterSnapshot, PodLike, PolicyQuery, PolicyVerdict } from './types.js';

const indexes = new WeakMap<ClusterSnapshot, PolicyIndex>();

/** One PolicyIndex per snapshot: a trace asks once per endpoint. */
function indexOf(snap: ClusterSnapshot): PolicyIndex {
  let idx = indexes.get(snap);
  if (!idx) {
    idx = new PolicyIndex({ policies: snap.networkPolicies ?? [], pods: snap.pods as never, namespaces: snap.namespaces });
    indexes.set(snap, idx);
  }
  return idx;
}

const labelsText = (l: Record<string, string> | undefined) => Object.entries(l ?? {}).map(([k, v]) => `${k}: ${v}`).join(', ');

/** The peer as a NetworkPolicy peer would select it: the pod's labels (and namespace), or its address. */
function peerText(pod: PodLike | undefined, ip: string, policyNs: string): string {
  if (!pod) return `{ ipBlock: { cidr: ${ip}/32 } }`;
  const ns = pod.metadata.namespace ?? 'default';
  const sel = `podSelector: { matchLabels: { ${labelsText(pod.metadata.labels)} } }`;
  return ns === policyNs ? `{ ${sel} }` : `{ namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: ${ns} } }, ${sel} }`;
}

function fixFor(dir: 'egress' | 'ingress', v: DirectionVerdict, peer: PodLike | undefined, peerIP: string, port: number, proto: Protocol): string {
  const policy = v.policies[0];
  const ns = policy?.split('/')[0] ?? 'default';
  return `add to NetworkPolicy ${policy} (or to a new policy selecting pod ${v.pod}) the ${dir} rule `
    + `{ ${dir === 'ingress' ? 'from' : 'to'}: [${peerText(peer, peerIP, ns)}], ports: [{ protocol: ${proto}, port: ${port} }] }`;
}

function verdict(dir: 'egress' | 'ingress', v: DirectionVerdict, q: PolicyQuery, peer: PodLike | undefined, peerIP: string, ip: string): PolicyVerdict {
  const proto = q.proto.toUpperCase() as Protocol;
  const out: PolicyVerdict = {
    allowed: v.allowed, direction: dir,
    decidedBy: v.allowed && v.allowedBy.length
      ? `NetworkPolicy ${[...new Set(v.allowedBy.map((a) => a.policy))].join(', ')}`
      : `NetworkPolicy ${v.policies.join(', ')}`,
    why: v.allowed ? [v.reason, `pod ${v.pod} is isolated for ${dir} by ${v.policies.join(', ')}: only what one of their rules allows passes`] : [v.reason],
    table: POLICY_TABLE, chain: podChainName(dir, ip),
  };
  if (!v.allowed) out.fix = fixFor(dir, v, peer, peerIP, q.port, proto);
  return out;
}

/** One verdict per direction in which a policy isolates the pod at that end (none: nothing isolates them). */
export function policyVerdicts(q: PolicyQuery, snap: ClusterSnapshot): PolicyVerdict[] {
  if (!snap.networkPolicies?.length) return [];
  const idx = indexOf(snap);
  const protocol = q.proto.toUpperCase() as Protocol;
  const out: PolicyVerdict[] = [];
  const e = explain(idx, { src: q.src.ip, dst: q.dst.ip, port: q.port, protocol });
  if (e.egress.isolated) out.push(verdict('egress', e.egress, q, q.dst.pod, q.dst.ip, q.src.ip));
  // The destination's node sees the source after any masquerade on the way: ask again with that address.
  const seen = q.seenSrc ?? q.src.ip;
  const i = seen === q.src.ip ? e.ingress : explain(idx, { src: seen, dst: q.dst.ip, port: q.port, protocol }).ingress;
  if (i.isolated) {
    const v = verdict('ingress', i, q, seen === q.src.ip ? q.src.pod : undefined, seen, q.dst.ip);
    if (seen !== q.src.ip) v.why.push(`the proxy masqueraded the connection: the pod's node sees ${seen} as its source, not ${q.src.ip}`);
    out.push(v);
  }
  return out;
}
