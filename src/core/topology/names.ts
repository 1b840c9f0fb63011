// Names of a cluster's parts: the cluster itself (a DNS-1123 label), its nodes (= node namespaces), the
// underlay bridge and the host-side veth of each node. Interface names must fit Linux's 15 characters,
// so long cluster names are hashed, as the reference CNI plugins do for host-side veths.
import { createHash } from 'node:crypto';

export const DEFAULT_CLUSTER_NAME = 'podnet';
/** The default cluster's bridge, as in the design's picture. */
export const DEFAULT_BRIDGE = 'podnet0';
/** Node names are `<cluster>-node-<n>`; this keeps them, and the netns names, well inside 63 characters. */
export const MAX_CLUSTER_NAME_LENGTH = 40;
/** Host-side veths are `<bridge>-n<index>`, so two digits of index fit in 15 characters. */
export const MAX_NODES = 99;

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Throws unless `name` is a DNS-1123 label of at most 40 characters (it is used in node and context names). */
export function validateClusterName(name: string): void {
  if (!DNS1123_LABEL.test(name)) {
    throw new Error(
      `invalid cluster name ${JSON.stringify(name)}: a cluster name must consist of lower case alphanumeric characters or '-', ` +
      `and must start and end with an alphanumeric character (e.g. 'podnet' or 'dev-2'); choose another with --name`,
    );
  }
  if (name.length > MAX_CLUSTER_NAME_LENGTH) {
    throw new Error(
      `invalid cluster name ${JSON.stringify(name)}: it is ${name.length} characters long, at most ${MAX_CLUSTER_NAME_LENGTH} are allowed ` +
      `so that node names like ${name}-node-1 stay short; choose a shorter one with --name`,
    );
  }
}

/** `podnet-node-1`: the Node's name and its network namespace's name. */
export function nodeName(cluster: string, index: number): string {
  return `${cluster}-node-${index}`;
}

/**
 * The underlay bridge: `podnet0` for the default cluster, `pn-<name>` when that fits, otherwise
 * `pn-` and 8 hex digits of SHA-256(name). At most 11 characters, leaving room for veth suffixes.
 */
export function bridgeName(cluster: string): string {
  if (cluster === DEFAULT_CLUSTER_NAME) return DEFAULT_BRIDGE;
  const plain = `pn-${cluster}`;
  if (plain.length <= 11) return plain;
  return `pn-${createHash('sha256').update(cluster).digest('hex').slice(0, 8)}`;
}

/** Host end of node `index`'s veth pair, on the bridge in the root namespace: `podnet0-n1`. */
export function hostVethName(bridge: string, index: number): string {
  if (!Number.isInteger(index) || index < 1 || index > MAX_NODES) throw new Error(`node index ${index} is outside 1-${MAX_NODES}`);
  return `${bridge}-n${index}`;
}

/** The node's end of its veth pair, inside the node namespace. */
export const NODE_UPLINK = 'eth0';
