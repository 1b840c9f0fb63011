import { test } from 'node:test';
import assert from 'node:assert/strict';
import { printTable } from './table.js';
import { mustResource, type KubeObject, type JsonObject } from '../api/index.js';

const NOW = new Date('2025-01-01T12:00:00Z');
const created = new Date(NOW.getTime() - 8 * 86400_000).toISOString();

function node(name: string, labels: Record<string, string>, spec: JsonObject, status: JsonObject): KubeObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels, creationTimestamp: created }, spec, status };
}
const nodeInfo = {
  kubeletVersion: 'v1.32.0-podnet', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0-18-amd64',
  containerRuntimeVersion: 'podnet://0.1.0',
};
const addresses = [{ type: 'InternalIP', address: '172.31.250.11' }, { type: 'Hostname', address: 'node-1' }];
const cells = (n: KubeObject) => printTable(mustResource('nodes'), [n], { now: NOW }).rows[0]!.cells;

test('node columns', () => {
  assert.deepEqual(printTable(mustResource('nodes'), [], { now: NOW }).columnDefinitions.map((c) => [c.name, c.priority]), [
    ['Name', 0], ['Status', 0], ['Roles', 0], ['Age', 0], ['Version', 0],
    ['Internal-IP', 1], ['External-IP', 1], ['OS-Image', 1], ['Kernel-Version', 1], ['Container-Runtime', 1],
  ]);
});

test('a Ready control-plane node', () => {
  const n = node('node-1', { 'kubernetes.io/hostname': 'node-1', 'node-role.kubernetes.io/control-plane': '' }, { podCIDR: '10.244.1.0/24' }, {
    conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True', reason: 'KubeletReady' }],
    addresses, nodeInfo,
  });
  assert.deepEqual(cells(n), [
    'node-1', 'Ready', 'control-plane', '8d', 'v1.32.0-podnet',
    '172.31.250.11', '<none>', 'Debian GNU/Linux 12 (bookworm)', '6.1.0-18-amd64', 'podnet://0.1.0',
  ]);
});

test('a NotReady worker without roles, with an external IP', () => {
  const n = node('node-2', { 'kubernetes.io/hostname': 'node-2' }, {}, {
    conditions: [{ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown' }],
    addresses: [{ type: 'ExternalIP', address: '192.0.2.12' }, { type: 'InternalIP', address: '172.31.250.12' }], nodeInfo,
  });
  assert.deepEqual(cells(n).slice(0, 7), ['node-2', 'NotReady', '<none>', '8d', 'v1.32.0-podnet', '172.31.250.12', '192.0.2.12']);
});

test('cordoned, unknown, and several roles', () => {
  const cordoned = node('node-3', { 'node-role.kubernetes.io/worker': '', 'node-role.kubernetes.io/ingress': '', 'kubernetes.io/role': 'edge' },
    { unschedulable: true }, { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo });
  assert.deepEqual(cells(cordoned).slice(1, 3), ['Ready,SchedulingDisabled', 'edge,ingress,worker']);
  const fresh = node('node-4', {}, {}, {});
  assert.deepEqual(cells(fresh), ['node-4', 'Unknown', '<none>', '8d', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>']);
  const freshCordoned = node('node-5', { 'node-role.kubernetes.io/': '' }, { unschedulable: true }, {});
  assert.deepEqual(cells(freshCordoned).slice(1, 3), ['Unknown,SchedulingDisabled', '<none>']);
});
