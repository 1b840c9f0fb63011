// End to end: `podnet up --servers 3 --datastore etcd`: three API servers behind one address (an nftables
// VIP on 127.0.0.1 and the underlay), the controllers in whichever holds the kube-controller-manager
// Lease. The acceptance run: during a loop of `kubectl apply`, kill -9 one etcd member and then the
// leading API server: no acknowledged write is lost, kubectl and the agents carry on, another server
// takes the Lease and its controllers give a Deployment scaled after the kill its pods.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { requireRoot } from '../../src/linux/exec.js';
import { e2eCluster } from '../support/e2e-cluster.js';

const cluster = 'pnha';
const underlay = '172.31.233.0/24';
const { work, stateDir, podnet, run, ok, show, waitFor, kubectl } = e2eCluster(cluster, { kubectlTimeoutMs: 60_000 });

interface Config { apiServerPort: number; servers: Array<{ name: string; port: number }>; datastore: { endpoints: string[] } }
const config = (): Config => JSON.parse(readFileSync(join(stateDir, 'cluster.json'), 'utf8')) as Config;
const pidOf = (name: string): number => (JSON.parse(readFileSync(join(stateDir, 'pids', `${name}.json`), 'utf8')) as { pid: number }).pid;
const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const etcdPids = (): number[] => readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number).filter((pid) => {
  try { const c = readFileSync(`/proc/${pid}/cmdline`, 'utf8'); return c.split('\0')[0] === 'etcd' && c.includes(stateDir); } catch { return false; }
});

interface Lease { spec: { holderIdentity: string; leaseTransitions: number; leaseDurationSeconds: number; acquireTime: string; renewTime: string } }
const lease = async (): Promise<Lease> => JSON.parse(await ok('get', 'lease', '-n', 'kube-system', 'kube-controller-manager', '-o', 'json')) as Lease;
/** The supervised name of the server holding the Lease (holderIdentity is <hostname>_<name>). */
const leader = async () => (await lease()).spec.holderIdentity.split('_').pop()!;

before(async () => {
  requireRoot('the several-API-servers end-to-end test');
  const up = await podnet('up', '--name', cluster, '--nodes', '2', '--underlay-cidr', underlay, '--datastore', 'etcd', '--servers', '3',
    '--no-ingress', '--no-wait', '--leader-elect-lease-duration', '6', '--leader-elect-renew-deadline', '4', '--leader-elect-retry-period', '1');
  assert.equal(up.code, 0, show(up));
});

after(async () => {
  if (existsSync(stateDir)) await podnet('down', '--name', cluster);
  rmSync(work, { recursive: true, force: true });
});

test('--servers 2 on SQLite is refused before anything is made, saying why', async () => {
  const r = await podnet('up', '--name', 'pnhasql', '--servers', '2');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /--servers 2 needs --datastore etcd/);
  assert.match(r.stderr, /share one datastore/);
  assert.equal(existsSync(join(stateDir, '..', 'pnhasql')), false);
});

test('three servers behind one address; one holds the controller manager\'s Lease', async () => {
  const c = config();
  assert.deepEqual(c.servers.map((s) => s.name), ['server-1', 'server-2', 'server-3']);
  for (const s of c.servers) assert.ok(alive(pidOf(s.name)), `${s.name} runs`);
  const table = await run(['nft', 'list', 'table', 'ip', `podnet-api-${cluster}`]);
  assert.equal(table.code, 0, show(table));
  assert.match(table.stdout, new RegExp(`tcp dport ${c.apiServerPort} redirect to :numgen random mod 3 map`));
  const l = await lease();
  assert.match(l.spec.holderIdentity, /_server-[123]$/);
  assert.equal(l.spec.leaseDurationSeconds, 6);
  await ok('get', 'nodes');
});

test('Services created through two servers at once never share a ClusterIP or NodePort', async () => {
  const c = config();
  const through = (s: { port: number }, i: number) => kubectl('--server', `https://127.0.0.1:${s.port}`, 'create', 'service', 'nodeport', `svc${i}`, '--tcp=80:80');
  const results = await Promise.all(Array.from({ length: 16 }, (_, i) => through(c.servers[i % 2]!, i)));
  for (const r of results) assert.equal(r.code, 0, show(r));
  const out = JSON.parse(await ok('get', 'services', '-o', 'json')) as { items: Array<{ metadata: { name: string }; spec: { clusterIP: string; ports: Array<{ nodePort?: number }> } }> };
  const mine = out.items.filter((s) => s.metadata.name.startsWith('svc'));
  assert.equal(mine.length, 16);
  assert.equal(new Set(mine.map((s) => s.spec.clusterIP)).size, 16, 'distinct ClusterIPs');
  assert.equal(new Set(mine.map((s) => s.spec.ports[0]!.nodePort)).size, 16, 'distinct NodePorts');
});

test('kill -9 of an etcd member, then of the leading API server, during kubectl apply: no acknowledged write lost, controllers resume', async () => {
  await ok('create', 'deployment', 'web', '--image=registry.k8s.io/e2e-test-images/agnhost:2.47', '--replicas=1', '--', '/agnhost', 'serve-hostname');
  await ok('rollout', 'status', 'deployment/web', '--timeout=90s');
  const before = await lease();
  const victim = await leader();
  const victimPid = pidOf(victim);
  const acknowledged: string[] = [];
  const failed: string[] = [];
  for (let i = 0; i < 30; i++) {
    if (i === 5) process.kill(etcdPids()[0]!, 'SIGKILL');
    if (i === 12) process.kill(victimPid, 'SIGKILL');
    const manifest = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a${i}\ndata:\n  i: "${i}"\n`;
    const r = await run(['kubectl', '--kubeconfig', join(work, 'kube', 'config'), 'apply', '-f', '-'], 60_000, manifest);
    (r.code === 0 ? acknowledged : failed).push(`a${i}`);
  }
  assert.ok(!alive(victimPid));
  // One etcd member of three is not a majority lost: every write goes through.
  for (let i = 0; i < 12; i++) assert.ok(acknowledged.includes(`a${i}`), `a${i} (after the etcd member's death) was acknowledged; failed: ${failed.join(' ')}`);
  // A kubectl whose connection went to the killed server before the address dropped it fails, as it
  // would with kube-apiserver behind a load balancer; the later ones go through.
  for (let i = 25; i < 30; i++) assert.ok(acknowledged.includes(`a${i}`), `kubectl recovers: a${i} was acknowledged; failed: ${failed.join(' ')}`);
  const names = (await ok('get', 'configmaps', '-o', 'jsonpath={.items[*].metadata.name}')).split(' ');
  for (const n of acknowledged) assert.ok(names.includes(n), `acknowledged ${n} is stored`);

  const after = await waitFor('another server to hold the Lease', async () => {
    const l = await lease().catch(() => undefined);
    return l && l.spec.holderIdentity !== before.spec.holderIdentity ? l : undefined;
  }, 60_000);
  assert.equal(after.spec.leaseTransitions, before.spec.leaseTransitions + 1);
  assert.notEqual(after.spec.acquireTime, before.spec.acquireTime);

  await ok('scale', 'deployment', 'web', '--replicas=3');
  await ok('rollout', 'status', 'deployment/web', '--timeout=120s');
  const pods = JSON.parse(await ok('get', 'pods', '-l', 'app=web', '-o', 'json')) as { items: Array<{ status: { phase: string } }> };
  assert.equal(pods.items.filter((p) => p.status.phase === 'Running').length, 3);
  // The agents carried on through the new address choice: both nodes stay Ready.
  const nodes = await ok('get', 'nodes', '-o', 'jsonpath={.items[*].status.conditions[?(@.type=="Ready")].status}');
  assert.equal(nodes.trim(), 'True True');
});

test('podnet down stops every server and removes the address\'s nft table', async () => {
  const pids = config().servers.map((s) => { try { return pidOf(s.name); } catch { return 0; } }).filter(Boolean);
  const down = await podnet('down', '--name', cluster);
  assert.equal(down.code, 0, show(down));
  for (const pid of pids) assert.ok(!alive(pid));
  assert.notEqual((await run(['nft', 'list', 'table', 'ip', `podnet-api-${cluster}`])).code, 0);
});
