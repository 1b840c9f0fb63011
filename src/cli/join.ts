// podnet join: make this host (the network namespace it runs in) a node of a cluster on another host;
// podnet join-command: print that command on the cluster's host.
import { Command } from 'commander';
import { joinCluster } from '../components/cluster/join.js';
import { joinCommandOf } from '../components/cluster/cluster-info.js';
import { clusterConfigPath, readClusterConfig, stateDirOf } from '../components/cluster/index.js';
import { consoleProgress } from './progress.js';
import { fail, needRoot } from './errors.js';
import { podnetCommand } from './self.js';

export function joinCommand(): Command {
  return new Command('join')
    .description('run a node agent on this host for a cluster whose API server is on another host (as kubeadm join); podnet join-command prints the command')
    .requiredOption('--server <url>', 'the API server, https://<address>:<port>')
    .requiredOption('--token <token>', 'the cluster\'s token')
    .requiredOption('--ca-cert-hash <sha256:hex>', 'pin of the cluster CA: sha256 of its public key (kubeadm\'s --discovery-token-ca-cert-hash)')
    .option('--name <node>', 'the Node\'s name (default: the host name)')
    .option('--node-ip <ip>', 'the Node\'s InternalIP (default: this host\'s source address towards the API server)')
    .action(async (o: { server: string; token: string; caCertHash: string; name?: string; nodeIp?: string }) => {
      needRoot('join');
      const progress = consoleProgress();
      try {
        const r = await joinCluster({ server: o.server, token: o.token, caCertHash: o.caCertHash, nodeName: o.name, nodeIP: o.nodeIp, podnetCommand: podnetCommand() }, progress);
        const flag = r.config.name === 'podnet' ? '' : ` --name ${r.config.name}`;
        progress.note('');
        progress.note(`Node ${r.node} (${r.ip} on ${r.uplink}) joined cluster "${r.config.name}" at ${o.server} in ${progress.totalMs()} ms (${r.config.overlay} overlay).`);
        progress.note(`On the cluster's host:  kubectl get nodes -o wide`);
        progress.note(`Logs:  ${r.config.paths.logs}`);
        progress.note(`Leave the cluster (stops the agent, removes its pods, links and nft tables, deletes the Node):  podnet down${flag}`);
      } catch (e) {
        fail('join', e);
      }
    });
}

export function joinCommandCommand(): Command {
  return new Command('join-command')
    .description('print the podnet join command for a node on another host (as kubeadm token create --print-join-command)')
    .option('--name <name>', 'cluster name', 'podnet')
    .action((o: { name: string }) => {
      try {
        const config = readClusterConfig(clusterConfigPath(stateDirOf(o.name)));
        process.stdout.write(joinCommandOf(config).join(' ') + '\n');
      } catch (e) {
        fail('join-command', e);
      }
    });
}
