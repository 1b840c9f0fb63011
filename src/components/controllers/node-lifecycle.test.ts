// The node lifecycle controller on a real registry (validation, defaulting, status subresources) with
// a clock the test moves: a node whose agent falls silent becomes Unknown after the grace period, gets the
// unreachable taints, its pods stop being Ready and are evicted as their tolerations say; when the agent
// reports again the taints go.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject, KubeObject } from '../../core/api/object.js';
import { Registry } from '../apiserver/registry.js';
import { MemoryStore } from '../store/index.js';
import { NodeLifecycleController } from './node-lifecycle.js';
import { node, podTemplate, runControllers } from './testing/fixtures.js';
import { waitFor } from './testing/wait.js';

const T0 = Date.now();
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

function pod(name: string, tolerations?: JsonObject[]): KubeObject {
  const spec = { ...podTemplate({ app: name }).spec, nodeName: 'n1', ...(tolerations ? { tolerations } : {}) };
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: { app: name } }, spec } as KubeObject;
}

async function setReady(registry: Registry, name: string, status: string, heartbeat: number): Promise<void> {
  const n = await registry.get('nodes', undefined, name) as JsonObject;
  n.status.conditions = [{ type: 'Ready', status, reason: 'KubeletReady', lastHeartbeatTime: iso(heartbeat), lastTransitionTime: iso(T0) }];
  await registry.update('nodes', n as KubeObject, 'status');
}

test('a silent node: Unknown after the grace period, tainted, pods not Ready and evicted by their tolerations; back when it reports', async () => {
  const registry = new Registry(new MemoryStore(), { tolerationSeconds: { notReady: 300, unreachable: 300 } });
  await registry.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  await registry.create('nodes', node('n1'));
  await setReady(registry, 'n1', 'True', T0);
  // Pods as admission leaves them: the default 300 s tolerations, one that tolerates 1 s, one forever.
  await registry.create('pods', pod('default-tolerations'));
  await registry.create('pods', pod('short', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1 }]));
  await registry.create('pods', pod('forever', [{ operator: 'Exists' }]));
  for (const name of ['default-tolerations', 'short', 'forever']) {
    const p = await registry.get('pods', 'default', name) as JsonObject;
    p.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
    await registry.update('pods', p as KubeObject, 'status');
  }
  assert.equal((await registry.get('pods', 'default', 'default-tolerations') as JsonObject).spec.tolerations.find(
    (t: JsonObject) => t.key === 'node.kubernetes.io/unreachable').tolerationSeconds, 300);

  let now = T0 + 10_000;
  const run = await runControllers(registry, [(ctx) => new NodeLifecycleController(ctx, { gracePeriodMs: 50_000, monitorPeriodMs: 20, now: () => now })]);
  try {
    const readyOf = async () => ((await registry.get('nodes', undefined, 'n1')) as JsonObject).status.conditions.find((c: JsonObject) => c.type === 'Ready');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await readyOf()).status, 'True', 'within the grace period nothing happens');

    now = T0 + 51_000;
    await waitFor(async () => (await readyOf()).status === 'Unknown', 'the node to become Unknown');
    assert.equal((await readyOf()).reason, 'NodeStatusUnknown');
    const taints = await waitFor(async () => {
      const t = ((await registry.get('nodes', undefined, 'n1')) as JsonObject).spec.taints as JsonObject[] | undefined;
      return t?.length === 2 ? t : undefined;
    }, 'the unreachable taints');
    assert.deepEqual(taints.map((t) => `${t.key}:${t.effect}`), ['node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute']);
    await waitFor(async () => {
      const p = await registry.get('pods', 'default', 'forever') as JsonObject;
      return p.status.conditions.find((c: JsonObject) => c.type === 'Ready').status === 'False';
    }, 'pods marked not Ready');

    // The 1 s toleration runs out; the others stay.
    now += 2000;
    await waitFor(async () => (await registry.get('pods', 'default', 'short'))?.metadata.deletionTimestamp || !(await registry.get('pods', 'default', 'short')), 'the short-toleration pod to be evicted', 15_000);
    assert.ok(!(await registry.get('pods', 'default', 'default-tolerations'))?.metadata.deletionTimestamp, '300 s have not passed');
    assert.ok(!(await registry.get('pods', 'default', 'forever'))?.metadata.deletionTimestamp, 'tolerates forever');

    now = T0 + 400_000;
    await waitFor(async () => (await registry.get('pods', 'default', 'default-tolerations'))?.metadata.deletionTimestamp || !(await registry.get('pods', 'default', 'default-tolerations')),
      'the 300 s pod to be evicted once 300 s passed');

    await setReady(registry, 'n1', 'True', now);
    await waitFor(async () => !(((await registry.get('nodes', undefined, 'n1')) as JsonObject).spec.taints ?? []).length, 'the taints to go');
    assert.ok(!(await registry.get('pods', 'default', 'forever'))?.metadata.deletionTimestamp);
  } finally {
    await run.stop();
  }
});
