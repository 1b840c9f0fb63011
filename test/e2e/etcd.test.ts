// End to end: `podnet up --datastore etcd` keeps the cluster in a 3-member etcd with kube-apiserver's key
// layout and etcd's revisions as resourceVersions; kubectl works as on SQLite; a member killed with -9 in
// the middle of a stream of writes loses no acknowledged write; `down` stops etcd and removes its data.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { requireRoot } from '../../src/linux/exec.js';
import { e2eCluster } from '../support/e2e-cluster.js';

const cluster = 'pnetcd';
const underlay = '172.31.232.0/24';
const { work, stateDir, podnet, run, ok, show, waitFor } = e2eCluster(cluster, { kubectlTimeoutMs: 60_000 });

interface Datastore { type: string; endpoints: string[]; members: Array<{ name: string }> }
const datastore = (): Datastore => (JSON.parse(readFileSync(join(stateDir, 'cluster.json'), 'utf8')) as { datastore: Datastore }).datastore;
const etcdctl = (...args: string[]) => run(['etcdctl', '--endpoints', datastore().endpoints.join(','), ...args], 30_000);
const etcdPids = (): number[] => readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number).filter((pid) => {
  try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] === 'etcd' && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(stateDir); } catch { return false; }
});

before(async () => {
  requireRoot('the etcd datastore end-to-end test');
  const up = await podnet('up', '--name', cluster, '--nodes', '2', '--underlay-cidr', underlay, '--datastore', 'etcd');
  assert.equal(up.code, 0, show(up));
});

after(async () => {
  if (existsSync(stateDir)) await podnet('down', '--name', cluster);
  rmSync(work, { recursive: true, force: true });
});

test('objects live in etcd under kube-apiserver\'s keys, with etcd\'s revision as resourceVersion', async () => {
  assert.equal(datastore().members.length, 3);
  assert.equal(etcdPids().length, 3, 'three etcd members run');
  await ok('create', 'deployment', 'web', '--image=registry.k8s.io/e2e-test-images/agnhost:2.47', '--replicas=2', '--', '/agnhost', 'serve-hostname');
  await ok('expose', 'deployment', 'web', '--port=80', '--target-port=9376');
  await ok('rollout', 'status', 'deployment/web', '--timeout=90s');

  const keys = (await etcdctl('get', '--prefix', '/registry/', '--keys-only')).stdout.split('\n').filter(Boolean);
  for (const k of ['/registry/deployments/default/web', '/registry/services/specs/default/web', '/registry/services/endpoints/default/web',
    `/registry/minions/${cluster}-node-1`, '/registry/namespaces/default']) {
    assert.ok(keys.includes(k), `${k} is in etcd; keys: ${keys.filter((x) => !x.startsWith('/registry/events/')).join(' ')}`);
  }
  assert.ok(keys.some((k) => k.startsWith('/registry/endpointslices/default/web-')), 'the EndpointSlice controller wrote through etcd');

  const rv = (await ok('get', 'deployment', 'web', '-o', 'jsonpath={.metadata.resourceVersion}')).trim();
  const kv = JSON.parse((await etcdctl('get', '/registry/deployments/default/web', '-w', 'json')).stdout) as { kvs: Array<{ mod_revision: number }> };
  assert.equal(rv, String(kv.kvs[0]!.mod_revision));
});

test('a member killed with -9 in the middle of a stream of writes loses no acknowledged write', async () => {
  const acknowledged: string[] = [];
  const victim = etcdPids()[0]!;
  for (let i = 0; i < 24; i++) {
    if (i === 8) process.kill(victim, 'SIGKILL');
    const r = await run(['kubectl', '--kubeconfig', join(work, 'kube', 'config'), 'create', 'configmap', `c${i}`, `--from-literal=i=${i}`], 60_000);
    if (r.code === 0) acknowledged.push(`c${i}`);
  }
  assert.equal(acknowledged.length, 24, 'two of three members are a majority: every write is acknowledged');
  const names = await waitFor('the configmaps', async () => {
    const out = (await ok('get', 'configmaps', '-o', 'jsonpath={.items[*].metadata.name}')).split(' ');
    return acknowledged.every((n) => out.includes(n)) ? out : undefined;
  }, 10_000);
  assert.ok(acknowledged.every((n) => names.includes(n)));
  assert.equal(etcdPids().length, 2);
});

test('podnet down stops etcd and removes its data', async () => {
  const down = await podnet('down', '--name', cluster);
  assert.equal(down.code, 0, show(down));
  assert.deepEqual(etcdPids(), []);
  assert.equal(existsSync(stateDir), false);
});
