// The overlay's kernel state in a node namespace, as data: what the planner wants and what the
// programmer reads back from the kernel have this one shape, so that the differ compares like with like.

/** The node's VXLAN tunnel endpoint (flannel.1). */
export interface VxlanLinkState {
  name: string;
  /** VXLAN network identifier. */
  vni: number;
  /** UDP destination port. */
  port: number;
  /** Source address of encapsulated packets: the node's underlay IP. */
  local: string;
  /** Underlay device the tunnel sends through. */
  dev: string;
  /** Always false for flannel: the FDB is programmed, not learned. */
  learning: boolean;
  mtu: number;
  /** VTEP MAC. Desired: the one the Node already publishes (kept across restarts), or absent to let the kernel pick. */
  address?: string;
  /** Current only: whether the link is administratively up. */
  up?: boolean;
}

export interface NeighbourState { ip: string; lladdr: string; dev: string; /** Current only. */ permanent?: boolean }
export interface FdbState { mac: string; dst: string; dev: string }
export interface RouteState { dst: string; via: string; dev: string; onlink: boolean }

/** Pod traffic leaving the cluster CIDR is masqueraded to the node's address. */
export interface MasqueradeState { podCIDR: string; clusterCIDR: string }

export interface OverlayState {
  /** The VTEP; absent in host-gw mode. */
  vxlan?: VxlanLinkState;
  /** Addresses (CIDRs) on the VTEP: `<podCIDR network>/32`. */
  addresses: string[];
  neighbours: NeighbourState[];
  fdb: FdbState[];
  /** Routes to other nodes' podCIDRs. */
  routes: RouteState[];
  /**
   * The masquerade table. Current state: absent when there is no table, 'unrecognised' when the table
   * exists but is not exactly the one rule podnet writes (someone changed it: rewrite it).
   */
  masquerade?: MasqueradeState | 'unrecognised';
}

export function emptyOverlayState(): OverlayState {
  return { addresses: [], neighbours: [], fdb: [], routes: [] };
}
