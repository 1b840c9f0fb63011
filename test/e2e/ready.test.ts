// End to end: what a new user hits first, through the real kubectl, each with one request and no retry,
// as a user types it (issue 8):
// - `podnet up` returns once cluster DNS answers: a pod created at once resolves a Service;
// - built-in images are Ready only when they serve: agnhost netexec created, `kubectl wait
//   --for=condition=Ready`, then one request from another pod, 50 times in a row; nginx reached on
//   127.0.0.1:80 by the pod's second container the moment that container starts, in 50 pods;
// - agnhost /dial with 20 tries through a 2-endpoint ClusterIP reaches both endpoints;
// - `printf 'hostname\nexit\n' | kubectl run -i ... -- sh` prints the pod's hostname, 20 times in a row.
// Private state root, kubeconfig, cluster name (ready-e2e) and underlay (172.31.229.0/24).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { requireRoot } from '../../src/linux/exec.js';
import { e2eCluster } from '../support/e2e-cluster.js';

const cluster = 'ready-e2e';
const underlay = '172.31.229.0/24';
const { work, stateRoot, kubeconfig, podnet, kubectl, run, show, ok, apply, waitFor } = e2eCluster(cluster);
let upOutput = '';

before(async () => {
  requireRoot('the first-steps end-to-end test');
  const up = await podnet('up', '--name', cluster, '--nodes', '2', '--underlay-cidr', underlay);
  assert.equal(up.code, 0, show(up));
  upOutput = up.stdout + up.stderr;
});

after(async () => {
  const down = await podnet('down', '--name', cluster);
  rmSync(work, { recursive: true, force: true });
  assert.equal(down.code, 0, show(down));
  void stateRoot; void kubeconfig;
});

test('podnet up waits for cluster DNS: a pod created at once resolves a Service on its first try', async () => {
  assert.match(upOutput, /Waiting for cluster DNS: kubernetes\.default resolves/);
  // No `kubectl wait` for DNS, no retry: the pod's one lookup (getent: glibc's resolver, as most programs).
  await apply(`apiVersion: v1
kind: Pod
metadata: { name: resolve }
spec:
  restartPolicy: Never
  containers: [{ name: c, image: busybox, command: [getent, hosts, kubernetes.default] }]
`);
  await ok('wait', '--for=jsonpath={.status.phase}=Succeeded', 'pod/resolve', '--timeout=60s');
  assert.match(await ok('logs', 'resolve'), /^10\.96\.0\.1\s+kubernetes\.default/m);
});

test('agnhost netexec: created, kubectl wait Ready, then one request from another pod, 50 times in a row', async () => {
  await apply(`apiVersion: v1
kind: Pod
metadata: { name: client }
spec:
  containers: [{ name: c, image: busybox, command: [sleep, '3600'] }]
`);
  await ok('wait', '--for=condition=Ready', 'pod/client', '--timeout=60s');
  for (let i = 0; i < 50; i++) {
    const name = `s${i}`;
    await ok('run', name, '--image=registry.k8s.io/e2e-test-images/agnhost:2.47', '--restart=Never', '--labels=batch=serve', '--', 'netexec', '--http-port=8080');
    const ip = (await ok('wait', '--for=condition=Ready', `pod/${name}`, '--timeout=60s', '-o', 'jsonpath={.status.podIP}')).trim();
    const r = await kubectl('exec', 'client', '--', 'curl', '-sS', '--max-time', '5', `http://${ip}:8080/hostname`);
    assert.equal(r.code, 0, `try ${i}: the first request after Ready failed: ${show(r)}`);
    assert.equal(r.stdout, name);
  }
  await ok('delete', 'pods', '-l', 'batch=serve', '--wait=false');
});

test('nginx: the pod\'s second container reaches 127.0.0.1:80 the moment it starts, in 50 pods', async () => {
  for (let batch = 0; batch < 5; batch++) {
    const pods = Array.from({ length: 10 }, (_, i) => `web-${batch}-${i}`);
    await apply(pods.map((name) => `apiVersion: v1
kind: Pod
metadata: { name: ${name}, labels: { batch: b${batch} } }
spec:
  containers:
  - { name: nginx, image: nginx }
  - name: probe
    image: busybox
    command: [sh, -c, 'curl -sS -o /dev/null -w "first request: %{http_code}\\n" http://127.0.0.1:80/; exec sleep 3600']
`).join('---\n'));
    await ok('wait', '--for=condition=Ready', 'pod', '-l', `batch=b${batch}`, '--timeout=120s');
    for (const name of pods) {
      const log = await ok('logs', name, '-c', 'probe');
      assert.match(log, /first request: 200/, `${name}: the second container's first request to nginx: ${log}`);
    }
    await ok('delete', 'pod', '-l', `batch=b${batch}`, '--wait=false');
  }
});

test('agnhost /dial with 20 tries through a 2-endpoint ClusterIP reaches both endpoints', async () => {
  await apply(`apiVersion: apps/v1
kind: Deployment
metadata: { name: echo }
spec:
  replicas: 2
  selector: { matchLabels: { app: echo } }
  template:
    metadata: { labels: { app: echo } }
    spec:
      containers: [{ name: agnhost, image: registry.k8s.io/e2e-test-images/agnhost:2.47, args: [netexec, --http-port=8080] }]
---
apiVersion: v1
kind: Service
metadata: { name: echo }
spec:
  selector: { app: echo }
  ports: [{ port: 80, targetPort: 8080 }]
---
apiVersion: v1
kind: Pod
metadata: { name: dialer }
spec:
  containers: [{ name: agnhost, image: registry.k8s.io/e2e-test-images/agnhost:2.47, args: [netexec, --http-port=8080] }]
`);
  await ok('rollout', 'status', 'deployment/echo', '--timeout=120s');
  await ok('wait', '--for=condition=Ready', 'pod/dialer', '--timeout=60s');
  const names = (await ok('get', 'pods', '-l', 'app=echo', '-o', 'jsonpath={.items[*].metadata.name}')).trim().split(/\s+/).sort();
  const ips = (await ok('get', 'pods', '-l', 'app=echo', '-o', 'jsonpath={.items[*].status.podIP}')).trim().split(/\s+/);
  // The Service's rules on the dialer's node must name both endpoints first (the proxy follows the
  // EndpointSlice asynchronously, as kube-proxy does); then one /dial, no retry.
  const node = (await ok('get', 'pod', 'dialer', '-o', 'jsonpath={.spec.nodeName}')).trim();
  await waitFor(`the rules of ${node} to send to ${ips.join(' and ')}`, async () => {
    const table = await run(['ip', 'netns', 'exec', node, 'nft', 'list', 'table', 'ip', 'podnet'], 10_000);
    return ips.every((ip) => table.stdout.includes(`${ip} . 8080`) || table.stdout.includes(`${ip}:8080`)) ? true : undefined;
  }, 60_000);
  const clusterIP = (await ok('get', 'service', 'echo', '-o', 'jsonpath={.spec.clusterIP}')).trim();
  const out = await ok('exec', 'dialer', '--', 'curl', '-sS', '--max-time', '60',
    `http://127.0.0.1:8080/dial?request=hostname&host=${clusterIP}&port=80&protocol=http&tries=20`);
  const { responses, errors } = JSON.parse(out) as { responses: string[]; errors: string[] };
  assert.deepEqual(errors, []);
  assert.equal(responses.length, 20);
  assert.deepEqual([...new Set(responses)].sort(), names, `20 tries, each a new connection, reach both endpoints: ${responses.join(' ')}`);
});

test('printf \'hostname\\nexit\\n\' | kubectl run -i --image=busybox --restart=Never t -- sh: the hostname, 20 times in a row', async () => {
  for (let i = 0; i < 20; i++) {
    const name = `t${i}`;
    const r = await run(['kubectl', '--kubeconfig', kubeconfig, 'run', '-i', '--image=busybox', '--restart=Never', name, '--', 'sh'], 90_000, 'hostname\nexit\n');
    assert.equal(r.code, 0, `try ${i}: ${show(r)}`);
    assert.match(r.stdout, new RegExp(`^${name}$`, 'm'), `try ${i}: the shell got the piped input: ${show(r)}`);
  }
  await ok('delete', 'pods', ...Array.from({ length: 20 }, (_, i) => `t${i}`), '--wait=false');
});
