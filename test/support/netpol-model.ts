// The upstream netpol / Cyclonus model for end-to-end tests: namespaces x, y, z (label ns=<name>), pods a,
// b, c (label pod=<name>) with one agnhost container per (port, protocol) — cont-80-tcp, cont-81-tcp,
// cont-80-udp, port names serve-80-tcp, serve-81-tcp, serve-80-udp — and one Service per pod
// s-<ns>-<pod>. Pod a runs on node 1, b on node 2, c on node 3, so every matrix has same-node and
// cross-node pairs. Probes: every pod to every pod at once (one `kubectl exec` per client running one
// Node.js process for all its probes), 3 s timeouts; a matrix row is the client, a column the server, '.' = connected.
import type { e2eCluster } from './e2e-cluster.js';

export const NAMESPACES = ['x', 'y', 'z'];
export const PODS = ['a', 'b', 'c'];
export const ALL = NAMESPACES.flatMap((ns) => PODS.map((p) => `${ns}/${p}`));
export const TARGETS = [{ port: 80, proto: 'tcp' }, { port: 81, proto: 'tcp' }, { port: 80, proto: 'udp' }] as const;
export type Target = typeof TARGETS[number];

type Cluster = ReturnType<typeof e2eCluster>;

export function modelManifest(nodes: string[]): string {
  const docs: string[] = [];
  for (const ns of NAMESPACES) {
    docs.push(`apiVersion: v1\nkind: Namespace\nmetadata: { name: '${ns}', labels: { ns: '${ns}' } }`);
    PODS.forEach((p, i) => {
      const containers = TARGETS.map((t) => `  - name: cont-${t.port}-${t.proto}
    image: registry.k8s.io/e2e-test-images/agnhost:2.53
    args: [serve-hostname, --${t.proto}, --http=false, --port=${t.port}]
    ports: [{ name: serve-${t.port}-${t.proto}, containerPort: ${t.port}, protocol: ${t.proto.toUpperCase()} }]`).join('\n');
      docs.push(`apiVersion: v1\nkind: Pod\nmetadata: { name: '${p}', namespace: '${ns}', labels: { pod: '${p}' } }\nspec:\n  nodeName: ${nodes[i % nodes.length]}\n  containers:\n${containers}`);
      docs.push(`apiVersion: v1\nkind: Service\nmetadata: { name: s-${ns}-${p}, namespace: '${ns}' }\nspec:\n  selector: { pod: '${p}' }\n  ports:\n${TARGETS.map((t) => `  - { name: service-port-${t.proto}-${t.port}, port: ${t.port}, protocol: ${t.proto.toUpperCase()} }`).join('\n')}`);
    });
  }
  return docs.join('\n---\n') + '\n';
}

export interface Addresses { pod: Map<string, string>; service: Map<string, string> }

export async function addresses(c: Cluster): Promise<Addresses> {
  const pods = JSON.parse(await c.ok('get', 'pods', '-A', '-l', 'pod', '-o', 'json')).items;
  const svcs = JSON.parse(await c.ok('get', 'services', '-A', '-o', 'json')).items;
  const pod = new Map<string, string>(pods.map((p: any) => [`${p.metadata.namespace}/${p.metadata.name}`, p.status.podIP]));
  const service = new Map<string, string>(svcs.filter((s: any) => s.metadata.name.startsWith('s-'))
    .map((s: any) => [`${s.metadata.namespace}/${s.metadata.name.split('-')[2]}`, s.spec.clusterIP]));
  return { pod, service };
}

/**
 * The probe program run in a client pod (pods run the host's binaries): every target at once, from one
 * Node.js process (lighter than a socat per probe on two shared cores). A TCP probe succeeds when the
 * server's answer (serve-hostname writes the hostname) arrives, a UDP probe when a reply datagram does;
 * 3 s timeouts. Prints one line `<column> <target index> .|X` per probe.
 */
const PROBE = `const net = require('net'), dgram = require('dgram');
const jobs = JSON.parse(process.argv[1]);
const one = ([col, ti, ip, port, proto]) => new Promise((done) => {
  const end = (ok) => { clearTimeout(timer); try { s.destroy ? s.destroy() : s.close(); } catch {} done(col + ' ' + ti + ' ' + (ok ? '.' : 'X')); };
  const timer = setTimeout(() => end(false), 3000);
  let s;
  if (proto === 'tcp') { s = net.connect(port, ip); s.on('data', () => end(true)); s.on('error', () => end(false)); }
  else { s = dgram.createSocket('udp4'); s.on('message', () => end(true)); s.on('error', () => end(false)); s.send('p', port, ip); }
});
Promise.all(jobs.map(one)).then((lines) => console.log(lines.join('\\n')));`;

function jobs(to: Map<string, string>): string {
  return JSON.stringify(ALL.flatMap((dst, col) => TARGETS.map((t, ti) => [col, ti, to.get(dst), t.port, t.proto])));
}

/** Every pod → every pod on every target; one matrix text per target (rows joined by newlines). */
export async function probeAll(c: Cluster, to: Map<string, string>, from: string[] = ALL): Promise<string[]> {
  const list = jobs(to);
  const rows = await Promise.all(from.map(async (src) => {
    const [ns, pod] = src.split('/');
    const r = await c.kubectl('exec', '-n', ns, pod, '-c', 'cont-80-tcp', '--', process.execPath, '-e', PROBE, list);
    if (r.code !== 0) throw new Error(`probing from ${src}: ${c.show(r)}`);
    const cells = TARGETS.map(() => Array(ALL.length).fill('?'));
    for (const line of r.stdout.trim().split('\n')) {
      const [col, ti, v] = line.split(' ');
      cells[Number(ti)][Number(col)] = v;
    }
    return cells.map((row) => row.join(''));
  }));
  return TARGETS.map((_, ti) => rows.map((r, i) => `${from[i]} ${r[ti]}`).join('\n'));
}

/** Only the rows of `from` (clients whose node's agent is down cannot be exec'd into). */
export function rowsOf(text: string, from: string[]): string {
  return text.split('\n').filter((l) => from.includes(l.split(' ')[0])).join('\n');
}

/** A hand-written table: rows `x/a .XX......`, whitespace-trimmed. */
export function table(text: string): string {
  return text.trim().split('\n').map((l) => l.trim().replace(/\s+/, ' ')).join('\n');
}

export const ALLOW_ALL = table(ALL.map((p) => `${p} .........`).join('\n'));

// Cyclonus' base test policy: x/a accepts TCP 80 from pods b, c of namespaces x, y (AND); x/a may
// connect on TCP 80 to pods a, b of namespaces y, z, and to port 53 (TCP and UDP) anywhere.
export const BASE = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: base, namespace: x }
spec:
  podSelector: { matchLabels: { pod: a } }
  policyTypes: [Ingress, Egress]
  ingress:
  - from:
    - podSelector: { matchExpressions: [{ key: pod, operator: In, values: [b, c] }] }
      namespaceSelector: { matchExpressions: [{ key: ns, operator: In, values: ['x', 'y'] }] }
    ports: [{ protocol: TCP, port: 80 }]
  egress:
  - to:
    - podSelector: { matchExpressions: [{ key: pod, operator: In, values: [a, b] }] }
      namespaceSelector: { matchExpressions: [{ key: ns, operator: In, values: ['y', 'z'] }] }
    ports: [{ protocol: TCP, port: 80 }]
  - ports: [{ protocol: TCP, port: 53 }, { protocol: UDP, port: 53 }]
`;
export const BASE_TCP80 = table(`
  x/a .XX..X..X
  x/b .........
  x/c .........
  y/a X........
  y/b .........
  y/c .........
  z/a X........
  z/b X........
  z/c X........`);
// TCP 81 and UDP 80: x/a may send nowhere (but to itself) and receive from nobody.
export const BASE_OTHER = table(`
  x/a .XXXXXXXX
  x/b X........
  x/c X........
  y/a X........
  y/b X........
  y/c X........
  z/a X........
  z/b X........
  z/c X........`);

