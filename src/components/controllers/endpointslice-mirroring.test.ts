import { test } from 'node:test';
import assert from 'node:assert/strict';
import { all, createWithStatus, testRegistry } from './testing/registry-cluster.js';
import type { Registry } from '../apiserver/registry.js';
import { runControllers } from './testing/fixtures.js';
import { waitFor } from './testing/wait.js';
import { EndpointSliceMirroringController } from './endpointslice-mirroring.js';
import { EndpointsController } from './endpoints.js';
import type { JsonObject, KubeObject } from '../../core/api/object.js';
import { planMirroredSlices } from '../../core/endpoints/index.js';

const SLICES = 'endpointslices.discovery.k8s.io';

function svc(name: string, selector?: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' },
    spec: { type: 'ClusterIP', ipFamilies: ['IPv4'], ...(selector ? { selector } : {}),
      ports: [{ name: 'db', port: 5432, protocol: 'TCP', targetPort: 5432 }] },
  } as KubeObject;
}

function endpoints(name: string, ips: string[], labels?: Record<string, string>, notReady: string[] = []): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: 'default', ...(labels ? { labels } : {}) },
    subsets: [{ addresses: ips.map((ip) => ({ ip })), ...(notReady.length ? { notReadyAddresses: notReady.map((ip) => ({ ip })) } : {}),
      ports: [{ name: 'db', port: 5432, protocol: 'TCP' }] }],
  } as KubeObject;
}

const mirrored = async (c: Registry, name: string) => ((await c.list(SLICES, { namespace: 'default' })).items as JsonObject[])
  .filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === name);
const ips = (slices: JsonObject[]) => slices.flatMap((s) => s.endpoints.map((e: JsonObject) => `${e.addresses[0]}${e.conditions.ready ? '' : '(not ready)'}`)).sort();

test('a selector-less Service\'s Endpoints are mirrored, follow updates, and go when the Endpoints go', async () => {
  const c = await testRegistry();
  const logs: string[] = [];
  const run = await runControllers(c, [(ctx) => new EndpointsController(ctx), (ctx) => new EndpointSliceMirroringController(ctx)], logs);
  try {
    await c.create('services', svc('db'));
    const created = await c.create('endpoints', endpoints('db', ['192.0.2.10'], { team: 'data' }, ['192.0.2.11']));
    await waitFor(async () => (await mirrored(c, 'db')).length === 1, 'a mirrored slice');
    const [s] = await mirrored(c, 'db');
    assert.equal(s.metadata.labels['endpointslice.kubernetes.io/managed-by'], 'endpointslicemirroring-controller.k8s.io');
    assert.equal(s.metadata.labels.team, 'data');
    assert.match(s.metadata.name, /^db-/);
    assert.deepEqual(s.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Endpoints', name: 'db', uid: created.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    assert.equal(s.addressType, 'IPv4');
    assert.deepEqual(s.ports, [{ name: 'db', port: 5432, protocol: 'TCP' }]);
    assert.deepEqual(ips([s]), ['192.0.2.10', '192.0.2.11(not ready)']);

    const cur = (await c.get('endpoints', 'default', 'db'))!;
    (cur as JsonObject).subsets[0].addresses = [{ ip: '192.0.2.20' }];
    delete (cur as JsonObject).subsets[0].notReadyAddresses;
    await c.update('endpoints', cur);
    await waitFor(async () => ips(await mirrored(c, 'db')).join() === '192.0.2.20', 'the slice follows the update');
    assert.equal((await mirrored(c, 'db'))[0].metadata.name, s.metadata.name, 'updated in place');
    // The Endpoints controller leaves the user's Endpoints of a selector-less Service alone.
    assert.deepEqual((await c.get('endpoints', 'default', 'db') as JsonObject).subsets[0].addresses, [{ ip: '192.0.2.20' }]);

    // Deleting a mirrored slice by hand brings it back.
    await c.delete(SLICES, 'default', s.metadata.name);
    await waitFor(async () => ips(await mirrored(c, 'db')).join() === '192.0.2.20', 'the slice comes back');

    await c.delete('endpoints', 'default', 'db');
    await waitFor(async () => (await mirrored(c, 'db')).length === 0, 'slices deleted with the Endpoints');
  } finally { await run.stop(); }
  assert.deepEqual(logs.filter((l) => !/Conflict|modified/.test(l)), []);
});

test('skip-mirror Endpoints and Endpoints of a Service with a selector (or none) are not mirrored', async () => {
  const c = await testRegistry();
  const run = await runControllers(c, [(ctx) => new EndpointSliceMirroringController(ctx)], []);
  try {
    await c.create('services', svc('skipped'));
    await c.create('endpoints', endpoints('skipped', ['192.0.2.1'], { 'endpointslice.kubernetes.io/skip-mirror': 'true' }));
    await c.create('endpoints', endpoints('orphan', ['192.0.2.2']));
    await c.create('services', svc('later'));
    await c.create('endpoints', endpoints('later', ['192.0.2.3']));
    await waitFor(async () => (await mirrored(c, 'later')).length === 1, 'the control case is mirrored');
    assert.equal((await mirrored(c, 'skipped')).length, 0);
    assert.equal((await mirrored(c, 'orphan')).length, 0);
    // The Service gains a selector: its Endpoints are the Endpoints controller's now, and the mirror goes.
    const s = (await c.get('services', 'default', 'later'))! as JsonObject;
    s.spec.selector = { app: 'later' };
    await c.update('services', s as KubeObject);
    await waitFor(async () => (await mirrored(c, 'later')).length === 0, 'mirrored slices removed');
  } finally { await run.stop(); }
});

test('planner: at most 1000 addresses per subset, addresses first; one group per address family; bad IPs skipped', () => {
  const many = Array.from({ length: 1200 }, (_, i) => `10.1.${Math.floor(i / 250)}.${1 + (i % 250)}`);
  const e = {
    metadata: { name: 'big', namespace: 'default', uid: 'u1' },
    subsets: [{ addresses: many.map((ip) => ({ ip })), notReadyAddresses: [{ ip: '10.9.9.9' }], ports: [{ port: 80 }] },
      { addresses: [{ ip: 'fd00::1' }, { ip: 'not-an-ip' }], ports: [{ port: 80 }] }],
  } as JsonObject;
  const plan = planMirroredSlices(e, []);
  assert.equal(plan.create.length, 2);
  const [v4, v6] = plan.create as JsonObject[];
  assert.equal(v4.addressType, 'IPv4');
  assert.equal(v4.endpoints.length, 1000);
  assert.ok(v4.endpoints.every((x: JsonObject) => x.conditions.ready), 'the not-ready address is past the cap');
  assert.deepEqual(v6.endpoints, [{ addresses: ['fd00::1'], conditions: { ready: true } }]);
  assert.deepEqual(v4.ports, [{ name: '', port: 80, protocol: 'TCP' }]);
  // Unchanged: nothing to write.
  const existing = plan.create.map((s, i) => ({ ...s, metadata: { ...s.metadata, name: `big-${i}` } })) as JsonObject[];
  assert.deepEqual(planMirroredSlices(e, existing), { create: [], update: [], delete: [] });
  assert.deepEqual(planMirroredSlices(undefined, existing).delete.length, 2);
});
