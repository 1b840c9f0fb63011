import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalIP, contains, formatCIDR, formatIP, lastOf, networkOf, nextIP, parseCIDR, parseIP } from './ip.js';

test('IPv4 parses and formats like Go, rejecting leading zeros and out-of-range octets', () => {
  assert.equal(canonicalIP('10.99.0.2'), '10.99.0.2');
  assert.equal(parseIP('10.099.0.2'), null);
  assert.equal(parseIP('256.1.1.1'), null);
  assert.equal(parseIP('1.2.3'), null);
  assert.equal(formatIP(nextIP(parseIP('10.0.0.255')!)), '10.0.1.0');
});

test('IPv6 formats as RFC 5952 (Go net.IP.String)', () => {
  assert.equal(canonicalIP('fd00:99:0:0:0:0:0:2'), 'fd00:99::2');
  assert.equal(canonicalIP('FD00::1:0:0:2'), 'fd00::1:0:0:2');
  assert.equal(canonicalIP('2001:db8:0:1:1:1:1:1'), '2001:db8:0:1:1:1:1:1');
  assert.equal(canonicalIP('::'), '::');
  assert.equal(canonicalIP('::1'), '::1');
  assert.equal(canonicalIP('1:0:0:1:0:0:0:1'), '1:0:0:1::1');
  assert.equal(parseIP('1::2::3'), null);
  // IPv4-mapped addresses are IPv4, as Go's To4() makes them.
  assert.deepEqual(parseIP('::ffff:10.1.2.3'), parseIP('10.1.2.3'));
});

test('CIDR helpers: network, last address, containment', () => {
  const c = parseCIDR('10.99.0.5/24')!;
  assert.equal(formatCIDR(networkOf(c)), '10.99.0.0/24');
  assert.equal(formatIP(lastOf(c)), '10.99.0.255');
  assert.ok(contains(c, parseIP('10.99.0.200')!));
  assert.ok(!contains(c, parseIP('10.99.1.1')!));
  assert.ok(!contains(c, parseIP('fd00::1')!));
  assert.equal(formatIP(lastOf(parseCIDR('fd00:99::/64')!)), 'fd00:99::ffff:ffff:ffff:ffff');
  assert.equal(parseCIDR('10.0.0.0/33'), null);
  assert.equal(parseCIDR('10.0.0.0'), null);
});
