// The StatefulSet controller against the real registry with every controller running. No nodes: pods
// stay unbound (deleted at once) and the test plays the kubelet, making pods Ready one by one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject, KubeObject } from '../../core/api/object.js';
import { markAllReady, markReady, podTemplate } from './testing/fixtures.js';
import { registryCluster } from './testing/registry-cluster.js';
import { settle, waitFor } from './testing/wait.js';

function statefulSet(name: string, replicas: number, extra: JsonObject = {}): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name, namespace: 'default' },
    spec: { replicas, serviceName: 'nginx', selector: { matchLabels: { app: name } }, template: podTemplate({ app: name }), ...extra } } as KubeObject;
}

test('OrderedReady: one pod at a time in order, stable identity, scale down from the top, partitioned rolling update', async () => {
  const c = await registryCluster();
  const r = c.registry;
  const names = async () => (await c.pods('default', (p) => !p.metadata.deletionTimestamp)).map((p) => p.metadata.name);
  const sts = async () => await r.get('statefulsets.apps', 'default', 'web') as JsonObject;
  try {
    await r.create('statefulsets.apps', statefulSet('web', 3));
    await waitFor(async () => (await names()).length === 1, 'web-0');
    await settle(100);
    assert.deepEqual(await names(), ['web-0'], 'web-1 waits for web-0 to be Ready');
    const p0 = (await c.pods())[0];
    assert.equal(p0.spec.hostname, 'web-0');
    assert.equal(p0.spec.subdomain, 'nginx');
    assert.equal(p0.metadata.labels['statefulset.kubernetes.io/pod-name'], 'web-0');
    assert.equal(p0.metadata.labels['apps.kubernetes.io/pod-index'], '0');
    assert.match(p0.metadata.labels['controller-revision-hash'], /^web-[a-z0-9]+$/);
    await markReady(r, p0 as KubeObject);
    await waitFor(async () => (await names()).length === 2, 'web-1');
    assert.deepEqual(await names(), ['web-0', 'web-1']);
    await markAllReady(r);
    await waitFor(async () => (await names()).length === 3, 'web-2');
    await markAllReady(r);
    await waitFor(async () => (await sts()).status.readyReplicas === 3, 'three ready');
    const s = (await sts()).status;
    assert.equal(s.replicas, 3);
    assert.equal(s.availableReplicas, 3);
    assert.equal(s.currentRevision, s.updateRevision);
    assert.equal(s.observedGeneration, 1);

    // A deleted pod comes back with the same name and identity.
    const uid = (await c.pods()).find((p) => p.metadata.name === 'web-1')!.metadata.uid;
    await r.delete('pods', 'default', 'web-1');
    await waitFor(async () => { const p = (await c.pods()).find((x) => x.metadata.name === 'web-1'); return p && p.metadata.uid !== uid; }, 'web-1 recreated');
    await markAllReady(r);

    // Partitioned rolling update: only ordinals >= 2 get the new template.
    await r.patch('statefulsets.apps', 'default', 'web', { spec: { updateStrategy: { rollingUpdate: { partition: 2 } }, template: { spec: { containers: [{ name: 'c', image: 'nginx:2' }] } } } }, 'strategic');
    await waitFor(async () => { const p = (await c.pods()).find((x) => x.metadata.name === 'web-2'); return p && !p.metadata.deletionTimestamp && p.spec.containers[0].image === 'nginx:2'; }, 'web-2 updated');
    await markAllReady(r);
    await waitFor(async () => (await sts()).status.updatedReplicas === 1 && (await sts()).status.readyReplicas === 3, 'partition status');
    await settle(100);
    assert.deepEqual((await c.pods()).map((p) => p.spec.containers[0].image), ['nginx', 'nginx', 'nginx:2']);
    const st = (await sts()).status;
    assert.notEqual(st.currentRevision, st.updateRevision);
    assert.equal(st.currentReplicas, 2);

    // Partition 0: web-1 then web-0, each after the one above is Ready.
    await r.patch('statefulsets.apps', 'default', 'web', { spec: { updateStrategy: { rollingUpdate: { partition: 0 } } } }, 'strategic');
    for (let i = 0; i < 20 && (await c.pods()).some((p) => p.spec.containers[0].image !== 'nginx:2'); i++) { await markAllReady(r); await settle(50); }
    await waitFor(async () => { await markAllReady(r); const x = (await sts()).status; return x.updatedReplicas === 3 && x.currentRevision === x.updateRevision && x.readyReplicas === 3; }, 'rolled out');

    // Scale down: highest ordinal first.
    await r.updateScale('statefulsets.apps', 'default', 'web', { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 1 } } as KubeObject);
    await waitFor(async () => (await names()).length === 1, 'scaled to 1');
    assert.deepEqual(await names(), ['web-0']);
    assert.deepEqual((await r.getScale('statefulsets.apps', 'default', 'web') as JsonObject).spec, { replicas: 1 });
    const revs = (await r.list('controllerrevisions.apps', { namespace: 'default' })).items as JsonObject[];
    assert.deepEqual(revs.map((x) => x.revision).sort(), [1, 2]);
  } finally {
    await c.stop();
  }
});

test('Parallel creates every pod at once; volumeClaimTemplates are refused (podnet has no storage)', async () => {
  const c = await registryCluster();
  try {
    await c.registry.create('statefulsets.apps', statefulSet('par', 4, { podManagementPolicy: 'Parallel' }));
    await waitFor(async () => (await c.pods()).length === 4, 'four pods');
    assert.deepEqual((await c.pods()).map((p) => p.metadata.name), ['par-0', 'par-1', 'par-2', 'par-3']);
    await assert.rejects(c.registry.create('statefulsets.apps', statefulSet('db', 1, { volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: {} }] })),
      (e: Error) => /spec.volumeClaimTemplates: Forbidden: podnet has no storage/.test(e.message));
    assert.equal(await c.registry.get('statefulsets.apps', 'default', 'db'), undefined);
  } finally {
    await c.stop();
  }
});
