// podnet ui: a small HTTP server on 127.0.0.1 that serves the page (plain HTML/JS/SVG from ui/ in the
// repository, no build step), the topology as JSON and as server-sent events (pushed after every watch
// event, coalesced), live connections (conntrack of each node, read through src/linux), and traces
// (the same runTrace as `podnet trace`, with --prove on request).
import { CoreV1Api } from '@kubernetes/client-node';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { flowsView, renderTrace, topologyView, type ConntrackTuple } from '../../core/trace/index.js';
import { listConntrack, netnsExists } from '../../linux/index.js';
import { parseConntrackList } from '../agent/services/stale-udp.js';
import { runTrace, type ClusterHandle } from '../trace/index.js';
import { liveCluster, type LiveCluster } from './sources.js';

const STATIC_DIR = fileURLToPath(new URL('../../../ui/', import.meta.url));
const STATIC: Record<string, string> = { '/': 'index.html', '/index.html': 'index.html', '/app.js': 'app.js', '/style.css': 'style.css' };
const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };
/** Coalesce bursts of watch events (a Deployment scaling fires dozens) into one push. */
const PUSH_DELAY_MS = 100;

export interface UiServer { url: string; server: Server; close(): Promise<void> }

function json(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

export interface UiOptions {
  port?: number;
  host?: string;
  /** The cluster view (default: informers on the cluster's API); the benchmark gives a synthetic one. */
  live?: LiveCluster;
}

export async function startUi(h: ClusterHandle, opts: UiOptions = {}): Promise<UiServer> {
  // The cluster DNS Corefile, so that traces answer names as this cluster's DNS does.
  const corefile = opts.live ? undefined : await h.kc.makeApiClient(CoreV1Api).readNamespacedConfigMap({ namespace: 'kube-system', name: 'coredns' })
    .then((c) => c.data?.Corefile, () => undefined);
  const live = opts.live ?? liveCluster(h, corefile);
  const clients = new Set<ServerResponse>();
  let version = 0;
  let timer: NodeJS.Timeout | undefined;
  const push = () => {
    timer = undefined;
    const data = JSON.stringify({ version: ++version, topology: topologyView(live.snapshot()) });
    for (const c of clients) c.write(`event: topology\ndata: ${data}\n\n`);
  };
  await live.start(() => { timer ??= setTimeout(push, PUSH_DELAY_MS); });

  async function flows() {
    const snap = live.snapshot();
    const per = new Map<string, ConntrackTuple[]>();
    await Promise.all(snap.nodes.map(async (n) => {
      const name = n.metadata?.name ?? '';
      if (!netnsExists(name)) return;
      per.set(name, parseConntrackList(await listConntrack([], name).catch(() => '')) as ConntrackTuple[]);
    }));
    return flowsView(snap, per);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const file = STATIC[url.pathname];
    if (req.method === 'GET' && file) {
      res.writeHead(200, { 'content-type': TYPES[file.split('.').pop()!], 'cache-control': 'no-store' });
      res.end(readFileSync(join(STATIC_DIR, file)));
      return;
    }
    switch (url.pathname) {
      case '/api/topology': return json(res, 200, { version, topology: topologyView(live.snapshot()) });
      case '/api/events': {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
        res.write(`event: topology\ndata: ${JSON.stringify({ version, topology: topologyView(live.snapshot()) })}\n\n`);
        clients.add(res);
        req.on('close', () => clients.delete(res));
        return;
      }
      case '/api/flows': return json(res, 200, await flows());
      case '/api/trace': {
        const from = url.searchParams.get('from'), to = url.searchParams.get('to');
        if (!from || !to) return json(res, 400, { error: 'give from and to, as podnet trace takes them' });
        const proto = url.searchParams.get('proto') === 'udp' ? 'udp' : 'tcp';
        try {
          const t = await runTrace(h, from, to, { proto, prove: url.searchParams.get('prove') === '1', snapshot: live.snapshot() });
          return json(res, 200, { trace: t, text: renderTrace(t) });
        } catch (e) {
          return json(res, 422, { error: (e as Error).message });
        }
      }
      default: return json(res, 404, { error: `no such page ${url.pathname}` });
    }
  }

  const server = createServer((req, res) => { handle(req, res).catch((e) => json(res, 500, { error: String(e?.message ?? e) })); });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(opts.port ?? 8080, host, () => resolve()); });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  return {
    url: `http://${host}:${port}/`, server,
    async close() {
      if (timer) clearTimeout(timer);
      for (const c of clients) c.end();
      await new Promise<void>((r) => server.close(() => r()));
      await live.stop();
    },
  };
}
