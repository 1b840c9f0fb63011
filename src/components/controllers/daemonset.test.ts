// The DaemonSet controller against the real registry (testing/registry-cluster.ts) with every other
// controller running, the scheduler included; FakeKubelet stands in for the nodes' agents.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject, KubeObject } from '../../core/api/object.js';
import { FakeKubelet, node, podTemplate } from './testing/fixtures.js';
import { registryCluster } from './testing/registry-cluster.js';
import { settle, waitFor } from './testing/wait.js';

function daemonSet(name: string, extra: JsonObject = {}): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name, namespace: 'default' },
    spec: { selector: { matchLabels: { app: name } }, template: podTemplate({ app: name }), ...extra } } as KubeObject;
}

test('a DaemonSet runs one pinned pod per node, follows taints, rolls one node at a time, and rolls back', async () => {
  const c = await registryCluster();
  const kubelet = new FakeKubelet(c.registry).start();
  const r = c.registry;
  try {
    for (const n of ['n1', 'n2', 'n3']) await r.create('nodes', node(n));
    await r.create('daemonsets.apps', daemonSet('agent'));
    const ds = async () => await r.get('daemonsets.apps', 'default', 'agent') as JsonObject;
    const live = (p: JsonObject) => !p.metadata.deletionTimestamp;
    const rolledOut = async (image: string, nodes: number) => {
      const d = await ds(), s = d.status;
      const pods = await c.pods('default', live);
      return s.observedGeneration === d.metadata.generation && s.desiredNumberScheduled === nodes && s.numberAvailable === nodes &&
        s.updatedNumberScheduled === nodes && pods.length === nodes && pods.every((p) => p.spec.containers[0].image === image && p.spec.nodeName);
    };
    await waitFor(() => rolledOut('nginx', 3), 'three daemon pods');
    const pods = await c.pods();
    assert.deepEqual(pods.map((p) => p.spec.nodeName).sort(), ['n1', 'n2', 'n3']);
    for (const p of pods) {
      // Pinned by affinity on metadata.name (the scheduler binds), with the daemon tolerations.
      assert.deepEqual(p.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms,
        [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [p.spec.nodeName] }] }]);
      assert.ok(p.spec.tolerations.some((t: JsonObject) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute'));
      assert.equal(p.metadata.labels['pod-template-generation'], '1');
      assert.equal(p.metadata.ownerReferences[0].kind, 'DaemonSet');
    }
    const d1 = await ds();
    assert.equal(d1.metadata.annotations['deprecated.daemonset.template.generation'], '1');
    assert.deepEqual({ ...d1.status, observedGeneration: undefined }, {
      currentNumberScheduled: 3, desiredNumberScheduled: 3, numberAvailable: 3, numberMisscheduled: 0, numberReady: 3,
      observedGeneration: undefined, updatedNumberScheduled: 3,
    });
    const revs = (await r.list('controllerrevisions.apps', { namespace: 'default' })).items as JsonObject[];
    assert.equal(revs.length, 1);
    assert.equal(revs[0].revision, 1);
    assert.equal(revs[0].metadata.labels['controller-revision-hash'], pods[0].metadata.labels['controller-revision-hash']);
    assert.equal(revs[0].data.spec.template.$patch, 'replace');

    // A NoExecute taint the pods do not tolerate removes the pod there; taking it away brings one back.
    await r.patch('nodes', undefined, 'n2', { spec: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }] } }, 'merge');
    await waitFor(async () => (await ds()).status.desiredNumberScheduled === 2 && (await c.pods()).every((p) => p.spec.nodeName !== 'n2'), 'pod leaves n2');
    // NoSchedule only keeps new pods away: nothing is removed from n3.
    await r.patch('nodes', undefined, 'n3', { spec: { taints: [{ key: 'maintenance', effect: 'NoSchedule' }] } }, 'merge');
    await waitFor(async () => (await ds()).status.desiredNumberScheduled === 1, 'n3 no longer desired');
    assert.equal((await ds()).status.numberMisscheduled, 1);
    assert.ok((await c.pods()).some((p) => p.spec.nodeName === 'n3'));
    await r.patch('nodes', undefined, 'n2', { spec: { taints: null } }, 'merge');
    await r.patch('nodes', undefined, 'n3', { spec: { taints: null } }, 'merge');
    await waitFor(() => rolledOut('nginx', 3), 'back on n2');

    // A new image: one node at a time (maxUnavailable 1).
    kubelet.paused = true;
    await r.patch('daemonsets.apps', 'default', 'agent', { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:2' }] } } } }, 'strategic');
    await waitFor(async () => (await c.pods()).some((p) => p.metadata.deletionTimestamp), 'first old pod deleted');
    await settle(200);
    assert.equal((await c.pods()).filter((p) => p.metadata.deletionTimestamp).length, 1, 'only one node at a time');
    kubelet.paused = false;
    await waitFor(() => rolledOut('nginx:2', 3), 'image rolled out');
    assert.equal((await ds()).metadata.annotations['deprecated.daemonset.template.generation'], '2');

    // kubectl rollout undo: the old revision's data as a strategic merge patch; it becomes revision 3.
    const history = (await r.list('controllerrevisions.apps', { namespace: 'default' })).items as JsonObject[];
    const first = history.find((h) => h.revision === 1)!;
    await r.patch('daemonsets.apps', 'default', 'agent', first.data, 'strategic');
    await waitFor(() => rolledOut('nginx', 3), 'rolled back');
    const after = (await r.list('controllerrevisions.apps', { namespace: 'default' })).items as JsonObject[];
    assert.deepEqual(after.map((h) => [h.metadata.name, h.revision]).sort(), [[first.metadata.name, 3], [history.find((h) => h.revision === 2)!.metadata.name, 2]].sort());

    // Deleting the DaemonSet takes its pods and revisions with it (garbage collector).
    await r.delete('daemonsets.apps', 'default', 'agent');
    await waitFor(async () => (await c.pods()).length === 0 && (await r.list('controllerrevisions.apps', { namespace: 'default' })).items.length === 0, 'dependents collected');
  } finally {
    kubelet.stop();
    await c.stop();
  }
});

test('DaemonSet nodeSelector and OnDelete: pods only where labels match; an update waits for deletions', async () => {
  const c = await registryCluster();
  const kubelet = new FakeKubelet(c.registry).start();
  const r = c.registry;
  try {
    await r.create('nodes', node('a', { labels: { role: 'edge' } }));
    await r.create('nodes', node('b'));
    const ds = daemonSet('edge', { updateStrategy: { type: 'OnDelete' } }) as JsonObject;
    ds.spec.template.spec.nodeSelector = { role: 'edge' };
    await r.create('daemonsets.apps', ds as KubeObject);
    await waitFor(async () => (await r.get('daemonsets.apps', 'default', 'edge') as JsonObject).status.numberReady === 1, 'edge pod ready');
    assert.deepEqual((await c.pods()).map((p) => p.spec.nodeName), ['a']);
    await r.patch('daemonsets.apps', 'default', 'edge', { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:2' }] } } } }, 'strategic');
    await waitFor(async () => (await r.get('daemonsets.apps', 'default', 'edge') as JsonObject).status.observedGeneration === 2, 'observed');
    await settle(100);
    assert.equal((await c.pods())[0].spec.containers[0].image, 'nginx', 'OnDelete leaves the pod alone');
    await r.delete('pods', 'default', (await c.pods())[0].metadata.name);
    await waitFor(async () => { const p = await c.pods(); return p.length === 1 && !p[0].metadata.deletionTimestamp && p[0].spec.containers[0].image === 'nginx:2'; }, 'replaced with the new template');
    await r.patch('nodes', undefined, 'b', { metadata: { labels: { role: 'edge' } } }, 'merge');
    await waitFor(async () => (await c.pods()).length === 2, 'a pod on the newly labelled node');
  } finally {
    kubelet.stop();
    await c.stop();
  }
});
