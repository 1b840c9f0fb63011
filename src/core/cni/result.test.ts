import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatResult, parseResult } from './result.js';

const current = {
  cniVersion: '1.1.0',
  interfaces: [{ name: 'cni0', mac: 'aa:bb:cc:dd:ee:ff', mtu: 1500 }, { name: 'eth0', mac: '02:00:00:00:00:01', sandbox: '/run/netns/p' }],
  ips: [{ interface: 1, address: '10.99.0.2/24', gateway: '10.99.0.1' }, { interface: 1, address: 'fd00::2/64' }],
  routes: [{ dst: '0.0.0.0/0', gw: '10.99.0.1', priority: 10 }, { dst: '::/0' }],
  dns: { nameservers: ['10.96.0.10'] },
};

test('1.1.0 keeps the new fields, 1.0.0 drops them', () => {
  const r = parseResult(current);
  assert.deepEqual(formatResult(r, '1.1.0'), current);
  const v10 = formatResult(r, '1.0.0') as { interfaces: object[]; routes: object[] };
  assert.deepEqual(v10.interfaces[0], { name: 'cni0', mac: 'aa:bb:cc:dd:ee:ff' });
  assert.deepEqual(v10.routes[0], { dst: '0.0.0.0/0', gw: '10.99.0.1' });
});

test('0.3.x/0.4.0 results carry ips[].version first, as the reference prints them', () => {
  const o = formatResult(parseResult(current), '0.4.0') as { ips: object[] };
  assert.deepEqual(Object.keys(o.ips[0]), ['version', 'interface', 'address', 'gateway']);
  assert.equal((o.ips[1] as { version: string }).version, '6');
  // And a 0.4.0 result parses back (version dropped).
  assert.deepEqual(parseResult(o).ips, current.ips);
});

test('0.2.0 results have ip4/ip6 with their routes; no address is the reference error', () => {
  const o = formatResult(parseResult(current), '0.2.0');
  assert.deepEqual(o, {
    cniVersion: '0.2.0',
    ip4: { ip: '10.99.0.2/24', gateway: '10.99.0.1', routes: [{ dst: '0.0.0.0/0', gw: '10.99.0.1' }] },
    ip6: { ip: 'fd00::2/64', routes: [{ dst: '::/0' }] },
    dns: { nameservers: ['10.96.0.10'] },
  });
  assert.deepEqual(parseResult(o).ips?.map((i) => i.address), ['10.99.0.2/24', 'fd00::2/64']);
  assert.throws(() => formatResult({ cniVersion: '1.0.0', interfaces: [{ name: 'x' }] }, '0.2.0'), /cannot convert: no valid IP addresses/);
});

test('dns is always printed (an empty object when unset), like Go prints the struct', () => {
  assert.deepEqual(formatResult({ cniVersion: '1.0.0' }, '1.0.0'), { cniVersion: '1.0.0', dns: {} });
});
