import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { Duplex } from 'node:stream';
import { connect as netConnect } from 'node:net';
import { WebSocket } from 'ws';
import { StreamingServer } from './server.js';
import { channelFrame, parseChannelFrame, portBytes } from './portforward-websocket.js';
import type { StreamingRuntime } from './runtime.js';

test('channel frames: binary (channel byte) and base64 (ASCII digit), ports little-endian', () => {
  assert.deepEqual(channelFrame(2, Buffer.from('hi'), false), Buffer.from([2, 0x68, 0x69]));
  assert.equal(channelFrame(1, Buffer.from('hi'), true), '1aGk=');
  assert.deepEqual(parseChannelFrame(Buffer.from('0aGk='), false, true), { channel: 0, data: Buffer.from('hi') });
  assert.deepEqual(portBytes(8080), Buffer.from([0x90, 0x1f]));
});

async function echoServer(): Promise<{ server: Server; port: number }> {
  const server = createServer((s) => s.on('data', (d) => { s.write(`echo:${d}`); s.end(); }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as { port: number }).port };
}

test('WebSocket port-forward: two channels per port from 0, port number first, data both ways, error text, close when all end', async () => {
  const { server, port } = await echoServer();
  const runtime: StreamingRuntime = {
    exec: () => Promise.reject(new Error('no')), attach: () => Promise.reject(new Error('no')), logs: () => Promise.reject(new Error('no')),
    async portForward(_pod, p): Promise<Duplex> {
      if (p !== 80) throw new Error(`nothing listens on port ${p}`);
      const s = netConnect({ host: '127.0.0.1', port });
      await new Promise((r) => s.once('connect', r));
      return s;
    },
  };
  const agent = new StreamingServer({ host: '127.0.0.1', port: 0, token: 't', runtime });
  await agent.start();
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${agent.port}/portForward/default/web?port=80,81`, ['v4.channel.k8s.io'], { headers: { authorization: 'Bearer t' } });
    const frames: Buffer[] = [];
    ws.on('message', (d: Buffer) => frames.push(Buffer.from(d)));
    await new Promise((r) => ws.once('open', r));
    assert.equal(ws.protocol, 'v4.channel.k8s.io');
    ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('ping')]));
    await new Promise((r) => ws.once('close', r));
    const byChannel = (c: number) => frames.filter((f) => f[0] === c).map((f) => f.subarray(1));
    for (const [c, p] of [[0, 80], [1, 80], [2, 81], [3, 81]]) assert.deepEqual(byChannel(c)[0], portBytes(p), `channel ${c}`);
    assert.equal(Buffer.concat(byChannel(0).slice(1)).toString(), 'echo:ping');
    assert.equal(byChannel(1).length, 1, 'no error for the port that worked');
    assert.match(Buffer.concat(byChannel(3).slice(1)).toString(), /error forwarding port 81 to pod default\/web: nothing listens on port 81/);
  } finally {
    await agent.stop();
    server.close();
  }
});

test('WebSocket port-forward without ports is refused before the upgrade', async () => {
  const runtime = {} as StreamingRuntime;
  const agent = new StreamingServer({ host: '127.0.0.1', port: 0, token: 't', runtime });
  await agent.start();
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${agent.port}/portForward/default/web`, ['v4.channel.k8s.io'], { headers: { authorization: 'Bearer t' } });
    const status = await new Promise<number>((resolve) => ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    assert.equal(status, 400);
  } finally { await agent.stop(); }
});
