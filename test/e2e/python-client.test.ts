// End to end with a client nobody here wrote: the official Kubernetes Python client (Debian's
// python3-kubernetes, run by /usr/bin/python3) against `podnet up`. It sends what kube-apiserver is used
// to from it — `watch=True`, `stdout=True`, `command=` once per argv element, WebSocket `v4.channel.k8s.io`
// for exec and channel port-forward (two channels per port, the port number first on each) — and must get
// what kube-apiserver answers. The script (test/e2e/python/client_suite.py) prints one JSON line per step.
// Private state root, kubeconfig, cluster name (clients-py) and underlay (172.31.232.0/24).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { requireRoot } from '../../src/linux/exec.js';
import { e2eCluster } from '../support/e2e-cluster.js';

const cluster = 'clients-py';
const underlay = '172.31.232.0/24';
const PYTHON = '/usr/bin/python3';
const { repo, work, stateDir, kubeconfig, run, podnet, show, ok } = e2eCluster(cluster);
const ns = 'py';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** Runs steps of the Python suite against the pod `web`; returns each step's result (or fails with its error). */
async function python(...steps: string[]): Promise<Record<string, Json>> {
  const r = await run([PYTHON, join(repo, 'test/e2e/python/client_suite.py'), kubeconfig, ns, 'web', '80', ...steps], 120_000);
  assert.equal(r.code, 0, show(r));
  const out: Record<string, Json> = {};
  for (const line of r.stdout.split('\n').filter(Boolean)) {
    const e = JSON.parse(line);
    assert.equal(e.error, undefined, `python step ${e.step}: ${e.error}\n${e.trace}`);
    out[e.step] = e.result;
  }
  assert.deepEqual(Object.keys(out), steps, show(r));
  return out;
}

before(async () => {
  requireRoot('the Python client end-to-end test');
  const probe = await run([PYTHON, '-c', 'import kubernetes; print(kubernetes.__version__)']);
  assert.equal(probe.code, 0, `Debian's python3-kubernetes is needed (make deps installs it): ${show(probe)}`);
  const up = await podnet('up', '--name', cluster, '--nodes', '1', '--underlay-cidr', underlay);
  assert.equal(up.code, 0, show(up));
  await ok('create', 'namespace', ns);
  await ok('-n', ns, 'run', 'web', '--image=nginx', '--port=80');
  await ok('-n', ns, 'wait', '--for=condition=Ready', 'pod/web', '--timeout=90s');
});

after(async () => {
  if (existsSync(stateDir)) await podnet('down', '--name', cluster);
  rmSync(work, { recursive: true, force: true });
});

test('list: namespaces, pods, and a field selector', async () => {
  const { list } = await python('list');
  assert.ok(list.namespaces.includes('default') && list.namespaces.includes(ns), JSON.stringify(list));
  assert.deepEqual(list.pods, ['web']);
  assert.deepEqual(list.selected, ['web']);
});

test('watch (watch=True) sees a Service added, modified and deleted', async () => {
  const { watch } = await python('watch');
  assert.deepEqual(watch, [['ADDED', null], ['MODIFIED', 'yes'], ['DELETED', 'yes']]);
});

test('create, strategic and JSON patch, delete; a bad name is a 422', async () => {
  const { crud } = await python('crud');
  assert.deepEqual(crud, { created: { a: '1' }, patched: { a: '1', b: '2' }, jsonpatch: { a: '3', b: '2' }, gone: 404, invalid: [422, 'Invalid'] });
});

test('exec: stdout, stderr, stdin and the exit code over v4.channel.k8s.io', async () => {
  const { exec } = await python('exec');
  assert.equal(exec.hostname, 'web\n');
  assert.equal(exec.both, 'out\nerr\n');
  assert.equal(exec.stdin, 'got hello\n');
  assert.equal(exec.code, 3);
});

test('port-forward over WebSocket channels reaches the pod\'s port 80, and logs show the request', async () => {
  const { portforward, logs } = await python('portforward', 'logs');
  assert.match(portforward.response, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(portforward.response, /Welcome to nginx!/);
  assert.equal(portforward.error, null);
  // The forwarded request comes from the pod's own loopback, as it does through kubelet.
  assert.match(logs.all, /"GET \/ HTTP\/1\.1" 200 /);
  assert.equal(logs.tail.split('\n').filter(Boolean).length, 1);
});
