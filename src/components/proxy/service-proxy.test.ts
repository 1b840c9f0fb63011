// ServiceProxy and NftProgrammer logic with a recording applier instead of nft (no root needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpoint, endpointSlice, service, syntheticCluster } from '../../core/proxy/index.js';
import { NftProgrammer, NftSyncError } from './programmer.js';
import { ServiceProxy, TRIGGER_TIME_ANNOTATION } from './service-proxy.js';

const NODE = { name: 'node-0', ips: ['172.31.250.11'], clusterCIDR: '10.244.0.0/16' };

function recorder(failOn: (text: string, call: number) => boolean = () => false) {
  const calls: string[] = [];
  const apply = async (text: string) => {
    calls.push(text);
    if (failOn(text, calls.length)) throw new Error(`nft rejected call ${calls.length}`);
    return 1;
  };
  return { calls, apply };
}

test('nothing is programmed before the first update (informers not synced yet)', async () => {
  const rec = recorder();
  const proxy = new ServiceProxy({ node: NODE, programmer: new NftProgrammer({ apply: rec.apply }), minSyncPeriodMs: 0 });
  proxy.setNode({ ...NODE, ips: ['172.31.250.12'] });
  await proxy.flush();
  assert.equal(rec.calls.length, 0);
  await proxy.stop();
});

test('first sync replaces the table; later ones send only the change; no change sends nothing', async () => {
  const rec = recorder();
  const results: Array<{ full: boolean; lines: number }> = [];
  const proxy = new ServiceProxy({ node: NODE, programmer: new NftProgrammer({ apply: rec.apply }), minSyncPeriodMs: 0, onSync: (r) => results.push(r) });
  const c = syntheticCluster(50, 2);
  proxy.update(c.services, c.endpointSlices);
  await proxy.flush();
  proxy.update([...c.services, service('x', 'new', { clusterIP: '10.100.0.1', ports: [{ port: 80 }] })], c.endpointSlices);
  await proxy.flush();
  proxy.update([...c.services, service('x', 'new', { clusterIP: '10.100.0.1', ports: [{ port: 80 }] })], c.endpointSlices);
  await proxy.flush();
  assert.equal(rec.calls.length, 2);
  assert.match(rec.calls[0], /^add table ip podnet\ndelete table ip podnet/);
  assert.deepEqual(lines(rec.calls[1]).sort(), ['add element ip podnet cluster-ips { 10.100.0.1 }',
    'add element ip podnet no-endpoint-services { 10.100.0.1 . tcp . 80 comment "x/new" : goto reject-chain }']);
  assert.deepEqual(results.map((r) => r.full), [true, false, false]);
  await proxy.stop();
});

const lines = (t: string) => t.split('\n').filter(Boolean);

test('updates within minSyncPeriod are coalesced into one sync', async () => {
  const rec = recorder();
  const proxy = new ServiceProxy({ node: NODE, programmer: new NftProgrammer({ apply: rec.apply }), minSyncPeriodMs: 200 });
  const c = syntheticCluster(5, 1);
  proxy.update(c.services, c.endpointSlices);
  await proxy.flush();
  for (let i = 1; i <= 5; i++) proxy.update(c.services.slice(0, 5 - i), c.endpointSlices);
  await proxy.flush();
  assert.equal(rec.calls.length, 2, 'five updates after a sync: one more transaction');
  assert.ok(!rec.calls[1].includes('add element'), rec.calls[1]);
  await proxy.stop();
});

test('a rejected incremental transaction is followed by a full one; a failed full sync is retried', async () => {
  const rec = recorder((_text, call) => call === 2 || call === 3);
  const errors: Error[] = [];
  const proxy = new ServiceProxy({ node: NODE, programmer: new NftProgrammer({ apply: rec.apply }), minSyncPeriodMs: 0, retryDelayMs: 10, onError: (e) => errors.push(e) });
  const c = syntheticCluster(3, 1);
  proxy.update(c.services, c.endpointSlices);
  await proxy.flush();
  proxy.update(c.services.slice(0, 2), c.endpointSlices);
  // Call 2 (incremental) and 3 (its full fallback) fail: flush reports it, the proxy retries on its own.
  await assert.rejects(proxy.flush(), NftSyncError);
  assert.equal(errors.length, 1);
  while (rec.calls.length < 4) await new Promise((r) => setTimeout(r, 10));
  proxy.update(c.services.slice(0, 2), c.endpointSlices);
  await proxy.flush();
  assert.match(rec.calls[3], /^add table ip podnet\ndelete table/, 'retry replaces the whole table');
  assert.ok(proxy.lastSuccessfulSync);
  await proxy.stop();
});

test('NftProgrammer reports what it recovered from', async () => {
  const rec = recorder((_t, call) => call === 2);
  const p = new NftProgrammer({ apply: rec.apply });
  const c = syntheticCluster(3, 1);
  const { planServiceRules } = await import('../../core/proxy/index.js');
  await p.sync(planServiceRules({ services: c.services, endpointSlices: c.endpointSlices, node: NODE }));
  const r = await p.sync(planServiceRules({ services: c.services.slice(1), endpointSlices: c.endpointSlices, node: NODE }));
  assert.equal(r.full, true);
  assert.match(r.recoveredFrom!, /rejected call 2/);
});

test('network programming latency is reported for changed slices with a trigger time', async () => {
  const rec = recorder();
  const latencies: number[][] = [];
  const proxy = new ServiceProxy({ node: NODE, programmer: new NftProgrammer({ apply: rec.apply }), minSyncPeriodMs: 0,
    onSync: (r) => latencies.push(r.programmingLatencySeconds) });
  const s = service('d', 'a', { clusterIP: '10.96.0.9', ports: [{ port: 80 }] });
  const slice = (rv: string, when: string) => ({ ...endpointSlice('d', 'a', [{ port: 80 }], [endpoint('10.244.1.2', 'node-0')]),
    metadata: { namespace: 'd', name: 'a-1', resourceVersion: rv, labels: { 'kubernetes.io/service-name': 'a' }, annotations: { [TRIGGER_TIME_ANNOTATION]: when } } });
  const past = new Date(Date.now() - 2000).toISOString();
  proxy.update([s], [slice('1', past)]);
  await proxy.flush();
  proxy.update([s], [slice('1', past)]); // same resourceVersion: not a new change
  await proxy.flush();
  assert.equal(latencies.length, 2);
  assert.equal(latencies[0].length, 1);
  assert.ok(latencies[0][0] >= 2);
  assert.deepEqual(latencies[1], []);
  await proxy.stop();
});
