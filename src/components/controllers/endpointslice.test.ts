import { test } from 'node:test';
import assert from 'node:assert/strict';
import { all, createWithStatus, testRegistry } from './testing/registry-cluster.js';
import type { Registry } from '../apiserver/registry.js';
import { node, runControllers } from './testing/fixtures.js';
import { waitFor } from './testing/wait.js';
import { EndpointSliceController, ENDPOINTSLICES } from './endpointslice.js';
import { GarbageCollector } from './gc.js';
import type { JsonObject, KubeObject } from '../../core/api/object.js';

function svc(name: string, spec: JsonObject = {}): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' },
    spec: { type: 'ClusterIP', ipFamilies: ['IPv4'], selector: { app: name },
      ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }], ...spec },
  } as KubeObject;
}

let ipSeq = 0;
function pod(name: string, app: string, opts: { node?: string; ports?: JsonObject[]; ready?: boolean } = {}): KubeObject {
  ipSeq++;
  const ip = `10.244.${Math.floor(ipSeq / 250)}.${1 + (ipSeq % 250)}`;
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: { app } },
    spec: { nodeName: opts.node ?? 'node-1', containers: [{ name: 'c', image: 'nginx', ports: opts.ports ?? [] }] },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: opts.ready ? 'True' : 'False' }] },
  } as KubeObject;
}

async function setReady(c: Registry, name: string, ready: boolean): Promise<void> {
  const p = (await c.get('pods', 'default', name)) as JsonObject;
  p.status.conditions = [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }];
  await c.update('pods', p as KubeObject, 'status');
}

const slicesOf = async (c: Registry, service: string) =>
  (await all(c, ENDPOINTSLICES)).filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === service) as JsonObject[];
const endpointsOf = async (c: Registry, service: string) => (await slicesOf(c, service)).flatMap((s) => s.endpoints ?? []);
const byPod = async (c: Registry, service: string) =>
  Object.fromEntries((await endpointsOf(c, service)).map((e: JsonObject) => [e.targetRef.name, e.conditions]));

async function cluster(opts: { graceful?: boolean; gc?: boolean } = {}) {
  const c = await testRegistry();
  await c.create('nodes', node('node-1', { labels: { 'topology.kubernetes.io/zone': 'zone-a' } }));
  await c.create('nodes', node('node-2', { labels: { 'topology.kubernetes.io/zone': 'zone-b' } }));
  const logs: string[] = [];
  const run = await runControllers(c, [
    (ctx) => new EndpointSliceController(ctx),
    ...(opts.gc ? [(ctx: any) => new GarbageCollector(ctx)] : []),
  ], logs);
  return { c, logs, run, ctl: run.controllers[0] as EndpointSliceController };
}

test('slices follow pods: not ready, ready, terminating, gone; zone and node from the node', async () => {
  const { c, run, logs } = await cluster({ graceful: true });
  try {
    await c.create('services', svc('web'));
    await waitFor(async () => (await slicesOf(c, 'web')).length === 1, 'placeholder slice');
    assert.deepEqual((await slicesOf(c, 'web'))[0].endpoints, []);
    await createWithStatus(c, 'pods', pod('web-1', 'web'));
    await createWithStatus(c, 'pods', pod('web-2', 'web', { node: 'node-2' }));
    await waitFor(async () => (await endpointsOf(c, 'web')).length === 2, 'two endpoints');
    assert.equal((await slicesOf(c, 'web')).length, 1, 'the placeholder became the slice');
    assert.deepEqual((await byPod(c, 'web'))['web-1'], { ready: false, serving: false, terminating: false });
    const ep2 = (await endpointsOf(c, 'web')).find((e: JsonObject) => e.targetRef.name === 'web-2');
    assert.deepEqual([ep2.nodeName, ep2.zone], ['node-2', 'zone-b']);
    await setReady(c, 'web-1', true);
    await waitFor(async () => (await byPod(c, 'web'))['web-1']?.ready === true, 'web-1 ready');
    const slice = (await slicesOf(c, 'web'))[0];
    assert.ok(slice.metadata.annotations['endpoints.kubernetes.io/last-change-trigger-time'], 'trigger time annotation');
    await c.delete('pods', 'default', 'web-1');
    await waitFor(async () => (await byPod(c, 'web'))['web-1']?.terminating === true, 'web-1 terminating');
    assert.deepEqual((await byPod(c, 'web'))['web-1'], { ready: false, serving: true, terminating: true });
    await c.delete('pods', 'default', 'web-1', { gracePeriodSeconds: 0 });
    await waitFor(async () => !(await byPod(c, 'web'))['web-1'], 'web-1 gone');
  } finally { await run.stop(); }
  assert.deepEqual(logs.filter((l) => !/Conflict|modified/.test(l)), []);
});

test('Services without a selector, and slices this controller does not manage, are left alone', async () => {
  const { c, run, ctl } = await cluster();
  try {
    await c.create('services', svc('external', { selector: undefined }));
    const userSlice = {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { name: 'external-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'external', 'endpointslice.kubernetes.io/managed-by': 'me' } },
      addressType: 'IPv4', endpoints: [{ addresses: ['192.0.2.10'] }], ports: [{ port: 80, protocol: 'TCP', name: '' }],
    } as unknown as KubeObject;
    const created = await c.create(ENDPOINTSLICES, userSlice);
    await c.create('services', svc('web'));
    await createWithStatus(c, 'pods', pod('web-1', 'web', { ready: true }));
    await waitFor(async () => (await endpointsOf(c, 'web')).length === 1, 'web endpoint');
    await ctl.idle();
    assert.deepEqual((await slicesOf(c, 'external')).map((s) => s.metadata.name), ['external-1']);
    assert.equal((await c.get(ENDPOINTSLICES, 'default', 'external-1'))!.metadata.resourceVersion, created.metadata.resourceVersion, 'the user slice was never written');
  } finally { await run.stop(); }
});

test('a named targetPort no pod has: slices without ports and one Warning event; other Services unaffected', async () => {
  const { c, run, ctl } = await cluster();
  try {
    await c.create('services', svc('named', { ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'web' }] }));
    await c.create('services', svc('ok'));
    await createWithStatus(c, 'pods', pod('named-1', 'named', { ready: true, ports: [{ name: 'www', containerPort: 8080, protocol: 'TCP' }] }));
    await createWithStatus(c, 'pods', pod('ok-1', 'ok', { ready: true }));
    await waitFor(async () => (await endpointsOf(c, 'named')).length === 1 && (await endpointsOf(c, 'ok')).length === 1, 'both Services have endpoints');
    assert.deepEqual((await slicesOf(c, 'named'))[0].ports, []);
    assert.deepEqual((await slicesOf(c, 'ok'))[0].ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    const event = await waitFor(async () => (await all(c, 'events')).find((e: JsonObject) => e.reason === 'TargetPortNotFound'), 'event');
    assert.equal((event as JsonObject).involvedObject.name, 'named');
    assert.equal((event as JsonObject).type, 'Warning');
    assert.match((event as JsonObject).message, /no pod selected by this Service has a container port named "web" with protocol TCP, so service port "http" has no endpoints/i);
    // Another pod of the same Service does not repeat the event; a pod with the port resolves it.
    await createWithStatus(c, 'pods', pod('named-2', 'named', { ready: true, ports: [{ name: 'web', containerPort: 9000, protocol: 'TCP' }] }));
    await waitFor(async () => (await slicesOf(c, 'named')).some((s) => s.ports?.[0]?.port === 9000), 'resolved slice');
    await ctl.idle();
    assert.equal((await all(c, 'events')).filter((e: JsonObject) => e.reason === 'TargetPortNotFound').length, 1);
    assert.equal(((await all(c, 'events')).find((e: JsonObject) => e.reason === 'TargetPortNotFound') as JsonObject).count, 1);
  } finally { await run.stop(); }
});

test('250 pods: three slices; a restarted controller writes nothing; a deleted or edited slice is put back', async () => {
  const { c, run } = await cluster();
  try {
    await c.create('services', svc('big'));
    for (let i = 0; i < 250; i++) await createWithStatus(c, 'pods', pod(`big-${i}`, 'big', { ready: true, node: i % 2 ? 'node-1' : 'node-2' }));
    await waitFor(async () => (await endpointsOf(c, 'big')).length === 250, '250 endpoints', 20_000);
    await waitFor(async () => (await slicesOf(c, 'big')).length === 3, 'three slices');
    assert.deepEqual((await slicesOf(c, 'big')).map((s) => s.endpoints.length).sort((a, b) => b - a), [100, 100, 50]);
  } finally { await run.stop(); }

  const versions = async () => (await all(c, ENDPOINTSLICES)).map((s) => `${s.metadata.name}@${s.metadata.resourceVersion}`).sort();
  const before = await versions();
  const again = await runControllers(c, [(ctx) => new EndpointSliceController(ctx)]);
  const ctl = again.controllers[0] as EndpointSliceController;
  try {
    await ctl.idle();
    assert.deepEqual(await versions(), before, 'no churn after a restart');
    const victim = (await slicesOf(c, 'big')).find((s) => s.endpoints.length === 50)!;
    await c.delete(ENDPOINTSLICES, 'default', victim.metadata.name);
    await waitFor(async () => (await endpointsOf(c, 'big')).length === 250, 'endpoints back after a slice deletion');
    const edited = (await slicesOf(c, 'big')).find((s) => s.endpoints.length === 100)!;
    edited.endpoints = edited.endpoints.slice(0, 10);
    await c.update(ENDPOINTSLICES, edited as KubeObject);
    await waitFor(async () => (await endpointsOf(c, 'big')).length === 250, 'endpoints back after an edit');
    await ctl.idle();
    assert.equal(new Set((await endpointsOf(c, 'big')).map((e: JsonObject) => e.targetRef.name)).size, 250, 'no endpoint twice');
  } finally { await again.stop(); }
});

test('slices are owned by the Service and go with it; a new Service of the same name gets new slices', async () => {
  const { c, run } = await cluster({ gc: true });
  try {
    await c.create('services', svc('web'));
    await createWithStatus(c, 'pods', pod('web-1', 'web', { ready: true }));
    await waitFor(async () => (await endpointsOf(c, 'web')).length === 1, 'endpoint');
    const s = (await slicesOf(c, 'web'))[0];
    const owner = s.metadata.ownerReferences[0];
    const service = (await c.get('services', 'default', 'web'))!;
    assert.deepEqual(owner, { apiVersion: 'v1', kind: 'Service', name: 'web', uid: service.metadata.uid, controller: true, blockOwnerDeletion: true });
    assert.match(s.metadata.name, /^web-[a-z0-9]{5}$/);
    await c.delete('services', 'default', 'web');
    await waitFor(async () => (await slicesOf(c, 'web')).length === 0, 'slices collected');
    await c.create('services', svc('web'));
    await waitFor(async () => (await endpointsOf(c, 'web')).length === 1, 'endpoint for the new Service');
    const fresh = (await c.get('services', 'default', 'web'))!;
    assert.equal((await slicesOf(c, 'web'))[0].metadata.ownerReferences[0].uid, fresh.metadata.uid);
  } finally { await run.stop(); }
});
