// The HTTP side of the server: /health (health plugin, 200 while the process runs, including its
// lameduck), /ready (ready plugin, 200 once every plugin that reports readiness is ready, else 503
// naming them) and /metrics (prometheus plugin). Addresses are CoreDNS's: ':8080', 'localhost:9153'.
import http from 'node:http';

export interface HttpEndpoint {
  address: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

/** ':8080' → all addresses, port 8080; 'localhost:9153'; '[::1]:53'. */
export function parseHttpAddress(a: string): { host: string; port: number } {
  const v6 = /^\[([^\]]*)\]:([0-9]+)$/.exec(a);
  if (v6) return { host: v6[1], port: Number(v6[2]) };
  const i = a.lastIndexOf(':');
  if (i < 0) return { host: a, port: 80 };
  return { host: a.slice(0, i), port: Number(a.slice(i + 1)) };
}

export type Route = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> | void;

export function serveHttp(address: string, routes: Record<string, Route>): Promise<HttpEndpoint> {
  const { host, port } = parseHttpAddress(address);
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const route = routes[path];
    if (!route) { res.writeHead(404).end('404 page not found\n'); return; }
    Promise.resolve(route(req, res)).catch((e) => { if (!res.headersSent) res.writeHead(500); res.end(String((e as Error).message)); });
  });
  server.keepAliveTimeout = 5000;
  return new Promise((resolve, reject) => {
    server.once('error', (e) => reject(new Error(`cannot listen on ${address} (${(e as Error).message}); choose another address in the Corefile`)));
    server.listen({ port, host: host || undefined }, () => {
      const bound = server.address() as { port: number };
      resolve({
        address, host, port: bound.port,
        close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
      });
    });
  });
}
