import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoadBalancerAllocator, LoadBalancerPool, defaultLoadBalancerPool, parseLoadBalancerPool } from './loadbalancer-pool.js';
import { chooseAnnouncingNode } from './loadbalancer-announcer.js';
import { numberToIPv4 } from '../../core/net/index.js';

const range = (r: { start: number; end: number }) => `${numberToIPv4(r.start)}-${numberToIPv4(r.end)}`;

test('the default pool is .200-.250 of a /24 underlay, the same share of other sizes', () => {
  assert.deepEqual(defaultLoadBalancerPool('172.31.250.0/24').map(range), ['172.31.250.200-172.31.250.250']);
  assert.deepEqual(defaultLoadBalancerPool('10.1.0.0/16').map(range), ['10.1.200.0-10.1.250.0']);
  assert.deepEqual(defaultLoadBalancerPool('10.1.0.0/28').map(range), ['10.1.0.12-10.1.0.14']);
  assert.throws(() => defaultLoadBalancerPool('10.1.0.0/31'), /too small for a default LoadBalancer pool: set loadBalancerPool/);
});

test('pools parse from ranges, CIDRs and single addresses, and say what is wrong', () => {
  assert.deepEqual(parseLoadBalancerPool('172.31.250.200-172.31.250.210, 172.31.250.224/30,172.31.250.240').map(range),
    ['172.31.250.200-172.31.250.210', '172.31.250.225-172.31.250.226', '172.31.250.240-172.31.250.240']);
  assert.deepEqual(parseLoadBalancerPool('192.0.2.7/32').map(range), ['192.0.2.7-192.0.2.7']);
  assert.throws(() => parseLoadBalancerPool(''), /is empty/);
  assert.throws(() => parseLoadBalancerPool('172.31.250.250-172.31.250.200'), /ends before it starts; write the lower address first/);
  assert.throws(() => parseLoadBalancerPool('172.31.250.300-172.31.250.310'), /"172.31.250.300" is not an IPv4 address/);
  assert.throws(() => parseLoadBalancerPool('fd00::/120'), /is not IPv4/);
  assert.throws(() => parseLoadBalancerPool('172.31.250.1/24'), /host bits are set/);
});

test('the cluster pool never hands out the host or node addresses; the allocator gives the lowest free address', () => {
  const pool = LoadBalancerPool.forCluster({
    underlayCIDR: '172.31.250.0/24', hostIP: '172.31.250.1', loadBalancerPool: '172.31.250.10-172.31.250.13',
    nodes: [{ name: 'node-1', ip: '172.31.250.11' }],
  });
  assert.deepEqual([...pool.addresses()], ['172.31.250.10', '172.31.250.12', '172.31.250.13']);
  assert.equal(pool.size, 3);
  assert.equal(pool.contains('172.31.250.11'), false);
  const a = new LoadBalancerAllocator(pool);
  assert.equal(a.allocateNext('default/a'), '172.31.250.10');
  assert.equal(a.allocateNext('default/a'), '172.31.250.10', 'an owner keeps its address');
  assert.equal(a.allocate('default/b', '172.31.250.13'), true);
  assert.equal(a.allocate('default/c', '172.31.250.13'), false, 'taken');
  assert.equal(a.allocate('default/c', '172.31.250.99'), false, 'outside');
  assert.equal(a.allocateNext('default/c'), '172.31.250.12');
  assert.equal(a.allocateNext('default/d'), undefined, 'full');
  assert.equal(a.release('default/a'), '172.31.250.10');
  assert.equal(a.allocateNext('default/d'), '172.31.250.10');
  assert.equal(a.used, 3);
});

test('announcing node: a Ready eligible node, sticky; with externalTrafficPolicy Local one that runs a ready endpoint', () => {
  const n = (name: string, ready = true, labels: Record<string, string> = {}) =>
    ({ metadata: { name, labels }, status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } });
  const nodes = [n('node-1'), n('node-2'), n('node-3', false), n('node-4', true, { 'node.kubernetes.io/exclude-from-external-load-balancers': '' })];
  const service = { spec: { type: 'LoadBalancer' } };
  const chosen = chooseAnnouncingNode({ service, ip: '172.31.250.200', nodes, slices: [] })!;
  assert.ok(['node-1', 'node-2'].includes(chosen));
  assert.equal(chooseAnnouncingNode({ service, ip: '172.31.250.200', nodes, slices: [] }), chosen, 'deterministic');
  assert.equal(chooseAnnouncingNode({ service, ip: '172.31.250.200', nodes, slices: [], current: 'node-2' }), 'node-2', 'sticky');
  assert.notEqual(chooseAnnouncingNode({ service, ip: '172.31.250.200', nodes, slices: [], current: 'node-3' }), 'node-3', 'not Ready');
  const local = { spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local' } };
  const slices = [{ endpoints: [
    { addresses: ['10.244.2.5'], nodeName: 'node-2', conditions: { ready: true } },
    { addresses: ['10.244.1.5'], nodeName: 'node-1', conditions: { ready: false } },
  ] }];
  assert.equal(chooseAnnouncingNode({ service: local, ip: '172.31.250.200', nodes, slices, current: 'node-1' }), 'node-2');
  assert.ok(chooseAnnouncingNode({ service: local, ip: '172.31.250.200', nodes, slices: [] }), 'no endpoints anywhere: any eligible node');
  assert.equal(chooseAnnouncingNode({ service, ip: '172.31.250.200', nodes: [n('node-3', false)], slices: [] }), undefined);
});
