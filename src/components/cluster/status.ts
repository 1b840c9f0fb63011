// `podnet status`: what a cluster's inventory says and whether it is true: each supervised process with
// its pid, alive or dead, and log; the API server's /readyz; the nodes with their namespace and the
// Ready condition the API reports.
import { existsSync } from 'node:fs';
import { readJoinRecord } from './join-record.js';
import type { ClusterConfig } from '../../core/cluster/config.js';
import { netnsExists } from '../../linux/netns.js';
import { stateDirOf, stateRoot as defaultStateRoot, tryReadClusterConfig, upFinishedAt } from './state.js';
import { Inventory } from './inventory.js';
import { logFileOf, supervisedAlive } from './supervisor.js';
import { fetchReadyz, listNodes, nodeReady } from './readiness.js';

export interface ProcessStatus {
  name: string;
  pid: number;
  alive: boolean;
  log: string;
  netns?: string;
}

export interface NodeStatus {
  name: string;
  ip: string;
  /** Whether the node's network namespace exists. */
  netns: boolean;
  /** The Node's Ready condition as the API reports it; undefined when the API could not be asked or has no such Node. */
  ready?: string;
}

export interface ClusterStatus {
  name: string;
  stateDir: string;
  /** When `podnet up` finished; undefined when it is still running or crashed. */
  upFinishedAt?: string;
  /** Missing when `podnet up` did not get as far as writing cluster.json. */
  config?: ClusterConfig;
  processes: ProcessStatus[];
  /** `ok` when /readyz answers 200, else what went wrong. */
  health: string;
  nodes: NodeStatus[];
  /** Pod and other namespaces recorded besides the nodes'. */
  otherNetns: string[];
  /** The API server this host joined (`podnet join`): its one node is this host's namespace itself. */
  joined?: string;
}

export async function clusterStatus(name: string, opts: { stateRoot?: string } = {}): Promise<ClusterStatus | undefined> {
  const stateDir = stateDirOf(name, opts.stateRoot ?? defaultStateRoot());
  if (!existsSync(stateDir)) return undefined;
  const config = tryReadClusterConfig(stateDir);
  const inventory = new Inventory(stateDir);
  const processes = inventory.processes().map(({ name: n, id }) => ({
    name: n, pid: id.pid, alive: supervisedAlive(id), netns: id.netns,
    log: config ? logFileOf(config, n) : `${stateDir}/logs/${n}.log`,
  }));
  let health = 'unknown: no cluster.json';
  const joined = readJoinRecord(stateDir)?.server;
  const nodes: NodeStatus[] = (config?.nodes ?? []).map((n) => ({ name: n.name, ip: n.ip, netns: netnsExists(n.name) }));
  if (config) {
    const server = joined ?? `https://127.0.0.1:${config.apiServerPort}`;
    try {
      const code = await fetchReadyz(server, config.paths.caCert, 2000);
      health = code === 200 ? 'ok' : `${server}/readyz answered HTTP ${code}`;
    } catch (e) {
      health = `${server}/readyz: ${(e as Error).message}`;
    }
    if (health === 'ok') {
      try {
        const api = await listNodes(config.paths.kubeconfig);
        for (const n of nodes) {
          const found = api.find((x) => x.metadata?.name === n.name);
          n.ready = found ? (nodeReady(found) ?? 'Unknown') : 'NotRegistered';
        }
      } catch { /* health already says whether the API is up */ }
    }
  }
  const nodeNames = new Set(nodes.map((n) => n.name));
  return { name, stateDir, upFinishedAt: upFinishedAt(stateDir), config, processes, health, nodes, otherNetns: inventory.list('netns').filter((n) => !nodeNames.has(n)), ...(joined ? { joined } : {}) };
}
