import { test } from 'node:test';
import assert from 'node:assert/strict';
import { all, testRegistry } from './testing/registry-cluster.js';
import type { Registry } from '../apiserver/registry.js';
import { node, runControllers } from './testing/fixtures.js';
import { waitFor } from './testing/wait.js';
import { NodeIpamController } from './nodeipam.js';
import type { JsonObject } from '../../core/api/object.js';

const cidrOf = async (c: Registry, n: string) => ((await c.get('nodes', undefined, n)) as JsonObject).spec.podCIDR;

test('assigns /24s in order, keeps them across a restart, and reuses none that is taken', async () => {
  const c = await testRegistry();
  for (const n of ['node-1', 'node-2']) await c.create('nodes', node(n));
  const config = { clusterCIDR: '10.244.0.0/16', nodeCIDRMaskSize: 24 };
  let run = await runControllers(c, [(ctx) => new NodeIpamController(ctx, config)]);
  try {
    await waitFor(async () => (await cidrOf(c, 'node-1')) && (await cidrOf(c, 'node-2')), 'assigned');
    const got = [await cidrOf(c, 'node-1'), await cidrOf(c, 'node-2')].sort();
    assert.deepEqual(got, ['10.244.0.0/24', '10.244.1.0/24']);
    const n1 = (await c.get('nodes', undefined, 'node-1')) as JsonObject;
    assert.deepEqual(n1.spec.podCIDRs, [n1.spec.podCIDR]);
  } finally { await run.stop(); }
  // Restart: node-1's range is released by deleting it while we were down; node-3 is new.
  const before2 = await cidrOf(c, 'node-2');
  await c.delete('nodes', undefined, 'node-1');
  await c.create('nodes', node('node-3'));
  await c.create('nodes', node('preset', { podCIDR: '10.244.2.0/24' }));
  run = await runControllers(c, [(ctx) => new NodeIpamController(ctx, config)]);
  try {
    await waitFor(async () => await cidrOf(c, 'node-3'), 'node-3 assigned');
    assert.equal(await cidrOf(c, 'node-2'), before2, 'existing assignment kept');
    const n3 = await cidrOf(c, 'node-3');
    assert.notEqual(n3, before2);
    assert.notEqual(n3, '10.244.2.0/24');
    assert.equal(n3, '10.244.0.0/24', 'a fresh allocator starts from the beginning and skips occupied ranges');
  } finally { await run.stop(); }
});

test('exhaustion records CIDRNotAvailable on the node and assigns once a node leaves', async () => {
  const c = await testRegistry();
  const config = { clusterCIDR: '10.244.0.0/23', nodeCIDRMaskSize: 24 };
  for (const n of ['a', 'b']) await c.create('nodes', node(n));
  const run = await runControllers(c, [(ctx) => new NodeIpamController(ctx, config)]);
  try {
    await waitFor(async () => (await cidrOf(c, 'a')) && (await cidrOf(c, 'b')), 'both assigned');
    await c.create('nodes', node('c'));
    await waitFor(async () => (await all(c, 'events')).some((e: JsonObject) => e.reason === 'CIDRNotAvailable'), 'event');
    const ev = (await all(c, 'events')).find((e: JsonObject) => e.reason === 'CIDRNotAvailable') as JsonObject;
    assert.equal(ev.message, 'Node c status is now: CIDRNotAvailable');
    assert.equal(ev.metadata.namespace, 'default');
    assert.deepEqual([ev.involvedObject.kind, ev.involvedObject.name, ev.involvedObject.uid], ['Node', 'c', 'c']);
    assert.equal(ev.source.component, 'cidrAllocator');
    const freed = await cidrOf(c, 'a');
    await c.delete('nodes', undefined, 'a');
    await waitFor(async () => (await cidrOf(c, 'c')) === freed, 'c gets the freed range');
  } finally { await run.stop(); }
});
