// `podnet server`: the store, the registry with its admission plugins, the controllers, and the HTTPS
// listeners on 127.0.0.1 and the underlay address (never anywhere else).
import { createServer, type Server } from 'node:https';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ClusterConfig } from '../../core/cluster/config.js';
import { ApiError, unauthorizedError } from '../../core/api/errors.js';
import { qualifiedResource } from '../../core/api/resources.js';
import { openDatastore, type Store } from '../store/index.js';
import { startControllerManager } from '../controllers/index.js';
import { hostname } from 'node:os';
import { VipKeeper } from './vip-keeper.js';
import { Registry } from './registry.js';
import { ApiHandler } from './handler.js';
import { NamespaceLifecycle } from './namespace-lifecycle.js';
import { DefaultIngressClass } from './default-ingress-class.js';
import { ServiceAllocation } from './service-allocation.js';
import { parseApiPath } from './request-info.js';
import type { PodStreams } from './pod-streams.js';
import { KubeletProxy } from './kubelet-proxy.js';
import { ensureBootstrapRbac } from './rbac-bootstrap.js';

export interface RunningServer {
  registry: Registry;
  close(): Promise<void>;
}

export interface ServerExtras {
  /** How pod logs/exec/attach/portforward are served; defaults to forwarding to the node's agent. */
  podStreams?: PodStreams;
  /** Listen addresses; defaults to 127.0.0.1 and config.hostIP. */
  hosts?: string[];
  log?: (line: string) => void;
  /**
   * Which of config.servers this process is (podnet server --id); 'server' for a lone server. It names
   * the port to listen on and the controller manager's Lease holderIdentity (<hostname>_<id>), which
   * stays the same across restarts, so a restarted server takes its own Lease back at once.
   */
  id?: string;
}

function defaultLog(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

export async function runServer(config: ClusterConfig, extras: ServerExtras = {}): Promise<RunningServer> {
  const log = extras.log ?? defaultLog;
  const token = readFileSync(config.paths.token, 'utf8').trim();
  const tls = { cert: readFileSync(config.paths.serverCert), key: readFileSync(config.paths.serverKey) };
  const started = performance.now();
  const store: Store = await openDatastore(config.datastore, config.paths.store);
  const storeMs = performance.now() - started;
  const registry = new Registry(store, { tolerationSeconds: {
    notReady: config.defaultNotReadyTolerationSeconds ?? 300, unreachable: config.defaultUnreachableTolerationSeconds ?? 300,
  } });
  registry.use(new NamespaceLifecycle(registry));
  registry.use(new DefaultIngressClass(registry));
  const allocation = await ServiceAllocation.open(store, registry, config);
  registry.use(allocation);
  await ensureBootstrapRbac(registry);

  const podStreams = extras.podStreams ?? new KubeletProxy(registry, token);
  let ready = false;
  const handler = new ApiHandler({
    registry, token, serverAddress: `${config.hostIP}:${config.apiServerPort}`,
    isReady: () => ready, podStreams, log,
  });

  const id = extras.id ?? 'server';
  const me = config.servers?.find((x) => x.name === id);
  if (config.servers?.length && !me) {
    throw new Error(`this cluster runs the API servers ${config.servers.map((x) => x.name).join(', ')}: start podnet server with --id NAME, one of them`);
  }
  const port = me?.port ?? config.apiServerPort;
  const servers: Server[] = [];
  const hosts = extras.hosts ?? ['127.0.0.1', config.hostIP];
  for (const host of hosts) {
    const server = createServer({ ...tls, keepAlive: true }, (req, res) => {
      const started = Date.now();
      res.on('finish', () => {
        if (res.statusCode >= 400) log(`${req.method} ${req.url} ${res.statusCode} ${Date.now() - started}ms`);
      });
      void handler.handle(req, res);
    });
    server.on('upgrade', (req, socket, head) => void upgrade(req, socket, head));
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    // Watches stay open for up to an hour; the per-request timeout must not cut them.
    server.requestTimeout = 0;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => { server.off('error', reject); resolve(); });
    });
    servers.push(server);
  }

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    try {
      if (!handler.authorized(req)) throw unauthorizedError();
      const url = new URL(req.url ?? '/', 'https://podnet');
      const ri = parseApiPath(url.pathname);
      const sub = ri?.subresource;
      if (!ri?.info || ri.info.kind !== 'Pod' || !ri.name || (sub !== 'exec' && sub !== 'attach' && sub !== 'portforward')) {
        throw new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 400, reason: 'BadRequest',
          message: `upgrade is only supported on pods/exec, pods/attach and pods/portforward (got ${url.pathname})` });
      }
      const pod = await registry.getOrThrow(qualifiedResource(ri.info), ri.namespace, ri.name);
      await podStreams.upgrade(pod, sub, req, socket, head);
    } catch (e) {
      const status = e instanceof ApiError ? e.status : { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 500, reason: 'InternalError', message: String((e as Error)?.message ?? e) };
      const body = JSON.stringify(status);
      socket.end(`HTTP/1.1 ${status.code} ${status.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    }
  }

  // Several servers: keep the one address pointing at the live ones (this one now listens).
  const vip = config.servers?.length ? new VipKeeper(config, { log }) : undefined;
  vip?.start();

  const controllersStarted = performance.now();
  const controllers = await startControllerManager(registry, config, {
    identity: `${hostname()}_${id}`, leaderElection: config.leaderElection, log,
  });
  ready = true;
  const ms = (n: number) => `${Math.round(n)} ms`;
  log(`ready in ${ms(performance.now() - started)} after imports (store ${ms(storeMs)}, controllers ${ms(performance.now() - controllersStarted)}${controllers.isLeader() ? '' : ', another server leads the controllers'}), ${Math.round(process.uptime() * 1000)} ms after process start`);

  return {
    registry,
    async close() {
      ready = false;
      await vip?.stop(port);
      await controllers.stop();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeAllConnections();
      })));
      await store.close();
    },
  };
}
