// podnet down: remove a cluster and everything it made.
import { Command } from 'commander';
import { tearDown, stateDirOf } from '../components/cluster/index.js';
import { consoleProgress } from './progress.js';
import { fail, needRoot } from './errors.js';

export function downCommand(): Command {
  return new Command('down')
    .description('stop a cluster\'s processes and remove its namespaces, links, kubeconfig entries and state (idempotent)')
    .option('--name <name>', 'cluster name', 'podnet')
    .action(async (o: { name: string }) => {
      needRoot('down');
      const progress = consoleProgress();
      try {
        const r = await tearDown(o.name, {}, progress);
        if (!r.existed) {
          progress.note(`cluster "${o.name}" does not exist (no ${stateDirOf(o.name)}): nothing to do`);
          return;
        }
        for (const line of r.removed) progress.note(`  ${line}`);
        if (r.failed.length > 0) {
          fail('down', new Error(`could not remove everything:\n${r.failed.map((f) => `  ${f}`).join('\n')}\nthe state is kept; fix the cause and run podnet down --name ${o.name} again`));
        }
        progress.note(`Cluster "${o.name}" removed in ${progress.totalMs()} ms.`);
      } catch (e) {
        fail('down', e);
      }
    });
}
