import { test } from 'node:test';
import assert from 'node:assert/strict';
import { all, testRegistry } from './testing/registry-cluster.js';
import type { Registry } from '../apiserver/registry.js';
import { replicaSet, runControllers, markAllReady, podTemplate } from './testing/fixtures.js';
import { waitFor } from './testing/wait.js';
import { ReplicaSetController } from './replicaset.js';
import type { JsonObject, KubeObject } from '../../core/api/object.js';

const status = async (c: Registry, name: string) => ((await c.get('replicasets.apps', 'default', name)) as JsonObject).status;
const pods = async (c: Registry) => (await all(c, 'pods')).filter((p) => !p.metadata.deletionTimestamp);

test('creates pods from the template with generateName and a controller ownerReference, then reports status', async () => {
  const c = await testRegistry();
  const run = await runControllers(c, [(ctx) => new ReplicaSetController(ctx)]);
  try {
    const rs = await c.create('replicasets.apps', replicaSet('web-abc', 3, { app: 'web' }));
    await waitFor(async () => (await pods(c)).length === 3, '3 pods');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal((await pods(c)).length, 3, 'no extra pods from a second sync before the informer caught up');
    for (const p of (await pods(c)) as JsonObject[]) {
      assert.match(p.metadata.name, /^web-abc-[a-z0-9]{5}$/);
      assert.equal(p.metadata.generateName, 'web-abc-');
      assert.deepEqual(p.metadata.labels, { app: 'web' });
      assert.deepEqual(p.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }]);
      assert.equal(p.spec.containers[0].image, 'nginx');
    }
    await waitFor(async () => (await status(c, 'web-abc'))?.replicas === 3, 'status.replicas');
    assert.deepEqual(await status(c, 'web-abc'), { replicas: 3, fullyLabeledReplicas: 3, observedGeneration: 1 });
    await markAllReady(c);
    await waitFor(async () => (await status(c, 'web-abc'))?.availableReplicas === 3, 'available');
    assert.equal((await status(c, 'web-abc')).readyReplicas, 3);
    const events = (await all(c, 'events'));
    assert.equal(events.filter((e: JsonObject) => e.reason === 'SuccessfulCreate').length, 3);
    const e = events[0] as JsonObject;
    assert.match(e.message, /^Created pod: web-abc-/);
    assert.equal(e.source.component, 'replicaset-controller');
    assert.match(e.metadata.name, /^web-abc\.[0-9a-f]+$/);
    assert.deepEqual(e.involvedObject.kind, 'ReplicaSet');
  } finally { await run.stop(); }
});

test('scales down preferring unscheduled, then pending, then not-ready pods; replaces deleted pods', async () => {
  const c = await testRegistry();
  const run = await runControllers(c, [(ctx) => new ReplicaSetController(ctx)]);
  try {
    await c.create('replicasets.apps', replicaSet('web-abc', 4, { app: 'web' }));
    await waitFor(async () => (await pods(c)).length === 4, '4 pods');
    const [a, b, cc, d] = (await pods(c)).sort((x, y) => x.metadata.name!.localeCompare(y.metadata.name!)) as JsonObject[];
    // a: scheduled + ready; b: scheduled, Running, not ready; c: scheduled, pending; d: unscheduled.
    for (const [p, node] of [[a, 'n1'], [b, 'n2'], [cc, 'n3']] as const) await c.create('pods', { apiVersion: 'v1', kind: 'Binding', metadata: { name: p.metadata.name, namespace: 'default' }, target: { kind: 'Node', name: node } } as KubeObject, 'binding');
    await markAllReady(c, (p) => p.metadata.name === a.metadata.name);
    const bb = (await c.get('pods', 'default', b.metadata.name)) as JsonObject;
    bb.status = { ...bb.status, phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] };
    await c.update('pods', bb as KubeObject, 'status');
    const rs = (await c.get('replicasets.apps', 'default', 'web-abc')) as JsonObject;
    rs.spec.replicas = 3;
    await c.update('replicasets.apps', rs as KubeObject);
    await waitFor(async () => (await pods(c)).length === 3, 'scaled to 3');
    assert.ok(!(await pods(c)).some((p) => p.metadata.name === d.metadata.name), 'unscheduled pod deleted first');
    rs.spec.replicas = 1; delete rs.metadata.resourceVersion;
    await c.update('replicasets.apps', rs as KubeObject);
    await waitFor(async () => (await pods(c)).length === 1, 'scaled to 1');
    assert.equal((await pods(c))[0].metadata.name, a.metadata.name, 'the ready pod survives');
    await c.delete('pods', 'default', a.metadata.name);
    await waitFor(async () => (await pods(c)).length === 1 && (await pods(c))[0].metadata.name !== a.metadata.name, 'replacement');
    assert.ok((await all(c, 'events')).some((e: JsonObject) => e.reason === 'SuccessfulDelete' && e.message === `Deleted pod: ${d.metadata.name}`));
  } finally { await run.stop(); }
});

test('adopts matching orphan pods and releases pods whose labels no longer match', async () => {
  const c = await testRegistry();
  const orphan = await c.create('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'orphan', namespace: 'default', labels: { app: 'web' } }, spec: podTemplate({}).spec } as KubeObject);
  const run = await runControllers(c, [(ctx) => new ReplicaSetController(ctx)]);
  try {
    const rs = await c.create('replicasets.apps', replicaSet('web-abc', 2, { app: 'web' }));
    await waitFor(async () => (await pods(c)).length === 2, '2 pods');
    const adopted = (await c.get('pods', 'default', 'orphan'))!;
    assert.equal(adopted.metadata.ownerReferences?.[0].uid, rs.metadata.uid);
    adopted.metadata.labels = { app: 'debug' };
    await c.update('pods', adopted);
    await waitFor(async () => (await pods(c)).length === 3, 'a replacement for the released pod');
    await waitFor(async () => !(await c.get('pods', 'default', 'orphan'))!.metadata.ownerReferences, 'released');
  } finally { await run.stop(); }
});

test('pods in graceful deletion do not count; terminal pods are replaced', async () => {
  const c = await testRegistry();
  const run = await runControllers(c, [(ctx) => new ReplicaSetController(ctx)]);
  try {
    await c.create('replicasets.apps', replicaSet('web-abc', 1, { app: 'web' }));
    await waitFor(async () => (await all(c, 'pods')).length === 1, '1 pod');
    const p = (await all(c, 'pods'))[0] as JsonObject;
    await c.create('pods', { apiVersion: 'v1', kind: 'Binding', metadata: { name: p.metadata.name, namespace: 'default' }, target: { kind: 'Node', name: 'n1' } } as KubeObject, 'binding');
    await c.delete('pods', 'default', p.metadata.name);
    assert.ok((await c.get('pods', 'default', p.metadata.name))!.metadata.deletionTimestamp);
    await waitFor(async () => (await pods(c)).length === 1 && (await all(c, 'pods')).length === 2, 'replacement while the old one terminates');
    const q = (await pods(c))[0] as JsonObject;
    q.status = { phase: 'Failed' };
    await c.update('pods', q as KubeObject, 'status');
    await waitFor(async () => (await all(c, 'pods')).filter((x) => (x as JsonObject).status.phase !== 'Failed' && !x.metadata.deletionTimestamp).length === 1, 'replacement for the failed pod');
  } finally { await run.stop(); }
});
