import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import { parseResolvConf, podDnsConfig, renderResolvConf, effectiveDnsPolicy } from './resolv-conf.js';

const host = parseResolvConf('# comment\nnameserver 192.0.2.53\nsearch old.example\nsearch corp.example. lab.example\noptions rotate\noptions timeout:2 attempts:3\nnameserver 192.0.2.54\n');
const inputs = { clusterDNS: ['10.96.0.10'], clusterDomain: 'cluster.local', host };
const pod = (spec: Partial<NonNullable<V1Pod['spec']>> = {}, namespace = 'shop'): V1Pod => ({ metadata: { name: 'p', namespace }, spec: { containers: [], ...spec } });

test('parseResolvConf: nameservers accumulate, the last search and options lines win, trailing dots go', () => {
  assert.deepEqual(host, { servers: ['192.0.2.53', '192.0.2.54'], searches: ['corp.example', 'lab.example'], options: ['timeout:2', 'attempts:3'] });
});

test('ClusterFirst: cluster DNS, the namespace search path before the node\'s, ndots:5', () => {
  const { config, warnings } = podDnsConfig(pod(), inputs);
  assert.equal(renderResolvConf(config),
    'search shop.svc.cluster.local svc.cluster.local cluster.local corp.example lab.example\nnameserver 10.96.0.10\noptions ndots:5\n');
  assert.deepEqual(warnings, []);
});

test('ClusterFirst on the host network falls back to Default; ClusterFirstWithHostNet does not', () => {
  assert.equal(effectiveDnsPolicy(pod({ hostNetwork: true }), ['10.96.0.10']), 'Default');
  assert.equal(effectiveDnsPolicy(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), ['10.96.0.10']), 'ClusterFirst');
  assert.equal(effectiveDnsPolicy(pod(), []), 'Default');
});

test('Default: the node\'s resolv.conf', () => {
  const { config } = podDnsConfig(pod({ dnsPolicy: 'Default' }), inputs);
  assert.deepEqual(config, host);
});

test('None: only dnsConfig; options merge by name with the pod\'s value winning', () => {
  const { config } = podDnsConfig(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.2.3.4'], searches: ['a.example'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } }), inputs);
  assert.equal(renderResolvConf(config), 'search a.example\nnameserver 1.2.3.4\noptions ndots:2 edns0\n');
  const merged = podDnsConfig(pod({ dnsConfig: { nameservers: ['10.96.0.10', '9.9.9.9'], options: [{ name: 'ndots', value: '1' }] } }), inputs).config;
  assert.deepEqual(merged.servers, ['10.96.0.10', '9.9.9.9']);
  assert.deepEqual(merged.options, ['ndots:1']);
});

test('kubelet limits: 3 nameservers, 32 search entries, with DNSConfigForming warnings', () => {
  const many = podDnsConfig(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1', '2.2.2.2', '3.3.3.3', '4.4.4.4'], searches: Array.from({ length: 40 }, (_, i) => `s${i}.example`) } }), inputs);
  assert.deepEqual(many.config.servers, ['1.1.1.1', '2.2.2.2', '3.3.3.3']);
  assert.equal(many.config.searches.length, 32);
  assert.equal(many.warnings.length, 2);
  assert.match(many.warnings[0], /^Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: 1\.1\.1\.1 2\.2\.2\.2 3\.3\.3\.3$/);
  assert.match(many.warnings[1], /^Search Line limits were exceeded/);
});
