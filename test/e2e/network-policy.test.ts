// End to end: NetworkPolicy through the real kubectl against `podnet up --nodes 3` (VXLAN), with the
// upstream netpol / Cyclonus model (namespaces x, y, z × pods a, b, c; TCP 80, TCP 81, UDP 80; pod a on
// node 1, b on node 2, c on node 3). Every expected table below is written by hand from the API docs.
// Matrices are probed pod → pod IP and pod → ClusterIP (policies see the endpoint after DNAT); the
// policies hold while an agent is killed with -9 and after it restarts; bad input (a policy selecting
// nothing, an unknown named port, an ipBlock covering the pod network) behaves as the API says; drops
// are counted on /metrics; `kubectl describe networkpolicy` and `get netpol` print as upstream; traffic
// from outside through a NodePort meets the target pod's policy.
// Namespace names are quoted in YAML: a bare y is the boolean true in YAML 1.1 (kubectl's parser).
// Private state root, kubeconfig, cluster name (policy-e2e) and underlay (172.31.224.0/24).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { requireRoot } from '../../src/linux/exec.js';
import { e2eCluster } from '../support/e2e-cluster.js';
import {
  addresses, ALL, ALLOW_ALL, BASE, BASE_OTHER, BASE_TCP80, modelManifest, probeAll, rowsOf, table, type Addresses,
} from '../support/netpol-model.js';

const cluster = 'policy-e2e';
const underlay = '172.31.224.0/24';
const c = e2eCluster(cluster, { kubectlTimeoutMs: 120_000 });
const { stateDir, env, podnet, show, ok, apply, waitFor, run } = c;
const nodes = [1, 2, 3].map((i) => ({ name: `${cluster}-node-${i}`, ip: `172.31.224.${10 + i}` }));
let addr: Addresses;

before(async () => {
  requireRoot('the NetworkPolicy end-to-end test');
  const up = await podnet('up', '--name', cluster, '--nodes', '3', '--underlay-cidr', underlay);
  assert.equal(up.code, 0, show(up));
  await apply(modelManifest(nodes.map((n) => n.name)));
  for (const ns of ['x', 'y', 'z']) await ok('wait', '-n', ns, '--for=condition=Ready', 'pod', '--all', '--timeout=120s');
  addr = await addresses(c);
});

after(async () => {
  if (existsSync(stateDir)) await podnet('down', '--name', cluster);
  rmSync(c.work, { recursive: true, force: true });
});

/** Applies policies and waits until every node's table has seen them (the generation of each agent). */
async function policies(yaml: string): Promise<void> {
  await ok('delete', 'networkpolicy', '--all', '-A', '--wait=true');
  if (yaml.trim()) await apply(yaml);
}

/** Probes until the observed matrices equal the expected ones or 30 s pass (policies are eventually consistent). */
async function expectMatrices(to: Map<string, string>, all: string[], what: string, from = ALL, waitMs = 30_000): Promise<void> {
  const want = all.map((t) => rowsOf(t, from));
  let got: string[] = [];
  const deadline = Date.now() + waitMs;
  do {
    got = await probeAll(c, to, from);
    if (got.every((m, i) => m === want[i])) return;
  } while (Date.now() < deadline);
  assert.deepEqual(got, want, what);
}

test('no policy: every pod reaches every pod on TCP 80, TCP 81 and UDP 80, also through ClusterIPs', async () => {
  // The first matrix also waits for the servers (27 agnhost processes) to listen: a built-in agnhost
  // is Ready when its process starts, and on two loaded cores some listen many seconds later.
  await expectMatrices(addr.pod, [ALLOW_ALL, ALLOW_ALL, ALLOW_ALL], 'pod IPs', ALL, 120_000);
  await expectMatrices(addr.service, [ALLOW_ALL, ALLOW_ALL, ALLOW_ALL], 'ClusterIPs');
});

test('Cyclonus base policy (ingress AND-peer, egress AND-peer + DNS ports): pod IPs and ClusterIPs, across nodes', async () => {
  await policies(BASE);
  await expectMatrices(addr.pod, [BASE_TCP80, BASE_OTHER, BASE_OTHER], 'pod IPs');
  await expectMatrices(addr.service, [BASE_TCP80, BASE_OTHER, BASE_OTHER], 'ClusterIPs (policy after DNAT)');
});

test('denied packets are counted per policy on the agent\'s /metrics; kubectl describe and get netpol print as upstream', async () => {
  const node1 = nodes[0];
  const metrics = await run(['curl', '-sS', '--max-time', '5', `http://${node1.ip}:10256/metrics`]);
  assert.equal(metrics.code, 0, show(metrics));
  const m = /podnet_networkpolicy_dropped_packets_total\{namespace="x",policy="base",direction="ingress"\} (\d+)/.exec(metrics.stdout);
  assert.ok(m && Number(m[1]) > 0, metrics.stdout.split('\n').filter((l) => l.includes('networkpolicy')).join('\n'));
  assert.match(metrics.stdout, /podnet_networkpolicy_pod_dropped_packets_total\{namespace="x",pod="a",direction="egress"\} [1-9]/);

  const get = await ok('get', 'netpol', '-n', 'x');
  assert.match(get, /^NAME\s+POD-SELECTOR\s+AGE\n/);
  assert.match(get, /^base\s+pod=a\s+\S+/m);
  const d = await ok('describe', 'networkpolicy', '-n', 'x', 'base');
  for (const line of [
    /^Name:\s+base$/m, /^Namespace:\s+x$/m, /^Created on:\s+\d{4}-\d\d-\d\d/m, /^Spec:$/m,
    /^  PodSelector:\s+pod=a$/m, /^  Allowing ingress traffic:$/m, /^    To Port: 80\/TCP$/m, /^    From:$/m,
    /^      NamespaceSelector: ns in \(x,y\)$/m, /^      PodSelector: pod in \(b,c\)$/m,
    /^  Allowing egress traffic:$/m, /^    To Port: 53\/TCP$/m, /^    To Port: 53\/UDP$/m, /^    To: <any> \(traffic not restricted by destination\)$/m,
    /^  Policy Types: Ingress, Egress$/m,
  ]) assert.match(d, line, d);
});

test('default deny ingress in y, allow from namespace z by name; named ports; port range', async () => {
  await policies(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: default-deny, namespace: 'y' }
spec: { podSelector: {}, policyTypes: [Ingress] }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: from-z, namespace: 'y' }
spec:
  podSelector: {}
  ingress:
  - from: [{ namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: 'z' } } }]
    ports: [{ port: serve-81-tcp }, { protocol: UDP, port: serve-80-udp }]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: range, namespace: z }
spec:
  podSelector: { matchLabels: { pod: c } }
  policyTypes: [Egress]
  egress: [{ ports: [{ protocol: TCP, port: 79, endPort: 80 }] }]
`);
  // TCP 80: nobody gets into y (z's rule names 81/UDP 80 only); z/c may still send TCP 80 (79-80).
  const tcp80 = table(`
    x/a ...XXX...
    x/b ...XXX...
    x/c ...XXX...
    y/a ....XX...
    y/b ...X.X...
    y/c ...XX....
    z/a ...XXX...
    z/b ...XXX...
    z/c ...XXX...`);
  // TCP 81: z reaches y; z/c's egress allows only 79-80.
  const tcp81 = table(`
    x/a ...XXX...
    x/b ...XXX...
    x/c ...XXX...
    y/a ....XX...
    y/b ...X.X...
    y/c ...XX....
    z/a .........
    z/b .........
    z/c XXXXXXXX.`);
  const udp80 = table(`
    x/a ...XXX...
    x/b ...XXX...
    x/c ...XXX...
    y/a ....XX...
    y/b ...X.X...
    y/c ...XX....
    z/a .........
    z/b .........
    z/c XXXXXXXX.`);
  await expectMatrices(addr.pod, [tcp80, tcp81, udp80], 'pod IPs');
});

test('bad input: a policy selecting nothing, an unknown named port, an ipBlock covering the pod network', async () => {
  await policies(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: selects-nothing, namespace: x }
spec: { podSelector: { matchLabels: { pod: nobody } }, policyTypes: [Ingress, Egress] }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: unknown-port, namespace: 'y' }
spec:
  podSelector: { matchLabels: { pod: b } }
  ingress: [{ ports: [{ port: no-such-port }] }]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: deny-z, namespace: z }
spec: { podSelector: {}, policyTypes: [Ingress] }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: cover, namespace: z }
spec:
  podSelector: { matchLabels: { pod: a } }
  ingress: [{ from: [{ ipBlock: { cidr: 10.244.0.0/16 } }] }]
`);
  // y/b: isolated, its only rule names a port it does not have: nothing gets in. z: isolated; z/a allows
  // the whole pod network. x is untouched by the policy that selects nobody. Same on every port.
  const want = table(`
    x/a ....X..XX
    x/b ....X..XX
    x/c ....X..XX
    y/a ....X..XX
    y/b .......XX
    y/c ....X..XX
    z/a ....X..XX
    z/b ....X...X
    z/c ....X..X.`);
  await expectMatrices(addr.pod, [want, want, want], 'pod IPs');
});

test('from outside through a NodePort: denied by default deny, allowed by an ipBlock of the underlay, via every node', async () => {
  await policies(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: deny, namespace: x }
spec: { podSelector: {}, policyTypes: [Ingress] }
`);
  await apply(`apiVersion: v1
kind: Service
metadata: { name: np-x-a, namespace: x }
spec:
  type: NodePort
  selector: { pod: a }
  ports: [{ port: 80, protocol: TCP }]
`);
  const nodePort = JSON.parse(await ok('get', 'service', '-n', 'x', 'np-x-a', '-o', 'json')).spec.ports[0].nodePort;
  const fromHost = async () => Promise.all(nodes.map(async (n) => {
    const r = await run(['socat', '-T3', '-', `TCP:${n.ip}:${nodePort},connect-timeout=3`], 15_000, 'p\n');
    return r.stdout.trim() ? '.' : 'X';
  }));
  const expect = async (want: string, what: string) => {
    const seen = await waitFor(what, async () => { const got = (await fromHost()).join(''); return got === want ? got : undefined; }, 30_000).catch(async () => (await fromHost()).join(''));
    assert.equal(seen, want, what);
  };
  await expect('XXX', 'default deny: no node forwards the host to x/a');
  // Through node 1 (x/a's node) the source is the host. Through nodes 2 and 3 the packet is masqueraded
  // (externalTrafficPolicy Cluster) as it leaves on the VXLAN device: it arrives from that node's
  // flannel.1 address (its podCIDR's network address), which an ipBlock of the underlay does not cover.
  await apply(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: from-underlay, namespace: x }
spec:
  podSelector: { matchLabels: { pod: a } }
  ingress: [{ from: [{ ipBlock: { cidr: ${underlay} } }], ports: [{ port: 80 }] }]
`);
  await expect('.XX', 'ipBlock of the underlay');
  const podCIDRs: Record<string, string> = Object.fromEntries(JSON.parse(await ok('get', 'nodes', '-o', 'json')).items.map((n: any) => [n.metadata.name, n.spec.podCIDR]));
  const overlay = nodes.slice(1).map((n) => `    - ipBlock: { cidr: ${podCIDRs[n.name].split('/')[0]}/32 }`).join('\n');
  await apply(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: from-forwarding-nodes, namespace: x }
spec:
  podSelector: { matchLabels: { pod: a } }
  ingress:
  - from:
${overlay}
    ports: [{ port: 80 }]
`);
  await expect('...', 'ipBlock of the underlay and of the other nodes\' overlay addresses');
  await ok('delete', 'service', '-n', 'x', 'np-x-a');
});

test('a pod created under a deny policy is isolated as soon as it is Ready', async () => {
  await policies(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: deny, namespace: x }
spec: { podSelector: {}, policyTypes: [Ingress] }
`);
  await apply(`apiVersion: v1
kind: Pod
metadata: { name: late, namespace: x, labels: { pod: late } }
spec:
  nodeName: ${nodes[1].name}
  containers:
  - { name: c, image: registry.k8s.io/e2e-test-images/agnhost:2.53, args: [serve-hostname, --tcp, --http=false, --port=80] }
`);
  await ok('wait', '-n', 'x', '--for=condition=Ready', 'pod/late', '--timeout=60s');
  const ip = JSON.parse(await ok('get', 'pod', '-n', 'x', 'late', '-o', 'json')).status.podIP;
  // No waiting: the rules were in the kernel before the container started.
  const r = await c.kubectl('exec', '-n', 'y', 'b', '-c', 'cont-80-tcp', '--', 'sh', '-c', `echo p | timeout 3 socat -T1 - TCP:${ip}:80,connect-timeout=1`);
  assert.equal(r.stdout.trim(), '', show(r));
  await ok('delete', 'pod', '-n', 'x', 'late', '--wait=false');
});

test('an agent killed with -9: its policies hold while it is down and after it restarts', async () => {
  await policies(BASE);
  await expectMatrices(addr.pod, [BASE_TCP80, BASE_OTHER, BASE_OTHER], 'before');
  const node = nodes[0].name; // x/a lives here
  const pidFile = join(stateDir, 'pids', `agent-${node}.json`);
  const agent = JSON.parse(readFileSync(pidFile, 'utf8'));
  process.kill(agent.pid, 'SIGKILL');
  await waitFor('the agent to die', async () => { try { process.kill(agent.pid, 0); return undefined; } catch { return true; } }, 10_000);
  // Pods a run on node 1, whose agent (and so `kubectl exec`) is down: probe from the others, to all.
  const reachable = ALL.filter((p) => !p.endsWith('/a'));
  await expectMatrices(addr.pod, [BASE_TCP80, BASE_OTHER, BASE_OTHER], 'while the agent is down', reachable);
  await expectMatrices(addr.service, [BASE_TCP80, BASE_OTHER, BASE_OTHER], 'while the agent is down, ClusterIPs', reachable);
  const log = join(stateDir, 'logs', `agent-${node}-restarted.log`);
  const restarted = spawn('sh', ['-c', 'exec "$@" >>"$0" 2>&1', log, 'ip', 'netns', 'exec', node, ...agent.argv], { cwd: stateDir, detached: true, stdio: 'ignore', env });
  restarted.unref();
  await waitFor('the new agent to program its table', async () => (existsSync(log) && /network policy: programmed table ip podnet-policy/.test(readFileSync(log, 'utf8')) ? true : undefined), 60_000);
  await expectMatrices(addr.pod, [BASE_TCP80, BASE_OTHER, BASE_OTHER], 'after the restart');
  await expectMatrices(addr.service, [BASE_TCP80, BASE_OTHER, BASE_OTHER], 'after the restart, ClusterIPs');
});
