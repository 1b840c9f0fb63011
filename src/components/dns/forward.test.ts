// forward, loop and the lifecycle against stub upstreams on loopback: failover past a dead upstream,
// SERVFAIL with the error logged when none answers, max_concurrent, the client's transport kept or
// forced, a forwarding loop stopping the server, and a graceful stop.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import packet from 'dns-packet';
import { DnsServer } from './server.js';
import { freeUdpTcpPort } from './transport.js';
import { resolveUpstreams } from './plugins/forward.js';
import { dig } from './testing/dig.js';
import { startStubUpstream, type StubUpstream } from './testing/stub-upstream.js';

const cleanup: Array<() => Promise<void>> = [];
after(async () => { for (const f of cleanup.reverse()) await f(); });

async function stubWith(): Promise<StubUpstream> {
  const s = await startStubUpstream({ 'www.example.test': [{ type: 'A', data: '192.0.2.1' }], 'many.example.test': Array.from({ length: 60 }, (_, i) => ({ type: 'A', data: `192.0.2.${i + 1}` })) });
  cleanup.push(() => s.close());
  return s;
}

async function start(corefile: string, logs: string[] = [], onFatal?: (e: Error) => void): Promise<{ server: DnsServer; port: number }> {
  const server = await DnsServer.start({ corefile, localIPs: [], log: (l) => logs.push(l), onFatal: onFatal ?? ((e) => logs.push(`FATAL ${e.message}`)) });
  cleanup.push(() => server.stop(0));
  return { server, port: server.addresses().dns[0].port };
}

/** A loopback port with nothing listening on UDP or TCP. */
async function deadPort(): Promise<number> {
  return freeUdpTcpPort('127.0.0.1');
}

/** An upstream that receives but never answers, counting the queries for each name (health checks too). */
async function silentUpstream(): Promise<{ port: number; queriesFor(name: string): number; close(): void }> {
  const s = dgram.createSocket('udp4');
  const seen = new Map<string, number>();
  s.on('message', (msg) => {
    try {
      const q = packet.decode(msg).questions?.[0]?.name?.toLowerCase();
      if (q) seen.set(q, (seen.get(q) ?? 0) + 1);
    } catch { /* not DNS */ }
  });
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  return { port: s.address().port, queriesFor: (n) => seen.get(n) ?? 0, close: () => s.close() };
}

test('an upstream that does not answer is passed over; after max_fails it is skipped until healthy', async () => {
  const good = await stubWith();
  const dead = await silentUpstream();
  try {
    const { port } = await start(`.:0 {\n bind 127.0.0.1\n forward . 127.0.0.1:${dead.port} 127.0.0.1:${good.port} {\n  policy sequential\n  max_fails 1\n  health_check 100ms\n }\n}`);
    const r = await dig(port, 'www.example.test', 'A', ['+time=8']);
    assert.deepEqual(r.answer, ['www.example.test. 300 A 192.0.2.1']);
    assert.equal(dead.queriesFor('www.example.test'), 1, 'the first query tried the silent upstream first');
    // Marked down now: the next query goes straight to the good one, never to the silent upstream.
    assert.equal((await dig(port, 'many.example.test')).status, 'NOERROR');
    assert.equal(dead.queriesFor('many.example.test'), 0);
  } finally {
    dead.close();
  }
});

test('no upstream answers: SERVFAIL, and the errors plugin says why', async () => {
  const logs: string[] = [];
  const dead = await deadPort();
  const { port } = await start(`.:0 {\n bind 127.0.0.1\n errors\n forward . 127.0.0.1:${dead}\n}`, logs);
  const r = await dig(port, 'www.example.test', 'A', ['+time=8']);
  assert.equal(r.status, 'SERVFAIL');
  assert.ok(logs.some((l) => /^\[ERROR\] plugin\/errors: 2 www\.example\.test\. A: /.test(l)), logs.join('\n'));
});

test('max_concurrent: beyond it queries are REFUSED', async () => {
  const slow = await stubWith();
  slow.delayMs = 1500;
  const { port, server } = await start(`.:0 {\n bind 127.0.0.1\n prometheus 127.0.0.1:0\n forward . 127.0.0.1:${slow.port} {\n  max_concurrent 1\n }\n}`);
  const results = await Promise.all([dig(port, 'www.example.test', 'A', ['+time=5']), new Promise((r) => setTimeout(r, 200)).then(() => dig(port, 'www.example.test', 'A', ['+time=5']))]);
  assert.deepEqual(results.map((r) => r.status).sort(), ['NOERROR', 'REFUSED']);
  const metrics = await (await fetch(`http://127.0.0.1:${server.addresses().http['metrics 127.0.0.1:0'].port}/metrics`)).text();
  assert.match(metrics, /coredns_forward_max_concurrent_rejects_total 1/);
});

test('transport: a UDP client gets the truncated upstream reply and retries over TCP; force_tcp always uses TCP', async () => {
  const up = await stubWith();
  const { port } = await start(`.:0 {\n bind 127.0.0.1\n forward . 127.0.0.1:${up.port}\n}`);
  const r = await dig(port, 'many.example.test', 'A', ['+noedns']);
  assert.equal(r.answer.length, 60);
  assert.equal(r.protocol, 'TCP');
  assert.deepEqual(up.seen.filter((s) => s.startsWith('many.')), ['many.example.test A udp', 'many.example.test A tcp']);
  const forced = await stubWith();
  const f = await start(`.:0 {\n bind 127.0.0.1\n forward . 127.0.0.1:${forced.port} {\n  force_tcp\n }\n}`);
  assert.equal((await dig(f.port, 'www.example.test')).status, 'NOERROR');
  assert.deepEqual(forced.seen, ['www.example.test A tcp']);
});

test('except and from: names outside go to the next plugin (none here: SERVFAIL)', async () => {
  const up = await stubWith();
  const { port } = await start(`.:0 {\n bind 127.0.0.1\n forward example.test 127.0.0.1:${up.port} {\n  except www.example.test\n }\n}`);
  assert.equal((await dig(port, 'www.example.test')).status, 'SERVFAIL');
  assert.equal((await dig(port, 'other.org')).status, 'SERVFAIL');
  assert.equal((await dig(port, 'many.example.test')).answer.length, 60);
});

test('loop: forwarding to itself is detected and stops the server with CoreDNS\'s message', async () => {
  const port = await deadPort();
  const fatal = new Promise<Error>((resolve) => {
    void start(`.:${port} {\n bind 127.0.0.1\n loop\n forward . 127.0.0.1:${port}\n}`, [], resolve);
  });
  const e = await Promise.race([fatal, new Promise<Error>((_, rej) => setTimeout(() => rej(new Error('no loop detected in 10 s')), 10_000))]);
  assert.match(e.message, /^Loop \(127\.0\.0\.1:\d+ -> dns:\/\/:\d+\) detected for zone "\.", see https:\/\/coredns\.io\/plugins\/loop#troubleshooting\. Query: "HINFO \d+\.\d+\."$/);
});

test('resolv.conf upstreams are read at setup; a file without nameservers is an error saying what to do', () => {
  assert.deepEqual(resolveUpstreams(['/etc/resolv.conf', '10.0.0.9:5353'], () => '# c\nsearch example\nnameserver 10.0.0.1\nnameserver fd00::1\noptions ndots:1\n'), ['10.0.0.1', 'fd00::1', '10.0.0.9:5353']);
  assert.throws(() => resolveUpstreams(['/etc/resolv.conf'], () => 'search x\n'), /has no nameserver line; list upstream addresses instead/);
});

test('graceful stop: /ready turns 503 while queries are still answered during lameduck', async () => {
  const up = await stubWith();
  const { server, port } = await start(`.:0 {\n bind 127.0.0.1\n health 127.0.0.1:0 {\n  lameduck 1500ms\n }\n ready 127.0.0.1:0\n forward . 127.0.0.1:${up.port}\n}`);
  const http = server.addresses().http;
  const stopping = server.stop();
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await fetch(`http://127.0.0.1:${http['ready 127.0.0.1:0'].port}/ready`)).status, 503);
  assert.equal((await fetch(`http://127.0.0.1:${http['health 127.0.0.1:0'].port}/health`)).status, 200);
  assert.equal((await dig(port, 'www.example.test')).status, 'NOERROR');
  await stopping;
});
