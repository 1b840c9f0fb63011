import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProxyHealth, healthzResponse, livezResponse } from './health.js';
import { ProxyMetrics, PROGRAMMING_BUCKETS, SYNC_BUCKETS } from './metrics.js';
import { nodeEligible, proxyNodeOf, sameProxyNode } from './node.js';

function clock(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => { t += ms; } };
}

test('healthy while starting and when nothing is queued; 503 once a queued change waits longer than the timeout', () => {
  const c = clock();
  const h = new ProxyHealth({ healthTimeoutMs: 60_000, now: c.now });
  assert.equal(healthzResponse(h, 'n1').status, 200);
  const seq = h.queued();
  c.advance(59_999);
  assert.equal(h.isHealthy(), true);
  c.advance(1);
  assert.equal(h.isHealthy(), false);
  const r = healthzResponse(h, 'n1');
  assert.equal(r.status, 503);
  const body = JSON.parse(r.body);
  assert.equal(body.nodeName, 'n1');
  assert.equal(body.nodeHealthy, false);
  assert.equal(body.lastUpdated, '');          // never programmed
  assert.equal(body.currentTime, new Date(c.now()).toISOString());
  h.updatedUpTo(seq);
  assert.equal(healthzResponse(h, 'n1').status, 200);
});

test('an update covers only the changes queued before it; the oldest remaining one decides', () => {
  const c = clock();
  const h = new ProxyHealth({ healthTimeoutMs: 1000, now: c.now });
  const first = h.queued();
  c.advance(500);
  h.queued();
  h.updatedUpTo(first);
  c.advance(900);                               // the second waits 900 ms: fine
  assert.equal(h.isHealthy(), true);
  c.advance(200);                               // 1100 ms
  assert.equal(h.isHealthy(), false);
  h.updatedUpTo(h.lastQueued);
  assert.equal(h.isHealthy(), true);
  // Healthy answers report lastUpdated = now, as kube-proxy does for compatibility.
  const body = JSON.parse(healthzResponse(h, 'n').body);
  assert.equal(body.lastUpdated, body.currentTime);
});

test('a Node being deleted or tainted ToBeDeletedByClusterAutoscaler fails /healthz but not /livez', () => {
  const h = new ProxyHealth();
  h.syncNode({ metadata: { name: 'n', deletionTimestamp: '2026-01-01T00:00:00Z' } });
  assert.equal(healthzResponse(h, 'n').status, 503);
  assert.equal(JSON.parse(healthzResponse(h, 'n').body).nodeEligible, false);
  assert.equal(livezResponse(h).status, 200);
  h.syncNode({ spec: { taints: [{ key: 'ToBeDeletedByClusterAutoscaler' }] } });
  assert.equal(healthzResponse(h, 'n').status, 503);
  h.syncNode({ spec: { taints: [{ key: 'node.kubernetes.io/unschedulable' }] } });
  assert.equal(healthzResponse(h, 'n').status, 200);
  assert.equal(nodeEligible(undefined), true);
});

test('proxyNodeOf: InternalIPs from the Node, else the configured address; IPv4 podCIDR', () => {
  const bare = proxyNodeOf('n1', '172.31.238.11', '10.244.0.0/16');
  assert.deepEqual(bare, { name: 'n1', ips: ['172.31.238.11'], podCIDR: undefined, clusterCIDR: '10.244.0.0/16' });
  const full = proxyNodeOf('n1', '172.31.238.11', '10.244.0.0/16', {
    spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24', 'fd00:1::/64'] },
    status: { addresses: [{ type: 'Hostname', address: 'n1' }, { type: 'InternalIP', address: '172.31.238.11' }, { type: 'InternalIP', address: 'fd00::11' }] },
  });
  assert.deepEqual(full, { name: 'n1', ips: ['172.31.238.11'], podCIDR: '10.244.1.0/24', clusterCIDR: '10.244.0.0/16' });
  assert.equal(sameProxyNode(bare, full), false);
  assert.equal(sameProxyNode(full, { ...full, ips: [...full.ips] }), true);
});

test('metrics: kube-proxy names and buckets, observed from a sync report', async () => {
  const m = new ProxyMetrics();
  m.observeSync({ full: false, nftMs: 3, lines: 4, planMs: 1, replanned: 1, services: 2, warnings: [], programmingLatencySeconds: [0.3, 1.5] }, 1_700_000_000_000);
  const text = await m.text();
  assert.match(text, /^# TYPE kubeproxy_sync_proxy_rules_duration_seconds histogram$/m);
  assert.match(text, /^kubeproxy_sync_proxy_rules_duration_seconds_bucket\{le="0\.002"\} 0$/m);
  assert.match(text, /^kubeproxy_sync_proxy_rules_duration_seconds_bucket\{le="0\.004"\} 1$/m);
  assert.match(text, /^kubeproxy_sync_partial_proxy_rules_duration_seconds_count 1$/m);
  assert.match(text, /^kubeproxy_sync_full_proxy_rules_duration_seconds_count 0$/m);
  assert.match(text, /^kubeproxy_sync_proxy_rules_last_timestamp_seconds 1700000000$/m);
  assert.match(text, /^kubeproxy_network_programming_duration_seconds_bucket\{le="0\.5"\} 1$/m);
  assert.match(text, /^kubeproxy_network_programming_duration_seconds_bucket\{le="2"\} 2$/m);
  assert.match(text, /^kubeproxy_network_programming_duration_seconds_count 2$/m);
  assert.equal(SYNC_BUCKETS.length, 15);
  assert.equal(SYNC_BUCKETS[14], 16.384);
  assert.deepEqual(PROGRAMMING_BUCKETS.slice(0, 5), [0, 0.25, 0.5, 1, 2]);
  assert.equal(PROGRAMMING_BUCKETS.at(-1), 300);
  assert.equal(PROGRAMMING_BUCKETS.length, 1 + 2 + 59 + 12 + 7);
});
