import { test } from 'node:test';
import assert from 'node:assert/strict';
import { all, createWithStatus, testRegistry } from './testing/registry-cluster.js';
import type { Registry } from '../apiserver/registry.js';
import { runControllers } from './testing/fixtures.js';
import { waitFor } from './testing/wait.js';
import { EndpointsController } from './endpoints.js';
import type { JsonObject, KubeObject } from '../../core/api/object.js';

function svc(name: string, spec: JsonObject = {}, labels?: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', ...(labels ? { labels } : {}) },
    spec: { type: 'ClusterIP', ipFamilies: ['IPv4'], selector: { app: name },
      ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }], ...spec },
  } as KubeObject;
}

function pod(name: string, app: string, i: number, ready: boolean): KubeObject {
  const ip = `10.244.${Math.floor(i / 250)}.${1 + (i % 250)}`;
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: { app } },
    spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'nginx' }] },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: '2025-01-01T00:00:00Z' }] },
  } as KubeObject;
}

const ep = async (c: Registry, name: string) => (await c.get('endpoints', 'default', name)) as JsonObject | undefined;

test('Endpoints list ready and not-ready pods, carry the Service labels and trigger time, and go with the Service', async () => {
  const c = await testRegistry();
  const logs: string[] = [];
  const run = await runControllers(c, [(ctx) => new EndpointsController(ctx)], logs);
  try {
    await c.create('services', svc('backend', {}, { tier: 'back' }));
    await waitFor(async () => (await ep(c, 'backend')) !== undefined, 'empty Endpoints');
    assert.deepEqual((await ep(c, 'backend'))!.subsets, []);
    await createWithStatus(c, 'pods', pod('backend-1', 'backend', 1, true));
    await createWithStatus(c, 'pods', pod('backend-2', 'backend', 2, false));
    await waitFor(async () => (await ep(c, 'backend'))?.subsets?.[0]?.notReadyAddresses?.length === 1, 'two addresses');
    const e = (await ep(c, 'backend'))!;
    assert.deepEqual(e.subsets, [{
      addresses: [{ ip: '10.244.0.2', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'backend-1', uid: (await c.get('pods', 'default', 'backend-1'))!.metadata.uid } }],
      notReadyAddresses: [{ ip: '10.244.0.3', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'backend-2', uid: (await c.get('pods', 'default', 'backend-2'))!.metadata.uid } }],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    }]);
    assert.deepEqual(e.metadata.labels, { tier: 'back' });
    assert.ok(e.metadata.annotations['endpoints.kubernetes.io/last-change-trigger-time']);
    await c.delete('services', 'default', 'backend');
    await waitFor(async () => (await ep(c, 'backend')) === undefined, 'Endpoints deleted with the Service');
  } finally { await run.stop(); }
  assert.deepEqual(logs.filter((l) => !/Conflict|modified/.test(l)), []);
});

test('selector-less Services keep their own Endpoints; leftovers without a Service are removed at start; a deleted one comes back', async () => {
  const c = await testRegistry();
  await c.create('services', svc('manual', { selector: undefined }));
  const manual = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'manual', namespace: 'default' }, subsets: [{ addresses: [{ ip: '192.0.2.1' }], ports: [{ port: 80, protocol: 'TCP' }] }] } as unknown as KubeObject;
  await c.create('endpoints', manual);
  await c.create('endpoints', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'orphan', namespace: 'default' }, subsets: [] } as unknown as KubeObject);
  await c.create('endpoints', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'leader', namespace: 'default', annotations: { 'control-plane.alpha.kubernetes.io/leader': '{}' } } } as unknown as KubeObject);
  await c.create('services', svc('web'));
  const run = await runControllers(c, [(ctx) => new EndpointsController(ctx)]);
  const ctl = run.controllers[0] as EndpointsController;
  try {
    await waitFor(async () => (await ep(c, 'orphan')) === undefined, 'orphan removed');
    await waitFor(async () => (await ep(c, 'web')) !== undefined, 'web Endpoints');
    await ctl.idle();
    assert.deepEqual((await ep(c, 'manual'))!.subsets, [{ addresses: [{ ip: '192.0.2.1' }], ports: [{ port: 80, protocol: 'TCP' }] }]);
    assert.ok(await ep(c, 'leader'), 'leader-election Endpoints are not leftovers');
    await c.delete('endpoints', 'default', 'web');
    await waitFor(async () => (await ep(c, 'web')) !== undefined, 'web Endpoints recreated');
  } finally { await run.stop(); }
});

test('publishNotReadyAddresses lists everything as ready; more than 1000 addresses are truncated and annotated', async () => {
  const c = await testRegistry();
  const run = await runControllers(c, [(ctx) => new EndpointsController(ctx)]);
  try {
    await c.create('services', svc('pnra', { publishNotReadyAddresses: true }));
    await createWithStatus(c, 'pods', pod('pnra-1', 'pnra', 1, false));
    await waitFor(async () => (await ep(c, 'pnra'))?.subsets?.[0]?.addresses?.length === 1, 'not-ready pod published as ready');
    for (let i = 0; i < 1005; i++) await createWithStatus(c, 'pods', pod(`many-${i}`, 'many', 10 + i, true));
    await c.create('services', svc('many'));
    await waitFor(async () => (await ep(c, 'many'))?.subsets?.[0]?.addresses?.length === 1000, '1000 addresses', 20_000);
    const e = (await ep(c, 'many'))!;
    assert.equal(e.metadata.annotations['endpoints.kubernetes.io/over-capacity'], 'truncated');
    for (let i = 0; i < 10; i++) await c.delete('pods', 'default', `many-${i}`);
    await waitFor(async () => (await ep(c, 'many'))?.subsets?.[0]?.addresses?.length === 995, '995 addresses');
    assert.equal((await ep(c, 'many'))!.metadata.annotations?.['endpoints.kubernetes.io/over-capacity'], undefined);
  } finally { await run.stop(); }
});
