import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryClient } from './testing/memory-client.js';
import { deployment, replicaSet, runControllers, podTemplate } from './testing/fixtures.js';
import { waitFor } from './testing/wait.js';
import { GarbageCollector } from './gc.js';
import { newControllerRef } from './pod-util.js';
import type { JsonObject, KubeObject, OwnerReference } from '../../core/api/object.js';

function podOwnedBy(name: string, ...owners: OwnerReference[]): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', ownerReferences: owners }, spec: podTemplate({}).spec };
}

async function chain(c: MemoryClient) {
  const d = await c.create('deployments.apps', deployment('web', 2, { app: 'web' }));
  const rs = await c.create('replicasets.apps', { ...replicaSet('web-abc', 2, { app: 'web' }), metadata: { name: 'web-abc', namespace: 'default', ownerReferences: [newControllerRef(d)] } } as KubeObject);
  await c.create('pods', podOwnedBy('web-abc-1', newControllerRef(rs)));
  await c.create('pods', podOwnedBy('web-abc-2', newControllerRef(rs)));
  return { d, rs };
}

const names = (c: MemoryClient, r: string) => c.all(r).map((o) => o.metadata.name).sort();

test('background: deleting an owner deletes its dependents, transitively', async () => {
  const c = new MemoryClient();
  await chain(c);
  await c.create('pods', podOwnedBy('unrelated'));
  const run = await runControllers(c, [(ctx) => new GarbageCollector(ctx)]);
  try {
    await c.delete('deployments.apps', 'default', 'web');
    await waitFor(() => c.all('replicasets.apps').length === 0 && names(c, 'pods').join() === 'unrelated', 'cascade');
    assert.ok(c.writes.includes('delete replicasets.apps default/web-abc Background'));
  } finally { await run.stop(); }
});

test('orphan: dependents stay and lose the reference; the owner goes once its finalizer is removed', async () => {
  const c = new MemoryClient();
  const { rs } = await chain(c);
  const run = await runControllers(c, [(ctx) => new GarbageCollector(ctx)]);
  try {
    await c.delete('replicasets.apps', 'default', 'web-abc', { propagationPolicy: 'Orphan' });
    await waitFor(() => c.all('replicasets.apps').length === 0, 'owner removed');
    assert.deepEqual(names(c, 'pods'), ['web-abc-1', 'web-abc-2']);
    for (const p of c.all('pods')) assert.equal(p.metadata.ownerReferences, undefined, `${p.metadata.name} has no reference to ${rs.metadata.uid}`);
    assert.equal(c.all('deployments.apps').length, 1);
  } finally { await run.stop(); }
});

test('foreground: the owner stays until its blocking dependents (and theirs) are gone', async () => {
  const c = new MemoryClient({ gracefulPodDeletion: true });
  await chain(c);
  for (const p of ['web-abc-1', 'web-abc-2']) {
    await c.create('pods', { apiVersion: 'v1', kind: 'Binding', metadata: { name: p, namespace: 'default' }, target: { name: 'node-1' } } as KubeObject, 'binding');
  }
  const run = await runControllers(c, [(ctx) => new GarbageCollector(ctx)]);
  try {
    await c.delete('deployments.apps', 'default', 'web', { propagationPolicy: 'Foreground' });
    await waitFor(() => c.all('pods').every((p) => p.metadata.deletionTimestamp), 'pods terminating');
    const d = c.all('deployments.apps')[0];
    assert.deepEqual(d.metadata.finalizers, ['foregroundDeletion']);
    const rs = c.all('replicasets.apps')[0];
    assert.ok(rs.metadata.deletionTimestamp);
    assert.deepEqual(rs.metadata.finalizers, ['foregroundDeletion']);
    // The kubelet finishes the pods; then the ReplicaSet and the Deployment go.
    for (const p of c.all('pods')) await c.delete('pods', 'default', p.metadata.name!, { gracePeriodSeconds: 0 });
    await waitFor(() => c.all('replicasets.apps').length === 0 && c.all('deployments.apps').length === 0, 'owners removed');
  } finally { await run.stop(); }
});

test('a dependent with another owner left only loses the reference to the deleted one', async () => {
  const c = new MemoryClient();
  const a = await c.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'default' } });
  const b = await c.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: 'default' } });
  const ref = (o: KubeObject): OwnerReference => ({ apiVersion: 'v1', kind: 'ConfigMap', name: o.metadata.name!, uid: o.metadata.uid! });
  await c.create('pods', podOwnedBy('shared', ref(a), ref(b)));
  const run = await runControllers(c, [(ctx) => new GarbageCollector(ctx)]);
  try {
    await c.delete('configmaps', 'default', 'a');
    await waitFor(async () => (await c.get('pods', 'default', 'shared'))?.metadata.ownerReferences?.length === 1, 'reference dropped');
    assert.equal((await c.get('pods', 'default', 'shared'))!.metadata.ownerReferences![0].uid, b.metadata.uid);
    await c.delete('configmaps', 'default', 'b');
    await waitFor(async () => !(await c.get('pods', 'default', 'shared')), 'deleted with its last owner');
  } finally { await run.stop(); }
});

test('after a restart, dependents of owners deleted meanwhile are collected; a recreated owner with a new uid does not count', async () => {
  const c = new MemoryClient();
  const cm = await c.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner', namespace: 'default' } });
  const ref: OwnerReference = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: cm.metadata.uid! };
  await c.create('pods', podOwnedBy('child', ref));
  await c.create('pods', podOwnedBy('kept', { apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', uid: 'x' }));
  await c.delete('configmaps', 'default', 'owner');
  await c.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner', namespace: 'default' } });
  const run = await runControllers(c, [(ctx) => new GarbageCollector(ctx)]);
  try {
    await waitFor(async () => !(await c.get('pods', 'default', 'child')), 'child collected');
    assert.ok(await c.get('pods', 'default', 'kept'), 'owners of kinds the server does not serve are not judged');
    assert.equal(c.all('configmaps').length, 1);
  } finally { await run.stop(); }
});
