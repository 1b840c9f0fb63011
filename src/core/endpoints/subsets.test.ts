import { test } from 'node:test';
import assert from 'node:assert/strict';
import { desiredSubsets, repackSubsets, truncateSubsets } from './subsets.js';
import { pod, pods, service } from './fixtures.js';

test('ready and not-ready pods land in one subset per port set, sorted', () => {
  const s = service('web');
  const subsets = desiredSubsets(s, [pod('b', 2), pod('a', 1), pod('c', 3, { ready: false })]);
  assert.deepEqual(subsets, [{
    addresses: [
      { ip: '10.244.1.2', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' } },
      { ip: '10.244.1.3', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'b', uid: 'uid-b' } },
    ],
    notReadyAddresses: [{ ip: '10.244.1.4', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'c', uid: 'uid-c' } }],
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  }]);
});

test('terminating pods are left out unless publishNotReadyAddresses, which makes everything ready', () => {
  const list = [pod('a', 1), pod('t', 2, { terminating: true }), pod('u', 3, { ready: false })];
  const plain = desiredSubsets(service('web'), list);
  assert.deepEqual(plain[0].addresses!.map((a) => a.targetRef!.name), ['a']);
  assert.deepEqual(plain[0].notReadyAddresses!.map((a) => a.targetRef!.name), ['u']);
  const pnra = desiredSubsets(service('web', { spec: { publishNotReadyAddresses: true } }), list);
  assert.deepEqual(pnra[0].addresses!.map((a) => a.targetRef!.name), ['a', 't', 'u']);
  assert.equal(pnra[0].notReadyAddresses, undefined);
});

test('named ports: each address set with the ports all its addresses offer (a pod without the name misses only that port)', () => {
  const s = service('web', { spec: { ports: [
    { name: 'http', port: 80, protocol: 'TCP', targetPort: 'web' }, { name: 'metrics', port: 9090, protocol: 'TCP', targetPort: 9090 },
  ] } });
  const a = pod('a', 1, { ports: [{ name: 'web', containerPort: 8080, protocol: 'TCP' }] });
  const b = pod('b', 2, { ports: [{ name: 'web', containerPort: 8080, protocol: 'TCP' }] });
  const c = pod('c', 3, { ports: [] });
  const subsets = desiredSubsets(s, [a, b, c]);
  assert.deepEqual(subsets.map((ss) => [ss.addresses!.map((x) => x.targetRef!.name), ss.ports!.map((p) => `${p.name}:${p.port}`)]), [
    [['a', 'b'], ['http:8080']],
    [['a', 'b', 'c'], ['metrics:9090']],
  ]);
});

test('headless without ports lists its pods without ports; a pod not ready on one port is not ready on all', () => {
  const headless = service('db', { spec: { clusterIP: 'None', ports: [], selector: { app: 'db' } } });
  const subsets = desiredSubsets(headless, [pod('db-0', 1, { hostname: 'db-0', subdomain: 'db' })]);
  assert.deepEqual(subsets, [{ addresses: [{ ip: '10.244.1.2', nodeName: 'node-1', hostname: 'db-0', targetRef: { kind: 'Pod', namespace: 'default', name: 'db-0', uid: 'uid-db-0' } }] }]);
  const addr = { ip: '10.0.0.1' };
  const repacked = repackSubsets([
    { addresses: [addr], ports: [{ port: 80, protocol: 'TCP' }] },
    { notReadyAddresses: [addr], ports: [{ port: 80, protocol: 'TCP' }] },
  ]);
  assert.deepEqual(repacked, [{ notReadyAddresses: [addr], ports: [{ port: 80, protocol: 'TCP' }] }]);
});

test('more than 1000 addresses: not-ready ones are cut first, then ready ones, and it says so', () => {
  const s = service('web');
  const ready = desiredSubsets(s, [...pods(900), ...pods(300, { ready: false }, 'nr').map((p, i) => ({ ...p, status: { ...p.status, podIP: `10.245.0.${i % 250}`, podIPs: [{ ip: `10.245.${Math.floor(i / 250)}.${i % 250}` }] } }))]);
  const t = truncateSubsets(ready);
  assert.equal(t.truncated, true);
  assert.equal(t.subsets[0].addresses!.length, 900);
  assert.equal(t.subsets[0].notReadyAddresses!.length, 100);
  const many = truncateSubsets(desiredSubsets(s, pods(1200)));
  assert.equal(many.subsets[0].addresses!.length, 1000);
  assert.equal(truncateSubsets(desiredSubsets(s, pods(1000))).truncated, false);
});
