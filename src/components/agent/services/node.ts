// What the service proxy needs from its own Node: the addresses that accept NodePorts (the Node's
// InternalIPs, kube-proxy nftables' "primary" default), the podCIDR (local endpoints, hairpin), and
// whether the node is eligible for load-balancer traffic (kube-proxy's /healthz answers 503 while the
// Node is being deleted or is tainted for deletion by the cluster autoscaler, KEP-3836).
import type { ProxyNode } from '../../../core/proxy/index.js';

/** The loose shape of a v1 Node this module reads (typed client objects and raw watch JSON both fit). */
export interface NodeLike {
  metadata?: { name?: string; deletionTimestamp?: unknown };
  spec?: { podCIDR?: string; podCIDRs?: string[]; taints?: Array<{ key?: string }> };
  status?: { addresses?: Array<{ type?: string; address?: string }> };
}

/** The cluster autoscaler's taint on a node it is about to remove. */
export const TO_BE_DELETED_TAINT = 'ToBeDeletedByClusterAutoscaler';

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * The ProxyNode for `nodeName`: InternalIPv4 addresses from the Node's status (the configured address
 * until the Node reports one), its IPv4 podCIDR when node IPAM has assigned it.
 */
export function proxyNodeOf(nodeName: string, configuredIP: string, clusterCIDR: string, node?: NodeLike): ProxyNode {
  const internal = (node?.status?.addresses ?? [])
    .filter((a) => a.type === 'InternalIP' && a.address && IPV4.test(a.address)).map((a) => a.address!);
  const cidrs = [node?.spec?.podCIDR, ...(node?.spec?.podCIDRs ?? [])].filter((c): c is string => !!c && c.includes('.'));
  return {
    name: nodeName,
    ips: internal.length ? [...new Set(internal)] : [configuredIP],
    podCIDR: cidrs[0],
    clusterCIDR,
  };
}

/** kube-proxy's SyncNode: a Node being deleted, or tainted for deletion, is not eligible. */
export function nodeEligible(node?: NodeLike): boolean {
  if (!node) return true;            // unknown yet: eligible while starting, as kube-proxy
  if (node.metadata?.deletionTimestamp) return false;
  return !(node.spec?.taints ?? []).some((t) => t.key === TO_BE_DELETED_TAINT);
}

export function sameProxyNode(a: ProxyNode, b: ProxyNode): boolean {
  return a.name === b.name && a.podCIDR === b.podCIDR && a.clusterCIDR === b.clusterCIDR
    && a.ips.length === b.ips.length && a.ips.every((ip, i) => ip === b.ips[i]);
}
