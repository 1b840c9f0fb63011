// Kernel settings of the node namespace that the service proxy relies on, set when it starts:
//  - net.ipv4.ip_forward=1: DNATed traffic is forwarded to pods (the overlay sets it too; the proxy
//    must not depend on start order);
//  - net.bridge.bridge-nf-call-iptables=1: frames bridged on cni0 pass the IPv4 netfilter hooks, so that
//    a reply from a pod to a client on the same bridge (pod → ClusterIP → pod on the same node) is
//    un-DNATed by conntrack; without it the client sees the reply come from the pod's address and drops
//    it. Per namespace since Linux 5.3; needs br_netfilter;
//  - net.ipv4.conf.<underlay>.arp_notify=1: gratuitous ARP when this node takes over a LoadBalancer
//    address (announcer.ts).
// The bridge plugin sets hairpin mode on every cni0 port (hairpinMode: true in the node's conflist), the
// other half of a pod reaching itself through a Service.
import { existsSync } from 'node:fs';
import { getSysctl, setSysctl } from '../../../linux/sysctl.js';
import { loadKernelModule } from '../../../linux/modules.js';

export const BRIDGE_NF_CALL_IPTABLES = 'net.bridge.bridge-nf-call-iptables';

export async function setNodePrerequisites(opts: { device: string; netns?: string }): Promise<void> {
  const where = { netns: opts.netns };
  await setSysctl('net.ipv4.ip_forward', 1, where);
  if (!existsSync('/proc/sys/net/bridge')) {
    // The module is global; loading it is the one step that reaches beyond the node namespace.
    await loadKernelModule('br_netfilter');
  }
  try {
    await setSysctl(BRIDGE_NF_CALL_IPTABLES, 1, where);
  } catch (e) {
    throw new Error(`cannot set ${BRIDGE_NF_CALL_IPTABLES}=1 in the node namespace (${(e as Error).message}): the br_netfilter `
      + 'kernel module is needed so that a pod reaching a Service backed by a pod on the same node gets its replies; load it with `modprobe br_netfilter`');
  }
  await setSysctl(`net/ipv4/conf/${opts.device}/arp_notify`, 1, where);
}

/** The values the proxy needs, as read back (for status and tests). */
export async function readNodePrerequisites(opts: { device: string; netns?: string }): Promise<Record<string, string>> {
  const where = { netns: opts.netns };
  const keys = ['net.ipv4.ip_forward', BRIDGE_NF_CALL_IPTABLES, `net/ipv4/conf/${opts.device}/arp_notify`];
  const out: Record<string, string> = {};
  for (const k of keys) out[k] = await getSysctl(k, where);
  return out;
}
