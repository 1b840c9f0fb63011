// End to end: cluster DNS as users meet it. `podnet up --nodes 2`, addons/coredns.yaml applied (its
// forward pointed at a stub DNS server this test runs on the host's underlay address, never a real
// resolver), then from pods through kubectl: nslookup of a Service by short name, <svc>.<ns>,
// <svc>.<ns>.svc and FQDN; pod A records; SRV with dig; a headless Service with hostname/subdomain pods;
// ExternalName; getent hosts (glibc's search-list walk); a name outside the cluster through forward;
// and the answers surviving the deletion of one DNS pod.
// Needs: the dns built-in workload (image registry.k8s.io/coredns/coredns) in the agent, with API
// credentials for the container, and the service proxy in the agents (10.96.0.10 is a ClusterIP).
// Private state root, kubeconfig, cluster name (pnd-e2e) and underlay (172.31.236.0/24).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireRoot } from '../../src/linux/exec.js';
import { e2eCluster, type Result } from '../support/e2e-cluster.js';
import { startStubUpstream, type StubUpstream } from '../../src/components/dns/testing/stub-upstream.js';

const cluster = 'pnd-e2e';
const underlay = '172.31.236.0/24';
const hostIP = '172.31.236.1';
const { repo, work, stateRoot, kubeconfig, podnet, kubectl, show, ok, apply } = e2eCluster(cluster);
let stub: StubUpstream | undefined;

async function eventually(what: string, f: () => Promise<Result>, good: (r: Result) => boolean, timeoutMs = 60_000): Promise<Result> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await f();
    if (good(r)) return r;
    if (Date.now() > deadline) assert.fail(`${what}: ${show(r)}`);
    await new Promise((res) => setTimeout(res, 1000));
  }
}

const exec = (pod: string, ns: string, ...cmd: string[]) => kubectl('exec', '-n', ns, pod, '--', ...cmd);

before(async () => {
  requireRoot('the DNS end-to-end test');
  const up = await podnet('up', '--name', cluster, '--nodes', '2', '--underlay-cidr', underlay);
  assert.equal(up.code, 0, show(up));
  stub = await startStubUpstream({ 'www.example.test': [{ type: 'A', data: '192.0.2.80' }] }, hostIP);
  // kubeadm's manifest as shipped, with forward pointed at the stub instead of the node's resolv.conf.
  const manifest = readFileSync(join(repo, 'addons/coredns.yaml'), 'utf8').replace('forward . /etc/resolv.conf', `forward . ${hostIP}:${stub.port}`);
  await apply(manifest);
  await ok('rollout', 'status', '-n', 'kube-system', 'deployment/coredns', '--timeout=120s');
  await apply(`apiVersion: v1
kind: Namespace
metadata: { name: apps }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: apps }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers: [{ name: nginx, image: nginx, ports: [{ name: http, containerPort: 80 }] }]
---
apiVersion: v1
kind: Service
metadata: { name: web-service, namespace: apps }
spec:
  selector: { app: web }
  ports: [{ name: http, port: 80, targetPort: 80, protocol: TCP }]
---
apiVersion: v1
kind: Service
metadata: { name: db, namespace: apps }
spec:
  clusterIP: None
  selector: { app: db }
  ports: [{ name: pg, port: 5432, protocol: TCP }]
---
apiVersion: v1
kind: Pod
metadata: { name: db-0, namespace: apps, labels: { app: db } }
spec:
  hostname: db-0
  subdomain: db
  containers: [{ name: db, image: registry.k8s.io/e2e-test-images/agnhost:2.52, args: ["netexec", "--http-port=5432"] }]
---
apiVersion: v1
kind: Service
metadata: { name: search, namespace: apps }
spec:
  type: ExternalName
  externalName: www.example.test
---
apiVersion: v1
kind: Pod
metadata: { name: client, namespace: apps }
spec:
  containers: [{ name: sh, image: busybox, command: ["sleep", "3600"] }]
---
apiVersion: v1
kind: Pod
metadata: { name: client, namespace: default }
spec:
  containers: [{ name: sh, image: busybox, command: ["sleep", "3600"] }]
`);
  await ok('wait', '--for=condition=Ready', '-n', 'apps', 'pod/client', 'pod/db-0', '--timeout=120s');
  await ok('wait', '--for=condition=Ready', '-n', 'default', 'pod/client', '--timeout=120s');
  await ok('rollout', 'status', '-n', 'apps', 'deployment/web', '--timeout=120s');
});

after(async () => {
  await stub?.close();
  if (existsSync(join(stateRoot, cluster))) await podnet('down', '--name', cluster);
  rmSync(work, { recursive: true, force: true });
});

test('pods resolve through 10.96.0.10 with the search list kubelet writes', async () => {
  const resolv = await exec('client', 'apps', 'cat', '/etc/resolv.conf');
  assert.match(resolv.stdout, /nameserver 10\.96\.0\.10/);
  assert.match(resolv.stdout, /search apps\.svc\.cluster\.local svc\.cluster\.local cluster\.local/);
  const ip = (await ok('get', 'svc', 'web-service', '-n', 'apps', '-o', 'jsonpath={.spec.clusterIP}')).trim();
  for (const [pod, ns, name] of [
    ['client', 'apps', 'web-service'], ['client', 'default', 'web-service.apps'], ['client', 'default', 'web-service.apps.svc'],
    ['client', 'default', 'web-service.apps.svc.cluster.local'], ['client', 'default', 'web-service.apps.svc.cluster.local.'],
  ]) {
    const r = await eventually(`nslookup ${name} from ${ns}`, () => exec(pod, ns, 'nslookup', name), (x) => x.code === 0 && x.stdout.includes(ip));
    assert.match(r.stdout, /Server:\s+10\.96\.0\.10/);
  }
  const missing = await exec('client', 'apps', 'nslookup', 'no-such-service');
  assert.notEqual(missing.code, 0);
  assert.match(missing.stdout + missing.stderr, /NXDOMAIN|can't find/);
});

test('getent hosts (glibc search-list walk), pod A records, SRV, headless hostname/subdomain, ExternalName, forward', async () => {
  const ip = (await ok('get', 'svc', 'web-service', '-n', 'apps', '-o', 'jsonpath={.spec.clusterIP}')).trim();
  const getent = await exec('client', 'apps', 'getent', 'hosts', 'web-service');
  assert.equal(getent.code, 0, show(getent));
  assert.match(getent.stdout, new RegExp(`^${ip.replace(/\./g, '\\.')}\\s+web-service\\.apps\\.svc\\.cluster\\.local`));

  const podIP = (await ok('get', 'pod', 'client', '-n', 'apps', '-o', 'jsonpath={.status.podIP}')).trim();
  const podName = `${podIP.replace(/\./g, '-')}.apps.pod.cluster.local`;
  const podA = await exec('client', 'apps', 'dig', '+short', podName);
  assert.equal(podA.stdout.trim(), podIP, show(podA));

  const srv = await exec('client', 'apps', 'dig', '+short', 'SRV', '_http._tcp.web-service.apps.svc.cluster.local');
  assert.equal(srv.stdout.trim(), '0 100 80 web-service.apps.svc.cluster.local.', show(srv));

  const dbIP = (await ok('get', 'pod', 'db-0', '-n', 'apps', '-o', 'jsonpath={.status.podIP}')).trim();
  await eventually('db-0.db', () => exec('client', 'apps', 'dig', '+short', 'db-0.db.apps.svc.cluster.local'), (r) => r.stdout.trim() === dbIP);
  assert.equal((await exec('client', 'apps', 'dig', '+short', 'db.apps.svc.cluster.local')).stdout.trim(), dbIP);
  assert.equal((await exec('client', 'apps', 'dig', '+short', 'SRV', '_pg._tcp.db.apps.svc.cluster.local')).stdout.trim(), '0 100 5432 db-0.db.apps.svc.cluster.local.');
  const ptr = await exec('client', 'apps', 'dig', '+short', '-x', dbIP);
  assert.equal(ptr.stdout.trim(), 'db-0.db.apps.svc.cluster.local.');

  const ext = await exec('client', 'apps', 'dig', '+noall', '+answer', 'search.apps.svc.cluster.local');
  assert.match(ext.stdout, /search\.apps\.svc\.cluster\.local\.\s+30\s+IN\s+CNAME\s+www\.example\.test\./);
  assert.match(ext.stdout, /www\.example\.test\.\s+\d+\s+IN\s+A\s+192\.0\.2\.80/);
  const fwd = await exec('client', 'apps', 'dig', '+short', 'www.example.test.');
  assert.equal(fwd.stdout.trim(), '192.0.2.80');
  assert.ok(stub!.seen.some((s) => s.startsWith('www.example.test A')));
});

test('killing one DNS pod: answers continue from the other replica and a new pod takes its place', async () => {
  const pods = (await ok('get', 'pods', '-n', 'kube-system', '-l', 'k8s-app=kube-dns', '-o', 'jsonpath={.items[*].metadata.name}')).trim().split(/\s+/);
  assert.equal(pods.length, 2);
  await ok('delete', 'pod', '-n', 'kube-system', pods[0], '--wait=false');
  for (let i = 0; i < 10; i++) {
    const r = await exec('client', 'apps', 'nslookup', 'web-service');
    assert.equal(r.code, 0, `query ${i} after the kill: ${show(r)}`);
  }
  await ok('rollout', 'status', '-n', 'kube-system', 'deployment/coredns', '--timeout=120s');
  // The killed pod may still be terminating (CoreDNS's lameduck keeps it answering a few seconds): the
  // replicas that count are the ones not being deleted.
  const list = JSON.parse(await ok('get', 'pods', '-n', 'kube-system', '-l', 'k8s-app=kube-dns', '-o', 'json')) as
    { items: Array<{ metadata: { name: string; deletionTimestamp?: string } }> };
  const now = list.items.filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name);
  assert.equal(now.length, 2, `replicas not being deleted: ${now.join(' ')}`);
  assert.ok(!now.includes(pods[0]), `${pods[0]} was replaced: ${now.join(' ')}`);
});
