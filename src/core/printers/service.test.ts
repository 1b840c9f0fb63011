import { test } from 'node:test';
import assert from 'node:assert/strict';
import { printTable } from './table.js';
import { mustResource, type KubeObject, type JsonObject } from '../api/index.js';

const NOW = new Date('2025-01-01T12:00:00Z');
const created = new Date(NOW.getTime() - 10 * 60_000).toISOString();

function svc(name: string, spec: JsonObject, status: JsonObject = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', creationTimestamp: created }, spec, status };
}
const cells = (s: KubeObject) => printTable(mustResource('services'), [s], { now: NOW }).rows[0]!.cells;

test('service columns', () => {
  const t = printTable(mustResource('services'), [], { now: NOW });
  assert.deepEqual(t.columnDefinitions.map((c) => [c.name, c.priority]), [
    ['Name', 0], ['Type', 0], ['Cluster-IP', 0], ['External-IP', 0], ['Port(s)', 0], ['Age', 0], ['Selector', 1],
  ]);
});

test('ClusterIP service with a selector', () => {
  const s = svc('web', {
    type: 'ClusterIP', clusterIP: '10.96.12.34', clusterIPs: ['10.96.12.34'],
    selector: { tier: 'frontend', app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
  });
  assert.deepEqual(cells(s), ['web', 'ClusterIP', '10.96.12.34', '<none>', '80/TCP', '10m', 'app=web,tier=frontend']);
});

test('NodePort service: port:nodePort/protocol where allocated', () => {
  const s = svc('np', {
    type: 'NodePort', clusterIP: '10.96.0.50', selector: { app: 'web' },
    ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 443, protocol: 'TCP' }, { port: 53, nodePort: 30053, protocol: 'UDP' }],
  });
  assert.deepEqual(cells(s), ['np', 'NodePort', '10.96.0.50', '<none>', '80:30080/TCP,443/TCP,53:30053/UDP', '10m', 'app=web']);
  const withExternal = svc('np2', { type: 'NodePort', clusterIP: '10.96.0.51', externalIPs: ['192.0.2.1', '192.0.2.2'], ports: [{ port: 80, nodePort: 30081 }] });
  assert.deepEqual(cells(withExternal).slice(2, 5), ['10.96.0.51', '192.0.2.1,192.0.2.2', '80:30081/TCP']);
});

test('LoadBalancer service: <pending> without ingress, sorted ingress points with it', () => {
  const spec = { type: 'LoadBalancer', clusterIP: '10.96.0.60', ports: [{ port: 80, nodePort: 31000, protocol: 'TCP' }], selector: { app: 'web' } };
  assert.deepEqual(cells(svc('lb', spec)), ['lb', 'LoadBalancer', '10.96.0.60', '<pending>', '80:31000/TCP', '10m', 'app=web']);
  const ready = svc('lb', spec, { loadBalancer: { ingress: [{ ip: '172.31.250.201' }, { hostname: 'lb.example.com' }, { ip: '172.31.250.200' }] } });
  // The apiserver prints wide, so the list is not clipped to 16 characters.
  assert.equal(cells(ready)[3], '172.31.250.200,172.31.250.201,lb.example.com');
  const both = svc('lb', { ...spec, externalIPs: ['192.0.2.9'] }, { loadBalancer: { ingress: [{ ip: '172.31.250.200' }] } });
  assert.equal(cells(both)[3], '172.31.250.200,192.0.2.9');
});

test('ExternalName service: the external name, no ClusterIP, no ports', () => {
  const s = svc('ext', { type: 'ExternalName', externalName: 'db.example.com' });
  assert.deepEqual(cells(s), ['ext', 'ExternalName', '<none>', 'db.example.com', '<none>', '10m', '<none>']);
});

test('headless service shows None as its ClusterIP', () => {
  const s = svc('db', { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'], selector: { app: 'db' }, ports: [{ port: 5432, protocol: 'TCP' }] });
  assert.deepEqual(cells(s), ['db', 'ClusterIP', 'None', '<none>', '5432/TCP', '10m', 'app=db']);
});

test('clusterIPs alone, and a service without a type', () => {
  assert.equal(cells(svc('a', { type: 'ClusterIP', clusterIPs: ['10.96.0.9', 'fd00:10:96::9'] }))[2], '10.96.0.9');
  assert.deepEqual(cells(svc('b', {})).slice(1, 5), ['', '<none>', '<unknown>', '<none>']);
});
