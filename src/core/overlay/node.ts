// What the overlay reads from a Node, and the flannel annotations through which nodes tell each other
// their tunnel endpoints. podnet writes exactly flannel's annotations (`flannel.alpha.coreos.com/*`,
// with `--kube-subnet-mgr`), so `kubectl get node -o yaml` shows what a flannel cluster shows.
import { parseCIDR, parseIP } from '../net/index.js';
import type { OverlayMode } from '../cluster/config.js';

export type { OverlayMode };

/** The fields of a Node the overlay uses; a V1Node from @kubernetes/client-node and a KubeObject both fit. */
export interface OverlayNode {
  metadata?: { name?: string; annotations?: Record<string, string> };
  spec?: { podCIDR?: string; podCIDRs?: string[] };
  status?: { addresses?: Array<{ type: string; address: string }> };
}

const PREFIX = 'flannel.alpha.coreos.com/';
export const ANNOTATION_BACKEND_TYPE = `${PREFIX}backend-type`;
export const ANNOTATION_BACKEND_DATA = `${PREFIX}backend-data`;
export const ANNOTATION_PUBLIC_IP = `${PREFIX}public-ip`;
/** Set by a user to make flannel use another address than the detected one; honoured here too. */
export const ANNOTATION_PUBLIC_IP_OVERWRITE = `${PREFIX}public-ip-overwrite`;
export const ANNOTATION_KUBE_SUBNET_MANAGER = `${PREFIX}kube-subnet-manager`;

/** flannel's vxlan backend-data: `{"VNI":1,"VtepMAC":"86:8e:..."}`. */
export interface VxlanBackendData { VNI: number; VtepMAC: string }

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

export function nodeNameOf(node: OverlayNode): string {
  return node.metadata?.name ?? '';
}

/** The node's IPv4 podCIDR (spec.podCIDR, else the first IPv4 entry of spec.podCIDRs), or undefined. */
export function podCIDROf(node: OverlayNode): string | undefined {
  const candidates = [node.spec?.podCIDR, ...(node.spec?.podCIDRs ?? [])].filter((c): c is string => !!c);
  for (const c of candidates) {
    try {
      const cidr = parseCIDR(c);
      if (cidr.family === 4) return cidr.toString();
    } catch { /* not a CIDR: the API validates podCIDR, so this is a foreign object; ignore it */ }
  }
  return undefined;
}

function ipv4(s: string | undefined): string | undefined {
  if (!s) return undefined;
  try { return parseIP(s).family === 4 ? s : undefined; } catch { return undefined; }
}

/**
 * The address tunnels and host-gw routes point at: public-ip-overwrite, else the published public-ip,
 * else the InternalIP, as flannel chooses.
 */
export function publicIPOf(node: OverlayNode): string | undefined {
  const a = node.metadata?.annotations ?? {};
  return ipv4(a[ANNOTATION_PUBLIC_IP_OVERWRITE]) ?? ipv4(a[ANNOTATION_PUBLIC_IP])
    ?? ipv4(node.status?.addresses?.find((x) => x.type === 'InternalIP')?.address);
}

export function backendTypeOf(node: OverlayNode): string | undefined {
  return node.metadata?.annotations?.[ANNOTATION_BACKEND_TYPE];
}

/** The vxlan backend-data of a node, or a reason it is missing or unusable. */
export function vxlanBackendDataOf(node: OverlayNode): VxlanBackendData | { error: string } {
  const raw = node.metadata?.annotations?.[ANNOTATION_BACKEND_DATA];
  if (raw === undefined) return { error: `it has no ${ANNOTATION_BACKEND_DATA} annotation yet (its agent has not set up its VTEP)` };
  let data: unknown;
  try { data = JSON.parse(raw); } catch {
    return { error: `its ${ANNOTATION_BACKEND_DATA} annotation is not JSON: ${JSON.stringify(raw)}` };
  }
  const d = data as Partial<VxlanBackendData> | null;
  const mac = typeof d?.VtepMAC === 'string' ? d.VtepMAC.toLowerCase() : '';
  if (!MAC.test(mac)) return { error: `its ${ANNOTATION_BACKEND_DATA} annotation has no valid VtepMAC: ${raw}` };
  if (!Number.isInteger(d?.VNI)) return { error: `its ${ANNOTATION_BACKEND_DATA} annotation has no integer VNI: ${raw}` };
  return { VNI: d!.VNI!, VtepMAC: mac };
}

/**
 * The annotations a node publishes about itself, as flanneld with --kube-subnet-mgr writes them. host-gw
 * has no backend data; flannel marshals its nil value, which is the string "null".
 */
export function overlayAnnotations(mode: OverlayMode, publicIP: string, vxlan?: VxlanBackendData): Record<string, string> {
  if (mode === 'vxlan' && !vxlan) throw new Error('the vxlan annotations need the VTEP\'s VNI and MAC');
  return {
    [ANNOTATION_BACKEND_TYPE]: mode,
    [ANNOTATION_BACKEND_DATA]: mode === 'vxlan' ? JSON.stringify({ VNI: vxlan!.VNI, VtepMAC: vxlan!.VtepMAC }) : 'null',
    [ANNOTATION_KUBE_SUBNET_MANAGER]: 'true',
    [ANNOTATION_PUBLIC_IP]: publicIP,
  };
}

/** The subset of `wanted` that `node` does not already carry: empty when no patch is needed. */
export function missingAnnotations(node: OverlayNode, wanted: Record<string, string>): Record<string, string> {
  const have = node.metadata?.annotations ?? {};
  return Object.fromEntries(Object.entries(wanted).filter(([k, v]) => have[k] !== v));
}
