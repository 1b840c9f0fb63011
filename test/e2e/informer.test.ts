// A @kubernetes/client-node informer (list + watch, as every podnet component and many operators use)
// against podnet's API server: it sees every add, update and delete, and carries on after the server
// is killed and started again. The same for podnet's own informer (components/kube), which the agent,
// cluster DNS, the Ingress controller and the UI use over HTTPS: it resumes or relists by itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, KubeConfig, makeInformer, type V1ConfigMap } from '@kubernetes/client-node';
import { startTestServer, type TestServer } from '../support/server.js';
import { KubeApiClient } from '../../src/components/kube/client.js';
import { Informer } from '../../src/components/kube/informer.js';
import type { KubeObject } from '../../src/core/api/object.js';

let s: TestServer;
before(async () => { s = await startTestServer('informer'); });
after(async () => { await s?.cleanup(); });

async function until(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${s.logs().slice(-1500)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('an informer sees adds, updates and deletes, and recovers after a server restart', async () => {
  const kc = new KubeConfig();
  kc.loadFromFile(s.kubeconfig);
  const api = kc.makeApiClient(CoreV1Api);
  const seen: string[] = [];
  const informer = makeInformer<V1ConfigMap>(kc, '/api/v1/namespaces/default/configmaps',
    () => api.listNamespacedConfigMap({ namespace: 'default' }));
  informer.on('add', (o) => seen.push(`add ${o.metadata?.name} ${o.data?.v ?? ''}`));
  informer.on('update', (o) => seen.push(`update ${o.metadata?.name} ${o.data?.v ?? ''}`));
  informer.on('delete', (o) => seen.push(`delete ${o.metadata?.name}`));
  // client-node reports a broken watch through 'error'; restarting it is the caller's job (until we stop).
  let stopped = false;
  informer.on('error', () => setTimeout(() => { if (!stopped) void informer.start().catch(() => undefined); }, 200));
  await informer.start();
  try {
    await api.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'a' }, data: { v: '1' } } });
    await until(() => seen.includes('add a 1'), 'add a');
    const cur = await api.readNamespacedConfigMap({ namespace: 'default', name: 'a' });
    cur.data = { v: '2' };
    await api.replaceNamespacedConfigMap({ namespace: 'default', name: 'a', body: cur });
    await until(() => seen.includes('update a 2'), 'update a');
    await api.deleteNamespacedConfigMap({ namespace: 'default', name: 'a' });
    await until(() => seen.includes('delete a'), 'delete a');

    await s.stop('SIGKILL');
    await s.start();
    await api.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'b' }, data: { v: 'after-restart' } } });
    await until(() => seen.includes('add b after-restart'), 'add b after the restart');
    assert.equal(informer.list('default').map((o) => o.metadata?.name).sort().join(','), 'b');
  } finally {
    stopped = true;
    await informer.stop();
  }
});

test('podnet\'s informer over HTTPS sees adds, updates and deletes, and resumes by itself after a server restart', async () => {
  const kc = new KubeConfig();
  kc.loadFromFile(s.kubeconfig);
  const client = new KubeApiClient(kc);
  const seen: string[] = [];
  const data = (o: KubeObject) => (o as unknown as V1ConfigMap).data?.v ?? '';
  const informer = new Informer(client, 'configmaps', { namespace: 'default' });
  informer.on({
    add: (o) => seen.push(`add ${o.metadata.name} ${data(o)}`),
    update: (_old, o) => seen.push(`update ${o.metadata.name} ${data(o)}`),
    delete: (o) => seen.push(`delete ${o.metadata.name}`),
  });
  await informer.start();
  try {
    const cm = (name: string, v: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { v } }) as KubeObject;
    await client.create('configmaps', cm('c', '1'));
    await until(() => seen.includes('add c 1'), 'add c');
    const cur = (await client.get('configmaps', 'default', 'c'))!;
    await client.update('configmaps', { ...cur, data: { v: '2' } } as KubeObject);
    await until(() => seen.includes('update c 2'), 'update c');
    await client.delete('configmaps', 'default', 'c');
    await until(() => seen.includes('delete c'), 'delete c');

    await s.stop('SIGKILL');
    await s.start();
    await client.create('configmaps', cm('d', 'after-restart'));
    await until(() => seen.includes('add d after-restart'), 'add d after the restart');
    assert.ok(!informer.list('default').some((o) => o.metadata.name === 'c'));
    assert.ok(informer.get('default', 'd'));
  } finally {
    informer.stop();
  }
});
