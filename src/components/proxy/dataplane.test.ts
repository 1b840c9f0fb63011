// Kernel tests (root): the planned table loaded into a node namespace forwards real TCP/UDP connections
// from a client pod and an outside host to server pods; no-endpoint services refuse at once; incremental
// transactions leave the kernel exactly where a full load of the same plan does.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { requireRoot, run } from '../../linux/exec.js';
import { canonicalTable, nftApply, nftListTable } from '../../linux/nft.js';
import {
  endpoint, endpointSlice, planServiceRules, renderRuleset, service, type EndpointSlice, type Ruleset, type Service,
} from '../../core/proxy/index.js';
import { NftProgrammer } from './programmer.js';
import { ServiceProxy } from './service-proxy.js';
import { CLIENT_POD_IP, EXTERNAL_CLIENT_IP, NODE_EXTERNAL_IP, ProxyTestbed } from './testbed.js';

const PREFIX = `pnp${process.pid % 100000}`;
const TABLE = 'podnet-test-proxy';
const bed = new ProxyTestbed(PREFIX);
const REF_NS = `${PREFIX}-ref`;
const NODE = { name: 'node-1', ips: [NODE_EXTERNAL_IP], clusterCIDR: '10.244.0.0/16' };
const OPTIONS = { table: TABLE, serviceCIDRs: ['10.96.0.0/12'] };
let proxy: ServiceProxy;

const slice = (name: string, ips: string[], port = 8080) =>
  endpointSlice('default', name, [{ name: 'http', port, protocol: 'TCP' }, { name: 'udp', port, protocol: 'UDP' }],
    ips.map((ip) => endpoint(ip, 'node-1')));   // the testbed's servers hang off the programmed node
const svc = (name: string, ip: string, extra: Service['spec'] = {}) => service('default', name, {
  clusterIP: ip, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }, { name: 'udp', port: 53, targetPort: 8080, protocol: 'UDP' }], ...extra,
});

let services: Service[];
let slices: EndpointSlice[];

before(async () => {
  requireRoot('src/components/proxy/dataplane.test.ts');
  await bed.create(2);
  await run(['ip', 'netns', 'add', REF_NS]);
  await bed.startServers(8080);
  const [s1, s2] = bed.servers;
  services = [
    svc('backend', '10.96.0.20', { type: 'NodePort', ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP', nodePort: 30080 },
      { name: 'udp', port: 53, targetPort: 8080, protocol: 'UDP', nodePort: 30053 }] }),
    svc('empty', '10.96.0.21'),
    svc('self', '10.96.0.22'),
    svc('sticky', '10.96.0.23', { sessionAffinity: 'ClientIP' }),
  ];
  slices = [slice('backend', [s1.ip, s2.ip]), slice('empty', []), slice('self', [s1.ip]), slice('sticky', [s1.ip, s2.ip])];
  proxy = new ServiceProxy({ node: NODE, options: OPTIONS, netns: bed.node, minSyncPeriodMs: 0 });
  proxy.update(services, slices);
  await proxy.flush();
});

after(async () => {
  await proxy?.stop();
  await run(['ip', 'netns', 'del', REF_NS], { okExitCodes: [1] });
  await bed.destroy();
});

const servedBy = (r: { reply?: string }[]) => [...new Set(r.map((x) => x.reply?.split(' ')[0] ?? 'none'))].sort();

test('pod → ClusterIP (TCP and UDP) reaches both endpoints with the client address kept', async () => {
  const tcp = await bed.connect(bed.client, 'tcp', '10.96.0.20', 80, 20);
  assert.ok(tcp.every((r) => r.reply), JSON.stringify(tcp));
  assert.deepEqual(servedBy(tcp), ['srv1', 'srv2']);
  assert.ok(tcp.every((r) => r.reply!.endsWith(` ${CLIENT_POD_IP}`)), 'source must not be masqueraded');
  const udp = await bed.connect(bed.client, 'udp', '10.96.0.20', 53, 10);
  assert.ok(udp.every((r) => r.reply?.endsWith(` ${CLIENT_POD_IP}`)), JSON.stringify(udp));
});

test('outside host → NodePort is DNATed and masqueraded', async () => {
  const r = await bed.connect(bed.external, 'tcp', NODE_EXTERNAL_IP, 30080, 6);
  assert.ok(r.every((x) => x.reply && !x.reply.endsWith(EXTERNAL_CLIENT_IP)), JSON.stringify(r));
  const u = await bed.connect(bed.external, 'udp', NODE_EXTERNAL_IP, 30053, 3);
  assert.ok(u.every((x) => x.reply), JSON.stringify(u));
});

test('the node itself → ClusterIP works', async () => {
  const r = await bed.connect(bed.node, 'tcp', '10.96.0.20', 80, 4);
  assert.ok(r.every((x) => x.reply), JSON.stringify(r));
});

test('no endpoints: TCP and UDP are refused at once, not timed out', async () => {
  const [tcp] = await bed.connect(bed.client, 'tcp', '10.96.0.21', 80, 1, 5);
  assert.equal(tcp.error, 'refused', JSON.stringify(tcp));
  const [udp] = await bed.connect(bed.client, 'udp', '10.96.0.21', 53, 1, 5);
  assert.equal(udp.error, 'refused', JSON.stringify(udp));
  const [port] = await bed.connect(bed.client, 'tcp', '10.96.0.20', 81, 1, 5);
  assert.equal(port.error, 'refused', 'an unknown port on a ClusterIP is refused');
});

test('hairpin: a pod reaches itself through its Service', async () => {
  const [r] = await bed.connect(bed.servers[0].ns, 'tcp', '10.96.0.22', 80, 1, 5);
  assert.ok(r.reply?.startsWith('srv1 '), JSON.stringify(r));
  assert.ok(!r.reply!.endsWith(bed.servers[0].ip), 'hairpin traffic must be masqueraded');
});

test('sessionAffinity ClientIP sends every connection of a client to one endpoint', async () => {
  const r = await bed.connect(bed.client, 'tcp', '10.96.0.23', 80, 12);
  assert.equal(servedBy(r).length, 1, JSON.stringify(r));
});

async function assertKernelMatchesFullLoad(plan: Ruleset): Promise<void> {
  await nftApply(renderRuleset(plan), { netns: REF_NS });
  const got = canonicalTable((await nftListTable('ip', TABLE, { netns: bed.node }))!);
  const want = canonicalTable((await nftListTable('ip', TABLE, { netns: REF_NS }))!);
  assert.deepEqual(got, want);
}

test('incremental syncs leave the same table as a full load, and keep forwarding', async () => {
  const [s1, s2] = bed.servers;
  const steps: Array<() => void> = [
    () => { slices = slices.map((s) => s.metadata.name === 'empty-abcde' ? slice('empty', [s2.ip]) : s); },
    () => { services = [...services, svc('late', '10.96.0.30')]; slices = [...slices, slice('late', [s1.ip, s2.ip, '10.244.2.6'])]; },
    // 3 → 2 endpoints: shared pick chains are created and deleted by incremental transactions.
    () => { slices = slices.map((s) => s.metadata.name === 'late-abcde' ? slice('late', [s1.ip, s2.ip]) : s); },
    () => { slices = slices.map((s) => s.metadata.name === 'backend-abcde' ? slice('backend', [s2.ip]) : s); },
    () => { services = services.filter((s) => s.metadata.name !== 'sticky'); },
    () => { services = services.map((s) => s.metadata.name === 'late' ? svc('late', '10.96.0.30', { sessionAffinity: 'ClientIP' }) : s); },
  ];
  for (const step of steps) {
    step();
    proxy.update(services, slices);
    await proxy.flush();
    await assertKernelMatchesFullLoad(planServiceRules({ services, endpointSlices: slices, node: NODE, options: OPTIONS }));
  }
  assert.deepEqual(servedBy(await bed.connect(bed.client, 'tcp', '10.96.0.20', 80, 6)), ['srv2']);
  assert.deepEqual(servedBy(await bed.connect(bed.client, 'tcp', '10.96.0.21', 80, 2)), ['srv2']);
  assert.equal((await bed.connect(bed.client, 'tcp', '10.96.0.30', 80, 4)).filter((r) => r.reply).length, 4);
  // A deleted service's ClusterIP is an unallocated address of the service CIDR: dropped, as kube-proxy does.
  assert.equal((await bed.connect(bed.client, 'tcp', '10.96.0.23', 80, 1, 1))[0].error, 'timeout');
});

test('a transaction nft rejects is repaired by a full sync', async () => {
  let calls = 0;
  const programmer = new NftProgrammer({ apply: (text) => {
    calls++;
    // Sabotage the first incremental transaction: reference a chain that does not exist.
    return nftApply(calls === 2 ? `${text}add rule ip ${TABLE} services goto no-such-chain\n` : text, { netns: bed.node });
  } });
  const plan = (n: number) => planServiceRules({ services: services.slice(0, n), endpointSlices: slices, node: NODE, options: OPTIONS });
  assert.equal((await programmer.sync(plan(2))).full, true);
  const r = await programmer.sync(plan(3));
  assert.equal(r.full, true);
  assert.match(r.recoveredFrom ?? '', /no-such-chain|No such file/);
  await assertKernelMatchesFullLoad(plan(3));
  // Put the proxy's own view back: the shared table was replaced behind its back.
  proxy.programmer.invalidate();
  proxy.update(services, slices);
  await proxy.flush();
});
