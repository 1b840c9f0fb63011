// ServiceAllocation over RangeAllocations in the datastore: two API servers (two registries) on one
// store never hand out one ClusterIP or NodePort, also when their creates race; refused and dry-run
// writes leave the stored bitmaps as they were; a server that starts on a store with Services but no
// bitmap (or a bitmap of another range) rebuilds it from the Services. Run on the in-memory store and on
// a real one-member etcd (Debian's etcd-server), the store several servers share.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { Registry } from './registry.js';
import { NamespaceLifecycle } from './namespace-lifecycle.js';
import { ServiceAllocation } from './service-allocation.js';
import { SERVICE_IPS_KEY, SERVICE_NODE_PORTS_KEY } from './range-allocation.js';
import { EtcdStore, MemoryStore, type Store } from '../store/index.js';
import { startLocalEtcd } from '../cluster/etcd.js';
import type { ClusterConfig } from '../../core/cluster/config.js';
import type { JsonObject, KubeObject } from '../../core/api/object.js';
import { isApiError } from '../../core/api/errors.js';

// A small range, so that collisions would be likely if the servers did not share the bitmap.
const config = { serviceCIDR: '10.96.0.0/24', nodePortRange: '30000-30299' } as ClusterConfig;

const running: Array<() => Promise<void>> = [];
after(async () => { for (const stop of running.reverse()) await stop(); });

async function server(store: Store): Promise<Registry> {
  const registry = new Registry(store);
  registry.use(new NamespaceLifecycle(registry));
  registry.use(await ServiceAllocation.open(store, registry, config));
  return registry;
}

function service(name: string, extra: JsonObject = {}): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' },
    spec: { type: 'NodePort', selector: { app: name }, ports: [{ port: 80, targetPort: 80 }], ...extra },
  } as KubeObject;
}

const stores: Array<[string, () => Promise<Store[]>]> = [
  ['the in-memory store', async () => { const s = new MemoryStore(); return [s, s]; }],
  ['etcd', async () => {
    const etcd = await startLocalEtcd(mkdtempSync('/dev/shm/podnet-alloc-test-'), 1);
    const a = new EtcdStore({ endpoints: etcd.endpoints }), b = new EtcdStore({ endpoints: etcd.endpoints });
    running.push(async () => { await a.close(); await b.close(); await etcd.stop(); });
    return [a, b];
  }],
];

for (const [what, open] of stores) {
  test(`two servers on ${what}: concurrent creates never share a ClusterIP or NodePort`, async () => {
    const [sa, sb] = await open();
    const one = await server(sa!);
    await one.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } } as KubeObject);
    const two = await server(sb!);
    const creates = Array.from({ length: 120 }, (_, i) => (i % 2 ? one : two).create('services', service(`s${i}`)));
    const made = (await Promise.all(creates)) as JsonObject[];
    const ips = made.map((s) => s.spec.clusterIP as string);
    const ports = made.map((s) => s.spec.ports[0].nodePort as number);
    assert.equal(new Set(ips).size, made.length, `every ClusterIP is distinct: ${ips.join(' ')}`);
    assert.equal(new Set(ports).size, made.length, 'every NodePort is distinct');

    // A specific IP one server handed out is taken for the other server too.
    await assert.rejects(two.create('services', service('copy', { clusterIP: ips[0] })), (e: unknown) =>
      isApiError(e, 'Invalid') && /already allocated/.test((e as Error).message));
    // A delete through one server frees the IP for the other.
    await one.delete('services', 'default', 's0');
    const again = await two.create('services', service('again', { clusterIP: ips[0] })) as JsonObject;
    assert.equal(again.spec.clusterIP, ips[0]);
  });

  test(`on ${what}: refused and dry-run creates leave the stored bitmaps as they were`, async () => {
    const [store] = await open();
    const one = await server(store!);
    await one.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } } as KubeObject);
    const first = await one.create('services', service('a')) as JsonObject;
    const bitmaps = async () => [(await store!.get(SERVICE_IPS_KEY)) as JsonObject, (await store!.get(SERVICE_NODE_PORTS_KEY)) as JsonObject]
      .map((o) => `${o.range} ${o.data} ${o.metadata.resourceVersion}`);
    const before = await bitmaps();
    // The IP is free but the port is taken: the IP reserved first is given back.
    await assert.rejects(one.create('services', service('b', { ports: [{ port: 80, nodePort: first.spec.ports[0].nodePort }] })));
    assert.deepEqual((await bitmaps()).map((b) => b.split(' ')[1]), before.map((b) => b.split(' ')[1]));
    const afterRefusal = await bitmaps();
    const dry = await one.create('services', service('d'), undefined, { dryRun: true }) as JsonObject;
    assert.ok(dry.spec.clusterIP, 'a dry run shows the IP it would get');
    assert.equal(await one.get('services', 'default', 'd'), undefined);
    assert.deepEqual(await bitmaps(), afterRefusal, 'nothing was written');
  });

  test(`on ${what}: a server starting on Services without a bitmap (or with one of another range) rebuilds it from them`, async () => {
    const [store] = await open();
    const one = await server(store!);
    await one.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } } as KubeObject);
    const made = await one.create('services', service('keep')) as JsonObject;
    await store!.delete(SERVICE_IPS_KEY);
    const ports = await store!.get(SERVICE_NODE_PORTS_KEY) as JsonObject;
    const otherRange: JsonObject = { ...ports, range: '31000-31099' };
    await store!.update(SERVICE_NODE_PORTS_KEY, otherRange as KubeObject);
    const two = await server(store!);
    await assert.rejects(two.create('services', service('x', { clusterIP: made.spec.clusterIP })), /already allocated/);
    await assert.rejects(two.create('services', service('y', { ports: [{ port: 80, nodePort: made.spec.ports[0].nodePort }] })), /already allocated/);
    assert.equal(((await store!.get(SERVICE_NODE_PORTS_KEY)) as JsonObject).range, '30000-30299');
  });
}
