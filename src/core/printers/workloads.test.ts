import { test } from 'node:test';
import assert from 'node:assert/strict';
import { printTable } from './table.js';
import { mustResource, type KubeObject, type JsonObject } from '../api/index.js';

const NOW = new Date('2025-01-01T12:00:00Z');
const created = new Date(NOW.getTime() - 2 * 86400_000 - 3 * 3600_000).toISOString();

function workload(kind: string, name: string, spec: JsonObject, status: JsonObject): KubeObject {
  return { apiVersion: 'apps/v1', kind, metadata: { name, namespace: 'default', creationTimestamp: created }, spec, status };
}
const deploymentCells = (d: KubeObject) => printTable(mustResource('deployments.apps'), [d], { now: NOW }).rows[0]!.cells;
const template = {
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }, { name: 'sidecar', image: 'busybox' }] },
};

test('Deployment columns and cells', () => {
  const d = workload('Deployment', 'web', { replicas: 3, selector: { matchLabels: { app: 'web' } }, template },
    { replicas: 3, updatedReplicas: 3, readyReplicas: 2, availableReplicas: 2 });
  const t = printTable(mustResource('deployments.apps'), [d], { now: NOW });
  assert.deepEqual(t.columnDefinitions.map((c) => [c.name, c.type, c.priority]), [
    ['Name', 'string', 0], ['Ready', 'string', 0], ['Up-to-date', 'string', 0], ['Available', 'string', 0], ['Age', 'string', 0],
    ['Containers', 'string', 1], ['Images', 'string', 1], ['Selector', 'string', 1],
  ]);
  assert.deepEqual(t.rows[0]!.cells, ['web', '2/3', 3, 2, '2d3h', 'nginx,sidecar', 'nginx:1.27,busybox', 'app=web']);
});

test('Deployment: a fresh one has no status; replicas default to 1; selector requirements sorted by key', () => {
  const d = workload('Deployment', 'new', {
    selector: { matchLabels: { tier: 'web' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'dev'] }, { key: 'canary', operator: 'DoesNotExist' }] },
    template,
  }, {});
  const c = deploymentCells(d);
  assert.deepEqual([c[1], c[2], c[3], c[7]], ['0/1', 0, 0, '!canary,env in (dev,prod),tier=web']);
  // Upstream prints the selector's String() for Deployments: empty, not <none>, without one.
  const noSelector = deploymentCells(workload('Deployment', 'x', { replicas: 0, template }, {}));
  assert.deepEqual([noSelector[1], noSelector[7]], ['0/0', '']);
});

test('ReplicaSet columns and cells', () => {
  const rs = workload('ReplicaSet', 'web-7d4b9c8f5', {
    replicas: 3, selector: { matchLabels: { app: 'web', 'pod-template-hash': '7d4b9c8f5' } }, template,
  }, { replicas: 3, readyReplicas: 2, availableReplicas: 2 });
  const t = printTable(mustResource('replicasets.apps'), [rs], { now: NOW });
  assert.deepEqual(t.columnDefinitions.map((c) => [c.name, c.type, c.priority]), [
    ['Name', 'string', 0], ['Desired', 'integer', 0], ['Current', 'integer', 0], ['Ready', 'integer', 0], ['Age', 'string', 0],
    ['Containers', 'string', 1], ['Images', 'string', 1], ['Selector', 'string', 1],
  ]);
  assert.deepEqual(t.rows[0]!.cells, ['web-7d4b9c8f5', 3, 3, 2, '2d3h', 'nginx,sidecar', 'nginx:1.27,busybox', 'app=web,pod-template-hash=7d4b9c8f5']);
  const empty = workload('ReplicaSet', 'x', { replicas: 0, selector: {}, template: { spec: { containers: [] } } }, {});
  assert.deepEqual(printTable(mustResource('replicasets.apps'), [empty], { now: NOW }).rows[0]!.cells, ['x', 0, 0, 0, '2d3h', '', '', '<none>']);
});
