// The node lifecycle rules against what kube-controller-manager does, case by case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../core/api/object.js';
import { conditionsWhenSilent, evictionDelayMs, lastHeartbeatMs, taintsForCondition, TAINT_NOT_READY, TAINT_UNREACHABLE } from './node-lifecycle-rules.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

function node(ready: string | undefined, taints: object[] = [], heartbeat = T0): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: { taints },
    status: { conditions: ready === undefined ? [] : [
      { type: 'Ready', status: ready, reason: 'KubeletReady', lastHeartbeatTime: iso(heartbeat), lastTransitionTime: iso(T0 - 60_000) },
      { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', lastHeartbeatTime: iso(heartbeat), lastTransitionTime: iso(T0 - 60_000) },
    ] },
  } as KubeObject;
}

function pod(tolerations: object[]): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { nodeName: 'n1', tolerations } } as KubeObject;
}

test('the last heartbeat is the later of the Lease renewal and the Ready condition', () => {
  const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'n1' }, spec: { renewTime: '2026-01-01T00:00:30.123456Z' } } as KubeObject;
  assert.equal(lastHeartbeatMs(node('True'), lease), Date.parse('2026-01-01T00:00:30.123Z'));
  assert.equal(lastHeartbeatMs(node('True', [], T0 + 40_000), lease), T0 + 40_000);
  assert.equal(lastHeartbeatMs(node(undefined), undefined), undefined);
});

test('a silent node: every condition Unknown with upstream\'s reason and message, once', () => {
  const now = new Date(T0 + 60_000);
  const c = conditionsWhenSilent(node('True'), now)!;
  assert.deepEqual(c.map((x) => [x.type, x.status, x.reason, x.message]), [
    ['Ready', 'Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.'],
    ['MemoryPressure', 'Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.'],
  ]);
  assert.equal(c[0]!.lastTransitionTime, iso(now.getTime()));
  assert.equal(c[0]!.lastHeartbeatTime, iso(T0), 'the heartbeat stays the last one the node sent');
  const already = { ...node('True'), status: { conditions: c } } as KubeObject;
  assert.equal(conditionsWhenSilent(already, new Date(T0 + 90_000)), undefined, 'nothing to write the second time');
  assert.deepEqual(conditionsWhenSilent(node(undefined), now)!.map((x) => [x.type, x.status, x.reason]), [['Ready', 'Unknown', 'NodeStatusNeverUpdated']]);
});

test('taints follow the Ready condition: not-ready for False, unreachable for Unknown, none for True', () => {
  const now = new Date(T0);
  const user = { key: 'dedicated', value: 'x', effect: 'NoSchedule' };
  assert.deepEqual(taintsForCondition(node('Unknown', [user]), now), [
    user, { key: TAINT_UNREACHABLE, effect: 'NoSchedule' }, { key: TAINT_UNREACHABLE, effect: 'NoExecute', timeAdded: iso(T0) },
  ]);
  assert.deepEqual(taintsForCondition(node('False'), now), [
    { key: TAINT_NOT_READY, effect: 'NoSchedule' }, { key: TAINT_NOT_READY, effect: 'NoExecute', timeAdded: iso(T0) },
  ]);
  const unreachable = [{ key: TAINT_UNREACHABLE, effect: 'NoSchedule' }, { key: TAINT_UNREACHABLE, effect: 'NoExecute', timeAdded: iso(T0 - 5000) }];
  assert.equal(taintsForCondition(node('Unknown', unreachable), now), undefined, 'unchanged: timeAdded is kept');
  assert.deepEqual(taintsForCondition(node('False', unreachable), now)!.map((t) => t.key), [TAINT_NOT_READY, TAINT_NOT_READY]);
  assert.deepEqual(taintsForCondition(node('True', [user, ...unreachable]), now), [user], 'a Ready node loses them');
  assert.equal(taintsForCondition(node('True', [user]), now), undefined);
});

test('eviction: at once without a matching toleration, after the smallest tolerationSeconds, never without one', () => {
  const taints = [{ key: TAINT_UNREACHABLE, effect: 'NoSchedule' }, { key: TAINT_UNREACHABLE, effect: 'NoExecute', timeAdded: iso(T0) }];
  const now = T0 + 10_000;
  assert.equal(evictionDelayMs(pod([]), taints, now), 0);
  assert.equal(evictionDelayMs(pod([{ key: TAINT_NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }]), taints, now), 0);
  assert.equal(evictionDelayMs(pod([{ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }]), taints, now), 290_000);
  assert.equal(evictionDelayMs(pod([
    { key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { operator: 'Exists', tolerationSeconds: 30 },
  ]), taints, now), 20_000);
  assert.equal(evictionDelayMs(pod([{ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }]), taints, now), 0, 'past its time');
  assert.equal(evictionDelayMs(pod([{ operator: 'Exists' }]), taints, now), Infinity, 'tolerates everything forever');
  assert.equal(evictionDelayMs(pod([]), [{ key: 'x', effect: 'NoSchedule' }], now), Infinity, 'NoSchedule taints evict nothing');
});
