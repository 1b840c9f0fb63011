import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocationOrder, canonicalizeRangeSet, loadHostLocalConfig, rangeSetString } from './host-local-config.js';
import { formatIP, parseIP } from '../net/index.js';

const conf = (ipam: object, extra: object = {}) => ({ cniVersion: '1.0.0', name: 'net1', ipam: { type: 'host-local', ...ipam }, ...extra });
const msg = (f: () => unknown) => { try { f(); } catch (e) { return (e as Error).message; } return 'no error'; };

test('defaults: start .1 (the gateway, skipped), end before the IPv4 broadcast', () => {
  const [set] = loadHostLocalConfig(conf({ ranges: [[{ subnet: '10.99.0.0/24' }]] }), new Map()).ranges;
  assert.equal(rangeSetString(set), '10.99.0.1-10.99.0.254');
  assert.equal(formatIP(set[0].gateway), '10.99.0.1');
  const [v6] = loadHostLocalConfig(conf({ ranges: [[{ subnet: 'fd00:99::/120' }]] }), new Map()).ranges;
  assert.equal(rangeSetString(v6), 'fd00:99::1-fd00:99::ff');
});

test('the reference messages for bad ranges', () => {
  assert.equal(msg(() => loadHostLocalConfig(conf({ ranges: [[{ subnet: '10.99.0.5/24' }]] }), new Map())),
    'invalid range set 0: Network has host bits set. For a subnet mask of length 24 the network address is 10.99.0.0');
  assert.equal(msg(() => loadHostLocalConfig(conf({ ranges: [[{ subnet: '10.99.0.0/31' }]] }), new Map())),
    'invalid range set 0: Network 10.99.0.0/31 too small to allocate from');
  assert.equal(msg(() => loadHostLocalConfig(conf({ ranges: [[{ subnet: '10.99.0.0/24', rangeStart: '10.98.0.1' }]] }), new Map())),
    'invalid range set 0: RangeStart 10.98.0.1 not in network 10.99.0.0/24');
  assert.equal(msg(() => loadHostLocalConfig(conf({ ranges: [[{ subnet: '10.99.0.0' }]] }), new Map())), 'invalid CIDR address: 10.99.0.0');
  assert.equal(msg(() => loadHostLocalConfig(conf({ ranges: [[{ subnet: '10.99.0.0/24' }], [{ subnet: '10.99.0.0/25' }]] }), new Map())),
    'range set 0 overlaps with 1');
  assert.equal(msg(() => loadHostLocalConfig(conf({}), new Map())), 'no IP ranges specified');
  assert.equal(msg(() => loadHostLocalConfig({ name: 'n' }, new Map())), "IPAM config missing 'ipam' key");
  assert.equal(msg(() => canonicalizeRangeSet([{ subnet: '10.0.0.0/24' }, { subnet: 'fd00::/64' }])), 'mixed address families');
});

test('legacy top-level subnet and runtimeConfig.ipRanges are prepended; requested IPs are collected', () => {
  const c = loadHostLocalConfig(conf({ subnet: '10.1.0.0/24', ranges: [[{ subnet: '10.2.0.0/24' }]] },
    { runtimeConfig: { ipRanges: [[{ subnet: '10.3.0.0/24' }]], ips: ['10.3.0.9/24'] }, args: { cni: { ips: ['10.1.0.7'] } } }),
  new Map([['IP', '10.2.0.5']]));
  assert.deepEqual(c.ranges.map((s) => rangeSetString(s)), ['10.3.0.1-10.3.0.254', '10.1.0.1-10.1.0.254', '10.2.0.1-10.2.0.254']);
  assert.deepEqual(c.requestedIPs.map(formatIP), ['10.2.0.5', '10.1.0.7', '10.3.0.9']);
});

test('allocation order: round robin after last_reserved_ip, across ranges, skipping the gateway, ending at the start', () => {
  const set = canonicalizeRangeSet([{ subnet: '10.0.0.0/29' }, { subnet: '10.0.1.0/30' }]);
  const all = [...allocationOrder(set, null)].map((c) => formatIP(c.ip));
  assert.deepEqual(all, ['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6', '10.0.1.2']);
  const after = [...allocationOrder(set, parseIP('10.0.0.5'))].map((c) => formatIP(c.ip));
  assert.deepEqual(after, ['10.0.0.6', '10.0.1.2', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5']);
  // A last reservation outside the set restarts at rangeStart.
  assert.equal(formatIP([...allocationOrder(set, parseIP('192.168.0.1'))][0].ip), '10.0.0.2');
});

test('addresses with leading zeros are refused in the network configuration, never read as other addresses', () => {
  assert.match(msg(() => loadHostLocalConfig(conf({ ranges: [[{ subnet: '010.99.0.0/24' }]] }), new Map())), /invalid CIDR address: 010\.99\.0\.0\/24/);
  assert.match(msg(() => loadHostLocalConfig(conf({ ranges: [[{ subnet: '10.99.0.0/24', gateway: '10.99.0.01' }]] }), new Map())), /not an IP address/);
  assert.match(msg(() => loadHostLocalConfig(conf({ ranges: [[{ subnet: '10.99.0.0/24' }]] }), new Map([['IP', '10.99.0.010']]))), /cannot understand ip: IP 10\.99\.0\.010/);
});
