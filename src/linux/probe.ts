// What --prove and the trace read or send inside a namespace: listening sockets (`ss`), conntrack
// entries, one DNS question (`dig`), and one real connection from a chosen source port (a child Node
// process, since Node cannot enter a namespace from a thread).
import { run } from './exec.js';

export interface ListeningSocket { proto: 'tcp' | 'udp'; addr: string; port: number }

/** `ss -H -ltn` and `ss -H -lun` in the namespace. */
export async function listeningSockets(netns?: string): Promise<ListeningSocket[]> {
  const out: ListeningSocket[] = [];
  for (const proto of ['tcp', 'udp'] as const) {
    const { stdout } = await run(['ss', '-H', '-ln', proto === 'tcp' ? '-t' : '-u'], { netns });
    for (const line of stdout.split('\n')) {
      const local = line.trim().split(/\s+/)[3];
      if (!local) continue;
      const i = local.lastIndexOf(':');
      out.push({ proto, addr: local.slice(0, i).replace(/^\[|\]$/g, '').replace(/%.*$/, ''), port: Number(local.slice(i + 1)) });
    }
  }
  return out;
}

/** `conntrack -L` with filters (e.g. ['-p','tcp','--orig-port-src','40000']) in the namespace. */
export async function listConntrack(filter: string[], netns?: string): Promise<string> {
  return (await run(['conntrack', '-L', '-f', 'ipv4', ...filter], { netns, okExitCodes: [1] })).stdout;
}

export interface DigAnswer { rcode: string; answers: string[] }

/** One A question to `server`, from the namespace (`dig +norecurse`-free, no search: the name as given). */
export async function digA(server: string, name: string, netns?: string): Promise<DigAnswer> {
  const { stdout } = await run(['dig', '+tries=1', '+time=2', `@${server}`, `${name}.`, 'A'], { netns, okExitCodes: [9] });
  const rcode = /status: (\w+)/.exec(stdout)?.[1] ?? 'TIMEOUT';
  const answers: string[] = [];
  const sec = stdout.split(';; ANSWER SECTION:')[1]?.split('\n\n')[0] ?? '';
  for (const l of sec.split('\n')) {
    const w = l.trim().split(/\s+/);
    if (w[3] === 'A') answers.push(w[4]);
  }
  return { rcode, answers };
}

export interface ConnectResult { result: 'connected' | 'refused' | 'timeout' | 'error'; detail: string }

const CONNECT_SCRIPT = `
const [proto, host, port, localPort, ms] = process.argv.slice(1);
const done = (r, d) => { process.stdout.write(JSON.stringify({ result: r, detail: d })); process.exit(0); };
setTimeout(() => done('timeout', 'no answer within ' + ms + ' ms'), Number(ms));
if (proto === 'tcp') {
  const s = require('net').connect({ host, port: Number(port), localPort: Number(localPort) });
  s.on('connect', () => { s.end(); done('connected', 'TCP handshake completed'); });
  s.on('error', (e) => done(e.code === 'ECONNREFUSED' ? 'refused' : 'error', e.code + ' ' + e.message));
} else {
  const s = require('dgram').createSocket('udp4');
  s.on('error', (e) => done(e.code === 'ECONNREFUSED' ? 'refused' : 'error', e.code + ' ' + e.message));
  s.bind(Number(localPort), () => s.connect(Number(port), host, () => {
    s.on('message', () => done('connected', 'UDP reply received'));
    s.send('podnet-trace');
  }));
}`;

/** Opens one connection from the namespace to host:port from `localPort` (TCP handshake, or a UDP datagram and its reply). */
export async function connectProbe(proto: 'tcp' | 'udp', host: string, port: number, localPort: number, timeoutMs: number, netns?: string): Promise<ConnectResult> {
  const { stdout } = await run([process.execPath, '-e', CONNECT_SCRIPT, proto, host, String(port), String(localPort), String(timeoutMs)], { netns, timeoutMs: timeoutMs + 5000 });
  try { return JSON.parse(stdout) as ConnectResult; } catch { return { result: 'error', detail: stdout.trim() }; }
}
