// The server on loopback, driven by the real dig: kubeadm's Corefile (with test ports and a stub
// upstream on loopback instead of /etc/resolv.conf), a cluster held in memory.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureIndex, service, slice } from '../../core/dns/testing/fixtures.js';
import { memorySource } from './cluster-source.js';
import { DnsServer } from './server.js';
import { dig } from './testing/dig.js';
import { startStubUpstream, type StubUpstream } from './testing/stub-upstream.js';

let stub: StubUpstream;
let server: DnsServer;
let port: number;
let httpPort: number;
const logs: string[] = [];
const index = fixtureIndex();

function corefile(upstreamPort: number, ttl = 30): string {
  return `.:0 {
    bind 127.0.0.1
    errors
    health 127.0.0.1:0 {
       lameduck 1s
    }
    ready 127.0.0.1:0
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl ${ttl}
    }
    prometheus 127.0.0.1:0
    forward . 127.0.0.1:${upstreamPort} {
       max_concurrent 1000
    }
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
    loop
    reload
    loadbalance
}
`;
}

before(async () => {
  stub = await startStubUpstream({
    'www.example.test': [{ type: 'A', data: '192.0.2.10' }, { type: 'A', data: '192.0.2.11' }],
    'ext.interwebs.test': [{ type: 'A', data: '192.0.2.53' }],
    '4.3.2.1.in-addr.arpa': [{ type: 'PTR', data: 'host.example.test' }],
    'many.example.test': Array.from({ length: 60 }, (_, i) => ({ type: 'A', data: `192.0.2.${i + 1}` })),
  });
  index.upsertService(service('testns', 'manyext', { type: 'ExternalName', externalName: 'many.example.test' }));
  index.upsertService(service('testns', 'big', { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] }));
  index.upsertEndpointSlice(slice('testns', 'big-1', 'big', Array.from({ length: 100 }, (_, i) => ({ ip: `10.244.3.${i + 1}` })), [{ name: 'http', port: 80 }]));
  server = await DnsServer.start({ corefile: corefile(stub.port), sourceFor: () => memorySource(index), localIPs: ['10.244.0.2'], log: (l) => logs.push(l), onFatal: (e) => logs.push(`FATAL ${e.message}`) });
  port = server.addresses().dns[0].port;
  httpPort = server.addresses().http['health 127.0.0.1:0'].port;
});

after(async () => {
  await server?.stop(0);
  await stub?.close();
});

test('cluster names: authoritative A, SRV with additional addresses, NXDOMAIN with the SOA, case kept', async () => {
  const a = await dig(port, 'svc1.testns.svc.cluster.local', 'A');
  assert.equal(a.status, 'NOERROR');
  assert.ok(a.flags.includes('aa'));
  assert.deepEqual(a.answer, ['svc1.testns.svc.cluster.local. 30 A 10.0.0.1']);
  const mixed = await dig(port, 'SVC1.TestNS.svc.Cluster.Local', 'A');
  assert.deepEqual(mixed.answer, ['SVC1.TestNS.svc.Cluster.Local. 30 A 10.0.0.1']);
  const srv = await dig(port, '_dns._udp.kube-dns.kube-system.svc.cluster.local', 'SRV');
  assert.deepEqual(srv.answer, ['_dns._udp.kube-dns.kube-system.svc.cluster.local. 30 SRV 0 100 53 kube-dns.kube-system.svc.cluster.local.']);
  assert.deepEqual(srv.additional, ['kube-dns.kube-system.svc.cluster.local. 30 A 10.96.0.10']);
  const nx = await dig(port, 'nosuch.testns.svc.cluster.local', 'A');
  assert.equal(nx.status, 'NXDOMAIN');
  assert.match(nx.authority[0], /^cluster\.local\. 30 SOA ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\. \d+ 7200 1800 86400 30$/);
  const nodata = await dig(port, 'svc1.testns.svc.cluster.local', 'AAAA');
  assert.equal(nodata.status, 'NOERROR');
  assert.deepEqual(nodata.answer, []);
  assert.equal(nodata.authority.length, 1);
  const txt = await dig(port, 'dns-version.cluster.local', 'TXT');
  assert.deepEqual(txt.answer, ['dns-version.cluster.local. 28800 TXT "1.1.0"']);
});

test('names outside the cluster go to the upstream and are cached; ExternalName is completed through it', async () => {
  const before = stub.seen.filter((s) => s.startsWith('www.example.test')).length;
  const a = await dig(port, 'www.example.test', 'A');
  assert.equal(a.status, 'NOERROR');
  assert.ok(!a.flags.includes('aa'));
  assert.deepEqual(a.answer.map((r) => r.split(' ').pop()).sort(), ['192.0.2.10', '192.0.2.11']);
  const again = await dig(port, 'WWW.example.test', 'A');
  assert.equal(again.answer.length, 2);
  assert.ok(again.answer.every((r) => r.startsWith('WWW.example.test. ')));
  assert.equal(stub.seen.filter((s) => s.startsWith('www.example.test')).length, before + 1, 'the second query is a cache hit');

  const ext = await dig(port, 'external.testns.svc.cluster.local', 'A');
  assert.deepEqual(ext.answer, ['external.testns.svc.cluster.local. 30 CNAME ext.interwebs.test.', 'ext.interwebs.test. 300 A 192.0.2.53']);
  const ptr = await dig(port, '4.3.2.1.in-addr.arpa', 'PTR');
  // A PTR the cluster does not know falls through to the upstream (its TTL is capped only on a cache hit).
  assert.deepEqual(ptr.answer, ['4.3.2.1.in-addr.arpa. 300 PTR host.example.test.']);
  assert.deepEqual((await dig(port, '4.3.2.1.in-addr.arpa', 'PTR')).answer, ['4.3.2.1.in-addr.arpa. 30 PTR host.example.test.']);
  const clusterPtr = await dig(port, '1.0.0.10.in-addr.arpa', 'PTR');
  assert.deepEqual(clusterPtr.answer, ['1.0.0.10.in-addr.arpa. 30 PTR svc1.testns.svc.cluster.local.']);
});

test('big answers: TC over UDP without EDNS, whole over TCP, dig falls back on its own, EDNS sizes respected', async () => {
  const udp = await dig(port, 'big.testns.svc.cluster.local', 'A', ['+noedns', '+ignore']);
  assert.ok(udp.flags.includes('tc'));
  assert.ok(udp.size <= 512);
  assert.ok(udp.answer.length > 0 && udp.answer.length < 100);
  const tcp = await dig(port, 'big.testns.svc.cluster.local', 'A', ['+tcp']);
  assert.equal(tcp.answer.length, 100);
  assert.ok(!tcp.flags.includes('tc'));
  const fallback = await dig(port, 'big.testns.svc.cluster.local', 'A', ['+noedns']);
  assert.equal(fallback.protocol, 'TCP');
  assert.equal(fallback.answer.length, 100);
  const edns = await dig(port, 'big.testns.svc.cluster.local', 'A', ['+bufsize=4096', '+ignore']);
  assert.ok(!edns.flags.includes('tc'));
  assert.equal(edns.answer.length, 100);
  assert.equal(edns.udp, 4096);
  const small = await dig(port, 'big.testns.svc.cluster.local', 'A', ['+bufsize=1232', '+ignore']);
  assert.ok(small.flags.includes('tc'));
  assert.ok(small.size <= 1232 && small.size > 1000);
});

test('an ExternalName whose target is truncated upstream is truncated too; over TCP it is whole', async () => {
  const udp = await dig(port, 'manyext.testns.svc.cluster.local', 'A', ['+noedns', '+ignore']);
  assert.ok(udp.flags.includes('tc'));
  const tcp = await dig(port, 'manyext.testns.svc.cluster.local', 'A', ['+tcp']);
  assert.equal(tcp.answer.length, 61);
  assert.equal(tcp.answer[0], 'manyext.testns.svc.cluster.local. 30 CNAME many.example.test.');
});

test('answers follow the cluster: a Service created, its endpoints changing, deleted', async () => {
  assert.equal((await dig(port, 'late.testns.svc.cluster.local')).status, 'NXDOMAIN');
  index.upsertService(service('testns', 'late', { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] }));
  index.upsertEndpointSlice(slice('testns', 'late-1', 'late', [{ ip: '10.244.9.1', hostname: 'late-0' }], [{ name: 'http', port: 80 }]));
  assert.deepEqual((await dig(port, 'late.testns.svc.cluster.local')).answer, ['late.testns.svc.cluster.local. 30 A 10.244.9.1']);
  assert.deepEqual((await dig(port, 'late-0.late.testns.svc.cluster.local')).answer, ['late-0.late.testns.svc.cluster.local. 30 A 10.244.9.1']);
  index.upsertEndpointSlice(slice('testns', 'late-1', 'late', [{ ip: '10.244.9.2', hostname: 'late-0' }], [{ name: 'http', port: 80 }]));
  assert.deepEqual((await dig(port, 'late.testns.svc.cluster.local')).answer, ['late.testns.svc.cluster.local. 30 A 10.244.9.2']);
  index.deleteService({ metadata: { namespace: 'testns', name: 'late' } });
  assert.equal((await dig(port, 'late.testns.svc.cluster.local')).status, 'NXDOMAIN');
});

test('loadbalance: the order of a headless Service\'s addresses varies', async () => {
  const firsts = new Set<string>();
  for (let i = 0; i < 8; i++) firsts.add((await dig(port, 'hdls1.testns.svc.cluster.local')).answer[0]);
  assert.ok(firsts.size > 1);
});

test('health, ready and metrics as CoreDNS serves them', async () => {
  const health = await fetch(`http://127.0.0.1:${httpPort}/health`);
  assert.equal(health.status, 200);
  assert.equal(await health.text(), 'OK');
  assert.equal((await fetch(`http://127.0.0.1:${httpPort}/ready`)).status, 200);
  const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  assert.match(metrics, /coredns_dns_requests_total\{server="dns:\/\/:\d+",zone="\.",view="",proto="udp",family="1",type="A"\} \d+/);
  assert.match(metrics, /coredns_dns_responses_total\{server="dns:\/\/:\d+",zone="\.",view="",rcode="NXDOMAIN",plugin="kubernetes"\} \d+/);
  assert.match(metrics, /coredns_dns_request_duration_seconds_bucket/);
  assert.match(metrics, /coredns_cache_hits_total\{server="dns:\/\/:\d+",zones="\.",view="",type="success"\} [1-9]/);
  assert.match(metrics, /coredns_forward_requests_total\{to="127\.0\.0\.1:\d+"\} [1-9]/);
  assert.match(metrics, /coredns_plugin_enabled\{server="dns:\/\/:\d+",zone="\.",view="",name="kubernetes"\} 1/);
  assert.match(metrics, /coredns_build_info/);
});

test('a changed Corefile is applied; a broken one is refused and the running one stays', async () => {
  assert.equal(await server.reload(corefile(stub.port, 7)), true);
  const port2 = server.addresses().dns[0].port;
  assert.equal(port2, port, 'the listener stays');
  assert.deepEqual((await dig(port, 'svc1.testns.svc.cluster.local')).answer, ['svc1.testns.svc.cluster.local. 7 A 10.0.0.1']);
  assert.equal(await server.reload('.:0 {\n bind 127.0.0.1\n kubernetes cluster.local {\n  pods sometimes\n }\n}'), false);
  assert.ok(logs.some((l) => /\[ERROR\] Restart failed: Corefile:4 - pods: mode must be disabled, insecure or verified/.test(l)), logs.join('\n'));
  assert.deepEqual((await dig(port, 'svc1.testns.svc.cluster.local')).answer, ['svc1.testns.svc.cluster.local. 7 A 10.0.0.1']);
  const metrics = await (await fetch(`http://127.0.0.1:${server.addresses().http['health 127.0.0.1:0'].port}/metrics`)).text();
  assert.match(metrics, /coredns_reload_failed_total 1/);
  assert.equal(await server.reload(corefile(stub.port)), true);
  httpPort = server.addresses().http['health 127.0.0.1:0'].port;
});

test('no loop was reported for a sane upstream', () => {
  assert.ok(!logs.some((l) => l.startsWith('FATAL')), logs.join('\n'));
});
