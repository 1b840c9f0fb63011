// batch.ts on the recording executor (no root): batches go to one ip/bridge process on stdin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useRecordingExecutor } from './exec-fake.js';
import { ipBatch, routeBatchArgs, runBridgeBatch, runIpBatch } from './batch.js';

const fake = useRecordingExecutor();

test('runIpBatch and runBridgeBatch: one process per batch, a line per command; nothing for no commands', async () => {
  fake.clear();
  await runIpBatch([routeBatchArgs('replace', { dst: '10.244.2.0/24', via: '172.31.250.12', dev: 'eth0', onlink: true })], { netns: 'n1', force: true });
  await runBridgeBatch([['fdb', 'replace', '0a:00:00:00:00:02', 'dev', 'flannel.1', 'dst', '172.31.250.12', 'self', 'permanent']], { netns: 'n1' });
  await runIpBatch([]);
  assert.deepEqual(fake.calls.map((c) => [c.full, c.input]), [
    [['ip', '-n', 'n1', '-force', '-batch', '-'], 'route replace 10.244.2.0/24 via 172.31.250.12 dev eth0 onlink\n'],
    [['bridge', '-n', 'n1', '-batch', '-'], 'fdb replace 0a:00:00:00:00:02 dev flannel.1 dst 172.31.250.12 self permanent\n'],
  ]);
});

test('ipBatch: JSON shows and per-line failures, tolerated ones aside, in a namespace given by path', async () => {
  fake.clear();
  fake.on(['ip', '-j', '-force', '-batch', '-'], {
    exitCode: 1,
    stdout: '[{"ifname":"cni0"}]\n',
    stderr: 'RTNETLINK answers: File exists\nCommand failed -:1\nCannot find device "veth9"\nCommand failed -:2\n',
  });
  const out = await ipBatch([
    { argv: ['link', 'add', 'name', 'cni0', 'type', 'bridge'], tolerateExists: true },
    { argv: ['link', 'set', 'dev', 'veth9', 'up'] },
    { argv: ['link', 'show', 'dev', 'cni0'] },
  ], { netns: '/proc/7/ns/net' });
  assert.deepEqual(out.errors, ['link set dev veth9 up: Cannot find device "veth9"']);
  assert.deepEqual(out.shows, [[{ ifname: 'cni0' }]]);
  assert.deepEqual(fake.calls[0].full, ['nsenter', '--net=/proc/7/ns/net', 'ip', '-j', '-force', '-batch', '-']);
  await assert.rejects(ipBatch([{ argv: ['link', 'show', 'dev', 'a b'] }]), /cannot put "a b" in a batch line/);
});
