import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration, translateTimestampSince } from './duration.js';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;
const y = 365 * d;

// Boundaries taken from apimachinery's duration_test.go cases and the HumanDuration branches.
const cases: [number, string][] = [
  [-2 * s, '<invalid>'],
  [-1999, '0s'],          // Go truncates -1.999s to -1: still "now"
  [-1 * s, '0s'],
  [0, '0s'],
  [999, '0s'],
  [1 * s, '1s'],
  [45 * s, '45s'],
  [119 * s, '119s'],
  [2 * m, '2m'],
  [2 * m + 1 * s, '2m1s'],
  [5 * m + 2 * s, '5m2s'],
  [9 * m + 59 * s, '9m59s'],
  [10 * m, '10m'],
  [10 * m + 59 * s, '10m'],
  [179 * m, '179m'],
  [3 * h, '3h'],
  [3 * h + 4 * m, '3h4m'],
  [7 * h + 59 * m, '7h59m'],
  [8 * h, '8h'],
  [47 * h + 59 * m, '47h'],
  [48 * h, '2d'],
  [2 * d + 3 * h, '2d3h'],
  [7 * d + 23 * h, '7d23h'],
  [8 * d, '8d'],
  [8 * d + 5 * h, '8d'],
  [729 * d, '729d'],
  [2 * y, '2y'],
  [2 * y + 45 * d, '2y45d'],
  [7 * y + 364 * d, '7y364d'],
  [8 * y, '8y'],
  [8 * y + 200 * d, '8y'],
  [100 * y, '100y'],
];

test('humanDuration matches apimachinery HumanDuration', () => {
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `humanDuration(${ms})`);
});

test('translateTimestampSince: age at now, <unknown> when missing', () => {
  const now = new Date('2025-01-01T12:00:00Z');
  assert.equal(translateTimestampSince('2025-01-01T11:55:00Z', now), '5m');
  assert.equal(translateTimestampSince('2025-01-01T11:59:15Z', now), '45s');
  assert.equal(translateTimestampSince('2024-12-30T09:00:00Z', now), '2d3h');
  // MicroTime (Event.eventTime) has six fractional digits.
  assert.equal(translateTimestampSince('2025-01-01T11:59:00.123456Z', now), '59s');
  assert.equal(translateTimestampSince(undefined, now), '<unknown>');
  assert.equal(translateTimestampSince(null, now), '<unknown>');
  assert.equal(translateTimestampSince('', now), '<unknown>');
  assert.equal(translateTimestampSince('not a time', now), '<unknown>');
});
