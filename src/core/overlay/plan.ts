// The overlay planner: from this node, all Nodes and the mode, the kernel state the node namespace must
// hold so that its pods reach every other node's pods without NAT. Pure and deterministic.
//
// vxlan (flannel's layout): one VTEP `flannel.1` (VNI 1, UDP 8472, nolearning, MTU uplink-50) with the
// address <podCIDR network>/32; per remote node a permanent ARP entry for <its podCIDR network> with its
// VTEP MAC, an FDB entry sending that MAC to its public IP, and a route to its podCIDR via that address,
// onlink. host-gw: per remote node a route to its podCIDR via its public IP on the uplink.
import { parseCIDR, type CIDR } from '../net/index.js';
import type { OverlayState, RouteState } from './state.js';
import {
  backendTypeOf, nodeNameOf, podCIDROf, publicIPOf, vxlanBackendDataOf, type OverlayMode, type OverlayNode,
} from './node.js';

/** flannel's device name, VNI and port (the kernel's default VXLAN port, not IANA's 4789). */
export const VXLAN_DEVICE = 'flannel.1';
export const VXLAN_VNI = 1;
export const VXLAN_PORT = 8472;
/** Outer IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14. */
export const VXLAN_OVERHEAD = 50;
export const DEFAULT_UPLINK = 'eth0';
export const DEFAULT_UPLINK_MTU = 1500;

/**
 * The MTU pods (and the VTEP) must use so that encapsulated packets fit the uplink: uplink-50 with vxlan,
 * the uplink's own with host-gw. The CNI config of the node must give pods this MTU.
 */
export function podMTU(mode: OverlayMode, uplinkMTU = DEFAULT_UPLINK_MTU): number {
  return mode === 'vxlan' ? uplinkMTU - VXLAN_OVERHEAD : uplinkMTU;
}

export interface PlanOptions {
  /** This node's underlay address; by default taken from the Node (public-ip annotation or InternalIP). */
  publicIP?: string;
  /** The node's underlay device, `eth0`. */
  uplink?: string;
  uplinkMTU?: number;
  /**
   * The subnets on the uplink (its addresses with their prefixes). With host-gw, a remote node outside
   * all of them is behind a router and cannot be a next hop: it is skipped with that reason instead of
   * failing the sync. Not checked when absent.
   */
  uplinkSubnets?: readonly string[];
}

export interface SkippedNode { node: string; reason: string }

export interface OverlayPlan {
  state: OverlayState;
  /** Remote nodes that got no entries, and why (no podCIDR yet, VTEP not published, other backend, ...). */
  skipped: SkippedNode[];
  /** What pods on this node must use (see podMTU). */
  podMTU: number;
}

export class OverlayPlanError extends Error {
  constructor(message: string) { super(message); this.name = 'OverlayPlanError'; }
}

function mustParse(cidr: string, what: string): CIDR {
  try { return parseCIDR(cidr); } catch (e) {
    throw new OverlayPlanError(`invalid ${what} ${JSON.stringify(cidr)}: ${(e as Error).message}`);
  }
}

/**
 * Desired state of `self`'s namespace given every Node (self may be among them). Throws OverlayPlanError
 * when self cannot be planned yet (no podCIDR, no address) or the mode is unknown.
 */
export function planOverlay(self: OverlayNode, nodes: readonly OverlayNode[], mode: OverlayMode, clusterCIDR: string, opts: PlanOptions = {}): OverlayPlan {
  if (mode !== 'vxlan' && mode !== 'host-gw') {
    throw new OverlayPlanError(`unknown overlay mode ${JSON.stringify(mode)}: use "vxlan" or "host-gw"`);
  }
  const selfName = nodeNameOf(self);
  const cluster = mustParse(clusterCIDR, 'cluster CIDR');
  const selfCIDRText = podCIDROf(self);
  if (!selfCIDRText) throw new OverlayPlanError(`node ${selfName} has no IPv4 spec.podCIDR yet: the node IPAM controller of podnet server assigns one`);
  const selfCIDR = mustParse(selfCIDRText, `podCIDR of node ${selfName}`);
  if (!cluster.containsCIDR(selfCIDR)) {
    throw new OverlayPlanError(`the podCIDR ${selfCIDR} of node ${selfName} is outside the cluster CIDR ${cluster}: the Node and the cluster configuration disagree`);
  }
  const publicIP = opts.publicIP ?? publicIPOf(self);
  if (!publicIP) throw new OverlayPlanError(`node ${selfName} has no InternalIP and no ${'flannel.alpha.coreos.com/public-ip'} annotation: the overlay needs its underlay address`);
  const uplink = opts.uplink ?? DEFAULT_UPLINK;
  const uplinkMTU = opts.uplinkMTU ?? DEFAULT_UPLINK_MTU;

  const state: OverlayState = {
    addresses: [], neighbours: [], fdb: [], routes: [],
    masquerade: { podCIDR: selfCIDR.toString(), clusterCIDR: cluster.toString() },
  };
  if (mode === 'vxlan') {
    const own = vxlanBackendDataOf(self);
    state.vxlan = {
      name: VXLAN_DEVICE, vni: VXLAN_VNI, port: VXLAN_PORT, local: publicIP, dev: uplink, learning: false,
      mtu: uplinkMTU - VXLAN_OVERHEAD, ...('VtepMAC' in own ? { address: own.VtepMAC } : {}),
    };
    state.addresses.push(`${selfCIDR.network}/32`);
  }

  const skipped: SkippedNode[] = [];
  // Two nodes claiming the same podCIDR would steal each other's traffic; the first by name wins, as a
  // deterministic rule, and the other is reported.
  const claimed: Array<{ cidr: CIDR; node: string }> = [{ cidr: selfCIDR, node: selfName }];
  const remotes = nodes.filter((n) => nodeNameOf(n) !== selfName).sort((a, b) => nodeNameOf(a).localeCompare(nodeNameOf(b)));
  for (const node of remotes) {
    const name = nodeNameOf(node);
    const skip = (reason: string) => { skipped.push({ node: name, reason }); };
    const cidrText = podCIDROf(node);
    if (!cidrText) { skip('it has no IPv4 spec.podCIDR yet'); continue; }
    const cidr = parseCIDR(cidrText);
    if (!cluster.containsCIDR(cidr)) { skip(`its podCIDR ${cidr} is outside the cluster CIDR ${cluster}`); continue; }
    const holder = claimed.find((c) => c.cidr.overlaps(cidr))?.node;
    if (holder !== undefined) { skip(`its podCIDR ${cidr} overlaps the podCIDR of node ${holder}`); continue; }
    const type = backendTypeOf(node);
    if (type !== mode) {
      skip(type === undefined
        ? `it has not published flannel.alpha.coreos.com/backend-type yet (its agent has not started its overlay)`
        : `it uses the ${type} backend and this node uses ${mode}: every node of a cluster must use the same --overlay`);
      continue;
    }
    const ip = publicIPOf(node);
    if (!ip) { skip('it has no InternalIP and no flannel.alpha.coreos.com/public-ip annotation'); continue; }
    if (mode === 'vxlan') {
      const data = vxlanBackendDataOf(node);
      if ('error' in data) { skip(data.error); continue; }
      if (data.VNI !== VXLAN_VNI) { skip(`its VTEP uses VNI ${data.VNI}, this node uses ${VXLAN_VNI}`); continue; }
      const gateway = cidr.network;
      state.neighbours.push({ ip: gateway, lladdr: data.VtepMAC, dev: VXLAN_DEVICE });
      state.fdb.push({ mac: data.VtepMAC, dst: ip, dev: VXLAN_DEVICE });
      state.routes.push({ dst: cidr.toString(), via: gateway, dev: VXLAN_DEVICE, onlink: true });
    } else {
      if (opts.uplinkSubnets && !opts.uplinkSubnets.some((s) => parseCIDR(s).contains(ip))) {
        skip(`host-gw needs it on this node's L2 segment (${opts.uplinkSubnets.join(', ') || `no address on ${uplink}`}), but its address ${ip} is behind a router: ` +
          'bring the cluster up with --overlay vxlan to reach nodes on other hosts');
        continue;
      }
      state.routes.push({ dst: cidr.toString(), via: ip, dev: uplink, onlink: false } satisfies RouteState);
    }
    claimed.push({ cidr, node: name });
  }
  return { state, skipped, podMTU: podMTU(mode, uplinkMTU) };
}
