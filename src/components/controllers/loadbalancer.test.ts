import { test } from 'node:test';
import assert from 'node:assert/strict';
import { all, testRegistry } from './testing/registry-cluster.js';
import type { Registry } from '../apiserver/registry.js';
import { node, runControllers } from './testing/fixtures.js';
import { waitFor } from './testing/wait.js';
import { LoadBalancerController, type LoadBalancerConfig } from './loadbalancer.js';
import { ANNOTATION_ANNOUNCING_NODE } from './loadbalancer-announcer.js';
import type { JsonObject, KubeObject } from '../../core/api/object.js';

const config: LoadBalancerConfig = {
  underlayCIDR: '172.31.250.0/24', hostIP: '172.31.250.1', stateDir: '/var/lib/podnet/test',
  nodes: [{ name: 'node-1', ip: '172.31.250.11' }, { name: 'node-2', ip: '172.31.250.12' }],
  loadBalancerPool: '172.31.250.200-172.31.250.202',
};

let port = 30000;
function lb(name: string, spec: JsonObject = {}): KubeObject {
  port++;
  return {
    apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' },
    spec: { type: 'LoadBalancer', selector: { app: name }, externalTrafficPolicy: 'Cluster',
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80, nodePort: port }], ...spec },
    status: { loadBalancer: {} },
  } as KubeObject;
}

const ipOf = async (c: Registry, name: string) =>
  ((await c.get('services', 'default', name)) as JsonObject | undefined)?.status?.loadBalancer?.ingress?.[0]?.ip as string | undefined;
const eventsFor = async (c: Registry, name: string, reason: string) =>
  (await all(c, 'events')).filter((e: JsonObject) => e.involvedObject.name === name && e.reason === reason) as JsonObject[];

async function start(c: Registry, cfg = config) {
  const logs: string[] = [];
  const run = await runControllers(c, [(ctx) => new LoadBalancerController(ctx, cfg)], logs);
  return { run, logs, ctl: run.controllers[0] as LoadBalancerController };
}

test('addresses from the pool in order, ipMode VIP; exhaustion leaves the Service pending with a Warning; a release serves it', async () => {
  const c = await testRegistry();
  const { run, logs, ctl } = await start(c);
  try {
    for (const n of ['a', 'b', 'c']) await c.create('services', lb(n));
    await waitFor(async () => (await ipOf(c, 'c')) !== undefined, 'three addresses');
    assert.deepEqual([await ipOf(c, 'a'), await ipOf(c, 'b'), await ipOf(c, 'c')].sort(), ['172.31.250.200', '172.31.250.201', '172.31.250.202']);
    const a = (await c.get('services', 'default', 'a')) as JsonObject;
    assert.deepEqual(a.status.loadBalancer, { ingress: [{ ip: await ipOf(c, 'a'), ipMode: 'VIP' }] });
    assert.match((await eventsFor(c, 'a', 'IPAllocated'))[0].message, /^Assigned IP \["172\.31\.250\.20\d"\]$/);

    await c.create('services', lb('d'));
    const warning = await waitFor(async () => (await eventsFor(c, 'd', 'AllocationFailed'))[0], 'AllocationFailed');
    assert.equal(warning.type, 'Warning');
    assert.equal(warning.message, 'Failed to allocate IP for "default/d": no available IPs: the LoadBalancer pool 172.31.250.200-172.31.250.202 ' +
      '(3 addresses) is fully assigned. Delete a LoadBalancer Service you no longer need, or enlarge the pool: set "loadBalancerPool" in ' +
      '/var/lib/podnet/test/cluster.json (e.g. a wider range of the underlay) and restart podnet server');
    await ctl.idle();
    assert.equal(await ipOf(c, 'd'), undefined);
    // Other Services are unaffected by the failure, and the failure is one event, not one per sync.
    await c.patch('services', 'default', 'd', { metadata: { labels: { touched: 'yes' } } }, 'merge');
    await ctl.idle();
    assert.equal((await eventsFor(c, 'd', 'AllocationFailed'))[0].count, 1);

    const freed = await ipOf(c, 'b');
    await c.delete('services', 'default', 'b');
    await waitFor(async () => (await ipOf(c, 'd')) === freed, 'd gets the released address');
  } finally { await run.stop(); }
  assert.deepEqual(logs.filter((l) => !/Conflict|modified/.test(l)), []);
});

test('spec.loadBalancerIP: honoured when free and in the pool, refused otherwise with a reason', async () => {
  const c = await testRegistry();
  const { run } = await start(c);
  try {
    await c.create('services', lb('fixed', { loadBalancerIP: '172.31.250.202' }));
    await waitFor(async () => (await ipOf(c, 'fixed')) === '172.31.250.202', 'requested address');
    await c.create('services', lb('outside', { loadBalancerIP: '172.31.250.99' }));
    await c.create('services', lb('taken', { loadBalancerIP: '172.31.250.202' }));
    const outside = await waitFor(async () => (await eventsFor(c, 'outside', 'AllocationFailed'))[0], 'outside refused');
    assert.match(outside.message, /spec\.loadBalancerIP 172\.31\.250\.99 is not in the LoadBalancer pool 172\.31\.250\.200-172\.31\.250\.202/);
    const taken = await waitFor(async () => (await eventsFor(c, 'taken', 'AllocationFailed'))[0], 'taken refused');
    assert.match(taken.message, /already assigned to Service default\/fixed/);
    assert.equal(await ipOf(c, 'taken'), undefined);
    // fixed moves to another address: the one it held goes to the Service that asked for it.
    await c.patch('services', 'default', 'fixed', { spec: { loadBalancerIP: '172.31.250.200' } }, 'merge');
    await waitFor(async () => (await ipOf(c, 'fixed')) === '172.31.250.200' && (await ipOf(c, 'taken')) === '172.31.250.202', 'moved and handed over');
  } finally { await run.stop(); }
});

test('type change away from LoadBalancer releases the address and clears the status; a loadBalancerClass is someone else\'s', async () => {
  const c = await testRegistry();
  const { run, ctl } = await start(c);
  try {
    await c.create('services', lb('a'));
    await waitFor(async () => (await ipOf(c, 'a')) === '172.31.250.200', 'a address');
    await c.patch('services', 'default', 'a', { spec: { type: 'ClusterIP' } }, 'merge');
    await waitFor(async () => (await ipOf(c, 'a')) === undefined, 'status cleared');
    await c.create('services', lb('b'));
    await waitFor(async () => (await ipOf(c, 'b')) === '172.31.250.200', 'b reuses the address');
    await c.create('services', lb('other', { loadBalancerClass: 'example.com/internal-vip' }));
    await ctl.idle();
    assert.equal(await ipOf(c, 'other'), undefined);
  } finally { await run.stop(); }
});

test('a restart keeps every address where it was (oldest Service wins a disputed one)', async () => {
  const c = await testRegistry();
  const first = await start(c);
  for (const n of ['a', 'b']) await c.create('services', lb(n));
  await waitFor(async () => (await ipOf(c, 'b')) !== undefined, 'addresses');
  const before = { a: await ipOf(c, 'a'), b: await ipOf(c, 'b') };
  await first.run.stop();
  // While the controller is down, a status is edited to claim a's address.
  const x = (await c.get('services', 'default', 'b')) as JsonObject;
  x.status.loadBalancer = { ingress: [{ ip: before.a, ipMode: 'VIP' }] };
  await c.update('services', x as KubeObject, 'status');
  await c.create('services', lb('c'));
  const second = await start(c);
  try {
    await waitFor(async () => (await ipOf(c, 'c')) !== undefined && (await ipOf(c, 'b')) !== before.a, 'reconciled');
    await second.ctl.idle();
    assert.equal(await ipOf(c, 'a'), before.a);
    assert.notEqual(await ipOf(c, 'b'), before.a);
    assert.equal(new Set([await ipOf(c, 'a'), await ipOf(c, 'b'), await ipOf(c, 'c')]).size, 3);
  } finally { await second.run.stop(); }
});

test('an announcing node is chosen among Ready nodes, with a local endpoint for externalTrafficPolicy Local, and moves when it goes', async () => {
  const c = await testRegistry();
  await c.create('nodes', node('node-1'));
  await c.create('nodes', node('node-2'));
  const { run } = await start(c);
  const announcer = async (name: string) => ((await c.get('services', 'default', name)) as JsonObject).metadata.annotations?.[ANNOTATION_ANNOUNCING_NODE];
  try {
    await c.create('services', lb('web', { externalTrafficPolicy: 'Local' }));
    await c.create('endpointslices.discovery.k8s.io', {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { name: 'web-abcde', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4', endpoints: [{ addresses: ['10.244.2.7'], nodeName: 'node-2', conditions: { ready: true } }], ports: [],
    } as unknown as KubeObject);
    await waitFor(async () => (await announcer('web')) === 'node-2', 'node-2 announces (local endpoint)');
    const event = await waitFor(async () => (await eventsFor(c, 'web', 'nodeAssigned'))[0], 'nodeAssigned event');
    assert.equal(event.message, 'announcing from node "node-2" with protocol "layer2"');
    const n2 = (await c.get('nodes', undefined, 'node-2')) as JsonObject;
    n2.status.conditions = [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady' }];
    await c.update('nodes', n2 as KubeObject, 'status');
    await waitFor(async () => (await announcer('web')) === 'node-1', 'failover to node-1');
    await c.delete('services', 'default', 'web');
  } finally { await run.stop(); }
});
