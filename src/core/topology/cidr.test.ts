import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressAt, formatCidr, overlaps, parseCidr, parseIPv4, sizeOf } from './cidr.js';

test('parse and format', () => {
  assert.equal(parseIPv4('172.31.250.1'), 0xac1ffa01);
  assert.equal(parseIPv4('256.1.1.1'), undefined);
  assert.equal(formatCidr(parseCidr('10.96.0.0/12')), '10.96.0.0/12');
  assert.equal(formatCidr(parseCidr('192.0.2.2')), '192.0.2.2/32');
  assert.equal(sizeOf(parseCidr('172.31.250.0/24')), 256);
  assert.throws(() => parseCidr('10.244.1.0/16', 'cluster CIDR'), /invalid cluster CIDR "10.244.1.0\/16": host bits are set; the range is 10.244.0.0\/16/);
  assert.throws(() => parseCidr('10.0.0.0/33'), /expected an IPv4 range/);
  assert.throws(() => parseCidr('nope'), /expected an IPv4 range/);
});

test('overlaps', () => {
  assert.ok(overlaps(parseCidr('10.96.0.0/12'), parseCidr('10.100.0.0/16')));
  assert.ok(overlaps(parseCidr('0.0.0.0/0'), parseCidr('1.2.3.4')));
  assert.ok(!overlaps(parseCidr('10.96.0.0/12'), parseCidr('10.244.0.0/16')));
  assert.ok(!overlaps(parseCidr('172.31.250.0/24'), parseCidr('172.31.251.0/24')));
});

test('addressAt', () => {
  assert.equal(addressAt(parseCidr('172.31.250.0/24'), 11), '172.31.250.11');
  assert.throws(() => addressAt(parseCidr('172.31.250.0/28'), 16), /outside/);
});
