// podnet trace FROM TO[:PORT]: the path a connection takes, hop by hop, from the model; --prove checks it
// against the kernel. Exit code 0 when the path is open (and, with --prove, the kernel agrees), 1 when
// the input is wrong, 2 when the path is blocked, 3 when the model and the kernel disagree.
import { Command, Option } from 'commander';
import { renderTrace } from '../core/trace/index.js';
import { openCluster, runTrace } from '../components/trace/index.js';
import { fail, needRoot } from './errors.js';

export function traceCommand(): Command {
  return new Command('trace')
    .description('show why a packet goes where it goes: FROM (host | NODE | [ns/]POD) to TO (POD | svc/NAME | DNS name | http://HOST/PATH | IP[:PORT])')
    .argument('<from>', 'host, a node name, or [namespace/]pod')
    .argument('<to>', 'a pod, svc/NAME, a DNS name as a pod types it (web, web.my-app), an Ingress URL, NODE-IP:NODEPORT or an IP, optionally :PORT')
    .addOption(new Option('--proto <proto>', 'transport protocol').choices(['tcp', 'udp']).default('tcp'))
    .option('--prove', 'send a real connection with nftables tracing and check every hop against the kernel (root)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--name <name>', 'cluster name', 'podnet')
    .action(async (from: string, to: string, o: { proto: 'tcp' | 'udp'; prove?: boolean; output: string; name: string }) => {
      if (o.prove) needRoot('trace --prove');
      try {
        const t = await runTrace(openCluster(o.name), from, to, { proto: o.proto, prove: !!o.prove });
        process.stdout.write(o.output === 'json' ? JSON.stringify(t, null, 2) + '\n' : renderTrace(t));
        process.exitCode = t.proved?.bugs.length ? 3 : t.ok ? 0 : 2;
      } catch (e) {
        fail('trace', e);
      }
    });
}
