import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  computeHash, equalIgnoreHash, resolveFenceposts, maxSurge, maxUnavailable, calculateStatus, setCondition, newCondition,
  deploymentTimedOut, replicaSetProportion, setNewReplicaSetAnnotations, type Deployment, type ReplicaSet,
} from './deployment-util.js';
import { deployment, podTemplate } from './testing/fixtures.js';

const dep = (replicas: number, ru?: object, extra: object = {}) =>
  deployment('web', replicas, { app: 'web' }, { ...(ru ? { strategy: { type: 'RollingUpdate', rollingUpdate: ru } } : {}), ...extra }) as Deployment;

test('pod-template-hash: stable, key-order independent, vowel-free, changes with collisionCount', () => {
  const t = podTemplate({ app: 'web' });
  const h = computeHash(t);
  assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  const reversed = (v: any): any => Array.isArray(v) ? v.map(reversed) : v && typeof v === 'object'
    ? Object.fromEntries(Object.keys(v).reverse().map((k) => [k, reversed(v[k])])) : v;
  assert.equal(computeHash(reversed(t)), h);
  assert.equal(computeHash(structuredClone(t)), h);
  assert.notEqual(computeHash(t, 1), h);
  assert.notEqual(computeHash(podTemplate({ app: 'web' }, 'nginx:2')), h);
  const withHash = structuredClone(t); withHash.metadata.labels['pod-template-hash'] = h;
  assert.ok(equalIgnoreHash(t, withHash));
  assert.ok(!equalIgnoreHash(t, podTemplate({ app: 'web' }, 'nginx:2')));
});

test('maxSurge rounds up, maxUnavailable down, never both zero', () => {
  assert.deepEqual(resolveFenceposts(dep(10)), [3, 2]);
  assert.deepEqual(resolveFenceposts(dep(1)), [1, 0]);
  assert.deepEqual(resolveFenceposts(dep(4, { maxSurge: 0, maxUnavailable: 0 })), [0, 1]);
  assert.deepEqual(resolveFenceposts(dep(4, { maxSurge: '50%', maxUnavailable: '0%' })), [2, 0]);
  assert.equal(maxUnavailable(dep(2, { maxSurge: 0, maxUnavailable: 5 })), 2);
  assert.equal(maxUnavailable(dep(0)), 0);
  const recreate = dep(3, undefined, { strategy: { type: 'Recreate' } });
  assert.equal(maxSurge(recreate), 0);
  assert.equal(maxUnavailable(recreate), 0);
});

test('status sums the ReplicaSets and sets Available by minimum availability', () => {
  const d = dep(4);
  const rs = (spec: number, replicas: number, available: number): ReplicaSet =>
    ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'x' }, spec: { replicas: spec }, status: { replicas, readyReplicas: available, availableReplicas: available } });
  const newRS = rs(2, 2, 1);
  const s = calculateStatus([rs(2, 2, 2), newRS], newRS, d);
  assert.equal(s.replicas, 4); assert.equal(s.updatedReplicas, 2); assert.equal(s.availableReplicas, 3); assert.equal(s.unavailableReplicas, 1);
  assert.deepEqual(s.conditions.map((c: any) => [c.type, c.status, c.reason]), [['Available', 'True', 'MinimumReplicasAvailable']]);
  const s2 = calculateStatus([rs(4, 4, 2)], undefined, d);
  assert.deepEqual(s2.conditions.map((c: any) => [c.status, c.reason]), [['False', 'MinimumReplicasUnavailable']]);
});

test('setCondition keeps the transition time while the status holds and ignores same-reason updates', () => {
  const status: any = {};
  const first = newCondition('Progressing', 'True', 'NewReplicaSetCreated', 'a');
  first.lastTransitionTime = '2020-01-01T00:00:00Z';
  setCondition(status, first);
  setCondition(status, newCondition('Progressing', 'True', 'NewReplicaSetCreated', 'b'));
  assert.equal(status.conditions[0].message, 'a');
  setCondition(status, newCondition('Progressing', 'True', 'ReplicaSetUpdated', 'c'));
  assert.equal(status.conditions[0].lastTransitionTime, '2020-01-01T00:00:00Z');
  assert.equal(status.conditions[0].reason, 'ReplicaSetUpdated');
});

test('progress deadline: timed out once lastUpdateTime + progressDeadlineSeconds has passed', () => {
  const d = dep(2, undefined, { progressDeadlineSeconds: 60 });
  const old = new Date(Date.now() - 120_000).toISOString();
  assert.ok(deploymentTimedOut(d, { conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', lastUpdateTime: old }] }));
  assert.ok(!deploymentTimedOut(d, { conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', lastUpdateTime: new Date().toISOString() }] }));
  assert.ok(!deploymentTimedOut(d, { conditions: [{ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', lastUpdateTime: old }] }));
});

test('proportional scaling shares an increase by ReplicaSet size', () => {
  // 10 replicas mid-rollout (surge 3 → 13 allowed before), scaled to 20 (23 allowed): +10 to share;
  // each grows to round(size * 23 / 13), the rest goes to the largest.
  const d = dep(20, { maxSurge: 3, maxUnavailable: 2 });
  const rs = (n: number): ReplicaSet => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'r', annotations: { 'deployment.kubernetes.io/max-replicas': '13' } }, spec: { replicas: n } });
  const a = replicaSetProportion(rs(8), d, 10, 0);
  const b = replicaSetProportion(rs(5), d, 10, a);
  assert.equal(a, 6);
  assert.equal(b, 4);
  assert.equal(replicaSetProportion(rs(5), d, 10, 9), 1, 'never more than what is left to add');
});

test('revision annotations: copied deployment annotations, revision bump, history of a rolled-back-to ReplicaSet', () => {
  const d = dep(2);
  d.metadata.annotations = { 'kubernetes.io/change-cause': 'v2', 'kubectl.kubernetes.io/last-applied-configuration': '{}' };
  const rs: ReplicaSet = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'r', annotations: { 'deployment.kubernetes.io/revision': '1' } }, spec: {} };
  assert.ok(setNewReplicaSetAnnotations(d, rs, 3, true));
  assert.deepEqual(rs.metadata.annotations, {
    'kubernetes.io/change-cause': 'v2', 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/revision-history': '1',
  });
  assert.ok(!setNewReplicaSetAnnotations(d, rs, 3, true));
});
