// podnet server --config FILE: the API server of a cluster (started detached by podnet up).
import { Command } from 'commander';
import { readClusterConfig } from '../components/cluster/state.js';
import { fail } from './errors.js';

export function serverCommand(): Command {
  return new Command('server')
    .description('run the API server of a cluster (started by podnet up)')
    .requiredOption('--config <file>', 'the cluster.json written by podnet up')
    .option('--id <name>', 'which of the cluster\'s API servers this is (server-1, ...; podnet up --servers N)')
    .action(async (o: { config: string; id?: string }) => {
      try {
        const config = readClusterConfig(o.config);
        // Imported here so that up/down/status do not load the API server.
        const { runServer } = await import('../components/apiserver/index.js');
        const server = await runServer(config, { id: o.id });
        const port = config.servers?.find((s) => s.name === o.id)?.port ?? config.apiServerPort;
        const behind = port === config.apiServerPort ? '' : ` (behind https://${config.hostIP}:${config.apiServerPort})`;
        process.stdout.write(`${new Date().toISOString()} podnet server ${o.id ?? ''} for cluster ${config.name} listening on https://127.0.0.1:${port} and https://${config.hostIP}:${port}${behind}\n`);
        let closing = false;
        const close = async (signal: string) => {
          if (closing) return;
          closing = true;
          process.stdout.write(`${new Date().toISOString()} ${signal}: closing\n`);
          await server.close();
          process.exit(0);
        };
        process.on('SIGTERM', () => void close('SIGTERM'));
        process.on('SIGINT', () => void close('SIGINT'));
      } catch (e) {
        fail('server', e);
      }
    });
}
