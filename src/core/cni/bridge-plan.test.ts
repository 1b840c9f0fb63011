import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBridgeConfig } from './bridge-config.js';
import { type BridgeState, calcGateways, hostLines, hostVethName, isBatchSafePath, planBridgeAddresses, podConfigLines, vethCreateLine } from './bridge-plan.js';
import { formatIPPrefix, parseIPPrefix } from '../net/index.js';
import type { Result } from './result.js';

const cfg = (o: object = {}) => loadBridgeConfig({ cniVersion: '1.0.0', name: 'n', type: 'podnet-bridge', ipam: { type: 'host-local' }, ...o }, new Map());

test('host veth names: veth + 8 hex, stable per attachment, salted on retry', () => {
  const a = hostVethName('c1', 'eth0');
  assert.match(a, /^veth[0-9a-f]{8}$/);
  assert.equal(a, hostVethName('c1', 'eth0'));
  assert.notEqual(a, hostVethName('c1', 'eth1'));
  assert.notEqual(a, hostVethName('c1', 'eth0', 1));
});

test('calcGateways: interface 2, gateway .1 when isGateway, default route unless IPAM gave one with a gateway', () => {
  const r: Result = { cniVersion: '1.0.0', ips: [{ address: '10.99.0.2/24' }, { address: 'fd00::2/64' }], routes: [{ dst: '::/0', gw: 'fd00::9' }] };
  const gws = calcGateways(r, cfg({ isDefaultGateway: true }));
  assert.deepEqual(r.ips, [{ address: '10.99.0.2/24', interface: 2, gateway: '10.99.0.1' }, { address: 'fd00::2/64', interface: 2, gateway: 'fd00::1' }]);
  assert.deepEqual(r.routes, [{ dst: '::/0', gw: 'fd00::9' }, { dst: '0.0.0.0/0', gw: '10.99.0.1' }]);
  assert.deepEqual(gws.v4.map(formatIPPrefix), ['10.99.0.1/24']);
  const plain: Result = { cniVersion: '1.0.0', ips: [{ address: '10.99.0.2/24' }] };
  assert.deepEqual(calcGateways(plain, cfg()), { v4: [], v6: [] });
  assert.equal(plain.ips![0].gateway, undefined);
});

test('bridge addresses: keep the same one, refuse another IPv4 one unless forceAddress', () => {
  const state = (a: string[]): BridgeState => ({ isBridge: true, mac: 'aa:aa:aa:aa:aa:aa', promisc: false, mtu: 1500, addrs: a.map((s) => parseIPPrefix(s)!) });
  const gws = { v4: [parseIPPrefix('10.99.0.1/24')!], v6: [] };
  assert.deepEqual(planBridgeAddresses('cni0', state(['10.99.0.1/24', 'fe80::1/64']), gws, false), { add: [], del: [] });
  assert.throws(() => planBridgeAddresses('cni0', state(['10.50.0.1/24']), gws, false), /"cni0" already has an IP address different from 10.99.0.1\/24/);
  const forced = planBridgeAddresses('cni0', state(['10.50.0.1/24']), gws, true);
  assert.deepEqual(forced.del.map(formatIPPrefix), ['10.50.0.1/24']);
  assert.deepEqual(forced.add.map(formatIPPrefix), ['10.99.0.1/24']);
});

test('pod lines: veth pair with MTU and MAC, addresses with broadcast, routes via the first gateway', () => {
  assert.equal(vethCreateLine('eth0', 'vethabcdef01', '/run/netns/p1', 1450, '02:00:00:00:00:01').argv.join(' '),
    'link add name vethabcdef01 mtu 1450 txqueuelen 0 type veth peer name eth0 address 02:00:00:00:00:01 mtu 1450 txqueuelen 0 netns /run/netns/p1');
  assert.ok(isBatchSafePath('/proc/1234/ns/net'));
  assert.ok(!isBatchSafePath('/run/netns/a b'));
  const lines = podConfigLines('eth0', [{ address: '10.99.0.2/24', gateway: '10.99.0.1' }], [{ dst: '0.0.0.0/0' }, { dst: '10.96.0.0/12', gw: '10.99.0.254' }]);
  assert.deepEqual(lines.map((l) => l.argv.join(' ')), [
    'addr add 10.99.0.2/24 brd + dev eth0', 'link set dev eth0 up',
    'route add 0.0.0.0/0 via 10.99.0.1 dev eth0', 'route add 10.96.0.0/12 via 10.99.0.254 dev eth0', 'link show dev eth0',
  ]);
  assert.ok(lines[2].tolerateExists);
});

test('host lines: a new bridge carrying the gateway gets a pinned MAC; hairpin follows the config', () => {
  const c = cfg({ bridge: 'cni0', isGateway: true, hairpinMode: true, mtu: 1450 });
  const plan = { add: [parseIPPrefix('10.99.0.1/24')!], del: [] };
  assert.deepEqual(hostLines(c, null, 'veth1', plan, '02:11:22:33:44:55').map((l) => l.argv.join(' ')), [
    'link add name cni0 address 02:11:22:33:44:55 mtu 1450 type bridge', 'link set dev cni0 up', 'link set dev veth1 master cni0',
    'link set dev veth1 type bridge_slave hairpin on', 'link set dev veth1 up', 'addr add 10.99.0.1/24 brd + dev cni0',
    'link show dev veth1', 'link show dev cni0',
  ]);
});

test('configuration: defaults, MAC precedence, refused combinations', () => {
  const d = cfg();
  assert.equal(d.bridge, 'cni0');
  assert.equal(d.isGateway, false);
  assert.equal(cfg({ isDefaultGateway: true }).isGateway, true);
  const mac = loadBridgeConfig({ name: 'n', args: { cni: { mac: '02:00:00:00:00:02' } }, runtimeConfig: { mac: '02:00:00:00:00:03' } }, new Map([['MAC', '02:00:00:00:00:01']]));
  assert.equal(mac.mac, '02:00:00:00:00:03');
  assert.throws(() => cfg({ mtu: 'x' }), /cannot unmarshal string into Go struct field NetConf.mtu of type int/);
  assert.throws(() => cfg({ vlan: 5 }), /unsupported field/);
  assert.throws(() => cfg({ bridge: 'a-very-long-bridge-name' }), /invalid bridge name/);
});
