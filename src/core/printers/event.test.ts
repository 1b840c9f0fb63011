import { test } from 'node:test';
import assert from 'node:assert/strict';
import { printTable } from './table.js';
import { mustResource, type KubeObject, type JsonObject } from '../api/index.js';

const NOW = new Date('2025-01-01T12:00:00Z');
const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000).toISOString();

function event(name: string, fields: JsonObject): KubeObject {
  return { apiVersion: 'v1', kind: 'Event', metadata: { name, namespace: 'default', creationTimestamp: ago(600) }, ...fields };
}
const table = (e: KubeObject) => printTable(mustResource('events'), [e], { now: NOW });

test('event columns: the first five always, the rest wide', () => {
  assert.deepEqual(table(event('x', {})).columnDefinitions.map((c) => [c.name, c.priority, c.format]), [
    ['Last Seen', 0, ''], ['Type', 0, ''], ['Reason', 0, ''], ['Object', 0, ''], ['Subobject', 1, ''],
    ['Source', 1, ''], ['Message', 0, ''], ['First Seen', 1, ''], ['Count', 1, ''], ['Name', 1, 'name'],
  ]);
});

test('a core/v1 event with first and last timestamps and a count', () => {
  const e = event('web.181a2b3c4d5e6f70', {
    involvedObject: { kind: 'Pod', namespace: 'default', name: 'web', fieldPath: 'spec.containers{web}' },
    reason: 'BackOff', message: 'Back-off restarting failed container web in pod web_default\n', type: 'Warning',
    source: { component: 'kubelet', host: 'node-1' }, firstTimestamp: ago(600), lastTimestamp: ago(120), count: 7,
  });
  assert.deepEqual(table(e).rows[0]!.cells, [
    '2m', 'Warning', 'BackOff', 'pod/web', 'spec.containers{web}', 'kubelet, node-1',
    'Back-off restarting failed container web in pod web_default', '10m', 7, 'web.181a2b3c4d5e6f70',
  ]);
});

test('an events.k8s.io event: eventTime, reporting controller, count 1', () => {
  const e = event('web.2', {
    involvedObject: { kind: 'Deployment', name: 'web' }, reason: 'ScalingReplicaSet', type: 'Normal',
    message: 'Scaled up replica set web-7d4b9c8f5 to 3', eventTime: '2025-01-01T11:59:15.123456Z',
    reportingComponent: 'deployment-controller', reportingInstance: '', source: {},
  });
  assert.deepEqual(table(e).rows[0]!.cells, [
    '44s', 'Normal', 'ScalingReplicaSet', 'deployment/web', '', 'deployment-controller',
    'Scaled up replica set web-7d4b9c8f5 to 3', '44s', 1, 'web.2',
  ]);
});

test('an event series reports its last observation and count; unnamed objects print the kind', () => {
  const e = event('n.1', {
    involvedObject: { kind: 'Node' }, reason: 'Rebooted', type: 'Warning', message: 'rebooted',
    eventTime: ago(3600), series: { count: 4, lastObservedTime: ago(30) }, reportingComponent: 'kubelet', reportingInstance: 'node-1',
  });
  assert.deepEqual(table(e).rows[0]!.cells, ['30s', 'Warning', 'Rebooted', 'node', '', 'kubelet, node-1', 'rebooted', '60m', 4, 'n.1']);
  // No timestamps at all.
  assert.deepEqual(table(event('bare', {})).rows[0]!.cells, ['<unknown>', '', '', '', '', '', '', '<unknown>', 1, 'bare']);
});
