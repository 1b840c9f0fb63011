// What `podnet up` publishes in the API for nodes that join from other hosts (see core/cluster/join.ts):
// kube-public/cluster-info (server URL and CA, readable without credentials) and kube-system/podnet-config
// (the cluster-wide settings), and the join command that uses them. The server URL is the underlay
// host address, the one address of the API server that another host can route to.
import { readFileSync } from 'node:fs';
import { ApiException, CoreV1Api, KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import type { ClusterConfig } from '../../core/cluster/config.js';
import { CLUSTER_INFO, PODNET_CONFIG, caCertHash, clusterInfoData, podnetConfigData } from '../../core/cluster/join.js';

/** The URL other hosts use for the API server. */
export function externalServerURL(config: Pick<ClusterConfig, 'hostIP' | 'apiServerPort'>): string {
  return `https://${config.hostIP}:${config.apiServerPort}`;
}

/** Creates or replaces cluster-info and podnet-config. */
export async function publishClusterInfo(config: ClusterConfig): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(config.paths.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const put = async (where: { namespace: string; name: string }, data: Record<string, string>) => {
    const body: V1ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: where.name, namespace: where.namespace }, data };
    try {
      await core.createNamespacedConfigMap({ namespace: where.namespace, body });
    } catch (e) {
      if (!(e instanceof ApiException && e.code === 409)) throw e;
      await core.replaceNamespacedConfigMap({ name: where.name, namespace: where.namespace, body });
    }
  };
  await put(CLUSTER_INFO, clusterInfoData(externalServerURL(config), readFileSync(config.paths.caCert, 'utf8')));
  await put(PODNET_CONFIG, podnetConfigData(config));
}

/** The command that joins a node on another host, as `kubeadm token create --print-join-command` prints it. */
export function joinCommandOf(config: ClusterConfig): string[] {
  return ['podnet', 'join', '--server', externalServerURL(config), '--token', readFileSync(config.paths.token, 'utf8').trim(),
    '--ca-cert-hash', caCertHash(readFileSync(config.paths.caCert, 'utf8'))];
}
