import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ipFamily, isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, isValidPortName,
  isWildcardDNS1123Subdomain, parseCIDR,
} from './formats.js';

test('IP addresses parse as Go net.ParseIP (sloppy) does', () => {
  const cases: Array<[string, 4 | 6 | undefined]> = [
    ['10.96.0.1', 4], ['010.096.000.001', 4], ['255.255.255.255', 4], ['256.1.1.1', undefined], ['1.2.3', undefined],
    ['1.2.3.4.5', undefined], ['::1', 6], ['fd00::10', 6], ['2001:db8::ffff', 6], ['::ffff:10.0.0.1', 4],
    ['fe80::1%eth0', undefined], ['', undefined], ['abc', undefined], ['1::2::3', undefined], [' 10.0.0.1', undefined],
  ];
  for (const [s, want] of cases) assert.equal(ipFamily(s), want, s);
});

test('CIDRs parse as ParseCIDRSloppy does', () => {
  assert.deepEqual(parseCIDR('10.244.0.0/16')?.prefix, 16);
  assert.equal(parseCIDR('10.244.1.5/24')?.family, 4);
  assert.equal(parseCIDR('fd00::/64')?.family, 6);
  for (const bad of ['10.0.0.0', '10.0.0.0/33', 'fd00::/129', '10.0.0.0/-1', '10.0.0.0/ 8', 'x/8', '10.0.0.0/8/8']) assert.equal(parseCIDR(bad), undefined, bad);
});

test('DNS names: labels, subdomains, DNS-1035 labels and wildcards', () => {
  assert.deepEqual(isDNS1123Label('my-name'), []);
  assert.deepEqual(isDNS1123Label('123-abc'), []);
  assert.deepEqual(isDNS1123Label('a.b'), ['must not contain dots']);
  assert.deepEqual(isDNS1123Label('a'.repeat(64)).slice(0, 1), ['must be no more than 63 characters']);
  assert.deepEqual(isDNS1123Subdomain('example.com'), []);
  assert.equal(isDNS1123Subdomain('-bad').length, 1);
  assert.deepEqual(isDNS1035Label('abc-123'), []);
  assert.equal(isDNS1035Label('1abc').length, 1);
  assert.deepEqual(isWildcardDNS1123Subdomain('*.example.com'), []);
  for (const bad of ['*', '*.*.example.com', 'f*.example.com']) assert.equal(isWildcardDNS1123Subdomain(bad).length, 1, bad);
});

test('qualified names and label values carry upstream messages', () => {
  assert.deepEqual(isQualifiedName('app.kubernetes.io/name'), []);
  assert.deepEqual(isQualifiedName('/name'), ['prefix part must be non-empty']);
  assert.deepEqual(isQualifiedName('example.com/'), ['name part must be non-empty',
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"]);
  assert.equal(isQualifiedName('Bad_Prefix/name')[0].startsWith('prefix part a lowercase RFC 1123 subdomain'), true);
  assert.deepEqual(isValidLabelValue(''), []);
  assert.deepEqual(isValidLabelValue('v1.2_3-x'), []);
  assert.equal(isValidLabelValue('-x').length, 1);
});

test('port names follow IANA_SVC_NAME', () => {
  assert.deepEqual(isValidPortName('http'), []);
  assert.deepEqual(isValidPortName('web-80'), []);
  assert.deepEqual(isValidPortName('80'), ['must contain at least one letter (a-z)']);
  assert.deepEqual(isValidPortName('a--b'), ['must not contain consecutive hyphens']);
  assert.deepEqual(isValidPortName('-http'), ['must not begin or end with a hyphen']);
  assert.deepEqual(isValidPortName('HTTP'), ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)', 'must contain at least one letter (a-z)']);
});
