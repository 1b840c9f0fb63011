import { test } from 'node:test';
import assert from 'node:assert/strict';
import { all, testRegistry } from './testing/registry-cluster.js';
import type { Registry } from '../apiserver/registry.js';
import { namespace, runControllers, podTemplate } from './testing/fixtures.js';
import { waitFor } from './testing/wait.js';
import { NamespaceController, SYSTEM_NAMESPACES } from './namespace.js';
import { ServiceAccountController } from './serviceaccount.js';
import type { JsonObject, KubeObject } from '../../core/api/object.js';

test('system namespaces are created, and each active namespace gets a default ServiceAccount', async () => {
  const c = await testRegistry();
  const run = await runControllers(c, [(ctx) => new NamespaceController(ctx), (ctx) => new ServiceAccountController(ctx)]);
  try {
    await (run.controllers[0] as NamespaceController).ensureSystemNamespaces();
    await (run.controllers[0] as NamespaceController).ensureSystemNamespaces(); // idempotent
    assert.deepEqual((await all(c, 'namespaces')).map((n) => n.metadata.name).sort(), [...SYSTEM_NAMESPACES].sort());
    await c.create('namespaces', namespace('team-a'));
    await waitFor(async () => (await all(c, 'serviceaccounts')).length === 5, 'default ServiceAccounts');
    assert.ok((await all(c, 'serviceaccounts')).every((sa) => sa.metadata.name === 'default'));
    await c.delete('serviceaccounts', 'team-a', 'default');
    await waitFor(async () => !!(await c.get('serviceaccounts', 'team-a', 'default')), 'recreated');
  } finally { await run.stop(); }
});

test('deleting a namespace deletes its content, waits for terminating pods, then removes the finalizer', async () => {
  const c = await testRegistry();
  await c.create('namespaces', namespace('team-a'));
  await c.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'team-a' } });
  await c.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other', namespace: 'default' } });
  await c.create('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'team-a' }, spec: podTemplate({}).spec } as KubeObject);
  await c.create('pods', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'web', namespace: 'team-a' }, target: { name: 'node-1' } } as KubeObject, 'binding');
  const run = await runControllers(c, [(ctx) => new NamespaceController(ctx), (ctx) => new ServiceAccountController(ctx)]);
  try {
    await waitFor(async () => !!(await c.get('serviceaccounts', 'team-a', 'default')), 'sa');
    await c.delete('namespaces', undefined, 'team-a');
    await waitFor(async () => {
      const ns = (await c.get('namespaces', undefined, 'team-a')) as JsonObject;
      return ns.status.conditions?.find((x: JsonObject) => x.type === 'NamespaceContentRemaining')?.status === 'True' && ns;
    }, 'content remaining');
    const ns = (await c.get('namespaces', undefined, 'team-a')) as JsonObject;
    assert.equal(ns.status.phase, 'Terminating');
    const remaining = ns.status.conditions.find((x: JsonObject) => x.type === 'NamespaceContentRemaining');
    assert.equal(remaining.reason, 'SomeResourcesRemain');
    assert.equal(remaining.message, 'Some resources are remaining: pods has 1 resource instances');
    assert.deepEqual(ns.spec.finalizers, ['kubernetes']);
    assert.equal((await all(c, 'configmaps', 'team-a')).length, 0);
    assert.equal((await all(c, 'serviceaccounts', 'team-a')).length, 0, 'not recreated in a terminating namespace');
    assert.equal((await all(c, 'configmaps', 'default')).length, 1);
    // The kubelet finishes the pod; the namespace goes.
    await c.delete('pods', 'team-a', 'web', { gracePeriodSeconds: 0 });
    await waitFor(async () => !(await c.get('namespaces', undefined, 'team-a')), 'namespace removed');
  } finally { await run.stop(); }
});
