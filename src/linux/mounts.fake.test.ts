// mounts.ts: mountinfo parsing (pure) and the umount argv on the recording executor (no root).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useRecordingExecutor } from './exec-fake.js';
import { mountsUnder, unmountLazy } from './mounts.js';

const fake = useRecordingExecutor();

const MOUNTINFO = [
  '22 1 0:21 / / rw shared:1 - ext4 /dev/root rw',
  '40 22 0:40 / /var/lib/podnet/c1/pods/a rw shared:2 - tmpfs tmpfs rw',
  '41 40 0:41 / /var/lib/podnet/c1/pods/a/with\\040space rw - tmpfs tmpfs rw',
  '42 22 0:42 / /var/lib/podnet/c10 rw - tmpfs tmpfs rw',
].join('\n');

test('mounts under a directory, deepest first, octal escapes decoded, siblings with a common prefix left out', () => {
  assert.deepEqual(mountsUnder('/var/lib/podnet/c1', MOUNTINFO), ['/var/lib/podnet/c1/pods/a/with space', '/var/lib/podnet/c1/pods/a']);
});

test('unmountLazy runs umount -l on an absolute path only', async () => {
  fake.clear();
  await unmountLazy('/var/lib/podnet/c1/pods/a/with space');
  assert.deepEqual(fake.argvs(), [['umount', '-l', '/var/lib/podnet/c1/pods/a/with space']]);
  await assert.rejects(unmountLazy('relative'), /absolute mount point/);
});
