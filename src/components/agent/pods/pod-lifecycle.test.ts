import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isActive, transition, type LifecycleEvent, type PodLifecycle } from './pod-lifecycle.js';

const run = (events: LifecycleEvent[], from: PodLifecycle = { kind: 'pending' }) => events.reduce(transition, from);

test('admitted pods hold their host ports until they finish or are gone, also while terminating', () => {
  assert.equal(isActive(run([])), false);
  assert.equal(isActive(run(['admit'])), true);
  assert.equal(isActive(run(['admit', 'deletion'])), true);
  assert.equal(isActive(run(['admit', 'deletion', 'deleteSent'])), true);
  assert.equal(isActive(run(['admit', 'finish'])), false);
  assert.equal(isActive(run(['admit', 'removed'])), false);
  assert.equal(isActive(run(['reject'])), false);
  assert.equal(isActive(run(['reject', 'deletion'])), false, 'a rejected pod never held anything');
  assert.equal(isActive(run(['admit', 'finish', 'deletion'])), false);
});

test('the final delete is sent once; removal wins from any state', () => {
  assert.deepEqual(run(['admit', 'deletion', 'deleteSent']), { kind: 'terminating', ran: true, deleteSent: true });
  for (const events of [[], ['admit'], ['reject'], ['admit', 'finish'], ['admit', 'deletion']] as LifecycleEvent[][]) {
    assert.deepEqual(run([...events, 'removed']), { kind: 'removed' });
  }
});

test('transitions the worker never makes are refused loudly', () => {
  assert.throws(() => run(['reject', 'admit']), /no transition from rejected on admit/);
  assert.throws(() => run(['admit', 'finish', 'admit']), /no transition from finished on admit/);
  assert.throws(() => run(['admit', 'deletion', 'deletion']), /no transition from terminating on deletion/);
  assert.throws(() => run(['removed', 'admit']), /no transition from removed on admit/);
});
