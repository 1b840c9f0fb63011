// The controller against the real registry (validation, admission, watch) with a recording data plane:
// which Ingresses it takes up, the status it writes, the events it records, and that a configuration
// nginx refuses leaves the previous one in place with a RELOAD warning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from '../apiserver/registry.js';
import { DefaultIngressClass } from '../apiserver/default-ingress-class.js';
import { MemoryStore } from '../store/index.js';
import { waitFor } from '../controllers/testing/wait.js';
import { IngressController, type Dataplane } from './controller.js';
import { NginxConfigError } from '../../linux/nginx.js';
import { matchIngressRoute, type RouteTable } from '../../core/ingress/index.js';
import { ingress, service, slice } from '../../core/ingress/fixtures.js';
import type { JsonObject, KubeObject } from '../../core/api/object.js';

class FakeDataplane implements Dataplane {
  applied: RouteTable[] = [];
  refuse = false;
  async apply(table: RouteTable) {
    if (this.refuse) throw new NginxConfigError('nginx: [emerg] unexpected "}" in nginx.conf:12');
    this.applied.push(table);
    return { changed: true };
  }
}

const strip = (o: KubeObject) => { const c = JSON.parse(JSON.stringify(o)); delete c.metadata.uid; delete c.metadata.creationTimestamp; return c; };

test('controller: serves its class, writes status from the controller Service, tells problems once, survives a refused config', async () => {
  const registry = new Registry(new MemoryStore());
  registry.use(new DefaultIngressClass(registry));
  const ING = 'ingresses.networking.k8s.io';
  await registry.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ingress-nginx' } } as KubeObject);
  await registry.create('ingressclasses.networking.k8s.io', {
    apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass',
    metadata: { name: 'nginx', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } }, spec: { controller: 'k8s.io/ingress-nginx' },
  } as KubeObject);
  const lb = { ...service('ingress-nginx-controller', [{ port: 80, name: 'http' }], 'ingress-nginx') } as JsonObject;
  lb.spec.type = 'LoadBalancer';
  await registry.create('services', lb as KubeObject);
  await registry.patch('services', 'ingress-nginx', 'ingress-nginx-controller', { status: { loadBalancer: { ingress: [{ ip: '172.31.250.200' }] } } }, 'merge', 'status');
  await registry.create('services', service('web', [{ port: 80 }]));
  await registry.create('endpointslices.discovery.k8s.io', slice('web', ['10.244.1.5']));

  const dp = new FakeDataplane();
  const ctl = new IngressController(registry, dp, { publishService: 'ingress-nginx/ingress-nginx-controller', pod: 'ingress-nginx/ctl-0', coalesceMs: 1 });
  await ctl.start();
  try {
    await registry.create(ING, strip(ingress('mine', { rules: [{ host: 'a.example', paths: [{ path: '/app', service: 'web' }] }] })));
    await registry.create(ING, strip(ingress('foreign', { className: 'other', rules: [{ host: 'b.example', paths: [{ service: 'web' }] }] })));
    await registry.create(ING, strip(ingress('broken', { rules: [{ host: 'c.example', paths: [{ service: 'missing' }] }] })));
    const status = async (n: string) => ((await registry.get(ING, 'default', n)) as JsonObject).status?.loadBalancer?.ingress;
    await waitFor(async () => JSON.stringify(await status('mine')) === '[{"ip":"172.31.250.200"}]', 'status of mine');
    await waitFor(async () => JSON.stringify(await status('broken')) === '[{"ip":"172.31.250.200"}]', 'status of broken');
    assert.equal(await status('foreign'), undefined, 'another class gets no address');
    const last = () => dp.applied[dp.applied.length - 1];
    const m = matchIngressRoute(last(), 'a.example', '/app/x');
    assert.ok(m.kind === 'route' && m.route.backend.kind === 'service');
    assert.equal(matchIngressRoute(last(), 'b.example', '/').kind, 'notFound');

    const events = async () => (await registry.list('events', { namespace: 'default' })).items as JsonObject[];
    await waitFor(async () => (await events()).some((e) => e.involvedObject.name === 'broken' && e.reason === 'ServiceNotFound'), 'ServiceNotFound event');
    const notFound = (await events()).find((e) => e.reason === 'ServiceNotFound')!;
    assert.equal(notFound.type, 'Warning');
    assert.match(notFound.message, /Service "default\/missing" not found/);
    assert.ok((await events()).some((e) => e.involvedObject.name === 'mine' && e.reason === 'Sync'));

    // Endpoints change → new table, and the repeated problem is not told again.
    await registry.patch('endpointslices.discovery.k8s.io', 'default', 'web-abc', { endpoints: [{ addresses: ['10.244.2.7'], conditions: { ready: true } }] }, 'merge');
    await waitFor(() => { const r = matchIngressRoute(last(), 'a.example', '/app'); return r.kind === 'route' && r.route.backend.kind === 'service' && r.route.backend.endpoints[0]?.ip === '10.244.2.7'; }, 'new endpoint');
    assert.equal((await events()).find((e) => e.reason === 'ServiceNotFound')!.count ?? 1, 1);

    // nginx refuses: the previous table stays, a RELOAD warning goes to the pod and the changed Ingress.
    dp.refuse = true;
    const before = dp.applied.length;
    await registry.patch(ING, 'default', 'mine', { spec: { rules: [{ host: 'a.example', http: { paths: [{ path: '/v2', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] } }, 'merge');
    await waitFor(async () => (await events()).some((e) => e.involvedObject.name === 'mine' && e.reason === 'RELOAD'), 'RELOAD event');
    assert.equal(dp.applied.length, before);
    const podEvents = (await registry.list('events', { namespace: 'ingress-nginx' })).items as JsonObject[];
    assert.ok(podEvents.some((e) => e.involvedObject.kind === 'Pod' && e.reason === 'RELOAD' && /unexpected "}"/.test(e.message)));
    dp.refuse = false;
  } finally {
    await ctl.stop();
  }
});
