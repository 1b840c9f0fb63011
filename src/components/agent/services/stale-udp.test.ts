import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpoint, endpointSlice, service } from './objects.case.js';
import { parseConntrackList, staleUdpFilters, udpFrontends } from './stale-udp.js';
import { deleteArgs } from '../../../linux/conntrack.js';

const LISTING = `udp      17 29 src=10.244.1.5 dst=10.96.0.10 sport=40000 dport=53 src=10.244.2.3 dst=10.244.1.5 sport=53 dport=40000 [ASSURED] mark=0 use=1
udp      17 25 src=10.244.1.6 dst=10.96.0.10 sport=40001 dport=53 [UNREPLIED] src=10.244.2.9 dst=10.244.1.6 sport=53 dport=40001 mark=0 use=1
udp      17 20 src=10.244.1.7 dst=10.96.0.10 sport=40002 dport=53 [UNREPLIED] src=10.96.0.10 dst=10.244.1.7 sport=53 dport=40002 mark=0 use=1
udp      17 20 src=172.31.238.1 dst=172.31.238.11 sport=5000 dport=30053 src=10.244.2.9 dst=172.31.238.11 sport=53 dport=5000 mark=0 use=1
udp      17 20 src=10.244.1.8 dst=10.96.0.77 sport=5000 dport=53 src=10.244.3.3 dst=10.244.1.8 sport=53 dport=5000 mark=0 use=1
tcp      6 431999 ESTABLISHED src=10.244.1.5 dst=10.96.0.10 sport=41000 dport=53 src=10.244.2.9 dst=10.244.1.5 sport=53 dport=41000 [ASSURED] mark=0 use=1
`;

test('parseConntrackList: original and reply tuples, flags skipped, junk lines ignored', () => {
  const entries = parseConntrackList(LISTING + 'conntrack v1.4.7 (conntrack-tools): 6 flow entries have been shown.\n');
  assert.equal(entries.length, 6);
  assert.deepEqual(entries[1], {
    proto: 'udp',
    orig: { src: '10.244.1.6', dst: '10.96.0.10', sport: 40001, dport: 53 },
    reply: { src: '10.244.2.9', dst: '10.244.1.6', sport: 53, dport: 40001 },
  });
  assert.equal(entries[5].proto, 'tcp');
});

test('stale: entries to a UDP frontend whose reply source is no serving endpoint; NodePort on any address; TCP and unknown services untouched', () => {
  const dns = service('kube-system', 'dns', '10.96.0.10', [{ name: 'dns', port: 53, protocol: 'UDP', nodePort: 30053 }], { type: 'NodePort' });
  const other = service('default', 'other', '10.96.0.77', [{ port: 53, protocol: 'UDP' }]);
  const slices = [
    endpointSlice('kube-system', 'dns', [endpoint('10.244.2.3', { nodeName: 'n2' })], [{ name: 'dns', port: 53, protocol: 'UDP' }]),
    // `other` has no endpoints at all: left alone (its traffic is rejected anyway).
  ];
  const frontends = udpFrontends([dns, other], slices);
  assert.deepEqual([...frontends.ipPorts.keys()], ['10.96.0.10:53']);
  assert.deepEqual([...frontends.nodePorts.keys()], [30053]);
  const filters = staleUdpFilters(parseConntrackList(LISTING), frontends);
  assert.deepEqual(filters, [
    // The deleted pod 10.244.2.9 (both the ClusterIP entry and the NodePort one), and the entry made
    // before the rules existed (reply from the ClusterIP itself: never DNATed).
    { origDst: '10.96.0.10', origPortDst: 53, replySrc: '10.244.2.9' },
    { origDst: '10.96.0.10', origPortDst: 53, replySrc: '10.96.0.10' },
    { origPortDst: 30053, replySrc: '10.244.2.9' },
  ]);
  assert.deepEqual(deleteArgs(filters[0]), ['conntrack', '-D', '-f', 'ipv4', '-p', 'udp', '--orig-dst', '10.96.0.10', '--orig-port-dst', '53', '--reply-src', '10.244.2.9']);
  assert.deepEqual(deleteArgs(filters[2]), ['conntrack', '-D', '-f', 'ipv4', '-p', 'udp', '--orig-port-dst', '30053', '--reply-src', '10.244.2.9']);
});

test('serving-terminating and unready-but-serving endpoints count as serving; unserving ones do not; LB and external IPs are frontends', () => {
  const svc = service('default', 'u', '10.96.0.5', [{ port: 9000, protocol: 'UDP' }], {
    type: 'LoadBalancer', externalIPs: ['203.0.113.9'],
  });
  svc.status = { loadBalancer: { ingress: [{ ip: '172.31.238.200', ipMode: 'VIP' }] } };
  const slices = [endpointSlice('default', 'u', [
    endpoint('10.244.1.2', { ready: false, serving: true, terminating: true }),
    endpoint('10.244.1.3', { ready: false, serving: false }),
  ], [{ port: 9000, protocol: 'UDP' }])];
  const f = udpFrontends([svc], slices);
  assert.deepEqual([...f.ipPorts.keys()].sort(), ['10.96.0.5:9000', '172.31.238.200:9000', '203.0.113.9:9000']);
  assert.deepEqual([...f.ipPorts.get('10.96.0.5:9000')!], ['10.244.1.2']);
});

test('headless, ExternalName and TCP-only Services have no UDP frontends', () => {
  const slices = [endpointSlice('default', 'h', [endpoint('10.244.1.2')], [{ port: 53, protocol: 'UDP' }])];
  assert.equal(udpFrontends([service('default', 'h', 'None', [{ port: 53, protocol: 'UDP' }])], slices).ipPorts.size, 0);
  assert.equal(udpFrontends([service('default', 'h', '10.96.0.3', [{ port: 53, protocol: 'TCP' }])], slices).ipPorts.size, 0);
});

test('frontendsSignature: same frontends and endpoints in any order, same text; an endpoint change, another', async () => {
  const { frontendsSignature } = await import('./conntrack.js');
  const svc = service('default', 'u', '10.96.0.5', [{ port: 53, protocol: 'UDP' }]);
  const a = udpFrontends([svc], [endpointSlice('default', 'u', [endpoint('10.244.1.2'), endpoint('10.244.1.3')], [{ port: 53, protocol: 'UDP' }])]);
  const b = udpFrontends([svc], [endpointSlice('default', 'u', [endpoint('10.244.1.3'), endpoint('10.244.1.2')], [{ port: 53, protocol: 'UDP' }])]);
  const c = udpFrontends([svc], [endpointSlice('default', 'u', [endpoint('10.244.1.3')], [{ port: 53, protocol: 'UDP' }])]);
  assert.equal(frontendsSignature(a), frontendsSignature(b));
  assert.notEqual(frontendsSignature(a), frontendsSignature(c));
});
