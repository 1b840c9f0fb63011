import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedFrequencyRunner } from './bounded-frequency-runner.js';

const until = async (cond: () => boolean) => { while (!cond()) await new Promise((r) => setTimeout(r, 2)); };

test('requests that arrive together are one run; requests during a run are exactly one more', async () => {
  let runs = 0;
  let release: (() => void) | undefined;
  const r = new BoundedFrequencyRunner(async () => {
    runs++;
    if (runs === 1) await new Promise<void>((res) => (release = res));
    return true;
  }, { windowMs: 5, minIntervalMs: 0, retryDelayMs: 10 });
  for (let i = 0; i < 5; i++) r.run();
  await until(() => release !== undefined);
  for (let i = 0; i < 3; i++) r.run();
  release!();
  await until(() => !r.busy);
  assert.equal(runs, 2);
  await r.stop();
});

test('a failed run is tried again without being asked', async () => {
  const results = [false, false, true];
  let runs = 0;
  const r = new BoundedFrequencyRunner(async () => results[runs++], { windowMs: 0, minIntervalMs: 0, retryDelayMs: 1 });
  r.run();
  await until(() => runs === 3 && !r.busy);
  assert.equal(runs, 3);
  await r.stop();
});

test('stop waits for the run in progress and prevents further runs', async () => {
  let runs = 0;
  let finished = false;
  const r = new BoundedFrequencyRunner(async () => { runs++; await new Promise((res) => setTimeout(res, 20)); finished = true; return true; },
    { windowMs: 0, minIntervalMs: 0, retryDelayMs: 1 });
  r.run();
  await until(() => runs === 1);
  r.run();
  await r.stop();
  assert.ok(finished);
  r.run();
  await new Promise((res) => setTimeout(res, 30));
  assert.equal(runs, 1);
});
