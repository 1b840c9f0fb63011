import { test } from 'node:test';
import assert from 'node:assert/strict';
import { all, testRegistry } from './testing/registry-cluster.js';
import type { Registry } from '../apiserver/registry.js';
import { deployment, runControllers, FakeKubelet } from './testing/fixtures.js';
import { waitFor } from './testing/wait.js';
import { ReplicaSetController } from './replicaset.js';
import { DeploymentController } from './deployment.js';
import type { JsonObject, KubeObject } from '../../core/api/object.js';

type D = JsonObject;

async function getD(c: Registry, name = 'web'): Promise<D> {
  return (await c.get('deployments.apps', 'default', name)) as D;
}

/** kubectl's rollout status check (pkg/polymorphichelpers/rollout_status.go). */
function rolledOut(d: D): boolean {
  const s = d.status ?? {};
  if ((d.metadata.generation ?? 0) > (s.observedGeneration ?? 0)) return false;
  const progressing = (s.conditions ?? []).find((x: D) => x.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') return false;
  const want = d.spec.replicas;
  return (s.updatedReplicas ?? 0) === want && (s.replicas ?? 0) === (s.updatedReplicas ?? 0) && (s.availableReplicas ?? 0) >= (s.updatedReplicas ?? 0);
}

const rsOf = async (c: Registry) => (await all(c, 'replicasets.apps')) as D[];
const livePods = async (c: Registry) => (await all(c, 'pods')).filter((p) => !p.metadata.deletionTimestamp) as D[];

async function edit(c: Registry, change: (d: D) => void, name = 'web'): Promise<void> {
  for (;;) {
    const d = await getD(c, name);
    change(d);
    try { await c.update('deployments.apps', d as KubeObject); return; } catch (e) { if ((e as any).reason !== 'Conflict') throw e; }
  }
}

async function setup(opts: { graceful?: boolean } = {}) {
  const c = await testRegistry();
  const logs: string[] = [];
  const run = await runControllers(c, [(ctx) => new ReplicaSetController(ctx), (ctx) => new DeploymentController(ctx)], logs);
  const kubelet = new FakeKubelet(c).start();
  return { c, logs, async stop() { kubelet.stop(); await run.stop(); }, kubelet };
}

test('creates a ReplicaSet named by pod-template-hash, reaches complete status with upstream conditions', async () => {
  const { c, stop } = await setup();
  try {
    const created = await c.create('deployments.apps', deployment('web', 3, { app: 'web' }));
    const d = await waitFor(async () => { const d = await getD(c); return rolledOut(d) && d; }, 'rollout');
    const [rs] = (await rsOf(c));
    const hash = rs.metadata.labels['pod-template-hash'];
    assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    assert.equal(rs.metadata.name, `web-${hash}`);
    assert.deepEqual(rs.spec.selector.matchLabels, { app: 'web', 'pod-template-hash': hash });
    assert.equal(rs.spec.template.metadata.labels['pod-template-hash'], hash);
    assert.equal(rs.metadata.annotations['deployment.kubernetes.io/revision'], '1');
    assert.equal(rs.metadata.annotations['deployment.kubernetes.io/desired-replicas'], '3');
    assert.equal(rs.metadata.annotations['deployment.kubernetes.io/max-replicas'], '4');
    assert.deepEqual(rs.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: created.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    for (const p of (await livePods(c))) assert.equal(p.metadata.generateName, `web-${hash}-`);
    assert.equal(d.metadata.annotations['deployment.kubernetes.io/revision'], '1');
    const s = d.status;
    assert.equal(s.observedGeneration, 1);
    assert.equal(s.replicas, 3); assert.equal(s.updatedReplicas, 3); assert.equal(s.readyReplicas, 3); assert.equal(s.availableReplicas, 3);
    assert.equal(s.unavailableReplicas, undefined);
    await waitFor(async () => (await getD(c)).status.conditions?.find((x: D) => x.type === 'Progressing')?.reason === 'NewReplicaSetAvailable', 'NewReplicaSetAvailable');
    const conds = (await getD(c)).status.conditions.map((x: D) => [x.type, x.status, x.reason, x.message]);
    assert.deepEqual(conds, [
      ['Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'],
      ['Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "web-${hash}" has successfully progressed.`],
    ]);
    const ev = (await all(c, 'events')).filter((e: D) => e.involvedObject.kind === 'Deployment') as D[];
    assert.deepEqual(ev.map((e) => [e.reason, e.message, e.source.component]), [['ScalingReplicaSet', `Scaled up replica set web-${hash} to 3`, 'deployment-controller']]);
  } finally { await stop(); }
});

test('scale up and down through spec.replicas keeps one ReplicaSet and reports it', async () => {
  const { c, stop } = await setup();
  try {
    await c.create('deployments.apps', deployment('web', 2, { app: 'web' }));
    await waitFor(async () => rolledOut(await getD(c)), 'initial rollout');
    await edit(c, (d) => { d.spec.replicas = 5; });
    await waitFor(async () => rolledOut(await getD(c)) && (await livePods(c)).length === 5, 'scaled to 5');
    await edit(c, (d) => { d.spec.replicas = 1; });
    await waitFor(async () => rolledOut(await getD(c)) && (await livePods(c)).length === 1, 'scaled to 1');
    assert.equal((await rsOf(c)).length, 1);
    const name = (await rsOf(c))[0].metadata.name;
    const msgs = (await all(c, 'events')).filter((e: D) => e.reason === 'ScalingReplicaSet').map((e: D) => e.message);
    assert.deepEqual(msgs, [`Scaled up replica set ${name} to 2`, `Scaled up replica set ${name} to 5 from 2`, `Scaled down replica set ${name} to 1 from 5`]);
    assert.equal((await rsOf(c))[0].metadata.annotations['deployment.kubernetes.io/desired-replicas'], '1');
  } finally { await stop(); }
});

test('a template change rolls out within maxSurge and maxUnavailable and keeps the old ReplicaSet at 0', async () => {
  const { c, stop, kubelet } = await setup();
  try {
    await c.create('deployments.apps', deployment('web', 4, { app: 'web' }, {
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } } }));
    await waitFor(async () => rolledOut(await getD(c)), 'initial rollout');
    const oldName = (await rsOf(c))[0].metadata.name;
    // Watch every pod count while the rollout runs: never more than 5 pods, never fewer than 3 ready.
    let maxPods = 0, minReady = Infinity;
    const probe = setInterval(async () => {
      const live = (await livePods(c));
      maxPods = Math.max(maxPods, live.length);
      minReady = Math.min(minReady, live.filter((p) => (p.status.conditions ?? []).some((x: D) => x.type === 'Ready' && x.status === 'True')).length);
    }, 1);
    await edit(c, (d) => { d.spec.template.spec.containers[0].image = 'nginx:2'; });
    const d = await waitFor(async () => { const d = await getD(c); return rolledOut(d) && d; }, 'second rollout');
    clearInterval(probe);
    assert.ok(maxPods <= 5, `at most replicas+maxSurge pods, saw ${maxPods}`);
    assert.ok(minReady >= 3, `at least replicas-maxUnavailable ready, saw ${minReady}`);
    const rss = (await rsOf(c));
    assert.equal(rss.length, 2);
    const old = rss.find((r) => r.metadata.name === oldName)!;
    const cur = rss.find((r) => r.metadata.name !== oldName)!;
    assert.equal(old.spec.replicas, 0);
    assert.equal(cur.spec.replicas, 4);
    assert.equal(cur.metadata.annotations['deployment.kubernetes.io/revision'], '2');
    assert.equal(d.metadata.annotations['deployment.kubernetes.io/revision'], '2');
    assert.ok((await livePods(c)).every((p) => p.spec.containers[0].image === 'nginx:2'));
    assert.equal(d.status.observedGeneration, 2);
    // Rolling back to the first template reuses the old ReplicaSet as revision 3.
    kubelet.paused = false;
    await edit(c, (d) => { d.spec.template.spec.containers[0].image = 'nginx'; });
    await waitFor(async () => rolledOut(await getD(c)) && (await getD(c)).metadata.annotations['deployment.kubernetes.io/revision'] === '3', 'rollback');
    const back = (await rsOf(c)).find((r) => r.metadata.name === oldName)!;
    assert.equal(back.spec.replicas, 4);
    assert.equal(back.metadata.annotations['deployment.kubernetes.io/revision'], '3');
    assert.equal(back.metadata.annotations['deployment.kubernetes.io/revision-history'], '1');
  } finally { await stop(); }
});

test('Recreate scales old pods away before the new ReplicaSet starts any', async () => {
  const { c, stop } = await setup({ graceful: true });
  try {
    await c.create('deployments.apps', deployment('web', 3, { app: 'web' }, { strategy: { type: 'Recreate' } }));
    await waitFor(async () => rolledOut(await getD(c)), 'initial rollout');
    const oldUid = (await rsOf(c))[0].metadata.uid;
    let overlap = false;
    const probe = setInterval(async () => {
      const owners = new Set((await all(c, 'pods')).map((p) => p.metadata.ownerReferences?.[0].uid));
      if (owners.size > 1) overlap = true;
    }, 1);
    await edit(c, (d) => { d.spec.template.spec.containers[0].image = 'nginx:2'; });
    await waitFor(async () => { const d = await getD(c); return rolledOut(d) && d.metadata.annotations['deployment.kubernetes.io/revision'] === '2'; }, 'recreate rollout');
    clearInterval(probe);
    assert.equal(overlap, false, 'old and new pods never existed together');
    assert.ok((await livePods(c)).every((p) => p.metadata.ownerReferences[0].uid !== oldUid));
  } finally { await stop(); }
});

test('revisionHistoryLimit deletes the oldest scaled-down ReplicaSets', async () => {
  const { c, stop } = await setup();
  try {
    await c.create('deployments.apps', deployment('web', 1, { app: 'web' }, { revisionHistoryLimit: 1 }));
    for (const image of ['a', 'b', 'c']) {
      await waitFor(async () => rolledOut(await getD(c)), 'rollout');
      await edit(c, (d) => { d.spec.template.spec.containers[0].image = image; });
    }
    await waitFor(async () => { const d = await getD(c); return rolledOut(d) && (await rsOf(c)).length === 2; }, 'cleanup to 2 ReplicaSets');
    const revs = (await rsOf(c)).map((r) => r.metadata.annotations['deployment.kubernetes.io/revision']).sort();
    assert.deepEqual(revs, ['3', '4']);
  } finally { await stop(); }
});

test('a paused deployment scales but does not roll out; resuming rolls out', async () => {
  const { c, stop } = await setup();
  try {
    await c.create('deployments.apps', deployment('web', 2, { app: 'web' }));
    await waitFor(async () => rolledOut(await getD(c)), 'initial rollout');
    await edit(c, (d) => { d.spec.paused = true; d.spec.template.spec.containers[0].image = 'nginx:2'; });
    await waitFor(async () => (await getD(c)).status.conditions?.some((x: D) => x.reason === 'DeploymentPaused'), 'paused condition');
    await edit(c, (d) => { d.spec.replicas = 3; });
    await waitFor(async () => (await livePods(c)).length === 3, 'scaled while paused');
    assert.equal((await rsOf(c)).length, 1);
    assert.ok((await livePods(c)).every((p) => p.spec.containers[0].image === 'nginx'));
    await edit(c, (d) => { d.spec.paused = false; });
    await waitFor(async () => rolledOut(await getD(c)) && (await livePods(c)).every((p) => p.spec.containers[0].image === 'nginx:2'), 'rollout after resume');
  } finally { await stop(); }
});

test('a rollout that makes no progress within progressDeadlineSeconds reports ProgressDeadlineExceeded', async () => {
  const { c, stop, kubelet } = await setup();
  try {
    kubelet.paused = true;
    await c.create('deployments.apps', deployment('web', 2, { app: 'web' }, { progressDeadlineSeconds: 1 }));
    const d = await waitFor(async () => {
      const d = await getD(c);
      const p = d.status?.conditions?.find((x: D) => x.type === 'Progressing');
      return p?.reason === 'ProgressDeadlineExceeded' && d;
    }, 'deadline exceeded');
    const p = d.status.conditions.find((x: D) => x.type === 'Progressing');
    assert.equal(p.status, 'False');
    assert.match(p.message, /^ReplicaSet "web-[a-z0-9]+" has timed out progressing\.$/);
    assert.equal(rolledOut(d), false);
  } finally { await stop(); }
});

test('resizing mid-rollout scales old and new ReplicaSets proportionally', async () => {
  const { c, stop, kubelet } = await setup();
  try {
    await c.create('deployments.apps', deployment('web', 10, { app: 'web' }, {
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } }));
    await waitFor(async () => rolledOut(await getD(c)), 'initial rollout');
    kubelet.paused = true; // new pods never become ready: the rollout stalls half-way
    await edit(c, (d) => { d.spec.template.spec.containers[0].image = 'nginx:2'; });
    await waitFor(async () => (await rsOf(c)).length === 2 && (await rsOf(c)).reduce((n, r) => n + r.spec.replicas, 0) === 13, 'stalled at 13 = 10 + maxSurge');
    const before = new Map((await rsOf(c)).map((r) => [r.metadata.name, r.spec.replicas]));
    await edit(c, (d) => { d.spec.replicas = 20; });
    await waitFor(async () => (await rsOf(c)).reduce((n, r) => n + r.spec.replicas, 0) === 23, 'resized to 23 = 20 + maxSurge');
    for (const r of (await rsOf(c))) assert.ok(r.spec.replicas > before.get(r.metadata.name)!, `${r.metadata.name} grew`);
    assert.ok((await rsOf(c)).every((r) => r.metadata.annotations['deployment.kubernetes.io/desired-replicas'] === '20'));
    kubelet.paused = false;
    await waitFor(async () => rolledOut(await getD(c)) && (await livePods(c)).every((p) => p.spec.containers[0].image === 'nginx:2'), 'rollout completes');
  } finally { await stop(); }
});
