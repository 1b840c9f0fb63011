import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planCluster, apiServiceIP, type HostRoute } from './plan.js';

// This machine kind's routes: a default route, the host's /24, and the local table.
const host: HostRoute[] = [
  { dst: 'default', gateway: '192.0.2.1', dev: 'eth0' },
  { dst: '192.0.2.0/24', dev: 'eth0' },
  { type: 'local', dst: '127.0.0.0/8', dev: 'lo', table: 'local' },
  { type: 'local', dst: '192.0.2.2', dev: 'eth0', table: 'local' },
  { type: 'broadcast', dst: '192.0.2.255', dev: 'eth0', table: 'local' },
  { dst: 'fe80::/64', dev: 'eth0' },
];

test('defaults: podnet, 3 nodes, 172.31.250.0/24, host .1, nodes .11-.13, podnet0', () => {
  const c = planCluster({ stateRoot: '/tmp/root' }, host);
  assert.equal(c.name, 'podnet');
  assert.equal(c.underlayCIDR, '172.31.250.0/24');
  assert.equal(c.hostIP, '172.31.250.1');
  assert.equal(c.bridge, 'podnet0');
  assert.deepEqual(c.nodes, [
    { name: 'podnet-node-1', ip: '172.31.250.11' },
    { name: 'podnet-node-2', ip: '172.31.250.12' },
    { name: 'podnet-node-3', ip: '172.31.250.13' },
  ]);
  assert.equal(c.clusterCIDR, '10.244.0.0/16');
  assert.equal(c.serviceCIDR, '10.96.0.0/12');
  assert.equal(c.dnsServiceIP, '10.96.0.10');
  assert.equal(apiServiceIP(c), '10.96.0.1');
  assert.equal(c.nodePortRange, '30000-32767');
  assert.equal(c.overlay, 'vxlan');
  assert.equal(c.apiServerPort, 6443);
  assert.equal(c.stateDir, '/tmp/root/podnet');
  assert.equal(c.paths.caCert, '/tmp/root/podnet/pki/ca.crt');
  assert.equal(c.paths.logs, '/tmp/root/podnet/logs');
  assert.equal(c.paths.kubeconfig, '/tmp/root/podnet/kubeconfig');
});

test('the default underlay moves to the next free /24 when a host route (e.g. another cluster) has it', () => {
  const busy = [...host, { dst: '172.31.250.0/24', dev: 'podnet0' }, { dst: '172.31.251.0/25', dev: 'pn-other' }];
  const c = planCluster({ name: 'two', nodes: 1 }, busy);
  assert.equal(c.underlayCIDR, '172.31.252.0/24');
  assert.equal(c.hostIP, '172.31.252.1');
  assert.equal(c.bridge, 'pn-two');
  assert.deepEqual(c.nodes, [{ name: 'two-node-1', ip: '172.31.252.11' }]);
});

test('the search wraps around 172.16.0.0/12 and refuses when nothing is free', () => {
  const c = planCluster({}, [{ dst: '172.31.250.0/23', dev: 'x' }, { dst: '172.31.252.0/22', dev: 'y' }]);
  assert.equal(c.underlayCIDR, '172.16.0.0/24');
  assert.throws(() => planCluster({}, [{ dst: '172.16.0.0/12', dev: 'z' }]), /no free \/24 for the underlay in 172.16.0.0\/12.*--underlay-cidr/);
});

test('a given underlay that overlaps a host route is refused with the route and the flag', () => {
  assert.throws(
    () => planCluster({ underlayCIDR: '192.0.2.0/25' }, host),
    /--underlay-cidr 192.0.2.0\/25 overlaps the host route "192.0.2.0\/24 dev eth0".*pass it with --underlay-cidr/,
  );
  assert.throws(
    () => planCluster({ underlayCIDR: '127.1.0.0/24' }, host),
    /overlaps the host route "local 127.0.0.0\/8 dev lo table local"/,
  );
});

test('the default route does not count as an overlap', () => {
  const c = planCluster({ underlayCIDR: '10.10.0.0/24' }, host);
  assert.equal(c.hostIP, '10.10.0.1');
});

test('cluster and service ranges that overlap a host route are refused, given or default', () => {
  assert.throws(() => planCluster({ clusterCIDR: '192.0.0.0/16' }, host), /--cluster-cidr 192.0.0.0\/16 overlaps the host route "192.0.2.0\/24 dev eth0".*--cluster-cidr/);
  assert.throws(() => planCluster({ serviceCIDR: '192.0.2.0/28' }, host), /--service-cidr 192.0.2.0\/28 overlaps the host route.*--service-cidr/);
});

test('default cluster and service ranges that overlap a host route give a warning, not a refusal', () => {
  const warnings: string[] = [];
  const c = planCluster({}, [{ dst: '10.100.0.0/16', dev: 'tun0' }, { dst: '10.244.7.0/24', dev: 'br9' }], warnings);
  assert.equal(c.serviceCIDR, '10.96.0.0/12');
  assert.equal(warnings.length, 2);
  assert.match(warnings[0], /the default cluster CIDR 10.244.0.0\/16 overlaps the host route "10.244.7.0\/24 dev br9": pods cannot reach that network; pass another range with --cluster-cidr/);
  assert.match(warnings[1], /the default service CIDR 10.96.0.0\/12 overlaps the host route "10.100.0.0\/16 dev tun0".*--service-cidr/);
});

test('ranges that overlap each other are refused', () => {
  assert.throws(() => planCluster({ clusterCIDR: '10.96.0.0/16' }, host), /the cluster CIDR 10.96.0.0\/16 and the service CIDR 10.96.0.0\/12 overlap.*--cluster-cidr or --service-cidr/);
  assert.throws(() => planCluster({ underlayCIDR: '10.244.5.0/24' }, host), /the underlay CIDR 10.244.5.0\/24 and the cluster CIDR 10.244.0.0\/16 overlap/);
  assert.throws(() => planCluster({ underlayCIDR: '10.97.0.0/24' }, host), /underlay CIDR 10.97.0.0\/24 and the service CIDR 10.96.0.0\/12 overlap/);
});

test('the default underlay search skips a given cluster range that would collide', () => {
  const c = planCluster({ clusterCIDR: '172.31.0.0/16', serviceCIDR: '172.30.0.0/16' }, host);
  assert.equal(c.underlayCIDR, '172.16.0.0/24');
});

test('sizes, counts, bad input', () => {
  assert.throws(() => planCluster({ underlayCIDR: '10.10.0.0/28', nodes: 5 }, host), /has room for 4 nodes.*--underlay-cidr/);
  planCluster({ underlayCIDR: '10.10.0.0/28', nodes: 4 }, host);
  assert.throws(() => planCluster({ clusterCIDR: '10.244.0.0/25' }, host), /too small for 3 nodes/);
  assert.throws(() => planCluster({ clusterCIDR: '10.244.0.0/23' }, host), /too small for 3 nodes with a \/24 podCIDR each/);
  assert.throws(() => planCluster({ serviceCIDR: '10.0.0.0/8' }, host), /between a \/12 and a \/28/);
  assert.throws(() => planCluster({ nodes: 0 }, host), /--nodes with a whole number from 1 to 99/);
  assert.throws(() => planCluster({ nodes: 100 }, host), /from 1 to 99/);
  assert.throws(() => planCluster({ nodePortRange: '32767-30000' }, host), /invalid NodePort range.*--service-node-port-range/);
  assert.throws(() => planCluster({ overlay: 'ipip' as never }, host), /--overlay vxlan or --overlay host-gw/);
  assert.throws(() => planCluster({ clusterCIDR: '10.244.1.0/16' }, host), /host bits are set; the range is 10.244.0.0\/16/);
  assert.throws(() => planCluster({ clusterCIDR: '010.244.0.0/16' }, host), /invalid cluster CIDR \(--cluster-cidr\) "010\.244\.0\.0\/16".*without leading zeros \(10\.244\.0\.0\)/);
  assert.throws(() => planCluster({ underlayCIDR: 'fd00::/64' }, host), /expected an IPv4 range/);
  assert.throws(() => planCluster({ name: 'Bad_Name' }, host), /invalid cluster name/);
});

test('a custom service range moves kube-dns with it', () => {
  const c = planCluster({ serviceCIDR: '10.200.0.0/16', overlay: 'host-gw', nodePortRange: '31000-31100' }, host);
  assert.equal(c.dnsServiceIP, '10.200.0.10');
  assert.equal(apiServiceIP(c), '10.200.0.1');
  assert.equal(c.overlay, 'host-gw');
  assert.equal(c.nodePortRange, '31000-31100');
});

test('the NodePort range is read as the API server reads it: A-B, A+N and A', () => {
  assert.equal(planCluster({ nodePortRange: '30000+100' }, []).nodePortRange, '30000+100');
  assert.equal(planCluster({ nodePortRange: '31000' }, []).nodePortRange, '31000');
  assert.throws(() => planCluster({ nodePortRange: '30000-70000' }, []), /invalid NodePort range.*65535.*--service-node-port-range/);
});
