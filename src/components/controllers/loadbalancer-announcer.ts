// Which node announces a LoadBalancer address on the underlay (answers ARP for it), as MetalLB's layer-2
// mode elects one speaker per address: pure, no I/O. The LoadBalancer controller writes the choice into
// the Service's `podnet.io/announcing-node` annotation; that node's agent answers ARP for the address
// and its proxy rules take the traffic from there.
//
//  - Eligible: Ready nodes, not being deleted, without node.kubernetes.io/exclude-from-external-load-balancers.
//  - externalTrafficPolicy Local: only nodes with a ready endpoint of the Service (anything else would
//    drop the traffic); if no node has one, any eligible node, so that clients get the proxy's reject
//    ("no endpoints") rather than silence.
//  - The current node keeps the address while it stays eligible (no needless failover); otherwise the
//    node ranked first by a hash of node name and address (stable, and spreads addresses over nodes).
import { createHash } from 'node:crypto';
import type { JsonObject } from '../../core/api/object.js';

export const ANNOTATION_ANNOUNCING_NODE = 'podnet.io/announcing-node';
export const LABEL_EXCLUDE_FROM_LB = 'node.kubernetes.io/exclude-from-external-load-balancers';

export function isNodeEligible(node: JsonObject): boolean {
  if (node.metadata?.deletionTimestamp) return false;
  if (node.metadata?.labels?.[LABEL_EXCLUDE_FROM_LB] !== undefined) return false;
  return (node.status?.conditions ?? []).some((c: JsonObject) => c.type === 'Ready' && c.status === 'True');
}

/** Nodes that run a ready endpoint, from the Service's EndpointSlices (whoever manages them). */
export function nodesWithReadyEndpoints(slices: JsonObject[]): Set<string> {
  const out = new Set<string>();
  for (const s of slices) {
    for (const ep of s.endpoints ?? []) {
      // A nil ready condition means ready (discovery/v1 semantics).
      if (ep.nodeName && ep.conditions?.ready !== false) out.add(ep.nodeName);
    }
  }
  return out;
}

function rank(node: string, ip: string): string {
  return createHash('sha256').update(`${node}#${ip}`).digest('hex');
}

export interface AnnouncerInput {
  service: JsonObject;
  ip: string;
  nodes: JsonObject[];
  slices: JsonObject[];
  /** The node announcing now (the annotation), if any. */
  current?: string;
}

/** The node that should announce ip, or undefined when no node is eligible. */
export function chooseAnnouncingNode({ service, ip, nodes, slices, current }: AnnouncerInput): string | undefined {
  const eligible = nodes.filter(isNodeEligible).map((n) => n.metadata.name as string);
  let candidates = eligible;
  if (service.spec?.externalTrafficPolicy === 'Local') {
    const local = nodesWithReadyEndpoints(slices);
    const withEndpoints = eligible.filter((n) => local.has(n));
    if (withEndpoints.length) candidates = withEndpoints;
  }
  if (candidates.length === 0) return undefined;
  if (current && candidates.includes(current)) return current;
  return [...candidates].sort((a, b) => rank(a, ip).localeCompare(rank(b, ip)) || a.localeCompare(b))[0];
}
