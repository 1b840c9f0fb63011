// modules.ts on the recording executor (no root).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useRecordingExecutor } from './exec-fake.js';
import { loadKernelModule } from './modules.js';

const fake = useRecordingExecutor();

test('modprobe NAME; a module that cannot be loaded is false, a bad name never reaches modprobe', async () => {
  fake.on(['modprobe', 'nope'], { exitCode: 1, stderr: 'modprobe: FATAL: Module nope not found' });
  assert.equal(await loadKernelModule('br_netfilter'), true);
  assert.equal(await loadKernelModule('nope'), false);
  await assert.rejects(loadKernelModule('../x'), /invalid kernel module name/);
  assert.deepEqual(fake.argvs(), [['modprobe', 'br_netfilter'], ['modprobe', 'nope']]);
});
