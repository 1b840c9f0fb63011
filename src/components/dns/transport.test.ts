// One port number for UDP and TCP: a number the kernel gave the UDP socket may already be held on TCP
// by someone else (the cause of server.test.ts dying with EADDRINUSE by chance); onSamePort moves on
// to another number instead of failing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { freeUdpTcpPort, listen, onSamePort } from './transport.js';

async function holdTcp(): Promise<net.Server> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return s;
}

async function bindUdp(port: number): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => { s.once('error', reject); s.bind(port, '127.0.0.1', () => resolve()); });
  return s;
}

test('a number taken on TCP by another socket is given up and another one is used for both', async () => {
  const held = await holdTcp();
  const taken = (held.address() as net.AddressInfo).port;
  let calls = 0;
  const r = await onSamePort(0,
    async () => {
      // The first pick is the number someone else holds on TCP; later picks are the kernel's.
      const s = await bindUdp(calls++ === 0 ? taken : 0);
      return { value: s, port: s.address().port, close: () => s.close() };
    },
    (p) => new Promise<net.Server>((resolve, reject) => { const t = net.createServer(); t.once('error', reject); t.listen(p, '127.0.0.1', () => resolve(t)); }));
  try {
    assert.ok(calls >= 2, 'the taken number was given up');
    assert.notEqual(r.port, taken);
    assert.equal((r.second.address() as net.AddressInfo).port, r.port);
  } finally {
    r.first.close();
    r.second.close();
    held.close();
  }
});

test('an explicit port that is taken fails with EADDRINUSE (no other number is tried)', async () => {
  const held = await holdTcp();
  const taken = (held.address() as net.AddressInfo).port;
  try {
    await assert.rejects(listen('127.0.0.1', taken, async () => undefined), (e: NodeJS.ErrnoException) => e.code === 'EADDRINUSE');
  } finally {
    held.close();
  }
});

test('freeUdpTcpPort gives a number both protocols can bind', async () => {
  const port = await freeUdpTcpPort();
  const l = await listen('127.0.0.1', port, async () => undefined);
  assert.equal(l.port, port);
  await l.close();
});
