// EtcdStore against the shared Store conformance suite, each test on a new one-member etcd (Debian's
// etcd-server) on loopback with its data in /dev/shm; plus what only etcd has: kube-apiserver's key
// layout seen from etcdctl, several stores on one etcd, and a cluster that loses a member.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { run } from '../../linux/exec.js';
import { freeLoopbackPorts, startLocalEtcd } from '../cluster/etcd.js';
import { EtcdStore } from './etcd.js';
import { CONFORMANCE_HISTORY, pod, runStoreConformance } from './store.case.js';

/** A new etcd cluster of `count` members with its data in /dev/shm (fsync is free there). */
const startEtcd = (count = 1) => startLocalEtcd(mkdtempSync('/dev/shm/podnet-etcd-test-'), count);

const running: Array<() => Promise<void>> = [];
after(async () => { for (const stop of running) await stop(); });

runStoreConformance('EtcdStore', async () => {
  const etcd = await startEtcd();
  const opened: EtcdStore[] = [];
  const openOne = () => { const s = new EtcdStore({ endpoints: etcd.endpoints, historyRevisions: CONFORMANCE_HISTORY }); opened.push(s); return s; };
  return {
    store: openOne(), reopen: async () => openOne(), startRevision: 1,
    cleanup: async () => { for (const s of opened) await s.close(); await etcd.stop(); },
  };
});

test('objects live under kube-apiserver\'s keys, without resourceVersion, at etcd\'s own revision', async () => {
  const etcd = await startEtcd();
  running.push(etcd.stop);
  const store = new EtcdStore({ endpoints: etcd.endpoints });
  try {
    const created = await store.create('/registry/pods/default/web', pod('web'));
    const { stdout } = await run(['etcdctl', '--endpoints', etcd.endpoints[0]!, 'get', '/registry/pods/default/web', '-w', 'json']);
    const kv = (JSON.parse(stdout) as { kvs: Array<{ value: string; mod_revision: number }> }).kvs[0]!;
    assert.equal(String(kv.mod_revision), created.metadata.resourceVersion, 'resourceVersion is the key\'s mod_revision');
    const value = JSON.parse(Buffer.from(kv.value, 'base64').toString()) as { metadata: Record<string, unknown> };
    assert.equal(value.metadata.resourceVersion, undefined, 'the stored value does not carry resourceVersion');
    assert.equal(value.metadata.name, 'web');
  } finally {
    await store.close();
  }
});

test('two stores on one etcd (two API servers) see each other\'s writes, and compare-and-swap holds between them', async () => {
  const etcd = await startEtcd();
  running.push(etcd.stop);
  const a = new EtcdStore({ endpoints: etcd.endpoints });
  const b = new EtcdStore({ endpoints: etcd.endpoints });
  try {
    const seen: string[] = [];
    const w = await b.watch('/registry/pods/', await b.currentRevision(), (e) => seen.push(`${e.type}:${e.object.metadata.name}`));
    const x = await a.create('/registry/pods/default/x', pod('x'));
    assert.equal((await b.get('/registry/pods/default/x'))?.metadata.resourceVersion, x.metadata.resourceVersion);
    const rv = Number(x.metadata.resourceVersion);
    const results = await Promise.allSettled([
      a.update('/registry/pods/default/x', pod('x', 'default', { by: 'a' }), rv),
      b.update('/registry/pods/default/x', pod('x', 'default', { by: 'b' }), rv),
    ]);
    assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected'], 'exactly one writer wins a compare-and-swap');
    const deadline = Date.now() + 5000;
    while (seen.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    w.stop();
    assert.deepEqual(seen, ['ADDED:x', 'MODIFIED:x']);
  } finally {
    await a.close();
    await b.close();
  }
});

test('a three-member etcd keeps serving reads, writes and watches when one member is killed', async () => {
  const etcd = await startEtcd(3);
  running.push(etcd.stop);
  const store = new EtcdStore({ endpoints: etcd.endpoints, requestTimeoutMs: 20_000 });
  try {
    const events: number[] = [];
    const w = await store.watch('/registry/pods/', await store.currentRevision(), (e) => events.push(e.revision));
    const written: number[] = [];
    for (let i = 0; i < 20; i++) written.push(Number((await store.create(`/registry/pods/default/p${i}`, pod(`p${i}`))).metadata.resourceVersion));
    process.kill(etcd.ids[0]!.pid, 'SIGKILL');
    for (let i = 20; i < 40; i++) written.push(Number((await store.create(`/registry/pods/default/p${i}`, pod(`p${i}`))).metadata.resourceVersion));
    assert.equal((await store.list('/registry/pods/default/')).items.length, 40, 'every acknowledged write is there');
    const deadline = Date.now() + 15_000;
    while (events.length < 40 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    w.stop();
    assert.deepEqual(events, written, 'the watch saw every write once, in order, across the member\'s death');
  } finally {
    await store.close();
  }
});

test('an etcd that does not answer is named in the error', async () => {
  const [port] = await freeLoopbackPorts(1);
  const store = new EtcdStore({ endpoints: [`http://127.0.0.1:${port}`], requestTimeoutMs: 500 });
  try {
    await assert.rejects(store.currentRevision(), new RegExp(`etcd at http://127.0.0.1:${port} did not answer`));
  } finally {
    await store.close();
  }
  assert.throws(() => new EtcdStore({ endpoints: ['127.0.0.1:2379'] }), /not a URL like http:\/\/127.0.0.1:2379/);
});
