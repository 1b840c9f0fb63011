// A DNS worker process (workers.ts): takes the UDP sockets the primary hands over, then serves the
// primary's Corefile on them with its own informers, until told to stop or the primary goes away.
// It logs what concerns single queries and failures (the log and errors plugins, warnings); the start-up
// banner and reload notices are the primary's to print.
import type dgram from 'node:dgram';
import { pathToFileURL } from 'node:url';
import type { ClusterSourceFactory } from './cluster-source.js';
import { DnsMetrics } from './metrics.js';
import { kubeSourceFactory } from './run.js';
import { DnsServer } from './server.js';
import type { FromWorker, ToWorker, WorkerInit } from './workers.js';

const sockets = new Map<string, dgram.Socket>();
let server: DnsServer | undefined;

const send = (m: FromWorker) => { try { process.send?.(m); } catch { /* the primary is gone */ } };
const log = (line: string) => {
  if (/^\[(ERROR|WARNING|FATAL)\]/.test(line) || /^\[INFO\] \S+:\d+ - /.test(line)) process.stdout.write(`${line}\n`);
};

async function sourceFactory(init: WorkerInit, metrics: DnsMetrics): Promise<ClusterSourceFactory> {
  if (!init.sourceModule) return kubeSourceFactory(init.env as NodeJS.ProcessEnv, metrics, log);
  const mod = await import(init.sourceModule.startsWith('file:') ? init.sourceModule : pathToFileURL(init.sourceModule).href) as { sourceFor: ClusterSourceFactory };
  return mod.sourceFor;
}

async function start(init: WorkerInit): Promise<void> {
  const metrics = new DnsMetrics();
  server = await DnsServer.start({
    corefile: init.corefile, defaultPort: init.defaultPort, sourceFor: await sourceFactory(init, metrics), metrics, log,
    env: init.env, localIPs: init.localIPs, sockets,
    onFatal: (e) => send({ t: 'fatal', message: e.message }),
  });
}

process.on('message', (m: ToWorker, handle?: dgram.Socket) => {
  switch (m.t) {
    case 'socket': if (handle) sockets.set(m.key, handle); break;
    case 'start': start(m.init).then(() => send({ t: 'started' }), (e: Error) => { send({ t: 'failed', message: e.message }); process.exit(1); }); break;
    case 'reload': void server?.reload(m.text); break;
    case 'metrics': void (server ? server.metrics.registry.getMetricsAsJSON() : Promise.resolve([])).then((data) => send({ t: 'metrics', id: m.id, data })); break;
    case 'ready': send({ t: 'ready', id: m.id, notReady: server ? server.notReady() : ['worker'] }); break;
    case 'stop': void (server?.stop(0) ?? Promise.resolve()).finally(() => process.exit(0)); break;
  }
});
// The primary went away (stopped, or killed): so does the worker, also when that happened while it loaded.
process.on('disconnect', () => process.exit(0));
if (!process.connected) process.exit(0);
// A pod's stop signal reaches its whole process group; the primary says when workers stop (after its
// lameduck, during which they keep answering).
process.on('SIGTERM', () => {});
process.on('SIGINT', () => {});
