import { test } from 'node:test';
import assert from 'node:assert/strict';
import { printTable } from './table.js';
import { mustResource, type KubeObject } from '../api/index.js';

const NOW = new Date('2025-01-01T12:00:00Z');
const created = new Date(NOW.getTime() - 45_000).toISOString();
const meta = (name: string, namespace?: string) => ({ name, ...(namespace ? { namespace } : {}), creationTimestamp: created });
const table = (resource: string, obj: KubeObject) => printTable(mustResource(resource), [obj], { now: NOW });

test('Namespace: Name, Status, Age', () => {
  const t = table('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: meta('kube-system'), spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
  assert.deepEqual(t.columnDefinitions.map((c) => c.name), ['Name', 'Status', 'Age']);
  assert.deepEqual(t.rows[0]!.cells, ['kube-system', 'Active', '45s']);
  const deleting = table('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: meta('old'), status: { phase: 'Terminating' } });
  assert.equal(deleting.rows[0]!.cells[1], 'Terminating');
});

test('ConfigMap: Data counts data and binaryData keys', () => {
  const t = table('configmaps', {
    apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('coredns', 'kube-system'),
    data: { Corefile: '.:53 {}', extra: 'x' }, binaryData: { blob: 'AAEC' },
  });
  assert.deepEqual(t.columnDefinitions.map((c) => c.name), ['Name', 'Data', 'Age']);
  assert.deepEqual(t.rows[0]!.cells, ['coredns', 3, '45s']);
  assert.deepEqual(table('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('empty', 'default') }).rows[0]!.cells, ['empty', 0, '45s']);
});

test('Secret: Name, Type, Data, Age', () => {
  const t = table('secrets', {
    apiVersion: 'v1', kind: 'Secret', metadata: meta('tls', 'default'), type: 'kubernetes.io/tls',
    data: { 'tls.crt': 'LS0t', 'tls.key': 'LS0t' },
  });
  assert.deepEqual(t.columnDefinitions.map((c) => c.name), ['Name', 'Type', 'Data', 'Age']);
  assert.deepEqual(t.rows[0]!.cells, ['tls', 'kubernetes.io/tls', 2, '45s']);
  const merged = table('secrets', { apiVersion: 'v1', kind: 'Secret', metadata: meta('s', 'default'), type: 'Opaque', data: { a: 'YQ==' }, stringData: { a: 'x', b: 'y' } });
  assert.deepEqual(merged.rows[0]!.cells, ['s', 'Opaque', 2, '45s']);
});

test('ServiceAccount: Name, Secrets, Age', () => {
  const t = table('serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('default', 'default') });
  assert.deepEqual(t.columnDefinitions.map((c) => c.name), ['Name', 'Secrets', 'Age']);
  assert.deepEqual(t.rows[0]!.cells, ['default', 0, '45s']);
  const withSecret = table('serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('bot', 'default'), secrets: [{ name: 'bot-token' }] });
  assert.equal(withSecret.rows[0]!.cells[1], 1);
});
