import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Informer, InformerFactory } from './informer.js';
import { testRegistry } from '../controllers/testing/registry-cluster.js';
import { droppable } from '../controllers/testing/dropped-watches.js';
import { waitFor } from '../controllers/testing/wait.js';
import type { KubeObject } from '../../core/api/object.js';
import type { ApiClient } from '../../core/api/client.js';

const cm = (name: string, data: Record<string, string> = {}, labels?: Record<string, string>): KubeObject =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', labels }, data });

function recorder() {
  const events: string[] = [];
  return {
    events,
    handlers: {
      add: (o: KubeObject) => events.push(`add ${o.metadata.name}`),
      update: (a: KubeObject, b: KubeObject) => events.push(`update ${b.metadata.name} ${(a as any).data?.v ?? ''}->${(b as any).data?.v ?? ''}`),
      delete: (o: KubeObject) => events.push(`delete ${o.metadata.name}`),
    },
  };
}

test('lists, syncs, then follows adds, updates and deletes', async () => {
  const c = droppable(await testRegistry());
  await c.create('configmaps', cm('a'));
  const inf = new Informer(c, 'configmaps');
  const r = recorder();
  inf.on(r.handlers);
  assert.equal(inf.hasSynced(), false);
  await inf.start();
  assert.equal(inf.hasSynced(), true);
  assert.deepEqual(r.events, ['add a']);
  await c.create('configmaps', cm('b'));
  const a = (await c.get('configmaps', 'default', 'a'))!;
  (a as any).data = { v: '1' };
  await c.update('configmaps', a);
  await c.delete('configmaps', 'default', 'b');
  await waitFor(() => r.events.length === 4, 'events');
  assert.deepEqual(r.events, ['add a', 'add b', 'update a ->1', 'delete b']);
  assert.equal((inf.get('default', 'a') as any).data.v, '1');
  assert.equal(inf.get('default', 'b'), undefined);
  inf.stop();
  assert.equal(c.openWatches(), 0);
});

// Writes to another resource, so that the store's history (5 revisions) no longer reaches the informer's.
async function outrunHistory(c: ApiClient): Promise<void> {
  for (let i = 0; i < 6; i++) {
    await c.create('secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { generateName: 'filler-', namespace: 'default' } } as KubeObject);
  }
}

test('resumes after the watch closes and relists after 410, reporting missed deletes', async () => {
  const c = droppable(await testRegistry({ historySize: 5 }));
  await c.create('configmaps', cm('a'));
  await c.create('configmaps', cm('gone'));
  const inf = new Informer(c, 'configmaps');
  const r = recorder();
  inf.on(r.handlers);
  await inf.start();
  c.dropAll();
  await c.create('configmaps', cm('while-closed'));
  await waitFor(() => r.events.includes('add while-closed'), 'resumed watch');
  // Now lose the watch and the history: the informer must relist and diff.
  c.dropAll();
  await c.delete('configmaps', 'default', 'gone');
  await c.create('configmaps', cm('new'));
  await outrunHistory(c);
  await waitFor(() => r.events.includes('delete gone') && r.events.includes('add new'), 'relist diff');
  assert.deepEqual(inf.keys().sort(), ['default/a', 'default/new', 'default/while-closed']);
  inf.stop();
});

test('indexes and label-selected informers; factory shares instances', async () => {
  const c = await testRegistry();
  await c.create('configmaps', cm('x', {}, { app: 'web' }));
  await c.create('configmaps', cm('y', {}, { app: 'db' }));
  const f = new InformerFactory(c);
  const all = f.informer('configmaps');
  assert.equal(f.informer('configmaps'), all);
  const web = f.informer('configmaps', { labelSelector: 'app=web' });
  all.addIndex('app', (o) => [o.metadata.labels?.app ?? '']);
  await f.start();
  assert.deepEqual(web.list().map((o) => o.metadata.name), ['x']);
  assert.deepEqual(all.byIndex('app', 'db').map((o) => o.metadata.name), ['y']);
  const y = (await c.get('configmaps', 'default', 'y'))!;
  y.metadata.labels = { app: 'web' };
  await c.update('configmaps', y);
  await waitFor(() => web.list().length === 2, 'y enters the selector');
  assert.deepEqual(all.byIndex('app', 'db'), []);
  assert.equal(all.byIndex('app', 'web').length, 2);
  f.stop();
});
