// podnet ui: the cluster drawn as the seeds draw it, live, with traces; served on 127.0.0.1 only.
import { Command } from 'commander';
import { openCluster } from '../components/trace/index.js';
import { startUi } from '../components/ui/server.js';
import { fail } from './errors.js';

export function uiCommand(): Command {
  return new Command('ui')
    .description('serve a web page on 127.0.0.1 with the cluster\'s topology, live connections and traces')
    .option('--name <name>', 'cluster name', 'podnet')
    .option('--port <port>', 'port on 127.0.0.1 (0: any free port)', '8080')
    .action(async (o: { name: string; port: string }) => {
      try {
        const port = Number(o.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port ${o.port}: give a port from 0 to 65535`);
        const ui = await startUi(openCluster(o.name), { port });
        process.stdout.write(`podnet ui for cluster ${o.name}: ${ui.url}\n`);
        const stop = () => { void ui.close().then(() => process.exit(0)); };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      } catch (e) {
        fail('ui', e);
      }
    });
}
