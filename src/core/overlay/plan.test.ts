import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planOverlay, podMTU, OverlayPlanError } from './plan.js';
import { overlayAnnotations, type OverlayMode, type OverlayNode } from './node.js';
import { node } from './fixtures.js';

const CLUSTER = '10.244.0.0/16';

test('vxlan: the VTEP, its /32 address, and per remote node ARP, FDB and an onlink route', () => {
  const nodes = [node(1), node(2), node(3)];
  const plan = planOverlay(nodes[0], nodes, 'vxlan', CLUSTER);
  assert.deepEqual(plan.state, {
    vxlan: { name: 'flannel.1', vni: 1, port: 8472, local: '172.31.240.3', dev: 'eth0', learning: false, mtu: 1450, address: '0a:00:00:00:00:01' },
    addresses: ['10.244.1.0/32'],
    neighbours: [
      { ip: '10.244.2.0', lladdr: '0a:00:00:00:00:02', dev: 'flannel.1' },
      { ip: '10.244.3.0', lladdr: '0a:00:00:00:00:03', dev: 'flannel.1' },
    ],
    fdb: [
      { mac: '0a:00:00:00:00:02', dst: '172.31.240.4', dev: 'flannel.1' },
      { mac: '0a:00:00:00:00:03', dst: '172.31.240.5', dev: 'flannel.1' },
    ],
    routes: [
      { dst: '10.244.2.0/24', via: '10.244.2.0', dev: 'flannel.1', onlink: true },
      { dst: '10.244.3.0/24', via: '10.244.3.0', dev: 'flannel.1', onlink: true },
    ],
    masquerade: { podCIDR: '10.244.1.0/24', clusterCIDR: CLUSTER },
  });
  assert.deepEqual(plan.skipped, []);
  assert.equal(plan.podMTU, 1450);
});

test('vxlan: a node that has not published its VTEP yet gets no MAC pinned, and is skipped by others', () => {
  const fresh = node(1, null);
  const plan = planOverlay(fresh, [fresh, node(2)], 'vxlan', CLUSTER, { publicIP: '172.31.240.3' });
  assert.equal(plan.state.vxlan?.address, undefined);
  assert.equal(plan.state.routes.length, 1);
  const other = planOverlay(node(2), [fresh, node(2)], 'vxlan', CLUSTER);
  assert.deepEqual(other.state.routes, []);
  assert.match(other.skipped[0].reason, /has not published flannel.alpha.coreos.com\/backend-type yet/);
});

test('host-gw: a route per remote podCIDR via the node IP on eth0, no VTEP, pod MTU of the uplink', () => {
  const nodes = [node(1, 'host-gw'), node(2, 'host-gw'), node(3, 'host-gw')];
  const plan = planOverlay(nodes[1], nodes, 'host-gw', CLUSTER, { uplinkMTU: 9000 });
  assert.equal(plan.state.vxlan, undefined);
  assert.deepEqual(plan.state.addresses, []);
  assert.deepEqual(plan.state.neighbours, []);
  assert.deepEqual(plan.state.fdb, []);
  assert.deepEqual(plan.state.routes, [
    { dst: '10.244.1.0/24', via: '172.31.240.3', dev: 'eth0', onlink: false },
    { dst: '10.244.3.0/24', via: '172.31.240.5', dev: 'eth0', onlink: false },
  ]);
  assert.equal(plan.podMTU, 9000);
});

test('host-gw: a remote node outside the uplink\'s subnets (behind a router) is skipped, saying to use vxlan', () => {
  const nodes = [node(1, 'host-gw'), node(2, 'host-gw'), node(3, 'host-gw')];
  const plan = planOverlay(nodes[0], nodes, 'host-gw', CLUSTER, { uplinkSubnets: ['172.31.240.4/32'] });
  assert.deepEqual(plan.state.routes, [{ dst: '10.244.2.0/24', via: '172.31.240.4', dev: 'eth0', onlink: false }]);
  assert.equal(plan.skipped.length, 1);
  assert.equal(plan.skipped[0].node, nodes[2].metadata!.name);
  assert.match(plan.skipped[0].reason, /host-gw needs it on this node's L2 segment \(172\.31\.240\.4\/32\), but its address 172\.31\.240\.5 is behind a router: .*--overlay vxlan/);
});

test('remote nodes that cannot be routed are skipped with the reason', () => {
  const self = node(1);
  const noCIDR = node(2, 'vxlan', { podCIDR: undefined });
  const outside = node(3, 'vxlan', { podCIDR: '10.99.3.0/24' });
  const dup = node(4, 'vxlan', { podCIDR: '10.244.1.0/24' });
  const hostgw = node(5, 'host-gw');
  const badData = node(6);
  badData.metadata!.annotations!['flannel.alpha.coreos.com/backend-data'] = '{"VNI":1}';
  const otherVni = node(7);
  otherVni.metadata!.annotations!['flannel.alpha.coreos.com/backend-data'] = '{"VNI":2,"VtepMAC":"0a:00:00:00:00:07"}';
  const plan = planOverlay(self, [self, noCIDR, outside, dup, hostgw, badData, otherVni, node(8)], 'vxlan', CLUSTER);
  assert.deepEqual(plan.state.routes.map((r) => r.dst), ['10.244.8.0/24']);
  assert.deepEqual(plan.skipped.map((s) => s.node), ['n2', 'n3', 'n4', 'n5', 'n6', 'n7']);
  assert.match(plan.skipped[0].reason, /no IPv4 spec.podCIDR/);
  assert.match(plan.skipped[1].reason, /outside the cluster CIDR 10.244.0.0\/16/);
  assert.match(plan.skipped[2].reason, /overlaps the podCIDR of node n1/);
  assert.match(plan.skipped[3].reason, /uses the host-gw backend and this node uses vxlan: every node of a cluster must use the same --overlay/);
  assert.match(plan.skipped[4].reason, /no valid VtepMAC/);
  assert.match(plan.skipped[5].reason, /VNI 2/);
});

test('self must have a podCIDR inside the cluster CIDR and an address; the mode must be known', () => {
  assert.throws(() => planOverlay(node(1, 'vxlan', { podCIDR: undefined }), [], 'vxlan', CLUSTER), OverlayPlanError);
  assert.throws(() => planOverlay(node(1, 'vxlan', { podCIDR: undefined }), [], 'vxlan', CLUSTER), /node n1 has no IPv4 spec.podCIDR yet/);
  assert.throws(() => planOverlay(node(1), [], 'vxlan', '10.99.0.0/16'), /outside the cluster CIDR 10.99.0.0\/16/);
  assert.throws(() => planOverlay({ metadata: { name: 'x' }, spec: { podCIDR: '10.244.9.0/24' } }, [], 'vxlan', CLUSTER), /no InternalIP/);
  assert.throws(() => planOverlay(node(1), [], 'ipip' as OverlayMode, CLUSTER), /unknown overlay mode "ipip"/);
  assert.throws(() => planOverlay(node(1), [], 'vxlan', '10.244.0.0'), /invalid cluster CIDR/);
});

test('the plan does not depend on the order nodes are listed in', () => {
  const nodes = Array.from({ length: 20 }, (_, i) => node(i + 1));
  const a = planOverlay(nodes[4], nodes, 'vxlan', CLUSTER);
  const b = planOverlay(nodes[4], [...nodes].reverse(), 'vxlan', CLUSTER);
  assert.deepEqual(a, b);
});

test('1,000 nodes: one route, ARP and FDB entry per remote node, none for self', () => {
  // 1,000 /24s do not fit a /16; use a /12 like large flannel clusters do.
  const nodes = Array.from({ length: 1000 }, (_, i) => {
    const n = node(i + 1);
    n.spec!.podCIDR = `10.${240 + Math.floor((i + 1) / 256)}.${(i + 1) % 256}.0/24`;
    return n;
  });
  const plan = planOverlay(nodes[499], nodes, 'vxlan', '10.240.0.0/12');
  assert.equal(plan.skipped.length, 0);
  assert.equal(plan.state.routes.length, 999);
  assert.equal(plan.state.neighbours.length, 999);
  assert.equal(plan.state.fdb.length, 999);
  assert.equal(new Set(plan.state.fdb.map((f) => f.mac)).size, 999);
  assert.ok(!plan.state.routes.some((r) => r.dst === nodes[499].spec!.podCIDR));
  const gw = planOverlay(nodes[0], nodes.map((n) => ({ ...n, metadata: { ...n.metadata, annotations: overlayAnnotations('host-gw', n.status!.addresses![0].address) } })), 'host-gw', '10.240.0.0/12');
  assert.equal(gw.state.routes.length, 999);
});

test('pod MTU: uplink-50 with vxlan, the uplink MTU with host-gw', () => {
  assert.equal(podMTU('vxlan'), 1450);
  assert.equal(podMTU('host-gw'), 1500);
  assert.equal(podMTU('vxlan', 9000), 8950);
});
