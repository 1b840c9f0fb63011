// The underlay: one bridge in the root namespace holding the host IP (where the API server listens),
// and per node a network namespace joined to the bridge by a veth pair. The node end is `eth0` with the
// node's InternalIP; the node routes everything else to the host and forwards packets (it is a router
// for its pods). Each object is written to the inventory before it is made.
import type { ClusterConfig } from '../../core/cluster/config.js';
import { hostVethName, NODE_UPLINK } from '../../core/topology/names.js';
import { addNetns, netnsExists } from '../../linux/netns.js';
import { addBridge, addVeth, getLink, setLinkMaster, setLinkUp } from '../../linux/link.js';
import { addAddress } from '../../linux/addr.js';
import { addRoute } from '../../linux/route.js';
import { setSysctl } from '../../linux/sysctl.js';
import type { Inventory } from './inventory.js';

function prefixLength(cidr: string): string {
  return cidr.split('/')[1];
}

async function mustBeFreeLink(name: string, config: ClusterConfig): Promise<void> {
  if (await getLink(name)) {
    throw new Error(
      `a link named ${name} already exists in the root namespace, so cluster "${config.name}" cannot use it; ` +
      `if it is left from an earlier podnet cluster, remove it with \`podnet down --name ${config.name}\` or \`ip link delete ${name}\``,
    );
  }
}

/** Creates the bridge with the host IP and brings it up. */
export async function createBridge(config: ClusterConfig, inventory: Inventory): Promise<void> {
  await mustBeFreeLink(config.bridge, config);
  inventory.add('links', config.bridge);
  await addBridge(config.bridge);
  await addAddress(config.bridge, `${config.hostIP}/${prefixLength(config.underlayCIDR)}`);
  await setLinkUp(config.bridge);
}

/** Creates node `index` (0-based): its namespace, veth pair on the bridge, eth0 address, default route, forwarding. */
export async function createNode(config: ClusterConfig, index: number, inventory: Inventory): Promise<void> {
  const node = config.nodes[index];
  const hostEnd = hostVethName(config.bridge, index + 1);
  if (netnsExists(node.name)) {
    throw new Error(
      `a network namespace named ${node.name} already exists; if it is left from an earlier podnet cluster, ` +
      `remove it with \`podnet down --name ${config.name}\` or \`ip netns delete ${node.name}\``,
    );
  }
  await mustBeFreeLink(hostEnd, config);
  inventory.add('netns', node.name);
  await addNetns(node.name);
  inventory.add('links', hostEnd);
  await addVeth(hostEnd, NODE_UPLINK, { peerNetns: node.name });
  await setLinkMaster(hostEnd, config.bridge);
  await setLinkUp(hostEnd);
  const inNode = { netns: node.name };
  await setLinkUp('lo', inNode);
  await addAddress(NODE_UPLINK, `${node.ip}/${prefixLength(config.underlayCIDR)}`, inNode);
  await setLinkUp(NODE_UPLINK, inNode);
  await addRoute({ dst: 'default', via: config.hostIP, dev: NODE_UPLINK }, inNode);
  await setSysctl('net.ipv4.ip_forward', 1, inNode);
}
