import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CronParseError, mostRecentActivation, nextActivation, parseSchedule } from './schedule.js';

const at = (s: string) => Date.parse(s);
const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString());

test('robfig error messages, as kube-apiserver prints them', () => {
  const cases: Array<[string, string]> = [
    ['* * * *', 'expected exactly 5 fields, found 4: * * * *'],
    ['61 * * * *', 'end of range (61) above maximum (59): 61'],
    ['a * * * *', 'failed to parse int from a: strconv.Atoi: parsing "a": invalid syntax'],
    ['5-1 * * * *', 'beginning of range (5) beyond end of range (1): 5-1'],
    ['* * 0 * *', 'beginning of range (0) below minimum (1): 0'],
    ['*/0 * * * *', 'step of range should be a positive number: */0'],
    ['1-2-3 * * * *', 'too many hyphens: 1-2-3'],
    ['@fortnightly', 'unrecognized descriptor: @fortnightly'],
    ['', 'empty spec string'],
  ];
  for (const [spec, msg] of cases) assert.throws(() => parseSchedule(spec), (e: Error) => e instanceof CronParseError && e.message === msg, spec);
});

test('next activations in UTC: steps, names, lists, descriptors', () => {
  const next = (spec: string, from: string) => iso(nextActivation(parseSchedule(spec), at(from), 'UTC'));
  assert.equal(next('* * * * *', '2026-12-07T10:00:30Z'), '2026-12-07T10:01:00.000Z');
  assert.equal(next('*/15 * * * *', '2026-12-07T10:01:00Z'), '2026-12-07T10:15:00.000Z');
  assert.equal(next('0 9 * * MON-FRI', '2026-12-05T12:00:00Z'), '2026-12-07T09:00:00.000Z'); // Saturday → Monday
  assert.equal(next('30 2 1 jan,jul *', '2026-02-01T00:00:00Z'), '2026-07-01T02:30:00.000Z');
  assert.equal(next('@hourly', '2026-12-07T10:00:00Z'), '2026-12-07T11:00:00.000Z');
  assert.equal(next('@weekly', '2026-12-07T10:00:00Z'), '2026-12-13T00:00:00.000Z');
  assert.equal(next('@yearly', '2026-12-07T10:00:00Z'), '2027-01-01T00:00:00.000Z');
  // Both day fields restricted: either may match (day 13 or a Friday).
  assert.equal(next('0 0 13 * 5', '2026-12-07T00:00:00Z'), '2026-12-11T00:00:00.000Z');
  assert.equal(next('0 0 30 2 *', '2026-01-01T00:00:00Z'), undefined);
  assert.equal(next('@every 90s', '2026-12-07T10:00:00Z'), '2026-12-07T10:01:30.000Z');
});

test('time zones through Intl, across a daylight saving change', () => {
  const s = parseSchedule('0 9 * * *');
  assert.equal(iso(nextActivation(s, at('2026-12-07T00:00:00Z'), 'Europe/Berlin')), '2026-12-07T08:00:00.000Z');
  assert.equal(iso(nextActivation(s, at('2026-07-07T00:00:00Z'), 'Europe/Berlin')), '2026-07-07T07:00:00.000Z');
  assert.equal(iso(nextActivation(s, at('2026-12-07T00:00:00Z'), 'Asia/Kolkata')), '2026-12-07T03:30:00.000Z');
  // 02:30 does not exist in Berlin on 2026-03-29: the next is the following day.
  assert.equal(iso(nextActivation(parseSchedule('30 2 * * *'), at('2026-03-28T12:00:00Z'), 'Europe/Berlin')), '2026-03-30T00:30:00.000Z');
});

test('most recent activation counts the missed ones', () => {
  const s = parseSchedule('* * * * *');
  const r = mostRecentActivation(s, at('2026-12-07T10:00:00Z'), at('2026-12-07T10:05:30Z'), 'UTC');
  assert.equal(iso(r.time), '2026-12-07T10:05:00.000Z');
  assert.equal(r.missed, 5);
  assert.deepEqual(mostRecentActivation(s, at('2026-12-07T10:00:00Z'), at('2026-12-07T10:00:59Z'), 'UTC'), { time: undefined, missed: 0 });
});
