import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CrashLoopBackoff, backoffKey, goDuration } from './backoff.js';

test('the first restart is immediate, then 10 s doubling to 5 min', () => {
  const b = new CrashLoopBackoff();
  const k = backoffKey('uid', 'c');
  let t = 0;
  assert.equal(b.inBackoff(k, t, t).waiting, false);
  const seen: number[] = [];
  for (let i = 0; i < 7; i++) {
    seen.push(b.next(k, t));
    t += 1000; // it crashes a second after each restart
    const r = b.inBackoff(k, t, t);
    assert.equal(r.waiting, true);
    assert.equal(r.remainingMs, seen.at(-1));
  }
  assert.deepEqual(seen, [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
});

test('a container that ran for more than 10 minutes starts again at 10 s', () => {
  const b = new CrashLoopBackoff();
  const k = backoffKey('uid', 'c');
  b.next(k, 0); b.next(k, 1000); b.next(k, 2000);
  const later = 2000 + 10 * 60_000 + 1;
  assert.equal(b.inBackoff(k, later, later).waiting, false);
  assert.equal(b.next(k, later), 10_000);
});

test('forgetPod drops the pod\'s entries only', () => {
  const b = new CrashLoopBackoff();
  b.next(backoffKey('a', 'c'), 0); b.next(backoffKey('b', 'c'), 0);
  b.forgetPod('a');
  assert.equal(b.inBackoff(backoffKey('a', 'c'), 0, 1).waiting, false);
  assert.equal(b.inBackoff(backoffKey('b', 'c'), 0, 1).waiting, true);
});

test('durations print as Go does', () => {
  assert.deepEqual([10_000, 40_000, 80_000, 300_000].map(goDuration), ['10s', '40s', '1m20s', '5m0s']);
});
