// The controllers against the real registry (defaulting, validation, admission, graceful deletion) over
// the in-memory store: what they write must be what kube-apiserver would accept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from '../apiserver/registry.js';
import { NamespaceLifecycle } from '../apiserver/namespace-lifecycle.js';
import { ServiceAllocation } from '../apiserver/service-allocation.js';
import { MemoryStore } from '../store/index.js';
import { deployment, node, FakeKubelet } from './testing/fixtures.js';
import { waitFor } from './testing/wait.js';
import { startControllers } from './index.js';
import type { ClusterConfig } from '../../core/cluster/config.js';
import type { JsonObject, KubeObject } from '../../core/api/object.js';

const config = {
  name: 'test', clusterCIDR: '10.244.0.0/16', nodeCIDRMaskSize: 24, serviceCIDR: '10.96.0.0/12',
  hostIP: '172.31.250.1', apiServerPort: 6443, nodePortRange: '30000-32767',
} as ClusterConfig;

test('against the registry: bootstrap, scheduling, rollout, scale, rollout of a new template, namespace deletion', async () => {
  const store = new MemoryStore();
  const registry = new Registry(store);
  registry.use(new NamespaceLifecycle(registry));
  registry.use(await ServiceAllocation.open(store, registry, config));
  const logs: string[] = [];
  const ctl = await startControllers(registry, config, { log: (l) => logs.push(l) });
  const kubelet = new FakeKubelet(registry).start();
  const getD = async (ns = 'default') => (await registry.get('deployments.apps', ns, 'web')) as JsonObject;
  try {
    const svc = (await registry.get('services', 'default', 'kubernetes')) as JsonObject;
    assert.equal(svc.spec.clusterIP, '10.96.0.1');
    for (const n of ['node-1', 'node-2']) await registry.create('nodes', node(n));
    await waitFor(async () => (await registry.list('nodes')).items.every((n: JsonObject) => n.spec.podCIDR), 'podCIDRs');

    await registry.create('deployments.apps', deployment('web', 2, { app: 'web' }));
    const done = async (replicas: number, image: string) => {
      const d = await getD();
      const s = d.status ?? {};
      const pods = (await registry.list('pods', { namespace: 'default' })).items as JsonObject[];
      return s.observedGeneration === d.metadata.generation && s.updatedReplicas === replicas && s.replicas === replicas &&
        s.availableReplicas === replicas && pods.length === replicas && pods.every((p) => p.spec.nodeName && p.spec.containers[0].image === image);
    };
    await waitFor(() => done(2, 'nginx'), 'first rollout');
    await registry.updateScale('deployments.apps', 'default', 'web', { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 4 } } as KubeObject);
    await waitFor(() => done(4, 'nginx'), 'scaled');
    const scale = await registry.getScale('deployments.apps', 'default', 'web') as JsonObject;
    assert.deepEqual(scale.status, { replicas: 4, selector: 'app=web' });
    await registry.patch('deployments.apps', 'default', 'web', { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:2' }] } } } }, 'strategic');
    await waitFor(() => done(4, 'nginx:2'), 'second rollout');
    const d = await getD();
    assert.equal(d.metadata.annotations['deployment.kubernetes.io/revision'], '2');
    assert.equal((await registry.list('replicasets.apps')).items.length, 2);

    await registry.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } });
    await registry.create('deployments.apps', { ...deployment('web', 1, { app: 'web' }), metadata: { name: 'web', namespace: 'team-a' } } as KubeObject);
    await waitFor(async () => (await getD('team-a'))?.status?.availableReplicas === 1, 'team-a rollout');
    await registry.delete('namespaces', undefined, 'team-a');
    await waitFor(async () => !(await registry.get('namespaces', undefined, 'team-a')), 'namespace gone');

    await registry.delete('deployments.apps', 'default', 'web', { propagationPolicy: 'Foreground' });
    await waitFor(async () => !(await getD()) && (await registry.list('pods')).items.length === 0, 'foreground cascade');
  } finally {
    kubelet.stop();
    await ctl.stop();
    await store.close();
  }
  assert.deepEqual(logs.filter((l) => !/Conflict|modified/.test(l)), []);
});
