import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerAddresses, loadPortmapConfig, portmapAddScript, portmapChains, portmapDelScript } from './portmap-plan.js';
import { parseResult } from './result.js';

const prev = parseResult({
  cniVersion: '1.0.0',
  interfaces: [{ name: 'cni0' }, { name: 'veth1' }, { name: 'eth0', sandbox: '/run/netns/p' }],
  ips: [{ interface: 2, address: '10.99.0.2/24', gateway: '10.99.0.1' }],
});

test('mappings from runtimeConfig; iptables-only keys are refused', () => {
  const c = loadPortmapConfig({ name: 'n', runtimeConfig: { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'TCP' }, { hostPort: 53, containerPort: 53, protocol: 'udp', hostIP: '0.0.0.0' }] } });
  assert.deepEqual(c.mappings.map((m) => [m.hostPort, m.containerPort, m.protocol, m.hostIP]), [[8080, 80, 'tcp', undefined], [53, 53, 'udp', undefined]]);
  assert.equal(c.snat, true);
  assert.throws(() => loadPortmapConfig({ name: 'n', conditionsV4: ['-s', '1.2.3.4'] }), /unsupported field/);
  assert.throws(() => loadPortmapConfig({ name: 'n', runtimeConfig: { portMappings: [{ hostPort: 0, containerPort: 80 }] } }), /invalid hostPort/);
});

test('the ADD transaction: DNAT in prerouting and output, hairpin and localhost masquerade, all tagged', () => {
  const c = loadPortmapConfig({ name: 'n', nftTable: 'pnc_hp', runtimeConfig: { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp', hostIP: '172.31.250.11' }] } });
  const ch = portmapChains('n/c1/eth0');
  const s = portmapAddScript(c, 'n/c1/eth0', containerAddresses(prev));
  const dnat = 'fib daddr type local ip daddr 172.31.250.11 tcp dport 8080 dnat ip to 10.99.0.2:80 comment "n/c1/eth0"';
  // No IPv6 pod address: nothing for ip6.
  assert.equal(s, [
    'add table ip pnc_hp',
    `add chain ip pnc_hp ${ch.pre} { type nat hook prerouting priority -100 ; policy accept ; }`,
    `add chain ip pnc_hp ${ch.out} { type nat hook output priority -100 ; policy accept ; }`,
    `add chain ip pnc_hp ${ch.post} { type nat hook postrouting priority 100 ; policy accept ; }`,
    `flush chain ip pnc_hp ${ch.pre}`,
    `flush chain ip pnc_hp ${ch.out}`,
    `flush chain ip pnc_hp ${ch.post}`,
    `add rule ip pnc_hp ${ch.pre} ${dnat}`,
    `add rule ip pnc_hp ${ch.out} ${dnat}`,
    `add rule ip pnc_hp ${ch.post} ip saddr 10.99.0.0/24 ip daddr 10.99.0.2 ct status dnat masquerade comment "n/c1/eth0"`,
    `add rule ip pnc_hp ${ch.post} ip saddr 127.0.0.1 ip daddr 10.99.0.2 ct status dnat masquerade comment "n/c1/eth0"`,
    '',
  ].join('\n'));
  const v6 = parseResult({ cniVersion: '1.0.0', interfaces: [{ name: 'eth0', sandbox: '/run/netns/p' }], ips: [{ interface: 0, address: 'fd00::2/64' }] });
  const c6 = loadPortmapConfig({ name: 'n', nftTable: 'pnc_hp', runtimeConfig: { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'udp' }] } });
  const s6 = portmapAddScript(c6, 'n/c1/eth0', containerAddresses(v6));
  assert.match(s6, /add rule ip6 pnc_hp hp_[0-9a-f]{16}_pre fib daddr type local udp dport 8080 dnat ip6 to \[fd00::2\]:80 comment "n\/c1\/eth0"/);
  assert.match(s6, /ip6 saddr fd00::\/64 ip6 daddr fd00::2 ct status dnat masquerade/);
  assert.doesNotMatch(s6, /127\.0\.0\.1/);
});

test('the DEL transaction creates then deletes each chain, so it works whether or not they exist', () => {
  const s = portmapDelScript('pnc_hp', 'n/c1/eth0', [4]).split('\n').filter(Boolean);
  assert.equal(s.length, 7);
  assert.match(s[1], /^add chain ip pnc_hp hp_[0-9a-f]{16}_pre \{ type nat hook prerouting/);
  assert.match(s[2], /^delete chain ip pnc_hp hp_[0-9a-f]{16}_pre$/);
});

test('a hostIP with leading zeros is refused, not mapped on another address', () => {
  assert.throws(() => loadPortmapConfig({ name: 'n', runtimeConfig: { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp', hostIP: '172.031.250.11' }] } }), /invalid hostIP "172\.031\.250\.11"/);
});
