// What a node on another host needs to join a cluster, and how it gets it from the API server, the way
// kubeadm join does:
//  - kube-public/cluster-info (readable without credentials, as kubeadm's RBAC makes it) holds a
//    kubeconfig with the server URL and the cluster CA; the joining host pins that CA with
//    --ca-cert-hash sha256:<hex of the CA's SubjectPublicKeyInfo>, kubeadm's
//    --discovery-token-ca-cert-hash, so that a server in the middle cannot hand it another CA.
//  - kube-system/podnet-config (read with the token, over TLS verified by that CA) holds the
//    cluster-wide settings an agent needs: overlay mode, cluster and service CIDRs, cluster DNS, as
//    kubeadm-config's ClusterConfiguration and flannel's kube-flannel-cfg net-conf.json do.
// Pure: no I/O.
import { createHash, X509Certificate } from 'node:crypto';
import { parse, stringify } from 'yaml';
import type { ClusterConfig, OverlayMode } from './config.js';

export const CLUSTER_INFO = { namespace: 'kube-public', name: 'cluster-info' } as const;
export const PODNET_CONFIG = { namespace: 'kube-system', name: 'podnet-config' } as const;
/** The one key of podnet-config's data. */
export const PODNET_CONFIG_KEY = 'cluster.json';

/** The settings every node of a cluster shares; the rest of ClusterConfig is local to the host. */
export type ClusterSettings = Pick<ClusterConfig,
  'name' | 'overlay' | 'clusterCIDR' | 'nodeCIDRMaskSize' | 'serviceCIDR' | 'nodePortRange' | 'clusterDomain' | 'dnsServiceIP'
  | 'nodeMonitorGracePeriodSeconds'>;

export function clusterSettingsOf(config: ClusterConfig): ClusterSettings {
  const { name, overlay, clusterCIDR, nodeCIDRMaskSize, serviceCIDR, nodePortRange, clusterDomain, dnsServiceIP, nodeMonitorGracePeriodSeconds } = config;
  return { name, overlay, clusterCIDR, nodeCIDRMaskSize, serviceCIDR, nodePortRange, clusterDomain, dnsServiceIP,
    ...(nodeMonitorGracePeriodSeconds !== undefined ? { nodeMonitorGracePeriodSeconds } : {}) };
}

/** podnet-config's data. */
export function podnetConfigData(config: ClusterConfig): Record<string, string> {
  return { [PODNET_CONFIG_KEY]: JSON.stringify(clusterSettingsOf(config), null, 2) + '\n' };
}

/** Reads podnet-config's data back; a clear error when it is not what `podnet up` writes. */
export function parsePodnetConfig(data: Record<string, string> | undefined): ClusterSettings {
  const where = `ConfigMap ${PODNET_CONFIG.namespace}/${PODNET_CONFIG.name}`;
  const text = data?.[PODNET_CONFIG_KEY];
  if (!text) throw new Error(`${where} has no "${PODNET_CONFIG_KEY}": the server was not set up by a podnet up that publishes it; bring the cluster up with this podnet version`);
  let s: ClusterSettings;
  try { s = JSON.parse(text) as ClusterSettings; } catch (e) { throw new Error(`${where}: "${PODNET_CONFIG_KEY}" is not JSON (${(e as Error).message})`); }
  for (const k of ['name', 'overlay', 'clusterCIDR', 'nodeCIDRMaskSize', 'serviceCIDR', 'nodePortRange', 'clusterDomain', 'dnsServiceIP'] as const) {
    if (s[k] === undefined) throw new Error(`${where}: "${PODNET_CONFIG_KEY}" has no "${k}"`);
  }
  if (s.overlay !== 'vxlan' && s.overlay !== 'host-gw') throw new Error(`${where}: unknown overlay ${JSON.stringify(s.overlay)}`);
  return s;
}

/** cluster-info's data: a kubeconfig with one cluster and no user, as kubeadm publishes it. */
export function clusterInfoData(server: string, caPem: string): Record<string, string> {
  return {
    kubeconfig: stringify({
      apiVersion: 'v1', kind: 'Config', preferences: {},
      clusters: [{ name: '', cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
      contexts: null, 'current-context': '', users: null,
    }),
  };
}

/** The CA (PEM) and server URL in cluster-info's data. */
export function parseClusterInfo(data: Record<string, string> | undefined): { server: string; caPem: string } {
  const where = `ConfigMap ${CLUSTER_INFO.namespace}/${CLUSTER_INFO.name}`;
  let doc: { clusters?: Array<{ cluster?: { server?: string; 'certificate-authority-data'?: string } }> };
  try { doc = parse(data?.kubeconfig ?? '') ?? {}; } catch (e) { throw new Error(`${where}: its kubeconfig is not YAML (${(e as Error).message})`); }
  const c = doc.clusters?.[0]?.cluster;
  if (!c?.server || !c['certificate-authority-data']) throw new Error(`${where} holds no cluster with a server and certificate-authority-data`);
  return { server: c.server, caPem: Buffer.from(c['certificate-authority-data'], 'base64').toString('utf8') };
}

/** kubeadm's CA pin: "sha256:" and the hex SHA-256 of the CA certificate's DER SubjectPublicKeyInfo. */
export function caCertHash(caPem: string): string {
  const spki = new X509Certificate(caPem).publicKey.export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(spki).digest('hex')}`;
}

/** Checks the form of a --ca-cert-hash value; returns it lower-cased. */
export function validateCaCertHash(value: string): string {
  const v = value.trim().toLowerCase();
  if (!/^sha256:[0-9a-f]{64}$/.test(v)) {
    throw new Error(`--ca-cert-hash expects sha256:<64 hex digits> (as kubeadm's --discovery-token-ca-cert-hash), got ${JSON.stringify(value)}; ` +
      'podnet join-command on the cluster\'s host prints the whole join command');
  }
  return v;
}

/** How the joining host reaches one peer (an existing node, or the API server's host). */
export interface PeerRoute {
  peer: string;
  ip: string;
  /** The next hop when the peer is not on a directly connected subnet. */
  gateway?: string;
}

/**
 * host-gw routes a peer's podCIDR via the peer's own address, which the kernel accepts only for a
 * neighbour on the same L2 segment. Returns the refusal for the first peer behind a router, else
 * undefined (vxlan needs only IP reachability, so it never refuses).
 */
export function hostGwRefusal(mode: OverlayMode, routes: readonly PeerRoute[]): string | undefined {
  if (mode !== 'host-gw') return undefined;
  const routed = routes.filter((r) => r.gateway);
  if (!routed.length) return undefined;
  const list = routed.map((r) => `${r.peer} (${r.ip}) is reached via the router ${r.gateway}`).join('; ');
  return `the cluster uses the host-gw overlay, and a host-gw route needs every other node on the same L2 segment ` +
    `(it sends pod traffic straight to the node's own address), but from this host ${list}. ` +
    `Bring the cluster up with --overlay vxlan (podnet down, then podnet up --overlay vxlan), which only needs the nodes to reach each other over UDP 8472, ` +
    `or join from a host on the nodes' own subnet`;
}
