import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from './errors.js';
import {
  queryBool, queryOptionalBool, queryInt64, queryPorts, listOptionsFrom, writeOptionsFrom, deleteQueryOptions,
  podLogOptionsFrom, podExecOptionsFrom,
} from './query-params.js';

const q = (s: string) => new URLSearchParams(s);

function statusOf(fn: () => unknown): { code: number; reason?: string; message?: string; kind?: string } {
  try { fn(); } catch (e) {
    assert.ok(e instanceof ApiError, `expected an ApiError, got ${e}`);
    return { code: e.code, reason: e.reason, message: e.status.message, kind: e.status.details?.kind };
  }
  assert.fail('expected an error');
}

test('booleans: every value but 0/false (any case) is true, as Convert_Slice_string_To_bool', () => {
  const cases: [string, boolean][] = [
    ['', false], ['watch=true', true], ['watch=True', true], ['watch=TRUE', true], ['watch=1', true],
    ['watch=yes', true], ['watch=', true], ['watch', true], ['watch=0', false], ['watch=false', false],
    ['watch=False', false], ['watch=FALSE', false], ['watch=false&watch=true', false], ['watch=true&watch=false', true],
  ];
  for (const [query, want] of cases) assert.equal(queryBool(q(query), 'watch'), want, query);
  assert.equal(queryOptionalBool(q(''), 'x'), undefined);
  assert.equal(queryOptionalBool(q('x=False'), 'x'), false);
});

test('int64: first value, base 10, sign allowed; anything else is a 400', () => {
  const ok: [string, number | undefined][] = [['', undefined], ['n=', undefined], ['n=5', 5], ['n=-3', -3], ['n=%2B7', 7], ['n=007', 7], ['n=2&n=x', 2]];
  for (const [query, want] of ok) assert.equal(queryInt64(q(query), 'n'), want, query);
  for (const bad of ['n=1.5', 'n=abc', 'n=%201', 'n=0x10', 'n=1e3', 'n=99999999999999999999']) {
    const s = statusOf(() => queryInt64(q(bad), 'n'));
    assert.equal(s.code, 400, bad);
    assert.match(s.message!, /strconv.ParseInt: parsing/);
  }
});

test('ports: repeated and comma-separated, each a uint16', () => {
  assert.deepEqual(queryPorts(q('ports=80'), 'ports'), [80]);
  assert.deepEqual(queryPorts(q('ports=80,8080&ports=53'), 'ports'), [80, 8080, 53]);
  assert.equal(statusOf(() => queryPorts(q('ports=http'), 'ports')).code, 400);
  assert.equal(statusOf(() => queryPorts(q('ports=70000'), 'ports')).code, 400);
});

test('list options: parsed and validated as ValidateListOptions', () => {
  const o = listOptionsFrom(q('watch=True&allowWatchBookmarks=1&timeoutSeconds=5&labelSelector=a%3Db&resourceVersion=10&limit=50&continue='));
  assert.deepEqual(
    { w: o.watch, b: o.allowWatchBookmarks, t: o.timeoutSeconds, l: o.labelSelector, rv: o.resourceVersion, lim: o.limit, c: o.continue },
    { w: true, b: true, t: 5, l: 'a=b', rv: '10', lim: 50, c: undefined });
  assert.equal(listOptionsFrom(q('resourceVersion=5&resourceVersionMatch=NotOlderThan')).resourceVersionMatch, 'NotOlderThan');
  const invalid: [string, RegExp][] = [
    ['resourceVersionMatch=Exact', /resourceVersionMatch is forbidden unless resourceVersion is provided/],
    ['resourceVersion=0&resourceVersionMatch=Exact', /forbidden for resourceVersion "0"/],
    ['resourceVersion=1&resourceVersionMatch=Newest', /Unsupported value: "Newest"/],
    ['sendInitialEvents=true', /sendInitialEvents is forbidden for list/],
    ['watch=1&resourceVersionMatch=NotOlderThan', /forbidden for watch unless sendInitialEvents is provided/],
  ];
  for (const [query, msg] of invalid) {
    const s = statusOf(() => listOptionsFrom(q(query)));
    assert.equal(s.code, 422, query);
    assert.equal(s.kind, 'ListOptions');
    assert.match(s.message!, /^ListOptions\.meta\.k8s\.io "" is invalid: /);
    assert.match(s.message!, msg, query);
  }
  assert.equal(statusOf(() => listOptionsFrom(q('watch=1&timeoutSeconds=ten'))).code, 400);
});

test('write options: dryRun must be All, fieldValidation one of Ignore/Warn/Strict', () => {
  assert.deepEqual(writeOptionsFrom(q('dryRun=All'), 'Create'), { dryRun: true });
  assert.deepEqual(writeOptionsFrom(q('fieldValidation=Strict'), 'Patch'), { dryRun: false });
  const s = statusOf(() => writeOptionsFrom(q('dryRun=true'), 'Create'));
  assert.equal(s.code, 422);
  assert.match(s.message!, /^CreateOptions\.meta\.k8s\.io "" is invalid: dryRun: Unsupported value/);
  assert.equal(statusOf(() => writeOptionsFrom(q('fieldValidation=strict'), 'Update')).kind, 'UpdateOptions');
});

test('delete options from the query', () => {
  assert.deepEqual(deleteQueryOptions(q('gracePeriodSeconds=0&propagationPolicy=Foreground&orphanDependents=True')),
    { gracePeriodSeconds: 0, propagationPolicy: 'Foreground', orphanDependents: true });
  assert.equal(statusOf(() => deleteQueryOptions(q('gracePeriodSeconds=soon'))).code, 400);
});

test('log options: booleans as above, numbers validated as ValidatePodLogOptions', () => {
  const o = podLogOptionsFrom(q('follow=True&timestamps=1&previous=False&tailLines=10&container=c'));
  assert.deepEqual({ f: o.follow, t: o.timestamps, p: o.previous, n: o.tailLines, c: o.container }, { f: true, t: true, p: false, n: 10, c: 'c' });
  for (const [query, msg] of [['tailLines=-1', /tailLines: Invalid value: -1: must be greater than or equal to 0/],
    ['limitBytes=0', /limitBytes: Invalid value: 0: must be greater than 0/], ['sinceSeconds=0', /sinceSeconds/],
    ['sinceSeconds=5&sinceTime=2026-01-01T00:00:00Z', /at most one of `sinceTime` or `sinceSeconds`/]] as const) {
    const s = statusOf(() => podLogOptionsFrom(q(query), 'p'));
    assert.equal(s.code, 422, query);
    assert.match(s.message!, /^PodLogOptions "p" is invalid/);
    assert.match(s.message!, msg);
  }
});

test('exec options: the Python client sends True and one command= per argv element', () => {
  assert.deepEqual(podExecOptionsFrom(q('command=sh&command=-c&command=echo+hi&stderr=True&stdin=False&stdout=True&tty=False')),
    { stdin: false, stdout: true, stderr: true, tty: false, container: undefined, command: ['sh', '-c', 'echo hi'] });
});
