import { test } from 'node:test';
import assert from 'node:assert/strict';
import { all, testRegistry } from './testing/registry-cluster.js';
import type { Registry } from '../apiserver/registry.js';
import { node, podTemplate, runControllers } from './testing/fixtures.js';
import { waitFor } from './testing/wait.js';
import { PodGarbageCollector } from './podgc.js';
import type { KubeObject } from '../../core/api/object.js';

const pod = (name: string, nodeName?: string): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { ...podTemplate({}).spec, ...(nodeName ? { nodeName } : {}) } });

test('pods of a deleted node are force-deleted after the quarantine; pods of live nodes stay', async () => {
  const c = await testRegistry();
  await c.create('nodes', node('node-1'));
  await c.create('nodes', node('node-2'));
  await c.create('pods', pod('on-1', 'node-1'));
  await c.create('pods', pod('on-2', 'node-2'));
  const logs: string[] = [];
  const run = await runControllers(c, [(ctx) => new PodGarbageCollector(ctx, 200)], logs);
  try {
    await c.delete('nodes', undefined, 'node-2');
    // Even a graceful deletion already under way is finished: no kubelet will do it.
    await c.delete('pods', 'default', 'on-2');
    assert.ok((await c.get('pods', 'default', 'on-2'))!.metadata.deletionTimestamp);
    await waitFor(async () => !(await c.get('pods', 'default', 'on-2')), 'orphan collected');
    assert.ok(await c.get('pods', 'default', 'on-1'));
    assert.match(logs.join('\n'), /force-deleting pod default\/on-2: its node node-2 no longer exists/);
  } finally { await run.stop(); }
});
