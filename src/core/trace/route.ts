// Between nodes: the routes and overlay entries the overlay planner gives the sending node (the same
// planOverlay the agent programs), read for one destination pod IP: a route via cni0 when the pod is
// local, a host-gw route via the other node's address, or flannel's VXLAN route + ARP + FDB entries
// with the outer addresses, VNI and port.
import { planOverlay, podCIDROf, VXLAN_DEVICE, type OverlayPlan } from '../overlay/index.js';
import { inCIDR, internalIPOf, nodeByName, nodeOwningPodIP, podByIP, podKey } from './snapshot.js';
import type { ClusterSnapshot, Hop, PodLike } from './types.js';

const plans = new WeakMap<ClusterSnapshot, Map<string, OverlayPlan | Error>>();

function overlayOf(snap: ClusterSnapshot, node: string): OverlayPlan | Error {
  let m = plans.get(snap);
  if (!m) plans.set(snap, m = new Map());
  let p = m.get(node);
  if (!p) {
    try { p = planOverlay(nodeByName(snap, node)!, snap.nodes as never, snap.overlay, snap.clusterCIDR); } catch (e) { p = e as Error; }
    m.set(node, p);
  }
  return p;
}

/** Hops from `fromNode` (the packet is in its namespace, after the proxy) to the pod or node at `ip`. */
export function routeHops(snap: ClusterSnapshot, fromNode: string, ip: string): { hops: Hop[]; pod?: PodLike; node?: string } {
  const self = nodeByName(snap, fromNode);
  const selfCIDR = self && podCIDROf(self);
  const where = `node ${fromNode}`;
  const pod = podByIP(snap, ip);
  if (selfCIDR && inCIDR(selfCIDR, ip)) {
    return {
      pod, node: fromNode,
      hops: [{
        kind: 'bridge', where, ns: { kind: 'node', node: fromNode }, decidedBy: `route ${selfCIDR} dev cni0 (node ${fromNode}'s podCIDR)`,
        summary: `same node: the bridge cni0 forwards it to the veth of ${pod ? `pod ${podKey(pod)}` : ip}`,
        why: [`${ip} is in ${fromNode}'s podCIDR ${selfCIDR}, directly connected on cni0; the bridge learned the pod's MAC from its veth`],
        ok: true, expect: { kind: 'seen', ns: { kind: 'node', node: fromNode }, oif: 'cni0' },
      }],
    };
  }
  const owner = nodeOwningPodIP(snap, ip);
  if (!owner) {
    const n = snap.nodes.find((x) => internalIPOf(x) === ip);
    if (n) {
      const name = n.metadata!.name!;
      return { node: name, hops: [{ kind: 'underlay', where, ns: { kind: 'node', node: fromNode }, decidedBy: 'route on eth0 (the underlay)',
        summary: name === fromNode ? `${ip} is this node's own address: delivered locally` : `to node ${name} over the underlay bridge`, why: [`${ip} is node ${name}'s InternalIP`], ok: true }] };
    }
    const inCluster = inCIDR(snap.clusterCIDR, ip);
    return { hops: [{
      kind: 'route', where, decidedBy: inCluster ? `cluster CIDR ${snap.clusterCIDR}` : 'default route',
      summary: inCluster ? `no node's podCIDR holds ${ip}` : `${ip} is outside the cluster: the packet would leave through the node's default route, masqueraded`,
      why: [inCluster ? `the podCIDRs are ${snap.nodes.map((x) => `${x.metadata?.name}=${podCIDROf(x) ?? 'none'}`).join(', ')}` : 'podnet sends no traffic outside its own namespaces'],
      ok: false, fix: inCluster ? 'check the address (kubectl get pods -A -o wide)' : 'trace to an address inside the cluster',
    }] };
  }
  const to = owner.metadata!.name!;
  const toCIDR = podCIDROf(owner)!;
  const toIP = internalIPOf(owner) ?? '?';
  const plan = overlayOf(snap, fromNode);
  if (plan instanceof Error) {
    return { hops: [{ kind: 'overlay', where, decidedBy: 'overlay planner', summary: 'the node cannot route to other nodes\' pods', why: [plan.message], ok: false }] };
  }
  const skipped = plan.skipped.find((s) => s.node === to);
  if (skipped) {
    return { hops: [{ kind: 'overlay', where, decidedBy: `Node ${to}`, summary: `${fromNode} has no route to ${to}'s pods (${toCIDR})`, why: [`node ${to} is skipped: ${skipped.reason}`], ok: false, fix: `check node ${to}'s agent (podnet status)` }] };
  }
  const route = plan.state.routes.find((r) => r.dst === toCIDR);
  const hops: Hop[] = [];
  if (snap.overlay === 'vxlan') {
    const neigh = plan.state.neighbours.find((n) => n.ip === route?.via);
    const fdb = plan.state.fdb.find((f) => f.mac === neigh?.lladdr);
    hops.push({
      kind: 'overlay', where, ns: { kind: 'node', node: fromNode }, decidedBy: `route ${toCIDR} via ${route?.via} dev ${VXLAN_DEVICE} onlink`,
      summary: `VXLAN to node ${to}: inner ${ip} wrapped in UDP ${plan.state.vxlan?.port} from ${plan.state.vxlan?.local} to ${fdb?.dst ?? toIP}, VNI ${plan.state.vxlan?.vni}`,
      why: [
        `route ${toCIDR} via ${route?.via} dev ${VXLAN_DEVICE} onlink (node ${to}'s podCIDR)`,
        `ARP ${neigh?.ip} → ${neigh?.lladdr} (permanent, ${to}'s VTEP MAC)`,
        `FDB ${fdb?.mac} dst ${fdb?.dst} (${to}'s underlay address)`,
      ],
      ok: !!(route && neigh && fdb),
      fix: route && neigh && fdb ? undefined : `node ${to}'s VTEP entries are missing: check its agent (podnet status)`,
      expect: { kind: 'seen', ns: { kind: 'node', node: fromNode }, oif: VXLAN_DEVICE },
    });
    hops.push({
      kind: 'route', where: `node ${to}`, ns: { kind: 'node', node: to }, decidedBy: `route ${toCIDR} dev cni0 on ${to}`,
      summary: `${VXLAN_DEVICE} on ${to} unwraps it; cni0 forwards it to the veth of ${pod ? `pod ${podKey(pod)}` : ip}`,
      why: [`${ip} is in ${to}'s own podCIDR ${toCIDR}, connected on cni0`],
      ok: true, expect: { kind: 'seen', ns: { kind: 'node', node: to }, iif: VXLAN_DEVICE, oif: 'cni0' },
    });
  } else {
    hops.push({
      kind: 'route', where, ns: { kind: 'node', node: fromNode }, decidedBy: `route ${toCIDR} via ${route?.via} dev ${route?.dev}`,
      summary: `host-gw: routed to node ${to} (${route?.via}) over the underlay, no encapsulation`,
      why: [`route ${toCIDR} via ${route?.via} dev ${route?.dev} (node ${to}'s podCIDR)`],
      ok: !!route, expect: { kind: 'seen', ns: { kind: 'node', node: fromNode }, oif: route?.dev ?? 'eth0' },
    });
    hops.push({
      kind: 'route', where: `node ${to}`, ns: { kind: 'node', node: to }, decidedBy: `route ${toCIDR} dev cni0 on ${to}`,
      summary: `${to} forwards it through cni0 to the veth of ${pod ? `pod ${podKey(pod)}` : ip}`,
      why: [`${ip} is in ${to}'s own podCIDR ${toCIDR}`],
      ok: true, expect: { kind: 'seen', ns: { kind: 'node', node: to }, iif: route?.dev ?? 'eth0', oif: 'cni0' },
    });
  }
  return { hops, pod, node: to };
}
