// What --prove and the trace read or send inside a namespace: listening sockets (`ss`), conntrack
// entries, one DNS question (`dig`), and one real connection from a chosen source port (a child
// process, since Node cannot enter a namespace from a thread).
import { spawn } from 'node:child_process';
import { run } from './exec.js';
import { validateNetnsName } from './netns.js';

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

// Python (Debian's /usr/bin/python3, started with -I -S) starts in a fraction of Node's time, which is
// most of --prove's cost on a loaded machine.
// With `armed`, it binds, prints "armed" and connects only when a line arrives on stdin: the caller starts
// it while it sets up its tracing, so the interpreter's start-up is off the measured path.
const CONNECT_SCRIPT = `
import json, socket, sys
proto, host, port, lport, ms = sys.argv[1:6]
armed = len(sys.argv) > 6
def done(r, d):
    print(json.dumps({"result": r, "detail": d}), flush=True)
    sys.exit(0)
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.settimeout(int(ms) / 1000)
try:
    s.bind(("0.0.0.0", int(lport)))
    if armed:
        print("armed", flush=True)
        if not sys.stdin.readline():
            sys.exit(0)
    s.connect((host, int(port)))
    if proto == "tcp":
        done("connected", "TCP handshake completed")
    s.send(b"podnet-trace")
    s.recv(2048)
    done("connected", "UDP reply received")
except ConnectionRefusedError as e:
    done("refused", "ECONNREFUSED " + str(e))
except socket.timeout:
    done("timeout", "no answer within " + ms + " ms")
except OSError as e:
    done("error", str(e))
`;

/** Opens one connection from the namespace to host:port from `localPort` (TCP handshake, or a UDP datagram and its reply). */
export async function connectProbe(proto: 'tcp' | 'udp', host: string, port: number, localPort: number, timeoutMs: number, netns?: string): Promise<ConnectResult> {
  const { stdout } = await run(['/usr/bin/python3', '-I', '-S', '-c', CONNECT_SCRIPT, proto, host, String(port), String(localPort), String(timeoutMs)], { netns, timeoutMs: timeoutMs + 5000 });
  try { return JSON.parse(stdout) as ConnectResult; } catch { return { result: 'error', detail: stdout.trim() }; }
}

export interface ArmedProbe {
  /** Connects now; resolves with the outcome. */
  fire(): Promise<ConnectResult>;
  /** Ends the probe without connecting (the caller gave up). */
  cancel(): void;
}

/**
 * connectProbe in two steps: the process starts and binds `localPort` in the namespace now (resolves once
 * it has), and connects when fire() is called.
 */
export async function armConnectProbe(proto: 'tcp' | 'udp', host: string, port: number, localPort: number, timeoutMs: number, netns?: string): Promise<ArmedProbe> {
  if (netns) validateNetnsName(netns);
  const py = ['/usr/bin/python3', '-I', '-S', '-c', CONNECT_SCRIPT, proto, host, String(port), String(localPort), String(timeoutMs), 'armed'];
  const argv = netns ? ['ip', 'netns', 'exec', netns, ...py] : py;
  const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], timeout: timeoutMs + 30_000 });
  let out = '', err = '';
  child.stderr!.on('data', (d) => (err += d));
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.stdin!.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => { out += d; if (out.startsWith('armed\n')) resolve(); });
    child.once('error', reject);
    child.once('close', (code) => reject(new Error(`the connect probe exited (${code}) before it was armed: ${(out + err).trim() || 'no output'}`)));
  });
  return {
    async fire() {
      child.stdin!.end('go\n');
      await closed;
      const line = out.slice('armed\n'.length).trim();
      try { return JSON.parse(line) as ConnectResult; } catch { return { result: 'error', detail: (line + err).trim() || 'no output' }; }
    },
    cancel() { child.stdin!.end(); },
  };
}
