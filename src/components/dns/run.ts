// `podnet dns` as a process: find the Corefile (a file given with -conf, else the coredns ConfigMap),
// start the server with informers on the cluster, follow Corefile changes, and on SIGTERM stop
// gracefully (health's lameduck). A forwarding loop ends the process with status 1, as CoreDNS does,
// so the pod restarts with back-off and its logs say why.
import { existsSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubernetesConfig } from '../../core/dns/plugin-config.js';
import { configMapCorefile, fileCorefile, type CorefileSource } from './corefile-source.js';
import { kubeClusterSource, kubeConfigFor } from './kube-source.js';
import { DnsMetrics } from './metrics.js';
import type { ClusterSourceFactory } from './cluster-source.js';
import { DnsServer } from './server.js';
import { DnsWorkers } from './workers.js';

export interface DnsArgs {
  /** -conf: a Corefile path; used when the file exists. */
  conf?: string;
  /** -dns.port: port of server blocks without one. */
  dnsPort?: number;
  /** -configmap NAMESPACE/NAME: where the Corefile lives when there is no file (default kube-system/coredns). */
  configMap: { namespace: string; name: string };
}

export class UsageError extends Error {}

/** Reads CoreDNS's flags (-conf, -dns.port; Go style: -flag value, -flag=value, --flag) plus -configmap. */
export function parseDnsArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): DnsArgs {
  const out: DnsArgs = { configMap: { namespace: env.POD_NAMESPACE || 'kube-system', name: 'coredns' } };
  for (let i = 0; i < argv.length; i++) {
    const m = /^--?([a-z.]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) throw new UsageError(`unexpected argument ${JSON.stringify(argv[i])}; usage: dns [-conf FILE] [-dns.port PORT] [-configmap NAMESPACE/NAME]`);
    const value = () => {
      if (m[2] !== undefined) return m[2];
      if (i + 1 >= argv.length) throw new UsageError(`-${m[1]} needs a value`);
      return argv[++i];
    };
    switch (m[1]) {
      case 'conf': out.conf = value(); break;
      case 'dns.port': {
        const v = value();
        if (!/^[0-9]+$/.test(v) || Number(v) > 65535) throw new UsageError(`-dns.port must be a port number, not ${JSON.stringify(v)}`);
        out.dnsPort = Number(v);
        break;
      }
      case 'configmap': {
        const v = value();
        const [namespace, name] = v.includes('/') ? v.split('/') : [out.configMap.namespace, v];
        if (!namespace || !name) throw new UsageError(`-configmap must be NAMESPACE/NAME, not ${JSON.stringify(v)}`);
        out.configMap = { namespace, name };
        break;
      }
      default:
        throw new UsageError(`unknown flag -${m[1]}; podnet dns knows -conf, -dns.port and -configmap`);
    }
  }
  return out;
}

export interface RunningDns {
  server: DnsServer;
  corefile: CorefileSource;
  stop(): Promise<void>;
}

export interface RunDnsOptions {
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  onFatal?: (e: Error) => void;
  /** Processes that answer queries: this one and processes − 1 workers (workers.ts); default 1. */
  processes?: number;
}

export async function runDnsServer(args: DnsArgs, opts: RunDnsOptions = {}): Promise<RunningDns> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const metrics = new DnsMetrics();
  let apiConfig: KubeConfig | undefined;
  const api = () => (apiConfig ??= kubeConfigFor({}, env));
  const corefile = args.conf && existsSync(args.conf)
    ? fileCorefile(args.conf)
    : configMapCorefile(api(), args.configMap.namespace, args.configMap.name, log);
  if (args.conf && !existsSync(args.conf)) log(`[INFO] ${args.conf} does not exist; reading the Corefile from ${corefile.description}`);
  const text = await corefile.read();
  log(`[INFO] Corefile from ${corefile.description}`);
  const sourceFor = kubeSourceFactory(env, metrics, log, api);
  const server = await DnsServer.start({ corefile: text, defaultPort: args.dnsPort, sourceFor, log, metrics, env, onFatal: opts.onFatal });
  // Workers start in the background: the primary answers alone until they are up (it is complete on
  // its own), so start-up takes no longer than with one process.
  const workerCount = Math.max(0, (opts.processes ?? 1) - 1);
  let workers: DnsWorkers | undefined;
  let starting: Promise<void> = Promise.resolve();
  let stopped = false;
  let current = text;
  const startWorkers = (corefileText: string) => {
    if (workerCount === 0) return;
    starting = DnsWorkers.start(server, { corefile: corefileText, defaultPort: args.dnsPort, env: { ...env } }, workerCount, {
      log, onFatal: (e) => (opts.onFatal ?? (() => process.exit(1)))(e),
    }).then(async (w) => {
      if (stopped) { await w.stop(); return; }
      workers = w;
      if (current !== corefileText) w.reload(current);
      server.setPeers(w.size ? w : undefined);
    }, (e: Error) => log(`[WARNING] DNS worker processes did not start (${e.message}); this process answers alone`));
  };
  startWorkers(text);
  const stopWatching = corefile.watch(text, (next) => {
    if (!server.reloadEnabled) { log('[INFO] the Corefile changed; the running one has no reload directive, so the change applies at the next start'); return; }
    void (async () => {
      const listenersBefore = [...server.udpSockets().keys()].join(' ');
      if (!await server.reload(next)) return;
      current = next;
      await starting;
      if (!workers || stopped) return;
      // Same listeners: the workers reload too; new ones: new workers on the new sockets.
      if ([...server.udpSockets().keys()].join(' ') === listenersBefore) workers.reload(next);
      else { const old = workers; workers = undefined; server.setPeers(undefined); await old.stop(); startWorkers(next); }
    })();
  }, () => {
    const r = server.reloadInterval ?? { intervalMs: 30_000, jitterMs: 15_000 };
    return r.intervalMs + Math.floor((Math.random() * 2 - 1) * r.jitterMs);
  });
  return {
    server, corefile,
    // Workers answer through the primary's lameduck, then stop.
    // Workers still starting are stopped as soon as they are up (or leave when this process exits).
    async stop() { stopped = true; stopWatching(); await server.stop(); await workers?.stop(); },
  };
}

/** The kubernetes plugin's source: the API as this process reaches it (its own kubeconfig or endpoint when the plugin names one). */
export function kubeSourceFactory(env: NodeJS.ProcessEnv, metrics: DnsMetrics, log: (line: string) => void, api: () => KubeConfig = () => kubeConfigFor({}, env)): ClusterSourceFactory {
  return (cfg: KubernetesConfig) => kubeClusterSource(cfg.kubeconfig || cfg.endpoint ? kubeConfigFor(cfg, env) : api(), cfg, { metrics, log });
}
