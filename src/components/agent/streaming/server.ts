// The agent's kubelet-style endpoint on <node IP>:10250, reached only by the API server (which checks the
// user) and authenticated with the cluster token: container logs, exec, attach and port-forward, in the
// URL layout kubelet uses (/containerLogs/{ns}/{pod}/{container}, /exec/..., /attach/..., /portForward/...).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, createWebSocketStream, type WebSocket } from 'ws';
import type { LogOptions, StreamingRuntime } from './runtime.js';
import { StreamRequestError } from './runtime.js';
import { execOptionsFrom, sendFailure, serveExec } from './exec.js';
import { servePortForward } from './portforward.js';
import { PORTFORWARD_CHANNEL_PROTOCOLS, serveWebSocketPortForward } from './portforward-websocket.js';
import { podLogOptionsFrom, queryPorts } from '../../../core/api/query-params.js';
import { ApiError } from '../../../core/api/errors.js';

const CHANNEL_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];
const TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';

export interface StreamingServerOptions {
  host: string;
  port: number;
  token: string;
  runtime: StreamingRuntime;
  log?: (line: string) => void;
}

interface Route { kind: 'containerLogs' | 'exec' | 'attach' | 'portForward'; namespace: string; pod: string; container?: string }

function route(pathname: string): Route | undefined {
  const p = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (p[0] === 'portForward' && p.length === 3) return { kind: 'portForward', namespace: p[1], pod: p[2] };
  if ((p[0] === 'containerLogs' || p[0] === 'exec' || p[0] === 'attach') && p.length === 4) {
    return { kind: p[0], namespace: p[1], pod: p[2], container: p[3] };
  }
  return undefined;
}

function status(code: number, reason: string, message: string): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code, reason, message });
}

function errorInfo(e: unknown): { code: number; reason: string; message: string } {
  if (e instanceof StreamRequestError) return { code: e.code, reason: e.reason, message: e.message };
  if (e instanceof ApiError) return { code: e.code, reason: e.status.reason ?? 'BadRequest', message: e.status.message ?? e.message };
  return { code: 500, reason: 'InternalError', message: (e as Error)?.message ?? String(e) };
}

function logOptions(q: URLSearchParams): LogOptions {
  const o = podLogOptionsFrom(q);
  return {
    follow: o.follow, timestamps: o.timestamps, previous: o.previous,
    tailLines: o.tailLines, limitBytes: o.limitBytes, sinceSeconds: o.sinceSeconds, sinceTime: o.sinceTime,
  };
}

export class StreamingServer {
  private server?: Server;
  // The protocol chosen per request. Negotiated here rather than by ws: Go clients offer
  // `SPDY/3.1+portforward.k8s.io`, whose '/' ws rejects as a header token.
  private readonly chosen = new WeakMap<IncomingMessage, string>();
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly upgraded = new Set<Duplex>();

  constructor(private readonly opts: StreamingServerOptions) {
    this.wss.on('headers', (headers, req) => {
      const p = this.chosen.get(req);
      if (p) headers.push(`Sec-WebSocket-Protocol: ${p}`);
    });
  }

  /** Picks our preferred subprotocol among those offered, and hides the header from ws. */
  private negotiate(req: IncomingMessage, supported: string[]): string | undefined {
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).filter(Boolean);
    delete req.headers['sec-websocket-protocol'];
    const p = supported.find((x) => offered.includes(x));
    if (p) this.chosen.set(req, p);
    return p;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => void this.request(req, res));
    server.on('upgrade', (req, socket, head) => void this.upgrade(req, socket, head));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => resolve());
    });
    this.server = server;
  }

  get port(): number {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a.port : this.opts.port;
  }

  async stop(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    // Upgraded connections (exec, attach, port-forward) no longer belong to the HTTP server: end them here.
    for (const sock of this.upgraded) sock.destroy();
    await new Promise<void>((resolve) => { if (!this.server) return resolve(); this.server.close(() => resolve()); this.server.closeAllConnections(); });
  }

  private authorized(req: IncomingMessage): boolean {
    return req.headers.authorization === `Bearer ${this.opts.token}`;
  }

  private async request(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://agent');
    if (url.pathname === '/healthz') { res.end('ok'); return; }
    if (!this.authorized(req)) { res.writeHead(401, { 'Content-Type': 'application/json' }); res.end(status(401, 'Unauthorized', 'Unauthorized')); return; }
    const r = route(url.pathname);
    if (!r || r.kind !== 'containerLogs') {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(status(404, 'NotFound', `the agent does not serve ${url.pathname}`));
      return;
    }
    try {
      const stream = await this.opts.runtime.logs({ namespace: r.namespace, name: r.pod }, r.container!, logOptions(url.searchParams));
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      stream.pipe(res);
      req.on('close', () => stream.destroy());
    } catch (e) {
      const { code, reason, message } = errorInfo(e);
      res.writeHead(code, { 'Content-Type': 'application/json' });
      res.end(status(code, reason, message));
    }
  }

  private reject(socket: Duplex, code: number, reason: string, message: string): void {
    const body = status(code, reason, message);
    socket.end(`HTTP/1.1 ${code} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    this.upgraded.add(socket);
    socket.once('close', () => this.upgraded.delete(socket));
    const url = new URL(req.url ?? '/', 'http://agent');
    if (!this.authorized(req)) return this.reject(socket, 401, 'Unauthorized', 'Unauthorized');
    const r = route(url.pathname);
    if (!r || r.kind === 'containerLogs') return this.reject(socket, 404, 'NotFound', `the agent does not serve ${url.pathname}`);
    const pod = { namespace: r.namespace, name: r.pod };
    const upgradeTo = String(req.headers.upgrade ?? '').toLowerCase();

    if (upgradeTo === 'spdy/3.1') {
      if (r.kind !== 'portForward') {
        return this.reject(socket, 400, 'BadRequest', 'exec and attach are served over WebSocket (v5.channel.k8s.io) only; upgrade kubectl to 1.30 or newer');
      }
      socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n\r\n');
      if (head.length) socket.unshift(head);
      servePortForward(socket, this.opts.runtime, pod, this.opts.log);
      return;
    }
    if (upgradeTo !== 'websocket') return this.reject(socket, 400, 'BadRequest', `unsupported upgrade "${req.headers.upgrade}"`);

    if (r.kind === 'portForward') {
      // kubectl tunnels SPDY inside the WebSocket; other clients (the Python client) use channel port-forward,
      // which names its ports in the query as kubelet's `port` (the API server's `ports`), comma-separated.
      const protocol = this.negotiate(req, [TUNNEL_PROTOCOL, ...PORTFORWARD_CHANNEL_PROTOCOLS]);
      let ports: number[] = [];
      if (protocol !== TUNNEL_PROTOCOL) {
        try { ports = [...queryPorts(url.searchParams, 'port'), ...queryPorts(url.searchParams, 'ports')]; } catch (e) {
          return this.reject(socket, 400, 'BadRequest', (e as Error).message);
        }
        if (ports.length === 0) return this.reject(socket, 400, 'BadRequest', 'query parameter "port" is required');
        if (ports.includes(0)) return this.reject(socket, 400, 'BadRequest', 'port "0" must be > 0');
      }
      this.wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
        if (protocol === TUNNEL_PROTOCOL) servePortForward(createWebSocketStream(ws), this.opts.runtime, pod, this.opts.log);
        else serveWebSocketPortForward(ws, protocol, ports, this.opts.runtime, pod, this.opts.log, socket);
      });
      return;
    }
    const protocol = this.negotiate(req, CHANNEL_PROTOCOLS);
    this.wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      if (!protocol || !CHANNEL_PROTOCOLS.includes(protocol)) { sendFailure(ws, `exec needs one of ${CHANNEL_PROTOCOLS.join(', ')}`, socket); return; }
      const opts = execOptionsFrom(url.searchParams);
      const command = url.searchParams.getAll('command');
      const rt = this.opts.runtime;
      const started = r.kind === 'exec'
        ? (command.length ? rt.exec(pod, r.container!, command, opts) : Promise.reject(new StreamRequestError('you must specify at least 1 command')))
        : rt.attach(pod, r.container!, opts);
      serveExec(ws, started, opts, (e) => errorInfo(e).message, protocol, socket);
    });
  }
}
