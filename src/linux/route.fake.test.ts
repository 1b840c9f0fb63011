// route.ts on the recording executor (no root).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useRecordingExecutor } from './exec-fake.js';
import { addRoute, deleteRoute, listRoutes, replaceRoute } from './route.js';

const fake = useRecordingExecutor();

test('routes: add, replace onlink (host-gw), delete by destination; absent is false', async () => {
  fake.clear();
  fake.on(['ip', '-n', 'n1', 'route', 'del'], { exitCode: 2, stderr: 'RTNETLINK answers: No such process' });
  await addRoute({ dst: 'default', via: '10.244.1.1' }, { netns: 'p1' });
  await replaceRoute({ dst: '10.244.2.0/24', via: '172.31.250.12', dev: 'eth0', onlink: true }, { netns: 'n1' });
  assert.equal(await deleteRoute({ dst: '10.244.9.0/24' }, { netns: 'n1' }), false);
  assert.deepEqual(fake.argvs(), [
    ['ip', '-n', 'p1', 'route', 'add', 'default', 'via', '10.244.1.1'],
    ['ip', '-n', 'n1', 'route', 'replace', '10.244.2.0/24', 'via', '172.31.250.12', 'dev', 'eth0', 'onlink'],
    ['ip', '-n', 'n1', 'route', 'del', '10.244.9.0/24'],
  ]);
});

test('bad routes never reach ip; listing parses ip -j', async () => {
  fake.clear();
  await assert.rejects(addRoute({ dst: '10.0.0.0/8' }), /needs a next hop/);
  await assert.rejects(addRoute({ dst: '10.0.0.0/8 dev x', dev: 'eth0' }), /invalid route destination/);
  assert.equal(fake.calls.length, 0);
  fake.on(['ip', '-j', '-4', 'route', 'show'], { stdout: '[{"dst":"default","gateway":"10.244.1.1","dev":"eth0","flags":[]}]' });
  assert.deepEqual((await listRoutes({ table: 'main' })).map((r) => r.dst), ['default']);
  assert.deepEqual(fake.argvs(), [['ip', '-j', '-4', 'route', 'show', 'table', 'main']]);
});
