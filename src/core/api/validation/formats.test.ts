import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cidrErrors, ipErrors, ipFamily, isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue,
  isValidPortName, isWildcardDNS1123Subdomain, looksLikeIP,
} from './formats.js';

test('IP fields are validated as kube-apiserver does with StrictIPCIDRValidation (upstream messages)', () => {
  const IP = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';
  const cases: Array<[string, string[]]> = [
    ['10.96.0.1', []], ['255.255.255.255', []], ['::1', []], ['fd00::10', []], ['2001:db8::ffff', []],
    ['010.096.000.001', ['must not have leading 0s']], ['1.1.1.01', ['must not have leading 0s']],
    ['::ffff:10.0.0.1', ['must not be an IPv4-mapped IPv6 address']], ['::ffff:010.0.0.1', ['must not have leading 0s']],
    ['256.1.1.1', [IP]], ['1.2.3', [IP]], ['1.2.3.4.5', [IP]], ['fe80::1%eth0', [IP]], ['', [IP]], ['abc', [IP]],
    ['1::2::3', [IP]], [' 10.0.0.1', [IP]], ['1.2.3.0/24', [IP]],
  ];
  for (const [s, want] of cases) assert.deepEqual(ipErrors(s), want, s);
  assert.equal(ipFamily('10.96.0.1'), 4);
  assert.equal(ipFamily('fd00::1'), 6);
  assert.equal(ipFamily('010.96.0.1'), undefined);
  assert.ok(looksLikeIP('010.1.1.1') && looksLikeIP('10.1.1.1') && !looksLikeIP('example.com'));
});

test('CIDR fields are validated as kube-apiserver does with StrictIPCIDRValidation (upstream messages)', () => {
  const CIDR = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';
  const cases: Array<[string, string[]]> = [
    ['10.244.0.0/16', []], ['fd00::/64', []], ['0.0.0.0/0', []],
    ['010.244.0.0/16', ['must not have leading 0s in IP or prefix length']], ['10.244.0.0/016', ['must not have leading 0s in IP or prefix length']],
    ['10.244.1.5/24', ['must not have bits set beyond the prefix length']],
    ['::ffff:10.0.0.0/104', ['must not have an IPv4-mapped IPv6 address']],
  ];
  for (const [s, want] of cases) assert.deepEqual(cidrErrors(s), want, s);
  for (const bad of ['10.0.0.0', '10.0.0.0/33', 'fd00::/129', '10.0.0.0/-1', '10.0.0.0/ 8', 'x/8', '10.0.0.0/8/8']) assert.deepEqual(cidrErrors(bad), [CIDR], bad);
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
