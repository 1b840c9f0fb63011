import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchOutcome, batchText, parseBatchFailures } from './batch.js';

test('ip -batch failures are attributed to their lines; tolerated "File exists" is not an error', () => {
  const stderr = 'RTNETLINK answers: File exists\nCommand failed -:2\nCannot find device "eth9"\nCommand failed -:3\n';
  assert.deepEqual([...parseBatchFailures(stderr)], [[2, 'RTNETLINK answers: File exists'], [3, 'Cannot find device "eth9"']]);
  const out = batchOutcome([{ argv: ['a'] }, { argv: ['route', 'add', 'x'], tolerateExists: true }, { argv: ['route', 'add', 'y', 'dev', 'eth9'] }], '[{"x":1}]\n', stderr, 1);
  assert.deepEqual(out.errors, ['route add y dev eth9: Cannot find device "eth9"']);
  assert.deepEqual(out.shows, [[{ x: 1 }]]);
});

test('batch text: one line per command; a word the batch reader would split or comment out is refused', () => {
  assert.equal(batchText([['link', 'set', 'lo', 'up'], { argv: ['addr', 'show'] }]), 'link set lo up\naddr show\n');
  for (const bad of ['a b', 'x#y', "it's", 'a"b', 'back\\slash', '']) {
    assert.throws(() => batchText([['link', 'show', 'dev', bad]]), /cannot put .* in a batch line/, bad);
  }
});
