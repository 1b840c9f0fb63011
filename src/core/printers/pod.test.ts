import { test } from 'node:test';
import assert from 'node:assert/strict';
import { printTable } from './table.js';
import { mustResource, type KubeObject, type JsonObject } from '../api/index.js';

const NOW = new Date('2025-01-01T12:00:00Z');
const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000).toISOString();

function pod(name: string, spec: JsonObject, status: JsonObject, meta: JsonObject = {}): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '42', creationTimestamp: ago(300), ...meta },
    spec: { containers: [{ name: 'web', image: 'nginx' }], ...spec },
    status,
  };
}

function row(p: KubeObject) {
  return printTable(mustResource('pods'), [p], { now: NOW }).rows[0]!;
}
const cells = (p: KubeObject) => row(p).cells;

const running = { running: { startedAt: ago(290) } };
const readyCondition = (status: string) => ({ type: 'Ready', status });

test('pod columns: names, wide columns at priority 1', () => {
  const t = printTable(mustResource('pods'), [], { now: NOW });
  assert.deepEqual(t.columnDefinitions.map((c) => [c.name, c.priority]), [
    ['Name', 0], ['Ready', 0], ['Status', 0], ['Restarts', 0], ['Age', 0],
    ['IP', 1], ['Node', 1], ['Nominated Node', 1], ['Readiness Gates', 1],
  ]);
  assert.equal(t.columnDefinitions[0]!.format, 'name');
  assert.deepEqual(t.rows, []);
});

test('a Running pod with podIP and nodeName', () => {
  const p = pod('web', { nodeName: 'node-1' }, {
    phase: 'Running', podIP: '10.244.1.5', podIPs: [{ ip: '10.244.1.5' }],
    conditions: [readyCondition('True')],
    containerStatuses: [{ name: 'web', ready: true, restartCount: 0, state: running }],
  });
  assert.deepEqual(cells(p), ['web', '1/1', 'Running', '0', '5m', '10.244.1.5', 'node-1', '<none>', '<none>']);
  assert.equal(row(p).conditions, undefined);
});

test('podIPs alone gives the IP; nothing gives <none>', () => {
  const withIPs = pod('a', {}, { phase: 'Running', podIPs: [{ ip: '10.244.2.7' }, { ip: 'fd00::7' }] });
  assert.equal(cells(withIPs)[5], '10.244.2.7');
  assert.deepEqual(cells(pod('b', {}, {})).slice(5), ['<none>', '<none>', '<none>', '<none>']);
});

test('Pending before scheduling, ContainerCreating after', () => {
  assert.deepEqual(cells(pod('p', {}, { phase: 'Pending' })).slice(1, 4), ['0/1', 'Pending', '0']);
  const creating = pod('c', { nodeName: 'node-2' }, {
    phase: 'Pending',
    containerStatuses: [{ name: 'web', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }],
  });
  assert.deepEqual(cells(creating).slice(1, 4), ['0/1', 'ContainerCreating', '0']);
});

test('CrashLoopBackOff with restarts and when the last one happened', () => {
  const p = pod('crash', { nodeName: 'node-1' }, {
    phase: 'Running', podIP: '10.244.1.9',
    containerStatuses: [{
      name: 'web', ready: false, restartCount: 4,
      state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 1m20s restarting failed container' } },
      lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(300) } },
    }],
  });
  assert.deepEqual(cells(p).slice(0, 5), ['crash', '0/1', 'CrashLoopBackOff', '4 (5m ago)', '5m']);
});

test('restarts sum over containers and report the most recent termination', () => {
  const p = pod('two', { containers: [{ name: 'a' }, { name: 'b' }] }, {
    phase: 'Running', conditions: [readyCondition('True')],
    containerStatuses: [
      { name: 'a', ready: true, restartCount: 2, state: running, lastState: { terminated: { exitCode: 1, finishedAt: ago(3600) } } },
      { name: 'b', ready: true, restartCount: 1, state: running, lastState: { terminated: { exitCode: 137, finishedAt: ago(125) } } },
    ],
  });
  assert.deepEqual(cells(p).slice(1, 4), ['2/2', 'Running', '3 (2m5s ago)']);
  // A restart count without any recorded termination prints the bare number.
  const noDate = pod('n', {}, { phase: 'Running', containerStatuses: [{ name: 'web', ready: true, restartCount: 2, state: running }] });
  assert.equal(cells(noDate)[3], '2');
});

test('Completed and Error pods, with the Completed row condition', () => {
  const done = pod('job', {}, {
    phase: 'Succeeded',
    containerStatuses: [{ name: 'web', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
  });
  assert.deepEqual(cells(done).slice(1, 4), ['0/1', 'Completed', '0']);
  assert.deepEqual(row(done).conditions, [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);

  const failed = pod('err', {}, {
    phase: 'Failed',
    containerStatuses: [{ name: 'web', ready: false, restartCount: 0, state: { terminated: { exitCode: 1, reason: 'Error' } } }],
  });
  assert.deepEqual(cells(failed).slice(1, 4), ['0/1', 'Error', '0']);
  assert.deepEqual(row(failed).conditions, [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }]);
});

test('terminated without a reason shows the signal or the exit code', () => {
  const sig = pod('s', {}, { phase: 'Failed', containerStatuses: [{ name: 'web', state: { terminated: { exitCode: 137, signal: 9 } } }] });
  assert.equal(cells(sig)[2], 'Signal:9');
  const code = pod('c', {}, { phase: 'Failed', containerStatuses: [{ name: 'web', state: { terminated: { exitCode: 2 } } }] });
  assert.equal(cells(code)[2], 'ExitCode:2');
});

test('the first container with a reason decides the status', () => {
  const p = pod('m', { containers: [{ name: 'a' }, { name: 'b' }] }, {
    phase: 'Pending',
    containerStatuses: [
      { name: 'a', state: { waiting: { reason: 'ImagePullBackOff' } } },
      { name: 'b', state: { waiting: { reason: 'ContainerCreating' } } },
    ],
  });
  assert.equal(cells(p)[2], 'ImagePullBackOff');
});

test('one container Completed while another runs: Running when Ready, else NotReady', () => {
  const status = (ready: string) => ({
    phase: 'Running', conditions: [readyCondition(ready)],
    containerStatuses: [
      { name: 'a', ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
      { name: 'b', ready: true, state: running },
    ],
  });
  const spec = { containers: [{ name: 'a' }, { name: 'b' }] };
  assert.deepEqual(cells(pod('r', spec, status('True'))).slice(1, 3), ['1/2', 'Running']);
  assert.deepEqual(cells(pod('n', spec, status('False'))).slice(1, 3), ['1/2', 'NotReady']);
});

test('Terminating while deleting; a finished pod keeps its status; NodeLost reads Unknown', () => {
  const deleting = pod('t', { nodeName: 'node-1' }, {
    phase: 'Running', conditions: [readyCondition('True')],
    containerStatuses: [{ name: 'web', ready: true, restartCount: 0, state: running }],
  }, { deletionTimestamp: ago(-30), deletionGracePeriodSeconds: 30 });
  assert.deepEqual(cells(deleting).slice(1, 3), ['1/1', 'Terminating']);

  const finished = pod('f', {}, {
    phase: 'Succeeded', containerStatuses: [{ name: 'web', state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
  }, { deletionTimestamp: ago(0) });
  assert.equal(cells(finished)[2], 'Completed');

  const lost = pod('l', { nodeName: 'node-3' }, { phase: 'Running', reason: 'NodeLost' }, { deletionTimestamp: ago(0) });
  assert.equal(cells(lost)[2], 'Unknown');
  // Without a deletion the pod's own reason shows.
  assert.equal(cells(pod('e', {}, { phase: 'Failed', reason: 'Evicted' }))[2], 'Evicted');
});

test('init containers: Init:0/1, Init:<reason>, Init:ExitCode, then the app containers', () => {
  const spec = { initContainers: [{ name: 'setup', image: 'busybox' }] };
  const init = (state: JsonObject, extra: JsonObject = {}) => pod('i', spec, {
    phase: 'Pending', containerStatuses: [{ name: 'web', state: { waiting: { reason: 'PodInitializing' } } }],
    initContainerStatuses: [{ name: 'setup', ready: false, restartCount: 0, state, ...extra }],
  });
  assert.deepEqual(cells(init(running)).slice(1, 4), ['0/1', 'Init:0/1', '0']);
  assert.equal(cells(init({ waiting: { reason: 'PodInitializing' } }))[2], 'Init:0/1');
  assert.deepEqual(cells(init({ waiting: { reason: 'CrashLoopBackOff' } }, {
    restartCount: 3, lastState: { terminated: { exitCode: 1, finishedAt: ago(60) } },
  })).slice(2, 4), ['Init:CrashLoopBackOff', '3 (60s ago)']);
  assert.equal(cells(init({ terminated: { exitCode: 1, reason: 'Error' } }))[2], 'Init:Error');
  assert.equal(cells(init({ terminated: { exitCode: 3 } }))[2], 'Init:ExitCode:3');

  // Second of two init containers running.
  const two = pod('i2', { initContainers: [{ name: 'a' }, { name: 'b' }] }, {
    phase: 'Pending',
    initContainerStatuses: [
      { name: 'a', state: { terminated: { exitCode: 0, reason: 'Completed' } } },
      { name: 'b', state: running },
    ],
  });
  assert.equal(cells(two)[2], 'Init:1/2');

  // Initialized: init restarts no longer count, the app container decides.
  const done = pod('i3', spec, {
    phase: 'Running', conditions: [{ type: 'Initialized', status: 'True' }, readyCondition('True')],
    initContainerStatuses: [{ name: 'setup', restartCount: 2, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
    containerStatuses: [{ name: 'web', ready: true, restartCount: 0, state: running }],
  });
  assert.deepEqual(cells(done).slice(1, 4), ['1/1', 'Running', '0']);
});

test('sidecars (restartPolicy Always init containers) count as containers', () => {
  const p = pod('sc', { initContainers: [{ name: 'proxy', restartPolicy: 'Always' }] }, {
    phase: 'Running', conditions: [{ type: 'Initialized', status: 'True' }, readyCondition('True')],
    initContainerStatuses: [{
      name: 'proxy', ready: true, started: true, restartCount: 1, state: running,
      lastState: { terminated: { exitCode: 1, finishedAt: ago(600) } },
    }],
    containerStatuses: [{ name: 'web', ready: true, restartCount: 0, state: running }],
  });
  assert.deepEqual(cells(p).slice(1, 4), ['2/2', 'Running', '1 (10m ago)']);
});

test('SchedulingGated, nominated node and readiness gates', () => {
  const gated = pod('g', { schedulingGates: [{ name: 'example.com/wait' }] }, {
    phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }],
  });
  assert.equal(cells(gated)[2], 'SchedulingGated');

  const gates = pod('rg', {
    nodeName: 'node-1', readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/dns' }],
  }, {
    phase: 'Running', podIP: '10.244.1.3', nominatedNodeName: 'node-2',
    conditions: [{ type: 'example.com/lb', status: 'True' }, { type: 'example.com/dns', status: 'False' }],
  });
  assert.deepEqual(cells(gates).slice(5), ['10.244.1.3', 'node-1', 'node-2', '1/2']);
});
