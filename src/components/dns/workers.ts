// Worker processes: CoreDNS answers on every core from one process; Node.js answers on one core per
// process. So the DNS server's process (the primary) forks workers that read the same UDP sockets — the
// primary binds them and hands them over; the kernel gives each datagram to one reader — each running
// the same Corefile with its own informers and reply cache (worker-main.ts). The primary keeps
// everything that must exist once: TCP, /health, /ready (ready when the primary and every worker are),
// /metrics (the sum over the processes), the Corefile source and reloads (passed on to the workers),
// loop probes and lameduck. A worker that dies leaves the others serving; one that cannot start is
// logged and left out.
import { forkWorker, type ChildProcess } from '../../linux/process.js';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { DnsPeers, DnsServer } from './server.js';

/** What a worker needs to serve as the primary does. */
export interface WorkerInit {
  corefile: string;
  defaultPort?: number;
  /** The primary's environment (KUBECONFIG, KUBERNETES_SERVICE_HOST, ...). */
  env: Record<string, string | undefined>;
  /** A module whose `sourceFor` export makes the kubernetes plugin's source (benchmarks, tests); default the API. */
  sourceModule?: string;
  localIPs?: string[];
}

/** Messages from the primary to a worker. */
export type ToWorker =
  | { t: 'socket'; key: string }
  | { t: 'start'; init: WorkerInit }
  | { t: 'reload'; text: string }
  | { t: 'metrics' | 'ready'; id: number }
  | { t: 'stop' };

/** Messages from a worker to the primary. */
export type FromWorker =
  | { t: 'started' }
  | { t: 'failed'; message: string }
  | { t: 'fatal'; message: string }
  | { t: 'metrics'; id: number; data: MetricObjectWithValues<MetricValue<string>>[] }
  | { t: 'ready'; id: number; notReady: string[] };

// Generous: a worker loads the server's modules on a CPU the primary may be busy on; until it is up the
// primary answers alone, so waiting costs nothing but capacity.
const START_TIMEOUT_MS = 120_000;
const ASK_TIMEOUT_MS = 2_000;

function workerEntry(): string {
  const js = fileURLToPath(new URL('./worker-main.js', import.meta.url));
  return existsSync(js) ? js : js.replace(/\.js$/, '.ts'); // from source (tsx): the .ts next to this one
}

export class DnsWorkers implements DnsPeers {
  private nextId = 1;
  private readonly pending = new Map<number, (m: FromWorker) => void>();

  private constructor(private children: ChildProcess[], private readonly log: (line: string) => void) {}

  /** Forks `count` workers on the server's UDP sockets; resolves once each has started or failed to. */
  static async start(server: DnsServer, init: WorkerInit, count: number, opts: { log: (line: string) => void; onFatal: (e: Error) => void }): Promise<DnsWorkers> {
    const w = new DnsWorkers([], opts.log);
    const started = await Promise.all(Array.from({ length: count }, (_, i) => w.forkOne(server, init, i + 1, opts.onFatal)));
    w.children = started.filter((c): c is ChildProcess => c !== undefined);
    if (w.children.length) opts.log(`[INFO] ${w.children.length + 1} processes answer queries (this one and ${w.children.length} worker${w.children.length > 1 ? 's' : ''})`);
    return w;
  }

  private forkOne(server: DnsServer, init: WorkerInit, n: number, onFatal: (e: Error) => void): Promise<ChildProcess | undefined> {
    return new Promise((resolve) => {
      const child = forkWorker(workerEntry());
      let settled = false;
      const done = (c: ChildProcess | undefined, why?: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (why) { this.log(`[WARNING] DNS worker ${n} did not start (${why}); the other processes serve without it`); child.kill('SIGKILL'); }
        resolve(c);
      };
      const timer = setTimeout(() => done(undefined, `no answer within ${START_TIMEOUT_MS / 1000}s`), START_TIMEOUT_MS);
      child.on('message', (m: FromWorker) => {
        if (m.t === 'started') done(child);
        else if (m.t === 'failed') done(undefined, m.message);
        else if (m.t === 'fatal') onFatal(new Error(m.message));
        else this.pending.get(m.id)?.(m);
      });
      child.on('exit', (code, signal) => {
        if (!settled) { done(undefined, `exited ${signal ?? code}`); return; }
        if (this.children.includes(child)) {
          this.children = this.children.filter((c) => c !== child);
          this.log(`[WARNING] DNS worker ${n} exited (${signal ?? code}); the other processes keep answering`);
        }
      });
      child.on('error', (e) => done(undefined, e.message));
      for (const [key, sock] of server.udpSockets()) child.send({ t: 'socket', key } satisfies ToWorker, sock);
      child.send({ t: 'start', init } satisfies ToWorker);
    });
  }

  get size(): number { return this.children.length; }

  /** Asks every worker; a worker that does not answer in time gives undefined. */
  private ask(t: 'metrics' | 'ready'): Promise<Array<FromWorker | undefined>> {
    return Promise.all(this.children.map((c) => new Promise<FromWorker | undefined>((resolve) => {
      const id = this.nextId++;
      const timer = setTimeout(() => { this.pending.delete(id); resolve(undefined); }, ASK_TIMEOUT_MS);
      this.pending.set(id, (m) => { clearTimeout(timer); this.pending.delete(id); resolve(m); });
      try { c.send({ t, id } satisfies ToWorker); } catch { clearTimeout(timer); this.pending.delete(id); resolve(undefined); }
    })));
  }

  async metrics(): Promise<MetricObjectWithValues<MetricValue<string>>[][]> {
    const got = await this.ask('metrics');
    return got.flatMap((m) => (m?.t === 'metrics' ? [m.data] : []));
  }

  async notReady(): Promise<string[]> {
    const got = await this.ask('ready');
    return got.flatMap((m) => (m?.t === 'ready' ? m.notReady : ['worker']));
  }

  /** The primary runs a new Corefile: so do the workers. */
  reload(text: string): void {
    for (const c of this.children) { try { c.send({ t: 'reload', text } satisfies ToWorker); } catch { /* exited */ } }
  }

  /** Stops every worker (each closes its sockets); resolves when they have exited. */
  async stop(): Promise<void> {
    const children = this.children;
    this.children = [];
    await Promise.all(children.map((c) => new Promise<void>((resolve) => {
      if (c.exitCode !== null || c.signalCode !== null) { resolve(); return; }
      const timer = setTimeout(() => c.kill('SIGKILL'), 5_000);
      c.once('exit', () => { clearTimeout(timer); resolve(); });
      try { c.send({ t: 'stop' } satisfies ToWorker); } catch { c.kill('SIGKILL'); }
    })));
  }
}
