// A throwaway network for kernel tests and benchmarks of the proxy: one "node" namespace that routes
// between a client pod, server pods and an outside host, each on its own routed veth (so every packet
// crosses the node's netfilter hooks, as with kube-proxy on a real node). Servers answer TCP and UDP
// with their name and the client address they saw; the client reports replies, refusals and timing.
//
//   ext 192.168.77.2 ── node (192.168.77.1, 10.244.N.1 per pod link, ip_forward) ── cli 10.244.1.10
//                                                                                 ── srv1 10.244.2.5, srv2 10.244.3.5, ...
import { run } from '../../linux/exec.js';
import { addAddress } from '../../linux/addr.js';
import { addVeth, setLinkUp } from '../../linux/link.js';
import { addNetns, deleteNetns } from '../../linux/netns.js';
import { spawnAttached, type ChildProcess } from '../../linux/process.js';
import { addRoute } from '../../linux/route.js';
import { setSysctl } from '../../linux/sysctl.js';

export const NODE_EXTERNAL_IP = '192.168.77.1';
export const EXTERNAL_CLIENT_IP = '192.168.77.2';
export const CLIENT_POD_IP = '10.244.1.10';

const SERVER = `
import socket, sys, threading
name, port = sys.argv[1], int(sys.argv[2])
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind(('0.0.0.0', port)); t.listen(512)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(('0.0.0.0', port))
def udp():
    while True:
        data, peer = u.recvfrom(2048)
        u.sendto(('%s %s' % (name, peer[0])).encode(), peer)
threading.Thread(target=udp, daemon=True).start()
print('ready', flush=True)
while True:
    c, peer = t.accept()
    try:
        c.sendall(('%s %s\\n' % (name, peer[0])).encode())
    finally:
        c.close()
`;

const CLIENT = `
import json, socket, sys, time
proto, ip, port, count, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
for _ in range(count):
    start = time.perf_counter()
    try:
        if proto == 'tcp':
            s = socket.create_connection((ip, port), timeout=timeout)
            reply = s.recv(200).decode().strip()
        else:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(timeout)
            s.connect((ip, port)); s.send(b'hi'); reply = s.recv(200).decode().strip()
        s.close()
        out = {'reply': reply}
    except ConnectionRefusedError:
        out = {'error': 'refused'}
    except socket.timeout:
        out = {'error': 'timeout'}
    except OSError as e:
        out = {'error': e.strerror or str(e)}
    out['ms'] = (time.perf_counter() - start) * 1000
    print(json.dumps(out), flush=True)
`;

export interface ConnectResult {
  /** `<server name> <client address the server saw>` */
  reply?: string;
  error?: 'refused' | 'timeout' | string;
  ms: number;
}

let pythonPath: string | undefined;
async function python(): Promise<string> {
  // pyenv shims re-exec through a shell; resolve the real interpreter once.
  pythonPath ??= (await run(['python3', '-c', 'import sys; print(sys.executable)'])).stdout.trim();
  return pythonPath;
}

export class ProxyTestbed {
  readonly node: string;
  readonly client: string;
  readonly external: string;
  readonly servers: Array<{ name: string; ns: string; ip: string }> = [];
  private readonly procs: ChildProcess[] = [];
  private readonly namespaces: string[] = [];

  /** `prefix` must be the caller's own (e.g. `pnp-<pid>`); names stay within 15 characters per link. */
  constructor(readonly prefix: string) {
    this.node = `${prefix}-node`;
    this.client = `${prefix}-cli`;
    this.external = `${prefix}-ext`;
  }

  private async link(ns: string, nodeSide: string, nsIP: string, gw: string, prefixLen: number): Promise<void> {
    // The pod end is made as eth0 straight in its namespace, as CNI does.
    await addVeth(nodeSide, 'eth0', { netns: this.node, peerNetns: ns });
    await addAddress(nodeSide, `${gw}/${prefixLen}`, { netns: this.node });
    await setLinkUp(nodeSide, { netns: this.node });
    await addAddress('eth0', `${nsIP}/${prefixLen}`, { netns: ns });
    await setLinkUp('eth0', { netns: ns });
    await setLinkUp('lo', { netns: ns });
    await addRoute({ dst: 'default', via: gw }, { netns: ns });
  }

  private async addNs(ns: string): Promise<void> {
    await addNetns(ns);
    this.namespaces.push(ns);
  }

  /** Creates the node, client and outside namespaces and `servers` server pods (10.244.2.5, 10.244.3.5, ...). */
  async create(servers: number): Promise<void> {
    await this.addNs(this.node);
    await setLinkUp('lo', { netns: this.node });
    await setSysctl('net.ipv4.ip_forward', 1, { netns: this.node });
    await this.addNs(this.client);
    await this.link(this.client, 'vcli', CLIENT_POD_IP, '10.244.1.1', 24);
    await this.addNs(this.external);
    await this.link(this.external, 'vext', EXTERNAL_CLIENT_IP, NODE_EXTERNAL_IP, 24);
    // Like a real node's default gateway: traffic to service IPs must be routable before DNAT happens.
    await addRoute({ dst: 'default', via: EXTERNAL_CLIENT_IP }, { netns: this.node });
    for (let i = 0; i < servers; i++) {
      const ns = `${this.prefix}-srv${i + 1}`;
      await this.addNs(ns);
      await this.link(ns, `vsrv${i + 1}`, `10.244.${i + 2}.5`, `10.244.${i + 2}.1`, 24);
      this.servers.push({ name: `srv${i + 1}`, ns, ip: `10.244.${i + 2}.5` });
    }
  }

  /** Starts a TCP+UDP responder on `port` in every server namespace. */
  async startServers(port: number): Promise<void> {
    const py = await python();
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve, reject) => {
      const p = spawnAttached([py, '-c', SERVER, s.name, String(port)], { netns: s.ns, stdio: ['ignore', 'pipe', 'pipe'] });
      this.procs.push(p);
      let err = '';
      p.stderr!.on('data', (b) => { err += b; });
      p.stdout!.once('data', () => resolve());
      p.once('exit', (code) => reject(new Error(`test server ${s.name} exited (${code}): ${err}`)));
    })));
  }

  /** Opens `count` connections from namespace `ns` (one after another) and reports each. */
  async connect(ns: string, proto: 'tcp' | 'udp', ip: string, port: number, count = 1, timeoutSec = 3): Promise<ConnectResult[]> {
    const { stdout } = await run([await python(), '-c', CLIENT, proto, ip, String(port), String(count), String(timeoutSec)],
      { netns: ns, timeoutMs: (timeoutSec * count + 30) * 1000 });
    return stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as ConnectResult);
  }

  /** Kills the servers this testbed started and deletes its namespaces (their links go with them). */
  async destroy(): Promise<void> {
    for (const p of this.procs) if (p.exitCode === null && p.pid) { try { process.kill(p.pid); } catch { /* already gone */ } }
    await Promise.all(this.procs.map((p) => p.exitCode === null ? new Promise((r) => p.once('exit', r)) : undefined));
    for (const ns of this.namespaces.reverse()) await deleteNetns(ns);
  }
}
