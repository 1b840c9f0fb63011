import { test } from 'node:test';
import assert from 'node:assert/strict';
import { all, testRegistry } from './testing/registry-cluster.js';
import { droppable } from './testing/dropped-watches.js';
import type { Registry } from '../apiserver/registry.js';
import { deployment, node, FakeKubelet } from './testing/fixtures.js';
import { waitFor } from './testing/wait.js';
import { startControllers } from './index.js';
import type { ClusterConfig } from '../../core/cluster/config.js';
import type { JsonObject } from '../../core/api/object.js';

const config = {
  name: 'test', clusterCIDR: '10.244.0.0/16', nodeCIDRMaskSize: 24, serviceCIDR: '10.96.0.0/12',
  hostIP: '172.31.250.1', apiServerPort: 6443, nodePortRange: '30000-32767',
} as ClusterConfig;

test('startControllers: a cluster comes up, a deployment is scheduled and rolled out, deletion cascades, stop closes everything', async () => {
  const c = droppable(await testRegistry());
  const logs: string[] = [];
  const ctl = await startControllers(c, config, { log: (l) => logs.push(l) });
  const kubelet = new FakeKubelet(c).start();
  try {
    assert.ok(await c.get('services', 'default', 'kubernetes'));
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.ok(await c.get('namespaces', undefined, ns));
    for (const n of ['node-1', 'node-2', 'node-3']) await c.create('nodes', node(n));
    await waitFor(async () => (await all(c, 'nodes')).every((n: JsonObject) => n.spec.podCIDR), 'podCIDRs');
    await c.create('deployments.apps', deployment('web', 3, { app: 'web' }));
    await waitFor(async () => ((await c.get('deployments.apps', 'default', 'web')) as JsonObject).status?.availableReplicas === 3, 'available');
    const nodes = new Set((await all(c, 'pods')).map((p: JsonObject) => p.spec.nodeName));
    assert.equal(nodes.size, 3, 'one replica per node');
    await c.delete('deployments.apps', 'default', 'web');
    await waitFor(async () => (await all(c, 'pods')).length === 0 && (await all(c, 'replicasets.apps')).length === 0, 'cascade');
    await waitFor(async () => (await all(c, 'serviceaccounts')).length === 4, 'default ServiceAccounts');
  } finally {
    kubelet.stop();
    await ctl.stop();
  }
  assert.equal(c.openWatches(), 0);
  assert.deepEqual(logs.filter((l) => !/Conflict|modified/.test(l)), []);
});
