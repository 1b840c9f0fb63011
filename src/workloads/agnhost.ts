// The built-in `registry.k8s.io/e2e-test-images/agnhost` workload: the subcommands Kubernetes' own network
// tests use, with upstream's endpoints and answers.
//   netexec [--http-port=8080] [--udp-port=8081]   /, /hostname, /hostName, /clientip, /echo?msg=, /header?key=,
//                                                  /dial?request=&host=&port=&protocol=&tries=, /shell?cmd=,
//                                                  /exit?code=, /healthz, /readyz; UDP: hostname, echo X, clientip
//   serve-hostname [--port=9376] [--udp] [--tcp] [--http=true]
//   pause
import { createServer, request } from 'node:http';
import { createSocket } from 'node:dgram';
import { createServer as createTcpServer } from 'node:net';
import { hostname } from 'node:os';
import { execFile } from 'node:child_process';
import { signalListening, signalWhenListening } from './listening.js';

function flags(args: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const a of args) {
    const match = /^--?([^=]+)(?:=(.*))?$/.exec(a);
    if (match) m.set(match[1], match[2] ?? 'true');
  }
  return m;
}

function log(line: string): void { process.stdout.write(`${new Date().toISOString()} ${line}\n`); }

function onTerm(fn: () => void): void {
  process.on('SIGTERM', fn);
  process.on('SIGINT', fn);
}

/**
 * One try of /dial over HTTP: a new connection each time (agent: false), as upstream's agnhost does
 * (it closes the connection after each try), so that tries through a Service's ClusterIP are balanced
 * over its endpoints; a keep-alive agent would send every try down one connection to one endpoint.
 */
async function dialHttp(host: string, port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: `/${path.replace(/^\//, '')}`, timeout: 5000, agent: false, headers: { Connection: 'close' } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

async function dialUdp(host: string, port: number, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    const timer = setTimeout(() => { sock.close(); reject(new Error('reading from udp connection failed. err:i/o timeout')); }, 3000);
    sock.on('message', (msg) => { clearTimeout(timer); sock.close(); resolve(msg.toString()); });
    sock.send(payload, port, host, (err) => { if (err) { clearTimeout(timer); sock.close(); reject(err); } });
  });
}

function netexec(f: Map<string, string>): void {
  const httpPort = Number(f.get('http-port') ?? 8080);
  const udpPort = Number(f.get('udp-port') ?? 8081);
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://agnhost');
    const q = url.searchParams;
    const text = (code: number, body: string) => { res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8' }); res.end(body); };
    log(`GET ${url.pathname}${url.search}`);
    switch (url.pathname) {
      case '/': return text(200, `NOW: ${new Date().toISOString()}`);
      case '/hostname': case '/hostName': return text(200, hostname());
      case '/clientip': return text(200, `${req.socket.remoteAddress?.replace(/^::ffff:/, '')}:${req.socket.remotePort}`);
      case '/echo': return text(200, q.get('msg') ?? '');
      case '/header': return text(200, String(req.headers[(q.get('key') ?? '').toLowerCase()] ?? ''));
      case '/healthz': case '/readyz': return text(200, 'ok');
      case '/exit': { text(200, ''); const code = Number(q.get('code') ?? 0); setTimeout(() => process.exit(code), 10); return; }
      case '/shell': {
        const cmd = q.get('cmd') ?? '';
        execFile('/bin/sh', ['-c', cmd], (err, stdout, stderr) => {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ output: stdout, ...(err ? { error: `${err.message}${stderr ? `: ${stderr}` : ''}` } : {}) }));
        });
        return;
      }
      case '/dial': {
        const host = q.get('host') ?? '', port = Number(q.get('port')), protocol = q.get('protocol') ?? 'http';
        const tries = Math.max(1, Number(q.get('tries') ?? 1)), what = q.get('request') ?? '';
        const responses: string[] = [], errors: string[] = [];
        for (let i = 0; i < tries; i++) {
          try { responses.push(protocol === 'udp' ? await dialUdp(host, port, what) : await dialHttp(host, port, what)); }
          catch (e) { errors.push((e as Error).message); }
        }
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return res.end(JSON.stringify({ responses, errors }));
      }
      default: return text(404, '404 page not found\n');
    }
  });
  const bound: Array<Promise<void>> = [];
  bound.push(new Promise((r) => server.listen(httpPort, '0.0.0.0', () => { log(`Started HTTP server on port ${httpPort}`); r(); })));
  const udp = createSocket('udp4');
  udp.on('message', (msg, rinfo) => {
    const [cmd, ...rest] = msg.toString().trim().split(' ');
    let reply: string;
    if (cmd === 'hostname' || cmd === 'hostName') reply = hostname();
    else if (cmd === 'echo') reply = rest.join(' ');
    else if (cmd === 'clientip') reply = `${rinfo.address}:${rinfo.port}`;
    else reply = `unknown command ${cmd}`;
    udp.send(reply, rinfo.port, rinfo.address);
  });
  if (udpPort > 0) bound.push(new Promise((r) => udp.bind(udpPort, '0.0.0.0', () => { log(`Started UDP server on port ${udpPort}`); r(); })));
  signalWhenListening(bound);
  onTerm(() => { server.close(); try { udp.close(); } catch { /* not bound */ } process.exit(0); });
}

function serveHostname(f: Map<string, string>): void {
  const port = Number(f.get('port') ?? 9376);
  const name = hostname();
  const bound: Array<Promise<void>> = [];
  if (f.get('http') !== 'false') {
    const http = createServer((_req, res) => { res.writeHead(200, { 'Content-Type': 'text/plain' }); res.end(name); });
    bound.push(new Promise((r) => http.listen(port, '0.0.0.0', () => { log(`Serving on port ${port}.`); r(); })));
  }
  if (f.get('tcp') === 'true') { const tcp = createTcpServer((c) => c.end(name)); bound.push(new Promise((r) => tcp.listen(port, '0.0.0.0', () => r()))); }
  if (f.get('udp') === 'true') {
    const udp = createSocket('udp4');
    udp.on('message', (_m, r) => udp.send(name, r.port, r.address));
    bound.push(new Promise((r) => udp.bind(port, '0.0.0.0', () => r())));
  }
  signalWhenListening(bound);
  onTerm(() => process.exit(0));
}

function pause(): void {
  // Stays until told to stop, as the pause container does.
  setInterval(() => undefined, 1 << 30);
  onTerm(() => process.exit(0));
  signalListening();
}

export function runAgnhost(args: string[]): void {
  const [sub, ...rest] = args;
  const f = flags(rest);
  switch (sub) {
    case 'netexec': return netexec(f);
    case 'serve-hostname': return serveHostname(f);
    case 'pause': return pause();
    default:
      process.stderr.write(`agnhost (podnet built-in): unknown or unsupported subcommand "${sub ?? ''}"; supported: netexec, serve-hostname, pause\n`);
      process.exit(1);
  }
}
