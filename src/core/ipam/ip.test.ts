import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CIDR, parseIP, formatIP, ipv4ToNumber, numberToIPv4, bigIntToIP, ipToBigInt, isIP, isCIDR } from './ip.js';

test('parses and formats IPv4 strictly, as Go net.ParseIP', () => {
  assert.deepEqual(parseIP('10.96.0.1'), { family: 4, value: 0x0a600001n });
  assert.equal(formatIP(parseIP('255.255.255.255')), '255.255.255.255');
  assert.equal(ipv4ToNumber('10.0.0.1'), 167772161);
  assert.equal(numberToIPv4(167772161), '10.0.0.1');
  assert.equal(numberToIPv4(ipv4ToNumber('192.168.255.254')), '192.168.255.254');
  for (const bad of ['10.1', '010.1.1.1', '256.1.1.1', '1.2.3.4.5', '', ' 1.2.3.4', '1.2.3.4/24', 'fe80::1%eth0']) {
    assert.equal(isIP(bad), false, bad);
  }
  assert.throws(() => parseIP('10.1'), /invalid IP address "10.1"/);
});

test('parses IPv6 and formats it RFC 5952', () => {
  const ip = parseIP('FD00:0:0::A');
  assert.equal(ip.family, 6);
  assert.equal(formatIP(ip), 'fd00::a');
  assert.equal(bigIntToIP(ipToBigInt('2001:db8::1') + 1n, 6), '2001:db8::2');
  assert.equal(formatIP(parseIP('::ffff:10.0.0.1')), '::ffff:a00:1');
});

test('CIDR: network, broadcast, nth, contains, size', () => {
  const c = CIDR.parse('10.96.0.0/12');
  assert.equal(c.toString(), '10.96.0.0/12');
  assert.equal(c.network, '10.96.0.0');
  assert.equal(c.broadcast, '10.111.255.255');
  assert.equal(c.mask, '255.240.0.0');
  assert.equal(c.size, 1n << 20n);
  assert.equal(c.nth(1), '10.96.0.1');
  assert.equal(c.nth(10), '10.96.0.10');
  assert.equal(c.nth(-1), '10.111.255.255');
  assert.throws(() => c.nth(1 << 20), RangeError);
  assert.equal(c.indexOf('10.96.1.0'), 256n);
  assert.equal(c.indexOf('10.112.0.0'), -1n);
  assert.ok(c.contains('10.111.0.1'));
  assert.ok(!c.contains('10.112.0.0'));
  assert.ok(!c.contains('fd00::1'));
  assert.ok(!c.contains('garbage'));
  // Host bits are masked off, as net.ParseCIDR does, unless strict.
  assert.equal(CIDR.parse('10.244.3.7/16').toString(), '10.244.0.0/16');
  assert.throws(() => CIDR.parse('10.244.3.7/16', { strict: true }), /host bits are set; did you mean 10.244.0.0\/16/);
  assert.throws(() => CIDR.parse('10.0.0.0/33'), /prefix length must be a number from 0 to 32/);
  assert.throws(() => CIDR.parse('10.0.0.0'), /expected an address and a prefix length/);
  assert.equal(isCIDR('0.0.0.0/0'), true);
  assert.equal(CIDR.parse('0.0.0.0/0').broadcast, '255.255.255.255');
});

test('CIDR overlaps, containsCIDR and subnet', () => {
  const a = CIDR.parse('10.244.0.0/16');
  assert.ok(a.overlaps(CIDR.parse('10.244.7.0/24')));
  assert.ok(a.overlaps(CIDR.parse('10.0.0.0/8')));
  assert.ok(!a.overlaps(CIDR.parse('10.245.0.0/16')));
  assert.ok(!a.overlaps(CIDR.parse('fd00::/8')));
  assert.ok(a.containsCIDR(CIDR.parse('10.244.255.0/24')));
  assert.ok(!a.containsCIDR(CIDR.parse('10.0.0.0/8')));
  assert.equal(a.subnet(24, 3).toString(), '10.244.3.0/24');
  assert.equal(a.subnet(24, 255).toString(), '10.244.255.0/24');
  assert.throws(() => a.subnet(24, 256), RangeError);
  const v6 = CIDR.parse('fd00:10:244::/56');
  assert.equal(v6.subnet(64, 1).toString(), 'fd00:10:244:1::/64');
  assert.equal(v6.nth(1), 'fd00:10:244::1');
});
