import { test } from 'node:test';
import assert from 'node:assert/strict';
import { all, testRegistry } from './testing/registry-cluster.js';
import type { Registry } from '../apiserver/registry.js';
import { runControllers } from './testing/fixtures.js';
import { waitFor } from './testing/wait.js';
import { KubernetesServiceController } from './kubernetes-service.js';
import type { JsonObject, KubeObject } from '../../core/api/object.js';

const config = { serviceCIDR: '10.96.0.0/12', hostIP: '172.31.250.1', apiServerPort: 6443 };

test('creates the kubernetes Service, Endpoints and EndpointSlice, and restores them', async () => {
  const c = await testRegistry();
  const run = await runControllers(c, [(ctx) => new KubernetesServiceController(ctx, config)]);
  try {
    const svc = (await c.get('services', 'default', 'kubernetes')) as JsonObject;
    assert.ok(svc, 'exists once start() resolved');
    assert.equal(svc.spec.clusterIP, '10.96.0.1');
    assert.deepEqual(svc.spec.ports, [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }]);
    assert.equal(svc.spec.selector, undefined);
    assert.deepEqual(svc.metadata.labels, { component: 'apiserver', provider: 'kubernetes' });
    const ep = (await c.get('endpoints', 'default', 'kubernetes')) as JsonObject;
    assert.deepEqual(ep.subsets, [{ addresses: [{ ip: '172.31.250.1' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }]);
    const slice = (await c.get('endpointslices.discovery.k8s.io', 'default', 'kubernetes')) as JsonObject;
    assert.equal(slice.metadata.labels['kubernetes.io/service-name'], 'kubernetes');
    assert.equal(slice.addressType, 'IPv4');
    assert.deepEqual(slice.endpoints, [{ addresses: ['172.31.250.1'], conditions: { ready: true } }]);
    assert.deepEqual(slice.ports, [{ name: 'https', port: 6443, protocol: 'TCP' }]);
    await c.delete('endpointslices.discovery.k8s.io', 'default', 'kubernetes');
    await waitFor(async () => !!(await c.get('endpointslices.discovery.k8s.io', 'default', 'kubernetes')), 'slice restored');
    svc.spec.ports[0].targetPort = 1234;
    await c.update('services', svc as KubeObject);
    await waitFor(async () => ((await c.get('services', 'default', 'kubernetes')) as JsonObject).spec.ports[0].targetPort === 6443, 'ports restored');
  } finally { await run.stop(); }
});
