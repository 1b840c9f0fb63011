import { test } from 'node:test';
import assert from 'node:assert/strict';
import { printTable } from './table.js';
import { mustResource, type KubeObject, type JsonObject } from '../api/index.js';

const NOW = new Date('2025-01-01T12:00:00Z');
const created = new Date(NOW.getTime() - 3 * 3600_000 - 4 * 60_000).toISOString();

function ep(subsets: JsonObject[] | undefined): KubeObject {
  return { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web', namespace: 'default', creationTimestamp: created }, ...(subsets ? { subsets } : {}) };
}
const epCells = (o: KubeObject) => printTable(mustResource('endpoints'), [o], { now: NOW }).rows[0]!.cells;
const addrs = (...ips: string[]) => ips.map((ip) => ({ ip }));

test('endpoints columns', () => {
  assert.deepEqual(printTable(mustResource('endpoints'), [], { now: NOW }).columnDefinitions.map((c) => c.name), ['Name', 'Endpoints', 'Age']);
});

test('Endpoints with five addresses: three shown, then + 2 more...', () => {
  const o = ep([{ addresses: addrs('10.244.1.2', '10.244.1.3', '10.244.2.2', '10.244.2.3', '10.244.3.2'), ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }]);
  assert.deepEqual(epCells(o), ['web', '10.244.1.2:8080,10.244.1.3:8080,10.244.2.2:8080 + 2 more...', '3h4m']);
});

test('Endpoints: <none> without subsets, every address with every port, not-ready addresses left out', () => {
  assert.equal(epCells(ep(undefined))[1], '<none>');
  assert.equal(epCells(ep([]))[1], '<none>');
  assert.equal(epCells(ep([{ addresses: addrs('10.244.1.2', '10.244.2.2'), notReadyAddresses: addrs('10.244.3.2'), ports: [{ port: 80 }] }]))[1],
    '10.244.1.2:80,10.244.2.2:80');
  assert.equal(epCells(ep([{ addresses: addrs('10.244.1.2', '10.244.2.2'), ports: [{ port: 80 }, { port: 443 }] }]))[1],
    '10.244.1.2:80,10.244.2.2:80,10.244.1.2:443 + 1 more...');
  // Only not-ready addresses: a subset exists, so not <none>, but nothing to list.
  assert.equal(epCells(ep([{ notReadyAddresses: addrs('10.244.3.2'), ports: [{ port: 80 }] }]))[1], '');
});

test('Endpoints: bare IPs for a subset without ports, brackets for IPv6', () => {
  assert.equal(epCells(ep([{ addresses: addrs('10.244.1.2', '10.244.2.2') }]))[1], '10.244.1.2,10.244.2.2');
  assert.equal(epCells(ep([{ addresses: addrs('fd00:10:244:1::2'), ports: [{ port: 80 }] }]))[1], '[fd00:10:244:1::2]:80');
  // The count spans subsets.
  assert.equal(epCells(ep([
    { addresses: addrs('10.244.1.2', '10.244.1.3'), ports: [{ port: 80 }] },
    { addresses: addrs('10.244.2.2', '10.244.2.3'), ports: [{ port: 8080 }] },
  ]))[1], '10.244.1.2:80,10.244.1.3:80,10.244.2.2:8080 + 1 more...');
});

function slice(extra: JsonObject): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: 'web-abc12', namespace: 'default', creationTimestamp: created, labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4', ...extra,
  };
}
const sliceTable = (o: KubeObject) => printTable(mustResource('endpointslices.discovery.k8s.io'), [o], { now: NOW });

test('EndpointSlice columns and cells', () => {
  const t = sliceTable(slice({
    ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
    endpoints: [
      { addresses: ['10.244.1.2'], conditions: { ready: true }, nodeName: 'node-1' },
      { addresses: ['10.244.2.2'], conditions: { ready: true }, nodeName: 'node-2' },
    ],
  }));
  assert.deepEqual(t.columnDefinitions.map((c) => c.name), ['Name', 'AddressType', 'Ports', 'Endpoints', 'Age']);
  assert.deepEqual(t.rows[0]!.cells, ['web-abc12', 'IPv4', '80', '10.244.1.2,10.244.2.2', '3h4m']);
});

test('EndpointSlice: <unset> when empty, + N more... past three, port name or * without a number', () => {
  assert.deepEqual(sliceTable(slice({ endpoints: null })).rows[0]!.cells.slice(2, 4), ['<unset>', '<unset>']);
  const many = slice({
    ports: [{ port: 80 }, { name: 'metrics' }, {}, { port: 9090 }],
    endpoints: ['10.244.1.2', '10.244.1.3', '10.244.2.2', '10.244.2.3', '10.244.3.2'].map((a) => ({ addresses: [a] })),
  });
  assert.deepEqual(sliceTable(many).rows[0]!.cells.slice(2, 4),
    ['80,metrics,* + 1 more...', '10.244.1.2,10.244.1.3,10.244.2.2 + 2 more...']);
});
