import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue } from './workqueue.js';
import { waitFor } from './testing/wait.js';

test('deduplicates keys added before a worker takes them', async () => {
  const seen: string[] = [];
  const q = new WorkQueue('t', async (k) => { seen.push(k); });
  q.add('a'); q.add('b'); q.add('a'); q.add('a');
  q.start();
  await q.idle();
  assert.deepEqual(seen, ['a', 'b']);
  await q.stop();
});

test('a key added while it is processed is processed again afterwards, never concurrently', async () => {
  let active = 0, maxActive = 0, runs = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  const q = new WorkQueue('t', async () => {
    active++; maxActive = Math.max(maxActive, active); runs++;
    if (runs === 1) await gate;
    active--;
  }, { workers: 4 });
  q.start();
  q.add('k');
  await waitFor(() => runs === 1, 'first run');
  q.add('k'); q.add('k');
  release();
  await waitFor(() => runs === 2, 'second run');
  await q.idle();
  assert.equal(runs, 2);
  assert.equal(maxActive, 1);
  await q.stop();
});

test('failed syncs retry with back-off and success resets it', async () => {
  let calls = 0;
  const logs: string[] = [];
  const q = new WorkQueue('t', async () => { calls++; if (calls < 4) throw new Error('boom'); }, { baseDelayMs: 1, log: (l) => logs.push(l) });
  q.start();
  q.add('x');
  await waitFor(() => calls === 4, 'four attempts');
  await q.idle();
  assert.equal(q.retries('x'), 0);
  assert.match(logs[0], /t: sync x failed \(retry 1\): boom/);
  await q.stop();
});

test('addAfter schedules once, the earliest wins; stop cancels', async () => {
  const seen: string[] = [];
  const q = new WorkQueue('t', async (k) => { seen.push(k); });
  q.start();
  q.addAfter('late', 60_000);
  q.addAfter('late', 5);
  q.addAfter('late', 50_000);
  await waitFor(() => seen.length === 1, 'scheduled key');
  q.addAfter('never', 60_000);
  await q.stop();
  q.add('after-stop');
  assert.deepEqual(seen, ['late']);
});
