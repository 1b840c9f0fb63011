import { test } from 'node:test';
import assert from 'node:assert/strict';
import { printTable } from './table.js';
import { mustResource, type KubeObject, type JsonObject } from '../api/index.js';

const NOW = new Date('2025-01-01T12:00:00Z');
const created = new Date(NOW.getTime() - 90 * 60_000).toISOString();

function obj(kind: string, name: string, rest: JsonObject, namespace: string | undefined = 'default'): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind, metadata: { name, ...(namespace ? { namespace } : {}), creationTimestamp: created }, ...rest };
}
const backend = { service: { name: 'web', port: { number: 80 } } };
const rule = (host?: string) => ({ ...(host ? { host } : {}), http: { paths: [{ path: '/', pathType: 'Prefix', backend }] } });
const ingress = (name: string, spec: JsonObject, status: JsonObject = {}) => obj('Ingress', name, { spec, status });
const ingCells = (o: KubeObject) => printTable(mustResource('ingresses.networking.k8s.io'), [o], { now: NOW }).rows[0]!.cells;

test('Ingress columns and cells', () => {
  const o = ingress('web', {
    ingressClassName: 'podnet', tls: [{ hosts: ['foo.example.com'], secretName: 'foo-tls' }],
    rules: [rule('foo.example.com'), rule('bar.example.com')],
  }, { loadBalancer: { ingress: [{ ip: '172.31.250.11' }] } });
  const t = printTable(mustResource('ingresses.networking.k8s.io'), [o], { now: NOW });
  assert.deepEqual(t.columnDefinitions.map((c) => [c.name, c.priority]), [
    ['Name', 0], ['Class', 0], ['Hosts', 0], ['Address', 0], ['Ports', 0], ['Age', 0],
  ]);
  assert.deepEqual(t.rows[0]!.cells, ['web', 'podnet', 'foo.example.com,bar.example.com', '172.31.250.11', '80, 443', '90m']);
});

test('Ingress: no class, no hosts, no address yet', () => {
  assert.deepEqual(ingCells(ingress('default-backend', { defaultBackend: backend })), ['default-backend', '<none>', '*', '', '80', '90m']);
  assert.deepEqual(ingCells(ingress('any-host', { rules: [rule()] })).slice(2, 3), ['*']);
});

test('Ingress: three hosts, then every further rule counts as more', () => {
  const five = ingress('many', { rules: [rule('a.example'), rule('b.example'), rule(), rule('c.example'), rule('d.example'), rule()] });
  assert.equal(ingCells(five)[2], 'a.example,b.example,c.example + 3 more...');
  const three = ingress('three', { rules: [rule('a.example'), rule('b.example'), rule('c.example')] });
  assert.equal(ingCells(three)[2], 'a.example,b.example,c.example');
});

test('IngressClass columns and cells', () => {
  const plain = obj('IngressClass', 'podnet', { spec: { controller: 'podnet.io/ingress' } }, undefined);
  const t = printTable(mustResource('ingressclasses.networking.k8s.io'), [plain], { now: NOW });
  assert.deepEqual(t.columnDefinitions.map((c) => c.name), ['Name', 'Controller', 'Parameters', 'Age']);
  assert.deepEqual(t.rows[0]!.cells, ['podnet', 'podnet.io/ingress', '<none>', '90m']);
  const withParams = obj('IngressClass', 'lb', {
    spec: { controller: 'example.com/lb', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'external-lb', scope: 'Cluster' } },
  }, undefined);
  assert.equal(printTable(mustResource('ingressclasses.networking.k8s.io'), [withParams], { now: NOW }).rows[0]!.cells[2],
    'IngressParameters.k8s.example.com/external-lb');
  const coreParams = obj('IngressClass', 'c', { spec: { controller: 'x', parameters: { kind: 'ConfigMap', name: 'cfg' } } }, undefined);
  assert.equal(printTable(mustResource('ingressclasses.networking.k8s.io'), [coreParams], { now: NOW }).rows[0]!.cells[2], 'ConfigMap/cfg');
});

test('NetworkPolicy: Name, Pod-Selector, Age', () => {
  const np = (name: string, podSelector: JsonObject | undefined) => obj('NetworkPolicy', name, { spec: { ...(podSelector ? { podSelector } : {}), policyTypes: ['Ingress'] } });
  const table = (o: KubeObject) => printTable(mustResource('networkpolicies.networking.k8s.io'), [o], { now: NOW });
  assert.deepEqual(table(np('deny-all', {})).columnDefinitions.map((c) => c.name), ['Name', 'Pod-Selector', 'Age']);
  assert.deepEqual(table(np('deny-all', {})).rows[0]!.cells, ['deny-all', '<none>', '90m']);
  assert.deepEqual(table(np('absent', undefined)).rows[0]!.cells[1], '<none>');
  assert.deepEqual(table(np('db', { matchLabels: { role: 'db' }, matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['test'] }] })).rows[0]!.cells[1],
    'env notin (test),role=db');
});
