// Small lookups over a ClusterSnapshot shared by the trace steps.
import { parseCIDR } from '../net/index.js';
import { podCIDROf } from '../overlay/index.js';
import type { ClusterSnapshot, NodeLike, PodLike, ServiceLike } from './types.js';

export const podKey = (p: PodLike) => `${p.metadata.namespace ?? 'default'}/${p.metadata.name ?? ''}`;
export const svcKey = (s: ServiceLike) => `${s.metadata.namespace ?? 'default'}/${s.metadata.name ?? ''}`;

export function internalIPOf(n: NodeLike): string | undefined {
  return n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
}

export function nodeByName(snap: ClusterSnapshot, name: string | undefined): NodeLike | undefined {
  return name === undefined ? undefined : snap.nodes.find((n) => n.metadata?.name === name);
}

export function nodeByIP(snap: ClusterSnapshot, ip: string): NodeLike | undefined {
  return snap.nodes.find((n) => internalIPOf(n) === ip);
}

/** The node whose podCIDR holds `ip`. */
export function nodeOwningPodIP(snap: ClusterSnapshot, ip: string): NodeLike | undefined {
  return snap.nodes.find((n) => {
    const c = podCIDROf(n);
    try { return !!c && parseCIDR(c).contains(ip); } catch { return false; }
  });
}

export function podByIP(snap: ClusterSnapshot, ip: string): PodLike | undefined {
  return snap.pods.find((p) => p.status?.podIP === ip && !p.spec?.hostNetwork && !p.metadata.deletionTimestamp
    && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
}

export function podReady(p: PodLike): boolean {
  return (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

export function inCIDR(cidr: string, ip: string): boolean {
  try { return parseCIDR(cidr).contains(ip); } catch { return false; }
}
