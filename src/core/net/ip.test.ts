import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  IPParseError, bigIntToIP, canonicalIP, compareIP, formatIP, ipBytes, ipFromBytes, ipToBigInt, isIP, isIPv4, isIPv6,
  nextIP, numberToIPv4, parseIP, parseIPv4,
} from './ip.js';

test('parseIP: IPv4 and IPv6 as integers with their family', () => {
  assert.deepEqual(parseIP('10.96.0.1'), { family: 4, value: 0x0a600001n });
  assert.deepEqual(parseIP('0.0.0.0'), { family: 4, value: 0n });
  assert.deepEqual(parseIP('255.255.255.255'), { family: 4, value: 0xffffffffn });
  assert.deepEqual(parseIP('fd00::1'), { family: 6, value: (0xfd00n << 112n) | 1n });
  assert.deepEqual(parseIP('::'), { family: 6, value: 0n });
  assert.deepEqual(parseIP('1:2:3:4:5:6:7:8'), { family: 6, value: 0x00010002000300040005000600070008n });
  assert.equal(parseIP('::ffff:10.0.0.1').value, 0xffff0a000001n);
});

test('an IPv4-mapped IPv6 address stays IPv6 (netip.ParseAddr)', () => {
  assert.equal(parseIP('::ffff:10.0.0.1').family, 6);
  assert.equal(isIPv4('::ffff:10.0.0.1'), false);
});

test('010.1.1.1 is refused, never read as 10.1.1.1 (or as octal 8.1.1.1)', () => {
  for (const s of ['010.1.1.1', '10.01.1.1', '10.1.1.00', '::ffff:010.1.1.1']) {
    assert.throws(() => parseIP(s), IPParseError, s);
    assert.throws(() => parseIPv4(s), IPParseError, s);
    assert.equal(isIP(s), false, s);
  }
  assert.throws(() => parseIP('010.1.1.1'), /invalid IP address "010\.1\.1\.1".*without leading zeros \(10\.1\.1\.1\)/);
});

test('every other malformed address is refused with one error type and a message saying what is expected', () => {
  const bad = ['', '10.1', '10.0.0.256', '1.2.3.4.5', '0x0a.1.1.1', ' 10.0.0.1', '10.0.0.1 ', '1.2.3.', '.1.2.3',
    'fe80::1%eth0', '1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', 'g::1', ':', 'localhost', '10.0.0.0/8'];
  for (const s of bad) {
    assert.throws(() => parseIP(s), (e: unknown) => e instanceof IPParseError && /expected an IPv4 address like 10\.96\.0\.1/.test((e as Error).message), JSON.stringify(s));
    assert.equal(isIP(s), false, s);
  }
  assert.throws(() => parseIP(undefined as unknown as string), IPParseError);
  assert.throws(() => parseIPv4('fd00::1'), /is an IPv6 address; an IPv4 address is needed/);
});

test('formatIP is Go net.IP.String(): RFC 5952 for IPv6', () => {
  assert.equal(canonicalIP('FD00:0:0:0:0:0:0:A'), 'fd00::a');
  assert.equal(canonicalIP('1:0:0:1:0:0:0:1'), '1:0:0:1::1');
  assert.equal(canonicalIP('1:0:1:1:1:1:1:1'), '1:0:1:1:1:1:1:1');
  assert.equal(canonicalIP('::ffff:10.0.0.1'), '::ffff:a00:1');
  assert.equal(formatIP({ family: 4, value: 0x0a000001n }), '10.0.0.1');
  assert.equal(numberToIPv4(parseIPv4('192.168.1.200')), '192.168.1.200');
  assert.equal(bigIntToIP(ipToBigInt('10.0.0.1') + 1n, 4), '10.0.0.2');
  assert.throws(() => bigIntToIP(1n << 32n, 4), RangeError);
});

test('predicates, bytes, ordering and increments', () => {
  assert.ok(isIPv6('fd00::1') && !isIPv6('10.0.0.1') && isIPv4('10.0.0.1'));
  assert.deepEqual([...ipBytes(parseIP('10.1.2.3'))], [10, 1, 2, 3]);
  assert.equal(formatIP(ipFromBytes(ipBytes(parseIP('fd00::1:2')))), 'fd00::1:2');
  assert.ok(compareIP(parseIP('10.0.0.2'), parseIP('10.0.0.10')) < 0);
  assert.ok(compareIP(parseIP('255.255.255.255'), parseIP('::')) < 0);
  assert.equal(formatIP(nextIP(parseIP('10.0.0.255'))), '10.0.1.0');
  assert.equal(formatIP(nextIP(parseIP('255.255.255.255'))), '0.0.0.0');
});
