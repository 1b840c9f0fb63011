// The cluster a trace or the UI looks at: its configuration (cluster.json under the state root) and a
// client from its kubeconfig. Everything about API objects then comes through the Kubernetes API.
import { KubeConfig } from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { clusterConfigPath, readClusterConfig, stateDirOf } from '../cluster/index.js';
import type { ClusterConfig } from '../../core/cluster/config.js';

export interface ClusterHandle { config: ClusterConfig; kc: KubeConfig }

export function openCluster(name = 'podnet'): ClusterHandle {
  const file = clusterConfigPath(stateDirOf(name));
  if (!existsSync(file)) throw new Error(`cluster "${name}" does not exist (no ${file}): create it with podnet up${name === 'podnet' ? '' : ` --name ${name}`}, or name another with --name`);
  const config = readClusterConfig(file);
  const kc = new KubeConfig();
  kc.loadFromFile(config.paths.kubeconfig);
  return { config, kc };
}
