// Malformed traffic against a running server on loopback: what miekg/dns + CoreDNS answer (FORMERR,
// NOTIMP, BADVERS, REFUSED, or silence), and a fuzz run of many thousands of random and mutated packets
// over UDP and TCP after which the server still answers correctly.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { fixtureIndex } from '../../core/dns/testing/fixtures.js';
import { newQuery, Rcode, RRType } from '../../core/dns/types.js';
import { decodeMessage, encodeMessage } from '../../core/dns/wire.js';
import { memorySource } from './cluster-source.js';
import { DnsServer } from './server.js';
import { dig } from './testing/dig.js';

let server: DnsServer;
let port: number;
const logs: string[] = [];

before(async () => {
  server = await DnsServer.start({
    corefile: 'cluster.local:0 {\n bind 127.0.0.1\n errors\n kubernetes cluster.local {\n  pods insecure\n }\n}\n',
    sourceFor: () => memorySource(fixtureIndex()), localIPs: [], log: (l) => logs.push(l),
  });
  port = server.addresses().dns[0].port;
});

after(async () => { await server?.stop(0); });

const SENTINEL_ID = 0xbeef;

/**
 * Sends datagrams, then a valid query as a sentinel, and returns what came back for the datagrams once the
 * sentinel's answer is in: the server reads one socket in order, so everything it received before the
 * sentinel has been handled by then. No fixed wait, so a loaded machine cannot make a reply look missing.
 */
async function udpExchange(packets: Buffer[]): Promise<Buffer[]> {
  const sock = dgram.createSocket('udp4');
  const got: Buffer[] = [];
  const sentinel = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server did not answer the sentinel query within 10 s')), 10_000);
    sock.on('message', (m) => {
      if (m.readUInt16BE(0) === SENTINEL_ID) { clearTimeout(timer); resolve(); } else got.push(m);
    });
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  for (const p of packets) sock.send(p, port, '127.0.0.1');
  // A burst can overflow the socket's receive buffer (the kernel drops datagrams), the sentinel among them:
  // it is sent again until answered; the datagrams themselves are never re-sent.
  const query = encodeMessage(newQuery('svc1.testns.svc.cluster.local', RRType.A, { id: SENTINEL_ID }));
  const send = () => sock.send(query, port, '127.0.0.1');
  send();
  const again = setInterval(send, 100);
  try { await sentinel; } finally { clearInterval(again); sock.close(); }
  return got;
}

function header(id: number, flagsHi: number, qd: number, an = 0, ns = 0, ar = 0): number[] {
  return [id >> 8, id & 255, flagsHi, 0, 0, qd, 0, an, 0, ns, 0, ar];
}

test('what comes back for broken queries, as miekg/dns answers them', async () => {
  const q = [...encodeMessage(newQuery('svc1.testns.svc.cluster.local', RRType.A, { id: 1 }))].slice(12);
  const cases: Array<[string, number[], number | undefined]> = [
    ['shorter than a header: dropped', [1, 2, 3], undefined],
    ['a response: dropped', [...header(2, 0x80, 1), ...q], undefined],
    ['opcode STATUS: NOTIMP', [...header(3, 2 << 3, 1), ...q], Rcode.NOTIMP],
    ['two questions: FORMERR', [...header(4, 0, 2), ...q, ...q], Rcode.FORMERR],
    ['no question: FORMERR', [...header(5, 0, 0)], Rcode.FORMERR],
    ['compression loop: FORMERR', [...header(6, 0, 1), 0xc0, 12, 0, 1, 0, 1], Rcode.FORMERR],
    ['question cut short: FORMERR', [...header(7, 0, 1), 3, 0x61, 0x62], Rcode.FORMERR],
    ['trailing garbage: FORMERR', [...header(8, 0, 1), ...q, 1, 2, 3], Rcode.FORMERR],
    ['three additional records: FORMERR', [...header(9, 0, 1, 0, 0, 3), ...q], Rcode.FORMERR],
  ];
  for (const [what, bytes, rcode] of cases) {
    const got = await udpExchange([Buffer.from(bytes)]);
    if (rcode === undefined) { assert.equal(got.length, 0, what); continue; }
    assert.equal(got.length, 1, what);
    const m = decodeMessage(got[0]);
    assert.equal(m.rcode, rcode, what);
    assert.equal(m.id, (bytes[0] << 8) | bytes[1], what);
    assert.equal(m.qr, true, what);
  }
});

test('EDNS version 1 gets BADVERS; a name outside every server block gets REFUSED', async () => {
  const q = newQuery('svc1.testns.svc.cluster.local', RRType.A, { id: 11, edns: { udpSize: 1232, version: 1, do: false, options: [] } });
  const [bad] = await udpExchange([encodeMessage(q)]);
  const m = decodeMessage(bad);
  assert.equal(m.rcode, Rcode.BADVERS);
  assert.equal(m.edns?.udpSize, 1232);
  const r = await dig(port, 'example.org', 'A');
  assert.equal(r.status, 'REFUSED');
});

test('a fuzz run of 20,000 malformed packets over UDP and 500 over TCP leaves the server answering', async () => {
  let seed = 42;
  const rand = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed; };
  const valid = encodeMessage(newQuery('svc1.testns.svc.cluster.local', RRType.SRV, { edns: { udpSize: 4096, version: 0, do: true, options: [] } }));
  const packet = (i: number): Buffer => {
    if (i % 3 === 0) return Buffer.from(Array.from({ length: rand() % 600 }, () => rand() & 0xff));
    const b = Buffer.from(valid);
    for (let k = 0; k < 1 + (rand() % 8); k++) b[rand() % b.length] = rand() & 0xff;
    b[2] &= 0x7f; // keep it a query, so that it reaches the parser
    return i % 7 === 0 ? b.subarray(0, rand() % b.length) : b;
  };
  let replies = 0;
  for (let batch = 0; batch < 40; batch++) {
    const got = await udpExchange(Array.from({ length: 500 }, (_, k) => packet(batch * 500 + k)));
    for (const g of got) { decodeMessage(g); replies++; }
  }
  assert.ok(replies > 1000, `only ${replies} replies`);
  // TCP: length-prefixed garbage, one connection per packet, and a connection that lies about the length.
  for (let i = 0; i < 500; i++) {
    const p = packet(i);
    await new Promise<void>((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => {
        const head = Buffer.alloc(2);
        head.writeUInt16BE(i % 50 === 0 ? 65535 : p.length);
        c.end(Buffer.concat([head, p]));
      });
      c.on('data', () => {});
      c.on('close', () => resolve());
      c.on('error', () => resolve());
      c.setTimeout(1000, () => c.destroy());
    });
  }
  const ok = await dig(port, 'svc1.testns.svc.cluster.local');
  assert.deepEqual(ok.answer, ['svc1.testns.svc.cluster.local. 5 A 10.0.0.1']);
  const tcp = await dig(port, 'svc1.testns.svc.cluster.local', 'A', ['+tcp']);
  assert.deepEqual(tcp.answer, ['svc1.testns.svc.cluster.local. 5 A 10.0.0.1']);
  assert.ok(!logs.some((l) => /panic/i.test(l)), logs.filter((l) => /panic/i.test(l)).slice(0, 3).join('\n'));
});

test('several queries pipelined on one TCP connection are all answered', async () => {
  const names = ['svc1', 'svcempty', 'dual-svc', 'nosuch'];
  const wire = Buffer.concat(names.map((n, i) => {
    const m = encodeMessage(newQuery(`${n}.testns.svc.cluster.local`, RRType.A, { id: 100 + i }));
    const head = Buffer.alloc(2);
    head.writeUInt16BE(m.length);
    return Buffer.concat([head, m]);
  }));
  const ids = await new Promise<number[]>((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1', () => c.write(wire));
    let buf = Buffer.alloc(0);
    const out: number[] = [];
    c.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        out.push(decodeMessage(buf.subarray(2, 2 + buf.readUInt16BE(0))).id);
        buf = buf.subarray(2 + buf.readUInt16BE(0));
      }
      if (out.length === names.length) { c.destroy(); resolve(out); }
    });
    c.on('error', reject);
  });
  assert.deepEqual(ids.sort(), [100, 101, 102, 103]);
});
