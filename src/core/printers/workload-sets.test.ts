import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cronJobPrinter, controllerRevisionPrinter, daemonSetPrinter, jobPrinter, statefulSetPrinter } from './workload-sets.js';

const NOW = new Date('2026-12-07T12:00:00Z');
const meta = { name: 'x', creationTimestamp: '2026-12-07T11:00:00Z' };
const containers = [{ name: 'c', image: 'nginx' }];

test('DaemonSet row: counters, node selector, wide selector', () => {
  const ds = { metadata: meta, spec: { selector: { matchLabels: { app: 'a' } }, template: { spec: { containers, nodeSelector: { role: 'edge' } } } },
    status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 1, numberAvailable: 2 } };
  assert.deepEqual(daemonSetPrinter.cells(ds, NOW), ['x', 3, 3, 2, 1, 2, 'role=edge', '60m', 'c', 'nginx', 'app=a']);
});

test('StatefulSet and ControllerRevision rows', () => {
  assert.deepEqual(statefulSetPrinter.cells({ metadata: meta, spec: { replicas: 3, template: { spec: { containers } } }, status: { readyReplicas: 1 } }, NOW),
    ['x', '1/3', '60m', 'c', 'nginx']);
  const cr = { metadata: { ...meta, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', controller: true }] }, revision: 2 };
  assert.deepEqual(controllerRevisionPrinter.cells(cr, NOW), ['x', 'daemonset.apps/agent', 2, '60m']);
});

test('Job rows: completions forms, duration, status from conditions', () => {
  const job = (spec: object, status: object) => jobPrinter.cells({ metadata: meta, spec: { ...spec, template: { spec: { containers } } }, status }, NOW);
  assert.deepEqual(job({ completions: 5, parallelism: 2 }, { succeeded: 5, startTime: '2026-12-07T11:00:00Z', completionTime: '2026-12-07T11:00:42Z',
    conditions: [{ type: 'SuccessCriteriaMet', status: 'True' }, { type: 'Complete', status: 'True' }] }).slice(0, 4), ['x', 'Complete', '5/5', '42s']);
  assert.deepEqual(job({ parallelism: 3 }, { succeeded: 0, startTime: '2026-12-07T11:59:50Z' }).slice(0, 4), ['x', 'Running', '0/1 of 3', '10s']);
  assert.deepEqual(job({ completions: 1 }, { conditions: [{ type: 'Failed', status: 'True' }] }).slice(0, 4), ['x', 'Failed', '0/1', '']);
});

test('CronJob row: time zone, suspend, active, last schedule', () => {
  const cj = { metadata: meta, spec: { schedule: '*/1 * * * *', suspend: false, jobTemplate: { spec: { template: { spec: { containers } } } } },
    status: { active: [{ name: 'a' }], lastScheduleTime: '2026-12-07T11:59:00Z' } };
  assert.deepEqual(cronJobPrinter.cells(cj, NOW), ['x', '*/1 * * * *', '<none>', 'False', 1, '60s', '60m', 'c', 'nginx', '<none>']);
});
