// The overlay programmer of one node: plan from the Nodes, read the kernel, diff, apply, and say which
// annotations the node must publish. Every sync compares against the kernel itself, not against what it
// applied last, so it recovers after an agent restart and repairs anything removed behind its back
// (flannel's route-check loop and its netlink watcher for a deleted flannel.1, in one mechanism).
import {
  VXLAN_DEVICE, VXLAN_VNI, describeChanges, diffOverlay, isNoop, overlayAnnotations, planOverlay, podCIDROf,
  type OverlayChanges, type OverlayMode, type OverlayNode, type SkippedNode,
} from '../../../core/overlay/index.js';
import { getLink } from '../../../linux/link.js';
import { listAddresses } from '../../../linux/addr.js';
import { applyOverlayChanges, readOverlayState, uplinkMTU } from './kernel.js';

export interface OverlayProgrammerOptions {
  mode: OverlayMode;
  clusterCIDR: string;
  /** This node's underlay address (its InternalIP). */
  publicIP: string;
  /** The node's underlay device, `eth0`. */
  uplink?: string;
  /** The node namespace; undefined when the agent runs inside it. */
  netns?: string;
}

export interface SyncResult {
  changes: OverlayChanges;
  /** "nothing to change" when the kernel already matched. */
  summary: string;
  skipped: SkippedNode[];
  podMTU: number;
  /** The flannel annotations this node must carry (with its VTEP MAC in vxlan mode). */
  annotations: Record<string, string>;
}

export class OverlayProgrammer {
  readonly uplink: string;

  constructor(readonly opts: OverlayProgrammerOptions) {
    this.uplink = opts.uplink ?? 'eth0';
  }

  /** Makes the namespace match the plan for `self` among `nodes`. Throws when self cannot be planned yet. */
  async sync(self: OverlayNode, nodes: readonly OverlayNode[]): Promise<SyncResult> {
    const { mode, clusterCIDR, publicIP, netns } = this.opts;
    const mtu = await uplinkMTU(this.uplink, netns);
    // host-gw can only route via neighbours: the uplink's subnets tell which remote nodes are.
    const uplinkSubnets = mode === 'host-gw'
      ? (await listAddresses({ netns, dev: this.uplink, family: 'inet' })).map((a) => `${a.local}/${a.prefixlen}`) : undefined;
    const plan = planOverlay(self, nodes, mode, clusterCIDR, { publicIP, uplink: this.uplink, uplinkMTU: mtu, uplinkSubnets });
    const current = await readOverlayState({ netns, device: VXLAN_DEVICE, clusterCIDR, podCIDR: podCIDROf(self)! });
    const changes = diffOverlay(plan.state, current);
    if (!isNoop(changes)) await applyOverlayChanges(changes, { netns });
    let annotations: Record<string, string>;
    if (mode === 'vxlan') {
      const mac = (await getLink(VXLAN_DEVICE, { netns }))?.address;
      if (!mac) throw new Error(`${VXLAN_DEVICE} vanished right after it was set up${netns ? ` in ${netns}` : ''}; the next sync recreates it`);
      annotations = overlayAnnotations(mode, publicIP, { VNI: VXLAN_VNI, VtepMAC: mac });
    } else {
      annotations = overlayAnnotations(mode, publicIP);
    }
    return { changes, summary: describeChanges(changes), skipped: plan.skipped, podMTU: plan.podMTU, annotations };
  }
}
