import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffOverlay, describeChanges, isNoop } from './diff.js';
import { planOverlay } from './plan.js';
import { emptyOverlayState, type OverlayState } from './state.js';
import { node } from './fixtures.js';

const CLUSTER = '10.244.0.0/16';

/** What the kernel holds once `desired` has been applied (the VTEP up, with the MAC it was given or one the kernel picked). */
function applied(desired: OverlayState, kernelMac = '0e:00:00:00:00:99'): OverlayState {
  const s = structuredClone(desired);
  if (s.vxlan) s.vxlan = { ...s.vxlan, address: s.vxlan.address ?? kernelMac, up: true };
  s.neighbours = s.neighbours.map((n) => ({ ...n, permanent: true }));
  return s;
}

test('from nothing: create the VTEP and add everything', () => {
  const nodes = [node(1), node(2), node(3)];
  const desired = planOverlay(nodes[0], nodes, 'vxlan', CLUSTER).state;
  const c = diffOverlay(desired, emptyOverlayState());
  assert.deepEqual(c.link, { create: desired.vxlan });
  assert.deepEqual(c.addresses, { add: ['10.244.1.0/32'], del: [], dev: 'flannel.1' });
  assert.equal(c.neighbours.replace.length, 2);
  assert.equal(c.fdb.replace.length, 2);
  assert.equal(c.routes.replace.length, 2);
  assert.deepEqual(c.masquerade, { write: { podCIDR: '10.244.1.0/24', clusterCIDR: CLUSTER } });
  assert.equal(describeChanges(c), 'create flannel.1, +1 address, +2 neighbours, +2 FDB entries, +2 routes, write masquerade table');
});

test('applied state diffs to nothing: a resync changes nothing', () => {
  const nodes = [node(1), node(2), node(3)];
  const desired = planOverlay(nodes[0], nodes, 'vxlan', CLUSTER).state;
  const c = diffOverlay(desired, applied(desired));
  assert.ok(isNoop(c), describeChanges(c));
  assert.equal(describeChanges(c), 'nothing to change');
});

test('a node joins and another leaves: only their entries change', () => {
  const before = planOverlay(node(1), [node(1), node(2), node(3)], 'vxlan', CLUSTER).state;
  const after = planOverlay(node(1), [node(1), node(3), node(4)], 'vxlan', CLUSTER).state;
  const c = diffOverlay(after, applied(before));
  assert.deepEqual(c.link, {});
  assert.deepEqual(c.neighbours.replace.map((n) => n.ip), ['10.244.4.0']);
  assert.deepEqual(c.neighbours.del.map((n) => n.ip), ['10.244.2.0']);
  assert.deepEqual(c.fdb.replace.map((f) => f.dst), ['172.31.240.6']);
  assert.deepEqual(c.fdb.del.map((f) => f.dst), ['172.31.240.4']);
  assert.deepEqual(c.routes.replace.map((r) => r.dst), ['10.244.4.0/24']);
  assert.deepEqual(c.routes.del.map((r) => r.dst), ['10.244.2.0/24']);
  assert.equal(c.masquerade, undefined);
});

test('a remote VTEP MAC changes (its device was recreated): its ARP and FDB entries are rewritten, the route kept', () => {
  const n2 = node(2);
  const before = planOverlay(node(1), [node(1), n2], 'vxlan', CLUSTER).state;
  n2.metadata!.annotations!['flannel.alpha.coreos.com/backend-data'] = '{"VNI":1,"VtepMAC":"0a:00:00:00:aa:02"}';
  const after = planOverlay(node(1), [node(1), n2], 'vxlan', CLUSTER).state;
  const c = diffOverlay(after, applied(before));
  assert.deepEqual(c.neighbours.replace, [{ ip: '10.244.2.0', lladdr: '0a:00:00:00:aa:02', dev: 'flannel.1' }]);
  assert.deepEqual(c.neighbours.del, []);
  assert.deepEqual(c.fdb.del, [{ mac: '0a:00:00:00:00:02', dst: '172.31.240.4', dev: 'flannel.1' }]);
  assert.deepEqual(c.fdb.replace, [{ mac: '0a:00:00:00:aa:02', dst: '172.31.240.4', dev: 'flannel.1' }]);
  assert.deepEqual(c.routes, { replace: [], del: [] });
});

test('a VTEP with the wrong local address is recreated, and everything on it re-added', () => {
  const nodes = [node(1), node(2)];
  const desired = planOverlay(nodes[0], nodes, 'vxlan', CLUSTER).state;
  const current = applied(desired);
  current.vxlan!.local = '172.31.240.99';
  const c = diffOverlay(desired, current);
  assert.equal(c.link.delete, 'flannel.1');
  assert.deepEqual(c.link.create, desired.vxlan);
  assert.deepEqual(c.addresses.add, ['10.244.1.0/32']);
  assert.equal(c.neighbours.replace.length, 1);
  assert.equal(c.fdb.replace.length, 1);
  assert.equal(c.routes.replace.length, 1);
  assert.deepEqual([c.neighbours.del, c.fdb.del, c.routes.del], [[], [], []]);
});

test('MTU, MAC and down state of an existing VTEP are fixed in place', () => {
  const nodes = [node(1), node(2)];
  const desired = planOverlay(nodes[0], nodes, 'vxlan', CLUSTER).state;
  const current = applied(desired);
  Object.assign(current.vxlan!, { mtu: 1500, address: '0e:11:11:11:11:11', up: false });
  current.addresses.push('10.244.77.0/32');
  current.neighbours[0].permanent = false;
  const c = diffOverlay(desired, current);
  assert.deepEqual(c.link, { setMtu: 1450, setAddress: '0a:00:00:00:00:01', setUp: true });
  assert.deepEqual(c.addresses, { add: [], del: ['10.244.77.0/32'], dev: 'flannel.1' });
  assert.equal(c.neighbours.replace.length, 1);
});

test('no published MAC yet: the kernel-chosen MAC is kept', () => {
  const self = node(1, null);
  const desired = planOverlay(self, [self, node(2)], 'vxlan', CLUSTER, { publicIP: '172.31.240.3' }).state;
  assert.ok(isNoop(diffOverlay(desired, applied(desired, '0e:de:ad:be:ef:00'))));
});

test('vxlan to host-gw: the VTEP goes (taking its entries), host-gw routes replace the tunnel routes', () => {
  const vx = planOverlay(node(1), [node(1), node(2)], 'vxlan', CLUSTER).state;
  const gw = planOverlay(node(1, 'host-gw'), [node(1, 'host-gw'), node(2, 'host-gw')], 'host-gw', CLUSTER).state;
  const c = diffOverlay(gw, applied(vx));
  assert.deepEqual(c.link, { delete: 'flannel.1' });
  assert.deepEqual(c.addresses, { add: [], del: [] });
  assert.deepEqual([c.neighbours, c.fdb], [{ replace: [], del: [] }, { replace: [], del: [] }]);
  assert.deepEqual(c.routes, { replace: [{ dst: '10.244.2.0/24', via: '172.31.240.4', dev: 'eth0', onlink: false }], del: [] });
});

test('host-gw route with a stale gateway is replaced; a stray route in the cluster CIDR removed', () => {
  const nodes = [node(1, 'host-gw'), node(2, 'host-gw')];
  const desired = planOverlay(nodes[0], nodes, 'host-gw', CLUSTER).state;
  const current = applied(desired);
  current.routes[0].via = '172.31.240.200';
  current.routes.push({ dst: '10.244.9.0/24', via: '172.31.240.9', dev: 'eth0', onlink: false });
  const c = diffOverlay(desired, current);
  assert.deepEqual(c.routes.replace, desired.routes);
  assert.deepEqual(c.routes.del.map((r) => r.dst), ['10.244.9.0/24']);
});

test('masquerade: rewritten when unrecognised or for another podCIDR, removed when not wanted', () => {
  const desired = planOverlay(node(1), [node(1)], 'vxlan', CLUSTER).state;
  assert.deepEqual(diffOverlay(desired, { ...applied(desired), masquerade: 'unrecognised' }).masquerade, { write: desired.masquerade });
  assert.deepEqual(diffOverlay(desired, { ...applied(desired), masquerade: { podCIDR: '10.244.7.0/24', clusterCIDR: CLUSTER } }).masquerade, { write: desired.masquerade });
  assert.deepEqual(diffOverlay(emptyOverlayState(), { ...emptyOverlayState(), masquerade: 'unrecognised' }).masquerade, { remove: true });
});

test('1,000 nodes: the diff after one node leaves touches exactly that node', () => {
  const nodes = Array.from({ length: 1000 }, (_, i) => {
    const n = node(i + 1);
    n.spec!.podCIDR = `10.${240 + Math.floor((i + 1) / 256)}.${(i + 1) % 256}.0/24`;
    return n;
  });
  const before = planOverlay(nodes[0], nodes, 'vxlan', '10.240.0.0/12').state;
  const after = planOverlay(nodes[0], nodes.filter((_, i) => i !== 700), 'vxlan', '10.240.0.0/12').state;
  const c = diffOverlay(after, applied(before));
  assert.equal(describeChanges(c), '-1 neighbour, -1 FDB entry, -1 route');
  assert.equal(c.routes.del[0].dst, nodes[700].spec!.podCIDR);
  assert.ok(isNoop(diffOverlay(after, applied(after))));
});
