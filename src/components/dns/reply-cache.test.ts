// Reused replies (reply-cache.ts) on a real server over loopback UDP: a repeated query gets the same
// octets with its own ID, letter case and EDNS stay per query, a change in the cluster is answered at
// once, shuffled answers stay shuffled, and every query is still counted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { fixtureIndex, service, slice } from '../../core/dns/testing/fixtures.js';
import { newQuery, RRType } from '../../core/dns/types.js';
import { decodeMessage, encodeMessage } from '../../core/dns/wire.js';
import { memorySource } from './cluster-source.js';
import { DnsServer } from './server.js';

const index = fixtureIndex();
let server: DnsServer;
let port: number;
let sock: dgram.Socket;

before(async () => {
  index.upsertService(service('testns', 'many', { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] }));
  index.upsertEndpointSlice(slice('testns', 'many-1', 'many', Array.from({ length: 10 }, (_, i) => ({ ip: `172.1.0.${i + 1}` })), [{ name: 'http', port: 80 }]));
  server = await DnsServer.start({
    corefile: '.:0 {\n bind 127.0.0.1\n errors\n prometheus 127.0.0.1:0\n kubernetes cluster.local\n loadbalance\n}\n',
    sourceFor: () => memorySource(index), localIPs: ['10.244.0.2'], log: () => {},
  });
  port = server.addresses().dns[0].port;
  sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
});

after(async () => {
  sock?.close();
  await server?.stop(0);
});

/** Sends the octets and resolves with the reply's octets. */
function exchange(q: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { sock.off('message', onMessage); reject(new Error('no reply within 3 s')); }, 3000);
    const onMessage = (m: Buffer) => {
      if (m.readUInt16BE(0) !== q.readUInt16BE(0)) return;
      clearTimeout(timer);
      sock.off('message', onMessage);
      resolve(m);
    };
    sock.on('message', onMessage);
    sock.send(q, port, '127.0.0.1');
  });
}

const query = (name: string, id: number, type: number = RRType.A, udpSize?: number) =>
  encodeMessage(newQuery(name, type, { id, edns: udpSize ? { udpSize, version: 0, do: false, options: [] } : undefined }));

test('a repeated query gets the same reply with its own ID; case and EDNS belong to each query', async () => {
  const first = await exchange(query('svc1.testns.svc.cluster.local', 1));
  const second = await exchange(query('svc1.testns.svc.cluster.local', 2));
  assert.equal(second.readUInt16BE(0), 2);
  assert.deepEqual(second.subarray(2), first.subarray(2));
  assert.deepEqual(decodeMessage(second).answer.map((r) => r.data), ['10.0.0.1']);

  for (const id of [3, 4]) {
    const mixed = decodeMessage(await exchange(query('SVC1.TestNS.svc.cluster.local', id)));
    assert.equal(mixed.id, id);
    assert.equal(mixed.answer[0].name, 'SVC1.TestNS.svc.cluster.local');
  }
  for (const id of [5, 6]) {
    const plain = decodeMessage(await exchange(query('svc1.testns.svc.cluster.local', id)));
    assert.equal(plain.edns, undefined);
    const edns = decodeMessage(await exchange(query('svc1.testns.svc.cluster.local', id + 100, RRType.A, 1232)));
    assert.equal(edns.edns?.udpSize, 1232);
  }
});

test('a change in the cluster is answered by the very next query', async () => {
  const name = 'moving.testns.svc.cluster.local';
  assert.equal(decodeMessage(await exchange(query(name, 10))).rcode, 3, 'NXDOMAIN before the Service exists');
  index.upsertService(service('testns', 'moving', { clusterIP: '10.0.0.77', ports: [{ port: 80 }] }));
  assert.deepEqual(decodeMessage(await exchange(query(name, 11))).answer.map((r) => r.data), ['10.0.0.77']);
  index.upsertService(service('testns', 'moving', { clusterIP: '10.0.0.78', ports: [{ port: 80 }] }));
  assert.deepEqual(decodeMessage(await exchange(query(name, 12))).answer.map((r) => r.data), ['10.0.0.78']);
  index.deleteService(service('testns', 'moving', {}));
  assert.equal(decodeMessage(await exchange(query(name, 13))).rcode, 3);
});

test('answers loadbalance shuffles are shuffled for every query, not reused', async () => {
  const orders = new Set<string>();
  for (let id = 20; id < 40; id++) {
    const m = decodeMessage(await exchange(query('many.testns.svc.cluster.local', id)));
    assert.equal(m.answer.length, 10);
    orders.add(m.answer.map((r) => r.data).join(','));
  }
  // 20 draws of 10! orders: all equal only if nothing shuffles.
  assert.ok(orders.size > 1, 'the order of the addresses changes between replies');
});

test('reused replies are counted like any other', async () => {
  const count = async () => {
    const text = await server.metrics.registry.getSingleMetricAsString('coredns_dns_requests_total');
    return [...text.matchAll(/^coredns_dns_requests_total\{[^}]*type="SRV"[^}]*\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
  };
  const before = await count();
  for (let id = 50; id < 55; id++) await exchange(query('_http._tcp.svc1.testns.svc.cluster.local', id, RRType.SRV));
  assert.equal(await count(), before + 5);
});

test("with kubeadm's cache (disabled for cluster.local) cluster answers are reused and still counted by the cache; a kept answer is not reused", async () => {
  const corefile = (cache: string) => `.:0 {\n bind 127.0.0.1\n errors\n prometheus 127.0.0.1:0\n kubernetes cluster.local {\n  ttl 30\n }\n ${cache}\n loadbalance\n}\n`;
  const kubeadm = await DnsServer.start({ corefile: corefile('cache 30 {\n  disable success cluster.local\n  disable denial cluster.local\n }'), sourceFor: () => memorySource(index), localIPs: [], log: () => {} });
  const plain = await DnsServer.start({ corefile: corefile('cache 30'), sourceFor: () => memorySource(index), localIPs: [], log: () => {} });
  const at = (s: DnsServer) => s.addresses().dns[0].port;
  const exchangeAt = (p: number, q: Buffer) => new Promise<Buffer>((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    const timer = setTimeout(() => { s.close(); reject(new Error('no reply within 3 s')); }, 3000);
    s.on('message', (m) => { clearTimeout(timer); s.close(); resolve(m); });
    s.send(q, p, '127.0.0.1');
  });
  try {
    const counter = async (name: string) => {
      const text = await kubeadm.metrics.registry.getSingleMetricAsString(name);
      return [...text.matchAll(/^\w+\{[^}]*\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
    };
    const first = await exchangeAt(at(kubeadm), query('svc1.testns.svc.cluster.local', 70));
    const [requests, misses] = [await counter('coredns_cache_requests_total'), await counter('coredns_cache_misses_total')];
    for (let id = 71; id < 75; id++) assert.deepEqual((await exchangeAt(at(kubeadm), query('svc1.testns.svc.cluster.local', id))).subarray(2), first.subarray(2));
    assert.equal(await counter('coredns_cache_requests_total'), requests + 4);
    assert.equal(await counter('coredns_cache_misses_total'), misses + 4);

    // A plain `cache 30` keeps the answer: the next reply is the cache's, with the time left.
    assert.equal(decodeMessage(await exchangeAt(at(plain), query('svc1.testns.svc.cluster.local', 80))).answer[0].ttl, 30);
    await new Promise((r) => setTimeout(r, 1100));
    assert.ok(decodeMessage(await exchangeAt(at(plain), query('svc1.testns.svc.cluster.local', 81))).answer[0].ttl < 30);
  } finally {
    await kubeadm.stop(0);
    await plain.stop(0);
  }
});
