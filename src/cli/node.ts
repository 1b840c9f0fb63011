// podnet node stop|start NAME: make a node fail on purpose (its agent frozen, or its underlay link cut)
// and bring it back, to watch the node lifecycle controller, evictions, EndpointSlices and LoadBalancer
// addresses react as in a real cluster.
import { Command, Option } from 'commander';
import { clusterConfigPath, readClusterConfig, stateDirOf } from '../components/cluster/index.js';
import { controlNode, type NodeFailureMode } from '../components/cluster/node-control.js';
import { fail, needRoot } from './errors.js';

function action(stop: boolean) {
  return async (node: string, o: { name: string; mode: NodeFailureMode }) => {
    needRoot('node');
    try {
      const config = readClusterConfig(clusterConfigPath(stateDirOf(o.name)));
      const done = await controlNode(config, node, stop, o.mode);
      process.stdout.write(`${done}\n`);
      if (stop) {
        const grace = config.nodeMonitorGracePeriodSeconds ?? 50;
        process.stdout.write(`the node becomes NotReady (Unknown) after ${grace} s without a heartbeat; watch it with: kubectl get nodes -w\n`);
      }
    } catch (e) {
      fail('node', e);
    }
  };
}

export function nodeCommand(): Command {
  const mode = () => new Option('--mode <mode>', 'freeze: SIGSTOP/SIGCONT the node agent; cut: set the node\'s underlay link down/up').choices(['freeze', 'cut']).default('freeze');
  return new Command('node')
    .description('make a node fail on purpose and recover it')
    .addCommand(new Command('stop').argument('<node>', 'node name, e.g. podnet-node-2')
      .description('stop a node: its agent stops reporting (freeze) or its network goes (cut)')
      .option('--name <name>', 'cluster name', 'podnet').addOption(mode()).action(action(true)))
    .addCommand(new Command('start').argument('<node>', 'node name')
      .description('undo podnet node stop (use the same --mode)')
      .option('--name <name>', 'cluster name', 'podnet').addOption(mode()).action(action(false)));
}
