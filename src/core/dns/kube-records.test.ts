// Table-driven, like CoreDNS's handler_test.go: a question, the expected rcode and the three sections as
// sorted sets of records (SOA compared by its names and timers, not its serial).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCorefile } from './corefile.js';
import { kubernetesConfig, type KubernetesConfig } from './plugin-config.js';
import { planDnsAnswer, endpointHostname, type KubeContext } from './kube-records.js';
import { Rcode, RRType } from './types.js';
import { fixtureIndex, slice, sortedTexts } from './testing/fixtures.js';
import { ClusterIndex } from './cluster-index.js';

function cfgOf(block: string): KubernetesConfig {
  const [b] = parseCorefile(`.:53 {\n${block}\n}`);
  return kubernetesConfig(b.directives[0], ['.']);
}

const KUBEADM = cfgOf('kubernetes cluster.local in-addr.arpa ip6.arpa {\n pods insecure\n fallthrough in-addr.arpa ip6.arpa\n }');
const SOA = 'cluster.local 5 SOA ns.dns.cluster.local hostmaster.cluster.local 7200 1800 86400 5';

interface Case {
  q: string;
  type: number;
  rcode?: number;
  answer?: string[];
  ns?: string[];
  extra?: string[];
  next?: true;
}

function check(ctx: KubeContext, cases: Case[]): void {
  for (const c of cases) {
    const got = planDnsAnswer(ctx, c.q, c.type);
    const what = `${c.q} ${c.type}`;
    if (c.next) { assert.equal(got.kind, 'next', what); continue; }
    assert.equal(got.kind, 'reply', what);
    if (got.kind !== 'reply') continue;
    assert.equal(got.rcode, c.rcode ?? Rcode.NOERROR, `${what}: rcode`);
    assert.deepEqual(sortedTexts(got.answer), [...(c.answer ?? [])].sort(), `${what}: answer`);
    assert.deepEqual(sortedTexts(got.authority), [...(c.ns ?? [])].sort(), `${what}: authority`);
    assert.deepEqual(sortedTexts(got.additional), [...(c.extra ?? [])].sort(), `${what}: additional`);
  }
}

const ctx = (cfg: KubernetesConfig = KUBEADM, index: ClusterIndex = fixtureIndex()): KubeContext => ({ cfg, index, localIPs: ['10.244.0.2'] });

test('ClusterIP services: A, AAAA (NODATA), SRV by port and bare, endpoint names, case kept', () => {
  check(ctx(), [
    { q: 'svc1.testns.svc.cluster.local', type: RRType.A, answer: ['svc1.testns.svc.cluster.local 5 A 10.0.0.1'] },
    { q: 'SVC1.TestNS.Svc.Cluster.Local', type: RRType.A, answer: ['SVC1.TestNS.Svc.Cluster.Local 5 A 10.0.0.1'] },
    { q: 'svc1.testns.svc.cluster.local', type: RRType.AAAA, ns: [SOA] },
    { q: 'svcempty.testns.svc.cluster.local', type: RRType.A, answer: ['svcempty.testns.svc.cluster.local 5 A 10.0.0.2'] },
    {
      q: '_http._tcp.svc1.testns.svc.cluster.local', type: RRType.SRV,
      answer: ['_http._tcp.svc1.testns.svc.cluster.local 5 SRV 0 100 80 svc1.testns.svc.cluster.local'],
      extra: ['svc1.testns.svc.cluster.local 5 A 10.0.0.1'],
    },
    {
      // SRV targets are Kubernetes' lower-case names + the zone as asked.
      q: '_HTTP._TCP.Svc1.TestNS.svc.Cluster.Local', type: RRType.SRV,
      answer: ['_HTTP._TCP.Svc1.TestNS.svc.Cluster.Local 5 SRV 0 100 80 svc1.testns.svc.Cluster.Local'],
      extra: ['svc1.testns.svc.Cluster.Local 5 A 10.0.0.1'],
    },
    {
      q: 'named.testns.svc.cluster.local', type: RRType.SRV,
      answer: ['named.testns.svc.cluster.local 5 SRV 0 33 80 named.testns.svc.cluster.local', 'named.testns.svc.cluster.local 5 SRV 0 33 53 named.testns.svc.cluster.local', 'named.testns.svc.cluster.local 5 SRV 0 33 8080 named.testns.svc.cluster.local'],
      extra: ['named.testns.svc.cluster.local 5 A 10.0.0.5'],
    },
    {
      q: '_dns._udp.named.testns.svc.cluster.local', type: RRType.SRV,
      answer: ['_dns._udp.named.testns.svc.cluster.local 5 SRV 0 100 53 named.testns.svc.cluster.local'],
      extra: ['named.testns.svc.cluster.local 5 A 10.0.0.5'],
    },
    { q: '_https._tcp.svc1.testns.svc.cluster.local', type: RRType.SRV, rcode: Rcode.NXDOMAIN, ns: [SOA] },
    { q: '_http._udp.svc1.testns.svc.cluster.local', type: RRType.SRV, rcode: Rcode.NXDOMAIN, ns: [SOA] },
    { q: 'ep1a.svc1.testns.svc.cluster.local', type: RRType.A, answer: ['ep1a.svc1.testns.svc.cluster.local 5 A 172.0.0.1'] },
    { q: '172-0-0-2.svc1.testns.svc.cluster.local', type: RRType.A, answer: ['172-0-0-2.svc1.testns.svc.cluster.local 5 A 172.0.0.2'] },
    { q: '172-0-0-9.svc1.testns.svc.cluster.local', type: RRType.A, rcode: Rcode.NXDOMAIN, ns: [SOA] },
    { q: '_tcp.svc1.testns.svc.cluster.local', type: RRType.A, rcode: Rcode.NXDOMAIN, ns: [SOA] },
    { q: 'a.b.c.svc1.testns.svc.cluster.local', type: RRType.A, rcode: Rcode.NXDOMAIN, ns: [SOA] },
    { q: 'svc1.testns.svc.cluster.local', type: RRType.TXT, ns: [SOA] },
    { q: 'svc1.testns.svc.cluster.local', type: RRType.HINFO, ns: [SOA] },
    { q: 'svc1.testns.svc.cluster.local', type: RRType.MX, ns: [SOA] },
    { q: 'svc1.testns.svc.cluster.local', type: RRType.SOA, ns: [SOA] },
    { q: 'svc1.testns.svc.cluster.local', type: RRType.PTR, ns: [SOA] },
    { q: 'svc1.testns.svc.cluster.local', type: RRType.CNAME, ns: [SOA] },
    { q: 'nosvc.testns.svc.cluster.local', type: RRType.HINFO, rcode: Rcode.NXDOMAIN, ns: [SOA] },
    { q: 'svc1.testns.svc.cluster.local', type: RRType.AXFR, rcode: Rcode.REFUSED },
  ]);
});

test('headless services: one A per ready endpoint, hostnames, SRV per endpoint, IPv6, no ports, nothing ready', () => {
  check(ctx(), [
    {
      q: 'hdls1.testns.svc.cluster.local', type: RRType.A,
      answer: ['hdls1.testns.svc.cluster.local 5 A 172.0.0.2', 'hdls1.testns.svc.cluster.local 5 A 172.0.0.3', 'hdls1.testns.svc.cluster.local 5 A 172.0.0.4'],
    },
    { q: 'hdls1.testns.svc.cluster.local', type: RRType.AAAA, answer: ['hdls1.testns.svc.cluster.local 5 AAAA 5678:abcd::1', 'hdls1.testns.svc.cluster.local 5 AAAA 5678:abcd::2'] },
    { q: 'hdls1-1.hdls1.testns.svc.cluster.local', type: RRType.A, answer: ['hdls1-1.hdls1.testns.svc.cluster.local 5 A 172.0.0.3'] },
    { q: '5678-abcd--1.hdls1.testns.svc.cluster.local', type: RRType.AAAA, answer: ['5678-abcd--1.hdls1.testns.svc.cluster.local 5 AAAA 5678:abcd::1'] },
    {
      // 5 candidates: weight floor(100/5) = 20.
      q: '_http._tcp.hdls1.testns.svc.cluster.local', type: RRType.SRV,
      answer: [
        '_http._tcp.hdls1.testns.svc.cluster.local 5 SRV 0 20 80 172-0-0-2.hdls1.testns.svc.cluster.local',
        '_http._tcp.hdls1.testns.svc.cluster.local 5 SRV 0 20 80 hdls1-1.hdls1.testns.svc.cluster.local',
        '_http._tcp.hdls1.testns.svc.cluster.local 5 SRV 0 20 80 172-0-0-4.hdls1.testns.svc.cluster.local',
        '_http._tcp.hdls1.testns.svc.cluster.local 5 SRV 0 20 80 5678-abcd--1.hdls1.testns.svc.cluster.local',
        '_http._tcp.hdls1.testns.svc.cluster.local 5 SRV 0 20 80 5678-abcd--2.hdls1.testns.svc.cluster.local',
      ],
      extra: [
        '172-0-0-2.hdls1.testns.svc.cluster.local 5 A 172.0.0.2', 'hdls1-1.hdls1.testns.svc.cluster.local 5 A 172.0.0.3',
        '172-0-0-4.hdls1.testns.svc.cluster.local 5 A 172.0.0.4', '5678-abcd--1.hdls1.testns.svc.cluster.local 5 AAAA 5678:abcd::1',
        '5678-abcd--2.hdls1.testns.svc.cluster.local 5 AAAA 5678:abcd::2',
      ],
    },
    { q: 'hdlsprtls.testns.svc.cluster.local', type: RRType.A, answer: ['hdlsprtls.testns.svc.cluster.local 5 A 172.0.0.20'] },
    { q: 'hdlsprtls.testns.svc.cluster.local', type: RRType.SRV, ns: [SOA] },
    { q: 'hdls-unready.testns.svc.cluster.local', type: RRType.A, rcode: Rcode.NXDOMAIN, ns: [SOA] },
  ]);
});

test('ExternalName: CNAME, chased inside the zone, handed to the server outside it; no SRV or sub-names', () => {
  const c = ctx();
  check(c, [
    { q: 'external.testns.svc.cluster.local', type: RRType.CNAME, answer: ['external.testns.svc.cluster.local 5 CNAME ext.interwebs.test'] },
    {
      q: 'external-to-service.testns.svc.cluster.local', type: RRType.A,
      answer: ['external-to-service.testns.svc.cluster.local 5 CNAME svc1.testns.svc.cluster.local', 'svc1.testns.svc.cluster.local 5 A 10.0.0.1'],
    },
    { q: '_http._tcp.external.testns.svc.cluster.local', type: RRType.SRV, rcode: Rcode.NXDOMAIN, ns: [SOA] },
    { q: 'x.external.testns.svc.cluster.local', type: RRType.A, rcode: Rcode.NXDOMAIN, ns: [SOA] },
    { q: 'external-ip.testns.svc.cluster.local', type: RRType.A, rcode: Rcode.NXDOMAIN, ns: [SOA] },
  ]);
  const got = planDnsAnswer(c, 'External.testns.svc.cluster.local', RRType.A);
  assert.equal(got.kind, 'reply');
  if (got.kind !== 'reply') return;
  assert.deepEqual(got.answer, []);
  assert.equal(got.chase?.target, 'ext.interwebs.test');
  assert.equal(got.chase?.type, RRType.A);
  assert.deepEqual(sortedTexts(got.chase!.prefix), ['External.testns.svc.cluster.local 5 CNAME ext.interwebs.test']);
  // The CNAME of the answer comes first: the chain order is the prefix order.
  const cname = planDnsAnswer(c, 'external-to-service.testns.svc.cluster.local', RRType.A);
  assert.equal(cname.kind === 'reply' && cname.answer[0].type, RRType.CNAME);
});

test('dual-stack ClusterIPs: A and AAAA, one SRV per family with weight 50', () => {
  check(ctx(), [
    { q: 'dual-svc.testns.svc.cluster.local', type: RRType.A, answer: ['dual-svc.testns.svc.cluster.local 5 A 10.0.0.3'] },
    { q: 'dual-svc.testns.svc.cluster.local', type: RRType.AAAA, answer: ['dual-svc.testns.svc.cluster.local 5 AAAA 10::3'] },
    {
      q: '_http._tcp.dual-svc.testns.svc.cluster.local', type: RRType.SRV,
      answer: ['_http._tcp.dual-svc.testns.svc.cluster.local 5 SRV 0 50 80 dual-svc.testns.svc.cluster.local'],
      extra: ['dual-svc.testns.svc.cluster.local 5 A 10.0.0.3', 'dual-svc.testns.svc.cluster.local 5 AAAA 10::3'],
    },
  ]);
});

test('apex, empty non-terminals, namespaces, dns-version, NS and SOA', () => {
  check(ctx(), [
    { q: 'cluster.local', type: RRType.A, ns: [SOA] },
    { q: 'cluster.local', type: RRType.SOA, answer: [SOA] },
    { q: 'cluster.local', type: RRType.NS, answer: ['cluster.local 5 NS kube-dns.kube-system.svc.cluster.local'], extra: ['kube-dns.kube-system.svc.cluster.local 5 A 10.96.0.10'] },
    { q: 'ns.dns.cluster.local', type: RRType.A, answer: ['ns.dns.cluster.local 5 A 10.96.0.10'] },
    { q: 'svc.cluster.local', type: RRType.A, ns: [SOA] },
    { q: 'pod.cluster.local', type: RRType.A, ns: [SOA] },
    { q: 'testns.svc.cluster.local', type: RRType.A, ns: [SOA] },
    { q: 'nons.svc.cluster.local', type: RRType.A, rcode: Rcode.NXDOMAIN, ns: [SOA] },
    { q: 'svc1.nons.svc.cluster.local', type: RRType.A, rcode: Rcode.NXDOMAIN, ns: [SOA] },
    { q: 'foo.cluster.local', type: RRType.A, rcode: Rcode.NXDOMAIN, ns: [SOA] },
    { q: 'dns-version.cluster.local', type: RRType.TXT, answer: ['dns-version.cluster.local 28800 TXT "1.1.0"'] },
    { q: 'nothing.testns.svc.cluster.local', type: RRType.TXT, rcode: Rcode.NXDOMAIN, ns: [SOA] },
    { q: 'Cluster.Local', type: RRType.SOA, answer: ['Cluster.Local 5 SOA ns.dns.Cluster.Local hostmaster.Cluster.Local 7200 1800 86400 5'] },
    { q: 'example.com', type: RRType.A, next: true },
  ]);
  // Without its own Service endpoint the server names itself ns.dns.<zone>.
  const lone = { ...ctx(), localIPs: ['10.244.9.9'] };
  check(lone, [{ q: 'cluster.local', type: RRType.NS, answer: ['cluster.local 5 NS ns.dns.cluster.local'], extra: ['ns.dns.cluster.local 5 A 10.244.9.9'] }]);
});

test('pod records per pods mode', () => {
  check(ctx(), [
    { q: '10-244-1-5.testns.pod.cluster.local', type: RRType.A, answer: ['10-244-1-5.testns.pod.cluster.local 5 A 10.244.1.5'] },
    { q: '10-244-7-7.testns.pod.cluster.local', type: RRType.A, answer: ['10-244-7-7.testns.pod.cluster.local 5 A 10.244.7.7'] },
    { q: '1234-abcd--5.testns.pod.cluster.local', type: RRType.AAAA, answer: ['1234-abcd--5.testns.pod.cluster.local 5 AAAA 1234:abcd::5'] },
    { q: '10-244-1-5.nons.pod.cluster.local', type: RRType.A, rcode: Rcode.NXDOMAIN, ns: [SOA] },
    { q: 'not-an-ip.testns.pod.cluster.local', type: RRType.A, rcode: Rcode.NXDOMAIN, ns: [SOA] },
    { q: '010-244-1-5.testns.pod.cluster.local', type: RRType.A, rcode: Rcode.NXDOMAIN, ns: [SOA] },
    { q: 'testns.pod.cluster.local', type: RRType.A, ns: [SOA] },
  ]);
  check(ctx(cfgOf('kubernetes cluster.local')), [
    { q: '10-244-1-5.testns.pod.cluster.local', type: RRType.A, rcode: Rcode.NXDOMAIN, ns: [SOA] },
  ]);
  check(ctx(cfgOf('kubernetes cluster.local {\n pods verified\n}')), [
    { q: '10-244-1-5.testns.pod.cluster.local', type: RRType.A, answer: ['10-244-1-5.testns.pod.cluster.local 5 A 10.244.1.5'] },
    { q: '10-244-1-5.default.pod.cluster.local', type: RRType.A, rcode: Rcode.NXDOMAIN, ns: [SOA] },
    { q: '10-244-7-7.testns.pod.cluster.local', type: RRType.A, rcode: Rcode.NXDOMAIN, ns: [SOA] },
  ]);
});

test('PTR: ClusterIPs first, else every (endpoint, Service); unknown IPs fall through in reverse zones', () => {
  check(ctx(), [
    { q: '1.0.0.10.in-addr.arpa', type: RRType.PTR, answer: ['1.0.0.10.in-addr.arpa 5 PTR svc1.testns.svc.cluster.local'] },
    { q: '3.0.0.172.in-addr.arpa', type: RRType.PTR, answer: ['3.0.0.172.in-addr.arpa 5 PTR hdls1-1.hdls1.testns.svc.cluster.local'] },
    {
      q: '2.0.0.172.in-addr.arpa', type: RRType.PTR,
      answer: ['2.0.0.172.in-addr.arpa 5 PTR 172-0-0-2.svc1.testns.svc.cluster.local', '2.0.0.172.in-addr.arpa 5 PTR 172-0-0-2.hdls1.testns.svc.cluster.local'],
    },
    { q: '3.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.ip6.arpa', type: RRType.PTR, answer: ['3.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.ip6.arpa 5 PTR dual-svc.testns.svc.cluster.local'] },
    { q: '9.9.9.9.in-addr.arpa', type: RRType.PTR, next: true },
    { q: '9.172.in-addr.arpa', type: RRType.PTR, next: true },
    { q: '9.0.0.172.in-addr.arpa', type: RRType.PTR, next: true },
  ]);
  check(ctx(cfgOf('kubernetes cluster.local in-addr.arpa')), [
    { q: '9.9.9.9.in-addr.arpa', type: RRType.PTR, rcode: Rcode.NXDOMAIN, ns: ['in-addr.arpa 5 SOA ns.dns.in-addr.arpa hostmaster.in-addr.arpa 7200 1800 86400 5'] },
  ]);
});

test('options: ttl, fallthrough, ignore empty_service, namespaces, noendpoints, endpoint_pod_names', () => {
  check(ctx(cfgOf('kubernetes cluster.local {\n ttl 30\n}')), [
    { q: 'svc1.testns.svc.cluster.local', type: RRType.A, answer: ['svc1.testns.svc.cluster.local 30 A 10.0.0.1'] },
    { q: 'nosvc.testns.svc.cluster.local', type: RRType.A, rcode: Rcode.NXDOMAIN, ns: ['cluster.local 30 SOA ns.dns.cluster.local hostmaster.cluster.local 7200 1800 86400 30'] },
  ]);
  check(ctx(cfgOf('kubernetes cluster.local {\n fallthrough\n}')), [
    { q: 'nosvc.testns.svc.cluster.local', type: RRType.A, next: true },
    { q: 'svc1.testns.svc.cluster.local', type: RRType.AAAA, ns: [SOA] },
  ]);
  check(ctx(cfgOf('kubernetes cluster.local {\n ignore empty_service\n}')), [
    { q: 'svcempty.testns.svc.cluster.local', type: RRType.A, rcode: Rcode.NXDOMAIN, ns: [SOA] },
    { q: 'svc1.testns.svc.cluster.local', type: RRType.A, answer: ['svc1.testns.svc.cluster.local 5 A 10.0.0.1'] },
  ]);
  check(ctx(cfgOf('kubernetes cluster.local {\n namespaces kube-system\n}')), [
    { q: 'svc1.testns.svc.cluster.local', type: RRType.A, rcode: Rcode.NXDOMAIN, ns: [SOA] },
    { q: 'kube-dns.kube-system.svc.cluster.local', type: RRType.A, answer: ['kube-dns.kube-system.svc.cluster.local 5 A 10.96.0.10'] },
  ]);
  check(ctx(cfgOf('kubernetes cluster.local {\n noendpoints\n}')), [
    { q: 'hdls1.testns.svc.cluster.local', type: RRType.A, rcode: Rcode.NXDOMAIN, ns: [SOA] },
    { q: 'svc1.testns.svc.cluster.local', type: RRType.A, answer: ['svc1.testns.svc.cluster.local 5 A 10.0.0.1'] },
  ]);
  check(ctx(cfgOf('kubernetes cluster.local {\n endpoint_pod_names\n}')), [
    { q: 'named-pod-1.named.testns.svc.cluster.local', type: RRType.A, answer: ['named-pod-1.named.testns.svc.cluster.local 5 A 172.0.0.50'] },
  ]);
  assert.equal(endpointHostname({ ip: 'fd00::' }, false), 'fd00--0');
  assert.equal(endpointHostname({ ip: '10.1.2.3', podName: 'x'.repeat(64) }, true), '10-1-2-3');
});

test('until the informers have synced, names that would not exist answer SERVFAIL', () => {
  const index = fixtureIndex();
  index.synced = false;
  check(ctx(KUBEADM, index), [
    { q: 'nosvc.testns.svc.cluster.local', type: RRType.A, rcode: Rcode.SERVFAIL, ns: [SOA] },
    { q: 'svc1.testns.svc.cluster.local', type: RRType.A, answer: ['svc1.testns.svc.cluster.local 5 A 10.0.0.1'] },
  ]);
});

test('answers follow the index: slices come and go, a slice changes Service, the SOA serial moves', () => {
  let now = 1_000_000;
  const index = new ClusterIndex(() => now);
  index.synced = true;
  index.upsertNamespace({ metadata: { name: 'ns' } });
  index.upsertService({ metadata: { namespace: 'ns', name: 'h' }, spec: { clusterIP: 'None', ports: [{ name: 'p', port: 1 }] } });
  const c = ctx(cfgOf('kubernetes cluster.local'), index);
  check(c, [{ q: 'h.ns.svc.cluster.local', type: RRType.A, rcode: Rcode.NXDOMAIN, ns: [SOA] }]);
  now += 5000;
  index.upsertEndpointSlice(slice('ns', 's1', 'h', [{ ip: '10.0.0.1' }], [{ name: 'p', port: 1 }]));
  check(c, [{ q: 'h.ns.svc.cluster.local', type: RRType.A, answer: ['h.ns.svc.cluster.local 5 A 10.0.0.1'] }]);
  assert.equal(index.modified, 1005);
  // The slice is relabelled to another Service: h loses its endpoint.
  index.upsertEndpointSlice(slice('ns', 's1', 'other', [{ ip: '10.0.0.1' }], [{ name: 'p', port: 1 }]));
  check(c, [{ q: 'h.ns.svc.cluster.local', type: RRType.A, rcode: Rcode.NXDOMAIN, ns: [SOA] }]);
  index.upsertEndpointSlice(slice('ns', 's1', 'h', [{ ip: '10.0.0.2' }], [{ name: 'p', port: 1 }]));
  index.deleteEndpointSlice(slice('ns', 's1', 'h', [], []));
  check(c, [{ q: 'h.ns.svc.cluster.local', type: RRType.A, rcode: Rcode.NXDOMAIN, ns: [SOA] }]);
  index.deleteService({ metadata: { namespace: 'ns', name: 'h' } });
  assert.equal(index.serviceCount, 0);
});

test('a headless Service with 2,000 endpoints plans in one piece', () => {
  const index = new ClusterIndex();
  index.synced = true;
  index.upsertNamespace({ metadata: { name: 'big' } });
  index.upsertService({ metadata: { namespace: 'big', name: 'h' }, spec: { clusterIP: 'None', ports: [{ name: 'p', port: 1 }] } });
  for (let s = 0; s < 20; s++) {
    index.upsertEndpointSlice(slice('big', `h-${s}`, 'h', Array.from({ length: 100 }, (_, i) => ({ ip: `10.${s}.${i >> 8}.${i & 255}` })), [{ name: 'p', port: 1 }]));
  }
  const got = planDnsAnswer(ctx(cfgOf('kubernetes cluster.local'), index), 'h.big.svc.cluster.local', RRType.A);
  assert.equal(got.kind === 'reply' && got.answer.length, 2000);
});

test('a pod name with leading zeros is not an address: NXDOMAIN, never an answer for 10.244.0.5 (or octal 8.244.0.5)', () => {
  const q = '010-244-000-005.default.pod.cluster.local.';
  for (const got of [planDnsAnswer(ctx(), q, RRType.A), planDnsAnswer(ctx(cfgOf('kubernetes cluster.local {\n pods verified\n}')), q, RRType.A)]) {
    assert.equal(got.kind, 'reply');
    if (got.kind === 'reply') { assert.equal(got.rcode, Rcode.NXDOMAIN); assert.deepEqual(got.answer, []); }
  }
});
