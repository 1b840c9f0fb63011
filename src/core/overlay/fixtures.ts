// Nodes as their agents leave them, for the planner's, differ's and programmer's tests.
import { overlayAnnotations, type OverlayMode, type OverlayNode } from './node.js';

/** Node i (1-based) as its agent leaves it: podCIDR 10.244.<i>.0/24 (wrapping into the third octet), InternalIP, annotations. */
export function node(i: number, mode: OverlayMode | null = 'vxlan', extra: Partial<OverlayNode['spec']> = {}): OverlayNode {
  const ip = `172.31.${240 + Math.floor(i / 250)}.${(i % 250) + 2}`;
  const mac = `0a:00:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
  return {
    metadata: { name: `n${i}`, annotations: mode ? overlayAnnotations(mode, ip, mode === 'vxlan' ? { VNI: 1, VtepMAC: mac } : undefined) : {} },
    spec: { podCIDR: `10.244.${i % 256}.0/24`, ...extra },
    status: { addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: `n${i}` }] },
  };
}
