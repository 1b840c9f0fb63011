// podnet agent --config FILE --node NAME: the agent of one node, run inside the node's namespace by podnet up.
import { Command } from 'commander';
import { readClusterConfig } from '../components/cluster/state.js';
import { fail } from './errors.js';

export function agentCommand(): Command {
  return new Command('agent')
    .description('run the agent of one node inside its network namespace (started by podnet up)')
    .requiredOption('--config <file>', 'the cluster.json written by podnet up')
    .requiredOption('--node <name>', 'the node this agent runs')
    .action(async (o: { config: string; node: string }) => {
      try {
        const config = readClusterConfig(o.config);
        const { runAgent } = await import('../components/agent/index.js');
        const agent = await runAgent(config, o.node);
        let stopping = false;
        const stop = async (signal: string) => {
          if (stopping) return;
          stopping = true;
          process.stdout.write(`${new Date().toISOString()} ${signal}: stopping\n`);
          await agent.stop();
          process.exit(0);
        };
        process.on('SIGTERM', () => void stop('SIGTERM'));
        process.on('SIGINT', () => void stop('SIGINT'));
      } catch (e) {
        fail('agent', e);
      }
    });
}
