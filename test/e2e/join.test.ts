// End to end: a node on "another host". The second host is a network namespace (pnj-host2, 172.31.219.2)
// reached through a router namespace (pnj-router) that sits on the cluster's underlay bridge
// (172.31.218.254) and on the second host's network (172.31.219.1): an L3 hop, as between two machines
// in different subnets. The first host routes 172.31.219.0/24 to the router. `podnet join` runs inside
// pnj-host2 with its own state root (the other machine's disk).
//  - a host-gw cluster refuses the join, saying why, and nothing is left on the second host;
//  - with vxlan the joined node is Ready, and its pods reach and are reached by pods on the other
//    nodes by pod IP (source IP kept), through Services and by DNS name; kubectl exec/logs reach its
//    agent across the hop; `podnet down` on the second host removes the agent, cni0, flannel.1, the nft
//    tables and the Node.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireRoot } from '../../src/linux/exec.js';
import { e2eCluster, type Result } from '../support/e2e-cluster.js';

const { repo, work, stateRoot, podnet, kubectl, show, ok, apply, waitFor, run } = e2eCluster('pnj-e2e', { kubectlTimeoutMs: 60_000 });
const ROUTER = 'pnj-router';
const HOST2 = 'pnj-host2';
const ROOT_VETH = 'pnj-r0';
const UNDERLAY = '172.31.218.0/24';
const ROUTER_UNDERLAY_IP = '172.31.218.254';
const HOST2_NET = '172.31.219.0/24';
const HOST2_IP = '172.31.219.2';
const host2Root = join(work, 'host2-state');
const clusters = new Set<string>();
let forwardingWas: string | undefined;

const sh = (...argv: string[]) => execFileSync(argv[0], argv.slice(1), { encoding: 'utf8' });
const quiet = (...argv: string[]) => { try { execFileSync(argv[0], argv.slice(1), { stdio: 'ignore' }); } catch { /* already gone */ } };
const ipIn = (netns: string, ...args: string[]) => sh('ip', '-n', netns, ...args);

/** podnet on the second host: inside its namespace, with its own state root. */
const podnetOnHost2 = (...args: string[]): Promise<Result> =>
  run(['ip', 'netns', 'exec', HOST2, 'env', `PODNET_STATE_ROOT=${host2Root}`, process.execPath, '--import', 'tsx', join(repo, 'src/cli/main.ts'), ...args]);

before(() => {
  requireRoot('the join end-to-end test');
  // The first host forwards between its underlay and the router, as a host whose nodes talk to other hosts must.
  forwardingWas = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim();
  if (forwardingWas !== '1') writeFileSync('/proc/sys/net/ipv4/ip_forward', '1');
});

after(async () => {
  if (existsSync(join(host2Root, 'pnj'))) await podnetOnHost2('down', '--name', 'pnj');
  removeHop();
  for (const name of clusters) if (existsSync(join(stateRoot, name))) await podnet('down', '--name', name);
  if (forwardingWas !== undefined && forwardingWas !== '1') writeFileSync('/proc/sys/net/ipv4/ip_forward', forwardingWas);
  rmSync(work, { recursive: true, force: true });
});

/** The router and the second host, the router's leg plugged into `bridge` (the cluster's underlay). */
function makeHop(bridge: string): void {
  sh('ip', 'netns', 'add', ROUTER);
  sh('ip', 'netns', 'add', HOST2);
  sh('ip', 'link', 'add', ROOT_VETH, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ROUTER);
  sh('ip', 'link', 'set', ROOT_VETH, 'master', bridge, 'up');
  sh('ip', '-n', ROUTER, 'link', 'add', 'eth1', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', HOST2);
  ipIn(ROUTER, 'addr', 'add', `${ROUTER_UNDERLAY_IP}/24`, 'dev', 'eth0');
  ipIn(ROUTER, 'addr', 'add', '172.31.219.1/24', 'dev', 'eth1');
  for (const l of ['lo', 'eth0', 'eth1']) ipIn(ROUTER, 'link', 'set', l, 'up');
  sh('ip', 'netns', 'exec', ROUTER, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1');
  ipIn(HOST2, 'addr', 'add', `${HOST2_IP}/24`, 'dev', 'eth0');
  ipIn(HOST2, 'link', 'set', 'lo', 'up');
  ipIn(HOST2, 'link', 'set', 'eth0', 'up');
  ipIn(HOST2, 'route', 'add', 'default', 'via', '172.31.219.1');
  sh('ip', 'route', 'add', HOST2_NET, 'via', ROUTER_UNDERLAY_IP);
}

function removeHop(): void {
  quiet('ip', 'route', 'del', HOST2_NET);
  quiet('ip', 'link', 'del', ROOT_VETH);
  quiet('ip', 'netns', 'del', HOST2);
  quiet('ip', 'netns', 'del', ROUTER);
}

async function up(name: string, ...flags: string[]): Promise<string> {
  clusters.add(name);
  const r = await podnet('up', '--name', name, '--underlay-cidr', UNDERLAY, '--no-ingress', ...flags);
  assert.equal(r.code, 0, show(r));
  return (JSON.parse(readFileSync(join(stateRoot, name, 'cluster.json'), 'utf8')) as { bridge: string }).bridge;
}

async function joinArgs(cluster: string): Promise<string[]> {
  const r = await podnet('join-command', '--name', cluster);
  assert.equal(r.code, 0, show(r));
  const argv = r.stdout.trim().split(' ');
  assert.deepEqual(argv.slice(0, 2), ['podnet', 'join']);
  assert.match(r.stdout, /--ca-cert-hash sha256:[0-9a-f]{64}/);
  return argv.slice(2);
}

const host2Links = () => ipIn(HOST2, 'link', 'show');
const host2Tables = () => sh('ip', 'netns', 'exec', HOST2, 'nft', 'list', 'tables');

test('a cluster with the host-gw overlay refuses a node behind a router, and says to use vxlan', async () => {
  const bridge = await up('pnj-gw', '--nodes', '1', '--overlay', 'host-gw', '--no-wait');
  try {
    makeHop(bridge);
    const r = await podnetOnHost2('join', ...await joinArgs('pnj-gw'), '--name', 'pnj-remote');
    assert.equal(r.code, 1, show(r));
    assert.match(r.stderr, /host-gw route needs every other node on the same L2 segment/);
    assert.match(r.stderr, new RegExp(`node pnj-gw-node-1 \\(172\\.31\\.218\\.11\\) is reached via the router 172\\.31\\.219\\.1`));
    assert.match(r.stderr, /--overlay vxlan/);
    // Refused before anything was made.
    assert.equal(existsSync(join(host2Root, 'pnj-gw')), false);
    assert.doesNotMatch(host2Links(), /cni0|flannel\.1/);
    assert.equal((await kubectl('get', 'node', 'pnj-remote')).code, 1);
  } finally {
    removeHop();
    const down = await podnet('down', '--name', 'pnj-gw');
    assert.equal(down.code, 0, show(down));
  }
});

test('a wrong --ca-cert-hash is refused before the token is sent, a taken name too; a node joined over VXLAN talks both ways by IP, Service and DNS', async () => {
  const bridge = await up('pnj', '--nodes', '2');
  makeHop(bridge);
  const args = await joinArgs('pnj');

  const wrong = args.map((a) => (a.startsWith('sha256:') ? `sha256:${'0'.repeat(64)}` : a));
  const bad = await podnetOnHost2('join', ...wrong, '--name', 'pnj-remote');
  assert.equal(bad.code, 1, show(bad));
  assert.match(bad.stderr, /not the --ca-cert-hash given .* the token was not sent/);

  const taken = await podnetOnHost2('join', ...args, '--name', 'pnj-node-1');
  assert.equal(taken.code, 1, show(taken));
  assert.match(taken.stderr, /already has a Node named pnj-node-1: give this host another name with --name/);

  const joined = await podnetOnHost2('join', ...args, '--name', 'pnj-remote');
  assert.equal(joined.code, 0, show(joined));
  assert.match(joined.stdout, /Node pnj-remote \(172\.31\.219\.2 on eth0\) joined cluster "pnj"/);
  const status = await podnetOnHost2('status', '--name', 'pnj');
  assert.equal(status.code, 0, show(status));
  assert.match(status.stdout, /joined +https:\/\/172\.31\.218\.1:\d+ \(podnet join\).*health: ok/);
  assert.match(status.stdout, /pnj-remote +172\.31\.219\.2 +this host +Ready: True/);

  // The Node as the other nodes see it: Ready, InternalIP on the second host, the flannel annotations.
  const nodes = await ok('get', 'nodes', '--no-headers');
  assert.match(nodes, /^pnj-remote +Ready/m, nodes);
  const node = JSON.parse(await ok('get', 'node', 'pnj-remote', '-o', 'json'));
  assert.deepEqual(node.status.addresses.find((a: { type: string }) => a.type === 'InternalIP'), { type: 'InternalIP', address: HOST2_IP });
  assert.ok(node.spec.podCIDR, 'node IPAM gave the joined node a podCIDR');
  assert.equal(node.metadata.labels['node.kubernetes.io/exclude-from-external-load-balancers'], '');
  const annotated = await waitFor('the joined node\'s flannel annotations', async () => {
    const n = JSON.parse(await ok('get', 'node', 'pnj-remote', '-o', 'json'));
    return n.metadata.annotations?.['flannel.alpha.coreos.com/backend-data'] ? n : undefined;
  });
  assert.equal(annotated.metadata.annotations['flannel.alpha.coreos.com/public-ip'], HOST2_IP);
  // node-1 sends to the joined node's podCIDR through its VTEP, to the second host's address.
  const vtep = JSON.parse(annotated.metadata.annotations['flannel.alpha.coreos.com/backend-data']).VtepMAC;
  await waitFor('node-1\'s FDB entry for the joined node', async () => (ipIn('pnj-node-1', 'neigh', 'show', 'dev', 'flannel.1').includes(vtep) &&
    sh('ip', 'netns', 'exec', 'pnj-node-1', 'bridge', 'fdb', 'show', 'dev', 'flannel.1').includes(`${vtep} dst ${HOST2_IP}`)) || undefined);

  const pod = (name: string, node: string, server: boolean) => `apiVersion: v1
kind: Pod
metadata: { name: ${name}, labels: { app: ${name} } }
spec:
  nodeName: ${node}
  containers:
  - name: c
${server ? '    image: registry.k8s.io/e2e-test-images/agnhost:2.52\n    args: ["netexec", "--http-port=8080"]' : '    image: curlimages/curl\n    command: ["sleep", "3600"]'}
---
`;
  const svc = (name: string) => `apiVersion: v1
kind: Service
metadata: { name: ${name}-svc }
spec: { selector: { app: ${name} }, ports: [{ port: 80, targetPort: 8080 }] }
---
`;
  await apply(pod('remote', 'pnj-remote', true) + pod('client-remote', 'pnj-remote', false) + pod('local', 'pnj-node-1', true) +
    pod('client-local', 'pnj-node-2', false) + svc('remote') + svc('local'));
  const wait = await kubectl('wait', '--for=condition=Ready', 'pod/remote', 'pod/client-remote', 'pod/local', 'pod/client-local', '--timeout=90s');
  assert.equal(wait.code, 0, show(wait));
  const ip = async (name: string) => (await ok('get', 'pod', name, '-o', 'jsonpath={.status.podIP}')).trim();
  const [remoteIP, clientRemoteIP, localIP, clientLocalIP] = await Promise.all(['remote', 'client-remote', 'local', 'client-local'].map(ip));
  const curl = async (from: string, url: string) => {
    const r = await kubectl('exec', from, '--', 'curl', '-sS', '--max-time', '5', url);
    assert.equal(r.code, 0, `${from} → ${url}: ${show(r)}`);
    return r.stdout.trim();
  };

  // By pod IP, both ways, without NAT.
  assert.equal((await curl('client-remote', `http://${localIP}:8080/clientip`)).split(':')[0], clientRemoteIP);
  assert.equal((await curl('client-local', `http://${remoteIP}:8080/clientip`)).split(':')[0], clientLocalIP);
  // Through Services, by DNS name (cluster DNS runs on the first host's nodes), both ways.
  await waitFor('both Services to have endpoints', async () => {
    const out = await ok('get', 'endpointslices', '-l', 'kubernetes.io/service-name in (remote-svc,local-svc)', '-o', 'jsonpath={.items[*].endpoints[*].addresses[0]}');
    return out.split(' ').filter(Boolean).length === 2 || undefined;
  });
  assert.equal(await curl('client-remote', 'http://local-svc.default.svc.cluster.local/hostname'), 'local');
  assert.equal(await curl('client-local', 'http://remote-svc/hostname'), 'remote');
  assert.equal(await curl('client-remote', 'http://remote-svc/hostname'), 'remote');
  // The API server reaches the joined node's agent (logs) across the hop.
  const logs = await kubectl('logs', 'remote');
  assert.equal(logs.code, 0, show(logs));

  const cniBefore = host2Links();
  assert.match(cniBefore, /cni0/);
  assert.match(cniBefore, /flannel\.1/);
  assert.match(host2Tables(), /table ip podnet\b/);

  // Leaving: down on the second host removes what join made there, and the Node.
  const down = await podnetOnHost2('down', '--name', 'pnj');
  assert.equal(down.code, 0, show(down));
  assert.match(down.stdout, /deleted Node pnj-remote/);
  assert.equal(existsSync(join(host2Root, 'pnj')), false);
  assert.doesNotMatch(host2Links(), /cni0|flannel\.1|veth/);
  assert.doesNotMatch(host2Tables(), /podnet/);
  await waitFor('the Node to be gone and node-1 to drop its route to it', async () =>
    ((await kubectl('get', 'node', 'pnj-remote')).code !== 0 && !ipIn('pnj-node-1', 'route', 'show').includes(node.spec.podCIDR)) || undefined);

  removeHop();
  const downCluster = await podnet('down', '--name', 'pnj');
  assert.equal(downCluster.code, 0, show(downCluster));
});
