import { test } from 'node:test';
import assert from 'node:assert/strict';
import dnsPacket from 'dns-packet';
import { decodeMessage, encodeMessage, FormatError, nameLabels, peekHeader } from './wire.js';
import { newQuery, replyTo, RRClass, RRType, type Message, type ResourceRecord } from './types.js';

const rr = (name: string, type: number, data: ResourceRecord['data'], ttl = 30): ResourceRecord => ({ name, type, class: RRClass.IN, ttl, data });

function sampleReply(): Message {
  const q = newQuery('Web.Default.svc.cluster.local', RRType.A, { id: 4242 });
  const m = replyTo(q);
  m.aa = true;
  m.answer.push(rr('Web.Default.svc.cluster.local', RRType.A, '10.96.0.20'));
  m.answer.push(rr('Web.Default.svc.cluster.local', RRType.AAAA, 'fd00::1:0:0:2'));
  m.answer.push(rr('_http._tcp.web.default.svc.cluster.local', RRType.SRV, { priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' }));
  m.answer.push(rr('x.cluster.local', RRType.CNAME, 'www.example.com'));
  m.answer.push(rr('dns-version.cluster.local', RRType.TXT, ['1.1.0']));
  m.answer.push(rr('20.0.96.10.in-addr.arpa', RRType.PTR, 'web.default.svc.cluster.local'));
  m.answer.push(rr('mail.example.com', RRType.MX, { preference: 10, exchange: 'mx.example.com' }));
  m.authority.push(rr('cluster.local', RRType.SOA, { mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial: 1700000000, refresh: 7200, retry: 1800, expire: 86400, minimum: 30 }));
  m.additional.push(rr('web.default.svc.cluster.local', RRType.A, '10.96.0.20'));
  m.edns = { udpSize: 1232, version: 0, do: true, options: [{ code: 10, data: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]) }] };
  return m;
}

test('encode → decode round trip keeps every field and the names\' case', () => {
  const m = sampleReply();
  const back = decodeMessage(encodeMessage(m));
  assert.deepEqual(back, { ...m, additional: m.additional, edns: { ...m.edns!, options: m.edns!.options.map((o) => ({ code: o.code, data: Uint8Array.from(o.data) })) } });
});

test('dns-packet, an independent decoder, reads what we encode (compressed names, SRV, SOA, OPT)', () => {
  const wire = encodeMessage(sampleReply());
  const p = dnsPacket.decode(wire);
  assert.equal(p.id, 4242);
  assert.equal(p.answers!.length, 7);
  assert.equal(p.answers![0].name, 'Web.Default.svc.cluster.local');
  assert.deepEqual(p.answers!.map((a) => a.type), ['A', 'AAAA', 'SRV', 'CNAME', 'TXT', 'PTR', 'MX']);
  assert.deepEqual((p.answers![2] as any).data, { priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' });
  assert.equal((p.authorities![0] as any).data.minimum, 30);
  const opt = p.additionals!.find((a) => a.type === 'OPT') as any;
  assert.equal(opt.udpPayloadSize, 1232);
  assert.equal(opt.flag_do, true);
  // Compression makes it smaller than dns-packet's uncompressed encoding of the same message.
  assert.ok(wire.length < dnsPacket.encode(p as dnsPacket.Packet).length);
});

test('we read what dns-packet encodes', () => {
  const wire = dnsPacket.encode({ type: 'query', id: 7, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'SRV', name: '_dns._udp.kube-dns.kube-system.svc.cluster.local' }],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 4096, flags: 0, options: [] } as any] });
  const m = decodeMessage(wire);
  assert.equal(m.id, 7);
  assert.equal(m.rd, true);
  assert.deepEqual(m.question, [{ name: '_dns._udp.kube-dns.kube-system.svc.cluster.local', type: RRType.SRV, class: 1 }]);
  assert.equal(m.edns?.udpSize, 4096);
  assert.equal(m.additional.length, 0);
});

test('labels with dots, backslashes and binary octets survive as \\DDD escapes', () => {
  const q = newQuery('a\\.b.\\000\\255x.example', RRType.A, { id: 1 });
  const wire = encodeMessage(q);
  assert.deepEqual([...wire.subarray(12, 12 + 4)], [3, 0x61, 0x2e, 0x62]);
  assert.equal(decodeMessage(wire).question[0].name, 'a\\.b.\\000\\255x.example');
  assert.deepEqual(nameLabels('a\\.b.c').map((l) => l.length), [3, 1]);
});

test('the root name and a trailing dot encode as expected', () => {
  assert.equal(decodeMessage(encodeMessage(newQuery('.', RRType.NS))).question[0].name, '.');
  assert.equal(decodeMessage(encodeMessage(newQuery('example.com.', RRType.A))).question[0].name, 'example.com');
});

test('truncation drops whole records, sets TC, keeps the OPT record and the question', () => {
  const q = newQuery('big.default.svc.cluster.local', RRType.A, { id: 9 });
  const m = replyTo(q);
  for (let i = 0; i < 200; i++) m.answer.push(rr('big.default.svc.cluster.local', RRType.A, `10.244.${i >> 8}.${i & 255}`));
  const full = encodeMessage(m);
  const fullBack = decodeMessage(full);
  assert.equal(fullBack.answer.length, 200);
  assert.equal(fullBack.tc, false);
  // Compressed, each A record is 16 octets.
  assert.equal(full.length, 12 + 35 + 200 * 16);

  const small = encodeMessage(m, { maxSize: 512 });
  assert.ok(small.length <= 512);
  const back = decodeMessage(small);
  assert.equal(back.tc, true);
  assert.equal(back.answer.length, Math.floor((512 - 12 - 35) / 16));
  assert.equal(back.question[0].name, 'big.default.svc.cluster.local');

  m.edns = { udpSize: 1232, version: 0, do: false, options: [] };
  const withEdns = encodeMessage(m, { maxSize: 1232 });
  const eb = decodeMessage(withEdns);
  assert.ok(withEdns.length <= 1232);
  assert.equal(eb.tc, true);
  assert.equal(eb.edns?.udpSize, 1232);
  assert.equal(eb.answer.length, Math.floor((1232 - 11 - 12 - 35) / 16));
  // Sizes below 512 count as 512 (RFC 6891).
  assert.ok(encodeMessage(m, { maxSize: 100 }).length > 400);
});

test('extended rcodes travel in the OPT record', () => {
  const m = replyTo(newQuery('x', RRType.A), 16);
  m.edns = { udpSize: 512, version: 0, do: false, options: [] };
  assert.equal(decodeMessage(encodeMessage(m)).rcode, 16);
});

function header(qd: number, an = 0, ns = 0, ar = 0): number[] {
  return [0x12, 0x34, 0x01, 0x00, 0, qd, 0, an, 0, ns, 0, ar];
}

test('malformed messages are FormatErrors that carry the id, never other exceptions', () => {
  const cases: Array<[string, number[], RegExp]> = [
    ['short header', [1, 2, 3], /shorter than a DNS header/],
    ['compression loop to itself', [...header(1), 0xc0, 12, 0, 1, 0, 1], /does not point backwards/],
    ['pointer forwards', [...header(1), 0xc0, 20, 0, 1, 0, 1, 0, 0, 0, 0], /does not point backwards/],
    ['two-step loop', [...header(1), 1, 0x61, 0xc0, 12, 0, 1, 0, 1], /does not point backwards/],
    ['label past the end', [...header(1), 10, 0x61], /label runs past the end/],
    ['no terminating zero', [...header(1), 1, 0x61], /name runs past the end/],
    ['extended label type', [...header(1), 0x41, 0, 0, 1, 0, 1], /unsupported label type/],
    ['question cut short', [...header(1), 0, 0, 1], /truncated/],
    ['trailing garbage', [...header(1), 0, 0, 1, 0, 1, 9, 9], /octets after the last record/],
    ['A record with 3 octets', [...header(0, 1), 0, 0, 1, 0, 1, 0, 0, 0, 30, 0, 3, 1, 2, 3], /A record with 3 octets/],
    ['rdlength past the end', [...header(0, 1), 0, 0, 16, 0, 1, 0, 0, 0, 30, 0, 50, 1], /truncated record data/],
    ['TXT string past its rdata', [...header(0, 1), 0, 0, 16, 0, 1, 0, 0, 0, 30, 0, 2, 5, 0x61], /truncated character-string|do not match/],
    ['two OPT records', [...header(0, 0, 0, 2), 0, 0, 41, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 41, 2, 0, 0, 0, 0, 0, 0, 0], /more than one OPT/],
    ['counts larger than the message', [...header(5)], /truncated|past the end/],
  ];
  for (const [what, bytes, re] of cases) {
    let err: unknown;
    try { decodeMessage(Uint8Array.from(bytes)); } catch (e) { err = e; }
    assert.ok(err instanceof FormatError, `${what}: expected a FormatError, got ${err}`);
    assert.match((err as Error).message, re, what);
    if (bytes.length >= 12) assert.equal((err as FormatError).id, 0x1234, what);
  }
});

test('a name of more than 255 octets is refused, whether spelled out or made of pointers', () => {
  const label = [63, ...new Array(63).fill(0x61)];
  const long = [...header(1), ...label, ...label, ...label, ...label, 0, 0, 1, 0, 1];
  assert.throws(() => decodeMessage(Uint8Array.from(long)), /longer than 255/);
  // 4 × 64 octets reached through a chain of backward pointers, one record's owner pointing at the previous one.
  const tail = [0, 1, 0, 1, 0, 0, 0, 30, 0, 4, 10, 0, 0, 1];
  const bytes = [...header(0, 4)];
  let prev = -1;
  for (let i = 0; i < 4; i++) {
    const at = bytes.length;
    bytes.push(...label, ...(prev < 0 ? [0] : [0xc0, prev]), ...tail);
    prev = at;
  }
  assert.throws(() => decodeMessage(Uint8Array.from(bytes)), /longer than 255/);
  // Three of them (193 octets) are fine.
  const three = Uint8Array.from(bytes.slice(0, bytes.length - (64 + 2 + tail.length)));
  three[7] = 3;
  assert.equal(decodeMessage(three).answer[2].name.length, 3 * 64 - 1);
  assert.throws(() => nameLabels('a'.repeat(64)), /longer than 63/);
  assert.throws(() => nameLabels(Array(5).fill('a'.repeat(63)).join('.')), /longer than 255/);
});

test('random and mutated packets never throw anything but FormatError', () => {
  let seed = 12345;
  const rand = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed; };
  const valid = encodeMessage(sampleReply());
  for (let i = 0; i < 20000; i++) {
    let buf: Uint8Array;
    if (i % 2 === 0) {
      buf = Uint8Array.from({ length: rand() % 300 }, () => rand() & 0xff);
    } else {
      buf = Uint8Array.from(valid);
      for (let k = 0; k < 1 + (rand() % 6); k++) buf[rand() % buf.length] = rand() & 0xff;
      if (rand() % 4 === 0) buf = buf.subarray(0, rand() % buf.length);
    }
    let m;
    try {
      m = decodeMessage(buf);
    } catch (e) {
      assert.ok(e instanceof FormatError, `iteration ${i}: ${(e as Error)?.stack}`);
      continue;
    }
    // Whatever decoded must encode again: an encode failure is a bug, not a malformed input.
    encodeMessage(m);
  }
});

test('peekHeader reads the counts without parsing', () => {
  assert.deepEqual(peekHeader(Uint8Array.from(header(1, 2, 3, 4))), { id: 0x1234, qr: false, opcode: 0, qdcount: 1, ancount: 2, nscount: 3, arcount: 4 });
  assert.equal(peekHeader(Uint8Array.from([1])), undefined);
});
