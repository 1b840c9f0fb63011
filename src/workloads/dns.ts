// The `dns` built-in workload: what a container of image registry.k8s.io/coredns/coredns (any tag) runs
// in podnet — podnet's CoreDNS-compatible server, with CoreDNS's flags (`-conf /etc/coredns/Corefile`,
// `-dns.port 53`). Without a Corefile file it reads the `coredns` ConfigMap in kube-system through the
// Kubernetes API (the pod's KUBECONFIG, or KUBERNETES_SERVICE_HOST/PORT with a service account token).
// It answers on every core, as CoreDNS does: one process per CPU available to it, or as many as
// GOMAXPROCS says (CoreDNS's knob for the same thing), sharing the DNS sockets.
import { availableParallelism } from 'node:os';
import { parseDnsArgs, runDnsServer, UsageError } from '../components/dns/index.js';
import { signalListening } from './listening.js';

export { isCorednsImage } from './images.js';

export async function runDns(argv: string[]): Promise<void> {
  let args;
  try {
    args = parseDnsArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) { process.stderr.write(`${e.message}\n`); process.exit(2); }
    throw e;
  }
  let running: Awaited<ReturnType<typeof runDnsServer>>;
  try {
    running = await runDnsServer(args, { onFatal: () => process.exit(1), processes: dnsProcesses(process.env) });
  } catch (e) {
    process.stderr.write(`[FATAL] ${(e as Error).message}\n`);
    process.exit(1);
  }
  signalListening();
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`[INFO] SIG${signal.replace(/^SIG/, '')}: Shutting down\n`);
    running.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', () => stop('TERM'));
  process.on('SIGINT', () => stop('INT'));
}

/** GOMAXPROCS when it is a positive number, else the CPUs this process may use. */
export function dnsProcesses(env: NodeJS.ProcessEnv): number {
  const n = Number(env.GOMAXPROCS);
  return Number.isInteger(n) && n > 0 ? n : availableParallelism();
}
