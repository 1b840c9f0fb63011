import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CIDR, cidrContains, formatIPPrefix, isCIDR, lastOf, networkOf, parseCIDR, parseIPPrefix, prefixContains } from './cidr.js';
import { IPParseError, formatIP, parseIP } from './ip.js';

test('parseCIDR masks host bits like net.ParseCIDR; strict refuses them and names the range', () => {
  assert.equal(parseCIDR('10.96.0.1/12').toString(), '10.96.0.0/12');
  assert.throws(() => parseCIDR('10.244.1.0/16', { strict: true, what: '--cluster-cidr' }),
    /invalid --cluster-cidr "10\.244\.1\.0\/16": host bits are set; the range is 10\.244\.0\.0\/16/);
  assert.equal(parseCIDR('fd00::/108').toString(), 'fd00::/108');
});

test('parseCIDR refuses leading zeros in the address or the prefix length, and other junk, with IPParseError', () => {
  for (const s of ['010.0.0.0/8', '10.0.0.0/08', '10.0.0.0/33', '10.0.0.0', '10.0.0.0/', 'fd00::/129', '10.0.0.0/8/8', 'x/8']) {
    assert.throws(() => parseCIDR(s), IPParseError, s);
    assert.equal(isCIDR(s), false, s);
  }
  assert.equal(parseCIDR('10.0.0.1', { bareIP: true }).toString(), '10.0.0.1/32');
});

test('contains, overlaps, nth, subnet', () => {
  const c = parseCIDR('10.244.0.0/16');
  assert.ok(c.contains('10.244.255.255') && !c.contains('10.245.0.0') && !c.contains('fd00::1') && !c.contains('010.244.0.1'));
  assert.ok(c.contains(parseIP('10.244.1.1')));
  assert.ok(c.overlaps(parseCIDR('10.0.0.0/8')) && !c.overlaps(parseCIDR('10.245.0.0/16')));
  assert.equal(c.nth(1), '10.244.0.1');
  assert.equal(c.nth(-1), '10.244.255.255');
  assert.equal(c.subnet(24, 3).toString(), '10.244.3.0/24');
  assert.ok(parseCIDR('0.0.0.0/0').contains('255.255.255.255'));
  assert.ok(new CIDR(6, 0n, 0).contains('fd00::1'));
});

test('cidrContains: a text range (or a bare address) against an address; a bad range throws', () => {
  assert.ok(cidrContains('10.244.0.0/24', '10.244.0.7'));
  assert.ok(!cidrContains('10.244.0.0/24', '10.244.1.7'));
  assert.ok(cidrContains('172.31.0.11', '172.31.0.11'));
  assert.ok(!cidrContains('10.244.0.0/24', '010.244.0.7'));
  assert.throws(() => cidrContains('10.244.0.0/40', '10.244.0.7'), IPParseError);
});

test('an interface address keeps its host bits; its network, last address and membership', () => {
  const p = parseIPPrefix('10.99.0.2/24');
  assert.equal(formatIPPrefix(p), '10.99.0.2/24');
  assert.equal(formatIPPrefix(networkOf(p)), '10.99.0.0/24');
  assert.equal(formatIP(lastOf(p)), '10.99.0.255');
  assert.ok(prefixContains(p, parseIP('10.99.0.200')) && !prefixContains(p, parseIP('10.99.1.1')));
  assert.equal(CIDR.of(p).toString(), '10.99.0.0/24');
  assert.throws(() => parseIPPrefix('010.99.0.2/24'), IPParseError);
});
