import { test } from 'node:test';
import assert from 'node:assert/strict';
import { all, testRegistry } from './testing/registry-cluster.js';
import type { Registry } from '../apiserver/registry.js';
import { node, replicaSet, runControllers, podTemplate } from './testing/fixtures.js';
import { waitFor } from './testing/wait.js';
import { ReplicaSetController } from './replicaset.js';
import { Scheduler } from './scheduler.js';
import type { JsonObject, KubeObject } from '../../core/api/object.js';

const bare = (name: string, spec: JsonObject = {}): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { ...podTemplate({}).spec, ...spec } });

test('spreads a ReplicaSet evenly over ready nodes and records Scheduled events', async () => {
  const c = await testRegistry();
  for (const n of ['node-1', 'node-2', 'node-3']) await c.create('nodes', node(n));
  await c.create('nodes', node('node-4', { ready: false }));
  await c.create('pods', bare('other', { nodeName: 'node-1' }));
  const run = await runControllers(c, [(ctx) => new ReplicaSetController(ctx), (ctx) => new Scheduler(ctx)]);
  try {
    await c.create('replicasets.apps', replicaSet('web-abc', 6, { app: 'web' }));
    await waitFor(async () => (await all(c, 'pods')).filter((p: JsonObject) => p.spec.nodeName).length === 7, 'all bound');
    const perNode = new Map<string, number>();
    for (const p of (await all(c, 'pods')) as JsonObject[]) if (p.metadata.name !== 'other') perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
    assert.deepEqual([...perNode].sort(), [['node-1', 2], ['node-2', 2], ['node-3', 2]]);
    const p = (await all(c, 'pods')).find((x) => x.metadata.name !== 'other') as JsonObject;
    assert.deepEqual(p.status.conditions.map((x: JsonObject) => [x.type, x.status]), [['PodScheduled', 'True']]);
    await waitFor(async () => (await all(c, 'events')).filter((e: JsonObject) => e.reason === 'Scheduled').length === 6, 'events');
    const ev = (await all(c, 'events')).find((e: JsonObject) => e.reason === 'Scheduled' && e.involvedObject.name === p.metadata.name) as JsonObject;
    assert.equal(ev.message, `Successfully assigned default/${p.metadata.name} to ${p.spec.nodeName}`);
    assert.equal(ev.source.component, 'default-scheduler');
  } finally { await run.stop(); }
});

test('an unschedulable pod gets PodScheduled=False and FailedScheduling, and is bound once a node fits', async () => {
  const c = await testRegistry();
  for (const n of ['node-1', 'node-2', 'node-3']) await c.create('nodes', node(n));
  const run = await runControllers(c, [(ctx) => new Scheduler(ctx)]);
  try {
    await c.create('pods', bare('picky', { nodeSelector: { disk: 'ssd' } }));
    const msg = "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.";
    await waitFor(async () => {
      const p = (await c.get('pods', 'default', 'picky')) as JsonObject;
      const cond = p.status.conditions?.find((x: JsonObject) => x.type === 'PodScheduled');
      return cond?.status === 'False' && cond.reason === 'Unschedulable' && cond.message === msg;
    }, 'Unschedulable condition');
    await waitFor(async () => (await all(c, 'events')).some((e: JsonObject) => e.reason === 'FailedScheduling' && e.type === 'Warning' && e.message === msg), 'FailedScheduling');
    const n2 = (await c.get('nodes', undefined, 'node-2'))!;
    n2.metadata.labels = { ...n2.metadata.labels, disk: 'ssd' };
    await c.update('nodes', n2);
    await waitFor(async () => ((await c.get('pods', 'default', 'picky')) as JsonObject).spec.nodeName === 'node-2', 'bound after relabel');
  } finally { await run.stop(); }
});

test('taints keep pods away unless tolerated; no nodes gives upstream text; pods for other schedulers are left alone', async () => {
  const c = await testRegistry();
  const run = await runControllers(c, [(ctx) => new Scheduler(ctx)]);
  try {
    await c.create('pods', bare('early'));
    await waitFor(async () => ((await c.get('pods', 'default', 'early')) as JsonObject).status.conditions?.[0]?.message === 'no nodes available to schedule pods', 'no nodes');
    await c.create('nodes', node('tainted', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }));
    await waitFor(async () => /1 node\(s\) had untolerated taint \{dedicated: db\}/.test(((await c.get('pods', 'default', 'early')) as JsonObject).status.conditions?.[0]?.message), 'taint message');
    await c.create('pods', bare('tolerant', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }] }));
    await waitFor(async () => ((await c.get('pods', 'default', 'tolerant')) as JsonObject).spec.nodeName === 'tainted', 'tolerant pod bound');
    await c.create('pods', bare('custom', { schedulerName: 'my-scheduler' }));
    await c.create('nodes', node('plain'));
    await waitFor(async () => ((await c.get('pods', 'default', 'early')) as JsonObject).spec.nodeName === 'plain', 'early bound when a node appears');
    assert.equal(((await c.get('pods', 'default', 'custom')) as JsonObject).spec.nodeName, undefined);
  } finally { await run.stop(); }
});
