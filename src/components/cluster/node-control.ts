// `podnet node stop|start NAME`: make a node fail on purpose, and recover. Two ways, as nodes fail:
//  - freeze (default): the node's agent is stopped with SIGSTOP, like a kubelet that hangs. Its Lease
//    and status stop being renewed; its pods keep running and serving, as on a real node whose kubelet
//    died. `start` sends SIGCONT.
//  - cut: the node's underlay link is set down on the host's bridge, like a pulled cable: the agent
//    cannot reach the API server and nothing reaches the node's pods. `start` sets it up again.
// Either way the node lifecycle controller sees the node go silent and acts after its grace period.
import { hostVethName } from '../../core/topology/names.js';
import type { ClusterConfig } from '../../core/cluster/config.js';
import { setLinkDown, setLinkUp } from '../../linux/link.js';
import { isOurProcess, signalProcess } from '../../linux/process.js';
import { Inventory } from './inventory.js';
import { agentProcessName } from './supervisor.js';

export type NodeFailureMode = 'freeze' | 'cut';

function nodeIndex(config: ClusterConfig, node: string): number {
  const i = config.nodes.findIndex((n) => n.name === node);
  if (i < 0) throw new Error(`cluster "${config.name}" has no node ${node}; its nodes are ${config.nodes.map((n) => n.name).join(', ')}`);
  return i;
}

/** Stops (stop=true) or restarts the node's agent or underlay link; returns what was done, in words. */
export async function controlNode(config: ClusterConfig, node: string, stop: boolean, mode: NodeFailureMode): Promise<string> {
  const index = nodeIndex(config, node);
  if (mode === 'cut') {
    const link = hostVethName(config.bridge, index + 1);
    if (stop) await setLinkDown(link); else await setLinkUp(link);
    return `${stop ? 'cut' : 'restored'} ${node}'s underlay link (${link} on ${config.bridge})`;
  }
  const name = agentProcessName(node);
  const agent = new Inventory(config.stateDir).processes().find((p) => p.name === name);
  if (!agent || !isOurProcess(agent.id)) throw new Error(`the agent of ${node} is not running (see podnet status --name ${config.name})`);
  signalProcess(agent.id, stop ? 'SIGSTOP' : 'SIGCONT');
  return `${stop ? 'froze' : 'resumed'} the agent of ${node} (pid ${agent.id.pid})`;
}
