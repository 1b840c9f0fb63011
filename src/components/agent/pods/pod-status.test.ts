import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { buildPodStatus, podPhase, rejectedPodStatus } from './pod-status.js';

const pod = (restartPolicy = 'Always', init: string[] = []): V1Pod => ({
  metadata: { name: 'p', namespace: 'default' },
  spec: { restartPolicy, containers: [{ name: 'a' }, { name: 'b' }], initContainers: init.map((name) => ({ name })) },
});
const running = (name: string, ready = true): V1ContainerStatus => ({ name, ready, restartCount: 0, image: '', imageID: '', state: { running: { startedAt: new Date(0) } } });
const exited = (name: string, exitCode: number): V1ContainerStatus => ({ name, ready: false, restartCount: 0, image: '', imageID: '', state: { terminated: { exitCode } } });
const waiting = (name: string, reason: string, lastExit?: number): V1ContainerStatus => ({
  name, ready: false, restartCount: 1, image: '', imageID: '', state: { waiting: { reason } },
  ...(lastExit !== undefined ? { lastState: { terminated: { exitCode: lastExit } } } : {}),
});

test('phase: Pending while a container waits, Running once all started', () => {
  assert.equal(podPhase(pod(), [], [running('a'), waiting('b', 'ContainerCreating')]), 'Pending');
  assert.equal(podPhase(pod(), [], [running('a'), running('b')]), 'Running');
  // CrashLoopBackOff counts as stopped: the pod stays Running under Always.
  assert.equal(podPhase(pod(), [], [running('a'), waiting('b', 'CrashLoopBackOff', 1)]), 'Running');
});

test('phase: Succeeded / Failed by restartPolicy once everything stopped', () => {
  assert.equal(podPhase(pod('Never'), [], [exited('a', 0), exited('b', 0)]), 'Succeeded');
  assert.equal(podPhase(pod('Never'), [], [exited('a', 0), exited('b', 1)]), 'Failed');
  assert.equal(podPhase(pod('OnFailure'), [], [exited('a', 0), exited('b', 1)]), 'Running');
  assert.equal(podPhase(pod('Always'), [], [exited('a', 0), exited('b', 0)]), 'Running');
  assert.equal(podPhase(pod('Always'), [], [exited('a', 0), exited('b', 1)], true), 'Failed');
});

test('phase: init containers keep the pod Pending; a failed one fails a Never pod', () => {
  assert.equal(podPhase(pod('Always', ['i']), [running('i')], [waiting('a', 'PodInitializing'), waiting('b', 'PodInitializing')]), 'Pending');
  assert.equal(podPhase(pod('Never', ['i']), [exited('i', 2)], [waiting('a', 'PodInitializing'), waiting('b', 'PodInitializing')]), 'Failed');
});

test('conditions with kubelet\'s reasons and messages; lastTransitionTime kept while unchanged', () => {
  const now = new Date('2024-01-01T00:00:00Z');
  const p = pod('Always', ['init']);
  const s1 = buildPodStatus({ pod: p, init: [running('init')], containers: [waiting('a', 'PodInitializing'), waiting('b', 'PodInitializing')], sandboxReady: true, hostIP: '172.31.0.11', podIPs: ['10.244.1.5'], now });
  const byType = Object.fromEntries(s1.conditions!.map((c) => [c.type, c]));
  assert.equal(byType.PodReadyToStartContainers.status, 'True');
  assert.equal(byType.Initialized.reason, 'ContainersNotInitialized');
  assert.equal(byType.Initialized.message, 'containers with incomplete status: [init]');
  assert.equal(byType.Ready.status, 'False');
  assert.equal(s1.phase, 'Pending');
  assert.equal(s1.podIP, '10.244.1.5');
  assert.deepEqual(s1.podIPs, [{ ip: '10.244.1.5' }]);
  assert.deepEqual(s1.hostIPs, [{ ip: '172.31.0.11' }]);

  const later = new Date('2024-01-01T00:01:00Z');
  const s2 = buildPodStatus({ pod: { ...p, status: s1 }, init: [exited('init', 0)], containers: [running('a'), running('b', false)], sandboxReady: true, hostIP: '172.31.0.11', podIPs: ['10.244.1.5'], now: later });
  const c2 = Object.fromEntries(s2.conditions!.map((c) => [c.type, c]));
  assert.equal(c2.PodReadyToStartContainers.lastTransitionTime!.toISOString(), now.toISOString());
  assert.equal(c2.Initialized.status, 'True');
  assert.equal(c2.Initialized.lastTransitionTime!.toISOString(), later.toISOString());
  assert.equal(c2.ContainersReady.message, 'containers with unready status: [b]');
  assert.equal(s2.phase, 'Running');
});

test('a finished pod: PodCompleted; a rejected pod: Failed with the reason', () => {
  const s = buildPodStatus({ pod: pod('Never'), init: [], containers: [exited('a', 0), exited('b', 0)], sandboxReady: false, hostIP: 'h', podIPs: [], now: new Date() });
  assert.equal(s.phase, 'Succeeded');
  assert.equal(s.conditions!.find((c) => c.type === 'Ready')!.reason, 'PodCompleted');
  const r = rejectedPodStatus(pod(), 'NodePorts', 'Predicate NodePorts failed: x', 'h', new Date());
  assert.equal(r.phase, 'Failed');
  assert.equal(r.reason, 'NodePorts');
  assert.equal(r.message, 'Pod was rejected: Predicate NodePorts failed: x');
});
