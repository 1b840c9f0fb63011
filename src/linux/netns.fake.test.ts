// netns.ts on the recording executor (no root).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useRecordingExecutor } from './exec-fake.js';
import { addNetns, listNetns } from './netns.js';

const fake = useRecordingExecutor();

test('a namespace is made with ip netns add, in another mount namespace through nsenter when asked', async () => {
  fake.clear();
  await addNetns('podnet-n1');
  await addNetns('podnet-p1', { mountNamespaceOf: 42 });
  assert.deepEqual(fake.argvs(), [
    ['ip', 'netns', 'add', 'podnet-n1'],
    ['nsenter', '--mount=/proc/42/ns/mnt', '--', 'ip', 'netns', 'add', 'podnet-p1'],
  ]);
  await assert.rejects(addNetns('../etc'), /invalid network namespace name/);
  await assert.rejects(addNetns('x', { mountNamespaceOf: -1 }), /invalid pid/);
  assert.equal(fake.calls.length, 2);
});

test('listing parses ip -j netns list', async () => {
  fake.clear();
  fake.on(['ip', '-j', 'netns', 'list'], { stdout: '[{"name":"a","id":0},{"name":"b"}]' });
  assert.deepEqual(await listNetns(), ['a', 'b']);
});
