import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import type { V1Container } from '@kubernetes/client-node';
import { ProbeTracker, resolvePort, runProbe, type ProbeTarget } from './probes.js';

test('thresholds: readiness starts failing and needs successThreshold; liveness starts fine and fails after failureThreshold', () => {
  const r = new ProbeTracker('readiness', { successThreshold: 2, failureThreshold: 2 });
  assert.equal(r.result, 'failure');
  assert.equal(r.record(true), false);
  assert.equal(r.record(true), true);
  assert.equal(r.result, 'success');
  assert.equal(r.record(false), false);
  assert.equal(r.record(true), false); // the failure streak was broken
  assert.equal(r.result, 'success');

  const l = new ProbeTracker('liveness', { failureThreshold: 3, successThreshold: 5 });
  assert.equal(l.result, 'success');
  l.record(false); l.record(false);
  assert.equal(l.result, 'success');
  assert.equal(l.record(false), true);
  assert.equal(l.result, 'failure');
  assert.equal(new ProbeTracker('startup', {}).result, 'unknown');
});

test('named ports resolve from the container\'s ports', () => {
  const c: V1Container = { name: 'c', ports: [{ name: 'http', containerPort: 8080 }] };
  assert.equal(resolvePort('http', c), 8080);
  assert.equal(resolvePort(81, c), 81);
  assert.throws(() => resolvePort('metrics', c), /couldn't find port: metrics/);
});

function listen(s: Server | ReturnType<typeof createTcpServer>): Promise<number> {
  return new Promise((r) => s.listen(0, '127.0.0.1', () => r((s.address() as { port: number }).port)));
}

test('httpGet, tcpSocket and exec attempts with kubelet\'s failure messages', async () => {
  const web = createServer((req, res) => { res.statusCode = req.url === '/ok' ? 200 : 500; res.end(String(req.headers['user-agent'])); });
  const port = await listen(web);
  const closed = createTcpServer();
  const freePort = await listen(closed);
  await new Promise<void>((r) => closed.close(() => r()));
  const target: ProbeTarget = {
    podIP: '127.0.0.1', container: { name: 'c', ports: [{ name: 'http', containerPort: port }] },
    exec: async (cmd) => ({ exitCode: cmd[0] === 'true' ? 0 : 1, output: cmd.join(' ') }),
  };
  try {
    const good = await runProbe({ httpGet: { path: '/ok', port: 'http' } }, target);
    assert.deepEqual(good, { ok: true, output: 'kube-probe/1.32' });
    assert.deepEqual(await runProbe({ httpGet: { path: '/bad', port } }, target), { ok: false, output: 'HTTP probe failed with statuscode: 500' });
    assert.deepEqual(await runProbe({ tcpSocket: { port } }, target), { ok: true, output: '' });
    assert.deepEqual(await runProbe({ tcpSocket: { port: freePort } }, target), { ok: false, output: `dial tcp 127.0.0.1:${freePort}: connect: connection refused` });
    assert.deepEqual(await runProbe({ httpGet: { path: '/', port: freePort } }, target),
      { ok: false, output: `Get "http://127.0.0.1:${freePort}/": dial tcp 127.0.0.1:${freePort}: connect: connection refused` });
    assert.equal((await runProbe({ exec: { command: ['true'] } }, target)).ok, true);
    assert.equal((await runProbe({ exec: { command: ['false'] } }, target)).ok, false);
  } finally {
    web.close();
  }
});
