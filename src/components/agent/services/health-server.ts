// The proxy's HTTP endpoint on <node IP>:10256 (kube-proxy's --healthz-bind-address port): /healthz and
// /livez for load balancers and probes, /metrics in Prometheus text (kube-proxy serves those on 10249;
// one port is simpler here and both are node-local), /proxyMode as kube-proxy answers it.
import { createServer, type Server } from 'node:http';
import { healthzResponse, livezResponse, type ProxyHealth } from './health.js';
import type { ProxyMetrics } from './metrics.js';

/** kube-proxy's healthz port. */
export const HEALTHZ_PORT = 10256;

export class ProxyHealthServer {
  private server: Server | undefined;

  constructor(private readonly opts: { health: ProxyHealth; metrics: ProxyMetrics; nodeName: string; proxyMode?: string }) {}

  /** Listens on host:port; resolves with the bound port (port 0 picks a free one). */
  async start(host: string, port = HEALTHZ_PORT): Promise<number> {
    const { health, metrics, nodeName } = this.opts;
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      const reply = (status: number, type: string, body: string) => {
        res.writeHead(status, { 'Content-Type': type, 'X-Content-Type-Options': 'nosniff' });
        res.end(body);
      };
      switch (path) {
        case '/healthz': {
          const r = healthzResponse(health, nodeName);
          metrics.healthz.inc({ code: String(r.status) });
          return reply(r.status, 'application/json', r.body);
        }
        case '/livez': {
          const r = livezResponse(health);
          metrics.livez.inc({ code: String(r.status) });
          return reply(r.status, 'application/json', r.body);
        }
        case '/metrics':
          metrics.text().then((t) => reply(200, metrics.contentType, t), (e) => reply(500, 'text/plain', String(e)));
          return;
        case '/proxyMode':
          return reply(200, 'text/plain; charset=utf-8', this.opts.proxyMode ?? 'nftables');
        default:
          return reply(404, 'text/plain; charset=utf-8', '404 page not found\n');
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => reject(new Error(
        `the service proxy cannot listen on ${host}:${port} for /healthz and /metrics (${e.code ?? e.message}): `
        + `${e.code === 'EADDRINUSE' ? 'another process (a second agent of this node?) holds the port; stop it' : 'is the node address configured on this namespace?'}`)));
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    return (server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
