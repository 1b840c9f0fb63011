import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCIDR, cidrContains, isIPv4, parseIPv4 } from './cidr.js';

test('parseIPv4 accepts dotted quads only', () => {
  assert.equal(parseIPv4('10.244.1.5'), 0x0af40105);
  assert.equal(parseIPv4('255.255.255.255'), 2 ** 32 - 1);
  for (const bad of ['1.2.3', '1.2.3.4.5', '1.2.3.256', '1..2.3', '1.2.3.', 'a.b.c.d', '', '1.2.3.4/8', '1234.1.1.1']) {
    assert.equal(isIPv4(bad), false, bad);
  }
  assert.throws(() => parseIPv4('10.0.0.300'), /not an IPv4 address/);
});

test('cidrContains', () => {
  assert.equal(cidrContains('10.244.0.0/16', '10.244.255.1'), true);
  assert.equal(cidrContains('10.244.0.0/16', '10.245.0.1'), false);
  assert.equal(cidrContains('0.0.0.0/0', '192.168.1.1'), true);
  assert.equal(cidrContains('192.168.1.1', '192.168.1.1'), true);
  assert.equal(cidrContains('192.168.1.1/32', '192.168.1.2'), false);
  assert.equal(cidrContains('128.0.0.0/1', '200.1.1.1'), true);
  assert.throws(() => checkCIDR('10.0.0.0/40', 'option x'), /option x: .*prefix length/);
});
