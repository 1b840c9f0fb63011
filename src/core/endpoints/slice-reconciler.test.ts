import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ANNOTATION_LAST_CHANGE_TRIGGER_TIME, LABEL_HEADLESS, LABEL_MANAGED_BY, LABEL_SERVICE_NAME, reconcileEndpointSlices,
  type SliceReconcileInput,
} from './slice-reconciler.js';
import { SliceStore, nodeLookup, pod, pods, service } from './fixtures.js';
import type { JsonObject } from '../api/object.js';

const svc = service('web');

function run(store: SliceStore, input: Partial<SliceReconcileInput>): ReturnType<typeof reconcileEndpointSlices> {
  const plan = reconcileEndpointSlices({ service: svc, pods: [], node: nodeLookup(), existing: store.list(), ...input });
  store.apply(plan);
  return plan;
}

const allIPs = (store: SliceStore) => [...store.slices.values()].flatMap((s) => s.endpoints.map((e: JsonObject) => e.addresses[0])).sort();

test('250 endpoints are packed into 3 slices of 100, 100 and 50, shaped as kube-controller-manager writes them', () => {
  const store = new SliceStore();
  const plan = run(store, { pods: pods(250), triggerTime: '2025-01-01T00:01:00Z' });
  assert.equal(plan.create.length, 3);
  assert.deepEqual(store.sizes(), [100, 100, 50]);
  for (const s of plan.create as JsonObject[]) {
    assert.equal(s.metadata.generateName, 'web-');
    assert.equal(s.addressType, 'IPv4');
    assert.deepEqual(s.metadata.labels, { [LABEL_SERVICE_NAME]: 'web', [LABEL_MANAGED_BY]: 'endpointslice-controller.k8s.io' });
    assert.deepEqual(s.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true }]);
    assert.deepEqual(s.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    assert.equal(s.metadata.annotations[ANNOTATION_LAST_CHANGE_TRIGGER_TIME], '2025-01-01T00:01:00Z');
  }
  assert.equal(new Set(allIPs(store)).size, 250);
  const ep = (plan.create[0] as JsonObject).endpoints[0];
  assert.deepEqual(ep, {
    addresses: ['10.244.1.1'], conditions: { ready: true, serving: true, terminating: false },
    targetRef: { kind: 'Pod', namespace: 'default', name: 'web-0000', uid: 'uid-web-0000' }, nodeName: 'node-1',
  });
});

test('the same state again writes nothing', () => {
  const store = new SliceStore();
  run(store, { pods: pods(250) });
  store.resetWrites();
  const plan = run(store, { pods: pods(250) });
  assert.deepEqual([plan.create.length, plan.update.length, plan.delete.length], [0, 0, 0]);
});

test('replacing 30 endpoints of one slice is one update of that slice', () => {
  const store = new SliceStore();
  const all = pods(250);
  run(store, { pods: all });
  const first = [...store.slices.values()].find((s) => s.endpoints.length === 100)!;
  const gone = new Set(first.endpoints.slice(0, 30).map((e: JsonObject) => e.targetRef.name));
  const next = [...all.filter((p) => !gone.has(p.metadata.name)), ...pods(30, {}, 'new').map((p, i) => ({ ...p, status: { ...p.status, podIP: `10.244.9.${i + 1}`, podIPs: [{ ip: `10.244.9.${i + 1}` }] } }))];
  store.resetWrites();
  const plan = run(store, { pods: next });
  assert.deepEqual(store.writes, { create: 0, update: 1, delete: 0 });
  assert.equal(plan.update[0].metadata.name, first.metadata.name);
  assert.deepEqual(store.sizes(), [100, 100, 50]);
  assert.equal(allIPs(store).length, 250);
});

test('leftover endpoints fill the unchanged slice they fit most closely instead of a new slice', () => {
  const store = new SliceStore();
  const all = pods(250);
  run(store, { pods: all });
  const full = [...store.slices.values()].find((s) => s.endpoints.length === 100)!;
  const gone = new Set(full.endpoints.slice(0, 10).map((e: JsonObject) => e.targetRef.name));
  const extra = Array.from({ length: 60 }, (_, i) => pod(`extra-${i}`, 0, { ip: `10.244.8.${i + 1}` }));
  store.resetWrites();
  run(store, { pods: [...all.filter((p) => !gone.has(p.metadata.name)), ...extra] });
  // 10 go into the slice that lost 10; the other 50 fill the half-empty slice: two updates, no create.
  assert.deepEqual(store.writes, { create: 0, update: 2, delete: 0 });
  assert.deepEqual(store.sizes(), [100, 100, 100]);
});

test('growing past the last slice creates one new slice and leaves full ones alone', () => {
  const store = new SliceStore();
  run(store, { pods: pods(200) });
  store.resetWrites();
  run(store, { pods: pods(230) });
  assert.deepEqual(store.writes, { create: 1, update: 0, delete: 0 });
  assert.deepEqual(store.sizes(), [100, 100, 30]);
});

test('scaling to zero keeps one empty placeholder slice (turned from a slice that would go), and it stays', () => {
  const store = new SliceStore();
  run(store, { pods: pods(250) });
  store.resetWrites();
  const plan = run(store, { pods: [] });
  assert.deepEqual(store.writes, { create: 0, update: 1, delete: 2 });
  assert.deepEqual(store.sizes(), [0]);
  const placeholder = plan.update[0] as JsonObject;
  assert.deepEqual(placeholder.ports, []);
  assert.deepEqual(placeholder.endpoints, []);
  store.resetWrites();
  run(store, { pods: [] });
  assert.deepEqual(store.writes, { create: 0, update: 0, delete: 0 });
  // A pod appears: the placeholder becomes its slice (no create, no delete).
  run(store, { pods: pods(1) });
  assert.deepEqual(store.writes, { create: 0, update: 1, delete: 0 });
  assert.deepEqual(store.sizes(), [1]);
});

test('a Service with nothing selected gets one empty slice on its first sync', () => {
  const store = new SliceStore();
  const plan = run(store, { pods: [] });
  assert.equal(plan.create.length, 1);
  assert.deepEqual((plan.create[0] as JsonObject).endpoints, []);
});

test('a named targetPort resolved per pod: different numbers give separate slices, a pod without it gets a slice without that port', () => {
  const s = service('web', { spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'web' }] } });
  const list = [
    pod('a', 1, { ports: [{ name: 'web', containerPort: 8080, protocol: 'TCP' }] }),
    pod('b', 2, { ports: [{ name: 'web', containerPort: 9090, protocol: 'TCP' }] }),
    pod('c', 3, { ports: [{ name: 'web', containerPort: 8080, protocol: 'TCP' }] }),
    pod('d', 4, { ports: [{ name: 'other', containerPort: 8080, protocol: 'TCP' }] }),
    pod('e', 5, { ports: [{ name: 'web', containerPort: 8080, protocol: 'UDP' }] }),
  ];
  const plan = reconcileEndpointSlices({ service: s, pods: list, node: nodeLookup(), existing: [] });
  const byPorts = new Map(plan.create.map((x: JsonObject) => [JSON.stringify(x.ports), x.endpoints.map((e: JsonObject) => e.targetRef.name).sort()]));
  assert.deepEqual(Object.fromEntries(byPorts), {
    '[{"name":"http","port":8080,"protocol":"TCP"}]': ['a', 'c'],
    '[{"name":"http","port":9090,"protocol":"TCP"}]': ['b'],
    '[]': ['d', 'e'],
  });
  assert.deepEqual(plan.unresolved, [{ port: { name: 'http', protocol: 'TCP', targetPort: 'web' }, pods: ['d', 'e'] }]);
});

test('pods without an IP, finished pods and pods of unknown nodes are left out; publishNotReadyAddresses keeps the last', () => {
  const list = [
    pod('no-ip', 1, { ip: null }), pod('done', 2, { phase: 'Succeeded' }), pod('failed', 3, { phase: 'Failed' }),
    pod('ghost', 4, { node: 'gone' }), pod('ok', 5),
  ];
  const plan = reconcileEndpointSlices({ service: svc, pods: list, node: nodeLookup(), existing: [] });
  assert.deepEqual((plan.create[0] as JsonObject).endpoints.map((e: JsonObject) => e.targetRef.name), ['ok']);
  assert.deepEqual(plan.skippedPods, ['ghost']);
  const pnra = service('web', { spec: { publishNotReadyAddresses: true } });
  const p2 = reconcileEndpointSlices({ service: pnra, pods: list, node: nodeLookup(), existing: [] });
  const ghost = (p2.create[0] as JsonObject).endpoints.find((e: JsonObject) => e.targetRef.name === 'ghost');
  assert.equal(ghost.nodeName, 'gone');
  assert.equal(ghost.zone, undefined);
});

test('zone from the node label; hostname only for pods whose subdomain is the Service; headless label', () => {
  const headless = service('db', { spec: { clusterIP: 'None', clusterIPs: ['None'], selector: { app: 'db' } } });
  const list = [
    pod('db-0', 1, { node: 'node-2', hostname: 'db-0', subdomain: 'db', labels: { app: 'db' } }),
    pod('db-1', 2, { hostname: 'db-1', subdomain: 'other', labels: { app: 'db' } }),
  ];
  const plan = reconcileEndpointSlices({ service: headless, pods: list, node: nodeLookup({ 'node-2': 'zone-b' }), existing: [] });
  const s = plan.create[0] as JsonObject;
  assert.equal(s.metadata.labels[LABEL_HEADLESS], '');
  const [a, b] = s.endpoints;
  assert.deepEqual([a.hostname, a.zone, a.nodeName], ['db-0', 'zone-b', 'node-2']);
  assert.deepEqual([b.hostname, b.zone], [undefined, undefined]);
});

test('condition changes update in place; a Service label change relabels its slices', () => {
  const store = new SliceStore();
  run(store, { pods: pods(3) });
  store.resetWrites();
  const list = pods(3);
  list[1] = pod('web-0001', 1, { ready: false });
  run(store, { pods: list });
  assert.deepEqual(store.writes, { create: 0, update: 1, delete: 0 });
  const ep = [...store.slices.values()][0].endpoints.find((e: JsonObject) => e.targetRef.name === 'web-0001');
  assert.deepEqual(ep.conditions, { ready: false, serving: false, terminating: false });
  store.resetWrites();
  const labelled = service('web', { metadata: { labels: { tier: 'front', [LABEL_SERVICE_NAME]: 'spoof' } } });
  const relabel = reconcileEndpointSlices({ service: labelled, pods: list, node: nodeLookup(), existing: store.list() });
  assert.equal(relabel.update.length, 1);
  assert.deepEqual(relabel.update[0].metadata.labels, { tier: 'front', [LABEL_SERVICE_NAME]: 'web', [LABEL_MANAGED_BY]: 'endpointslice-controller.k8s.io' });
});

test('slices of an earlier Service with the same name, or of another address type, are deleted', () => {
  const store = new SliceStore();
  run(store, { pods: pods(2), service: service('web', { metadata: { uid: 'old-uid' } }) });
  const old = store.list()[0];
  const v6 = { ...structuredClone(old), metadata: { ...old.metadata, name: 'web-v6', ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'uid-web' }] }, addressType: 'IPv6' };
  const plan = reconcileEndpointSlices({ service: svc, pods: pods(2), node: nodeLookup(), existing: [old, v6] });
  assert.deepEqual(plan.delete.map((s) => s.metadata.name).sort(), [old.metadata.name, 'web-v6'].sort());
  assert.equal(plan.create.length, 1);
  assert.equal(plan.update.length, 0, 'a slice owned by another Service is never renamed into ours');
});

test('writes without a new trigger time drop the annotation; a Service being deleted gets no new slices', () => {
  const store = new SliceStore();
  run(store, { pods: pods(1), triggerTime: '2025-01-01T00:01:00Z' });
  const plan = run(store, { pods: [pod('web-0000', 0, { ready: false })] });
  assert.equal(plan.update[0].metadata.annotations, undefined);
  const deleting = service('web', { metadata: { deletionTimestamp: '2025-01-01T00:05:00Z' } });
  assert.equal(reconcileEndpointSlices({ service: deleting, pods: pods(5), node: nodeLookup(), existing: [] }).create.length, 0);
});

test('1000 endpoints with a smaller maximum per slice', () => {
  const store = new SliceStore();
  run(store, { pods: pods(1000), maxEndpointsPerSlice: 300 });
  assert.deepEqual(store.sizes(), [300, 300, 300, 100]);
});
