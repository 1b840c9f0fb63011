import { test } from 'node:test';
import assert from 'node:assert/strict';
import { all, testRegistry } from './testing/registry-cluster.js';
import type { Registry } from '../apiserver/registry.js';
import { deployment, replicaSet, runControllers, podTemplate } from './testing/fixtures.js';
import { waitFor } from './testing/wait.js';
import { GarbageCollector } from './gc.js';
import { newControllerRef } from './pod-util.js';
import type { JsonObject, KubeObject, OwnerReference } from '../../core/api/object.js';

function podOwnedBy(name: string, ...owners: OwnerReference[]): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', ownerReferences: owners }, spec: podTemplate({}).spec };
}

async function chain(c: Registry) {
  const d = await c.create('deployments.apps', deployment('web', 2, { app: 'web' }));
  const rs = await c.create('replicasets.apps', { ...replicaSet('web-abc', 2, { app: 'web' }), metadata: { name: 'web-abc', namespace: 'default', ownerReferences: [newControllerRef(d)] } } as KubeObject);
  await c.create('pods', podOwnedBy('web-abc-1', newControllerRef(rs)));
  await c.create('pods', podOwnedBy('web-abc-2', newControllerRef(rs)));
  return { d, rs };
}

const names = async (c: Registry, r: string) => (await all(c, r)).map((o) => o.metadata.name).sort();

test('background: deleting an owner deletes its dependents, transitively', async () => {
  const c = await testRegistry();
  await chain(c);
  await c.create('pods', podOwnedBy('unrelated'));
  const run = await runControllers(c, [(ctx) => new GarbageCollector(ctx)]);
  try {
    await c.delete('deployments.apps', 'default', 'web');
    await waitFor(async () => (await all(c, 'replicasets.apps')).length === 0 && (await names(c, 'pods')).join() === 'unrelated', 'cascade');
  } finally { await run.stop(); }
});

test('orphan: dependents stay and lose the reference; the owner goes once its finalizer is removed', async () => {
  const c = await testRegistry();
  const { rs } = await chain(c);
  const run = await runControllers(c, [(ctx) => new GarbageCollector(ctx)]);
  try {
    await c.delete('replicasets.apps', 'default', 'web-abc', { propagationPolicy: 'Orphan' });
    await waitFor(async () => (await all(c, 'replicasets.apps')).length === 0, 'owner removed');
    assert.deepEqual((await names(c, 'pods')), ['web-abc-1', 'web-abc-2']);
    for (const p of (await all(c, 'pods'))) assert.equal(p.metadata.ownerReferences, undefined, `${p.metadata.name} has no reference to ${rs.metadata.uid}`);
    assert.equal((await all(c, 'deployments.apps')).length, 1);
  } finally { await run.stop(); }
});

test('foreground: the owner stays until its blocking dependents (and theirs) are gone', async () => {
  const c = await testRegistry();
  await chain(c);
  for (const p of ['web-abc-1', 'web-abc-2']) {
    await c.create('pods', { apiVersion: 'v1', kind: 'Binding', metadata: { name: p, namespace: 'default' }, target: { name: 'node-1' } } as KubeObject, 'binding');
  }
  const run = await runControllers(c, [(ctx) => new GarbageCollector(ctx)]);
  try {
    await c.delete('deployments.apps', 'default', 'web', { propagationPolicy: 'Foreground' });
    await waitFor(async () => (await all(c, 'pods')).every((p) => p.metadata.deletionTimestamp), 'pods terminating');
    const d = (await all(c, 'deployments.apps'))[0];
    assert.deepEqual(d.metadata.finalizers, ['foregroundDeletion']);
    const rs = (await all(c, 'replicasets.apps'))[0];
    assert.ok(rs.metadata.deletionTimestamp);
    assert.deepEqual(rs.metadata.finalizers, ['foregroundDeletion']);
    // The kubelet finishes the pods; then the ReplicaSet and the Deployment go.
    for (const p of (await all(c, 'pods'))) await c.delete('pods', 'default', p.metadata.name!, { gracePeriodSeconds: 0 });
    await waitFor(async () => (await all(c, 'replicasets.apps')).length === 0 && (await all(c, 'deployments.apps')).length === 0, 'owners removed');
  } finally { await run.stop(); }
});

test('a dependent with another owner left only loses the reference to the deleted one', async () => {
  const c = await testRegistry();
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
  const c = await testRegistry();
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
    assert.equal((await all(c, 'configmaps')).length, 1);
  } finally { await run.stop(); }
});
