// Query parameters through the API server as apimachinery reads them, with the real kubectl's --raw
// (no pods needed): watch=True/1/bare watch stream events, bad numbers are 400s, invalid option
// combinations upstream's 422s, and nothing is stored or deleted by a refused request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.js';

let s: TestServer;
before(async () => {
  s = await startTestServer('queryparams');
  const r = await s.kubectl(['create', 'configmap', 'q1', '--from-literal=a=1']);
  assert.equal(r.code, 0, r.stderr);
});
after(async () => { await s?.cleanup(); });

const raw = (verb: string, path: string) => s.kubectl([verb, '--raw', path]);

test('watch=True, watch=1 and a bare ?watch are watches; watch=False and watch=0 are lists', async () => {
  for (const w of ['watch=True', 'watch=1', 'watch', 'watch=yes']) {
    const r = await raw('get', `/api/v1/namespaces/default/configmaps?${w}&timeoutSeconds=1`);
    assert.equal(r.code, 0, r.stderr);
    const first = JSON.parse(r.stdout.split('\n')[0]);
    assert.equal(first.type, 'ADDED', w);
    assert.equal(first.object.metadata.name, 'q1');
  }
  for (const w of ['watch=False', 'watch=0', 'watch=false']) {
    const r = await raw('get', `/api/v1/namespaces/default/configmaps?${w}`);
    assert.equal(JSON.parse(r.stdout).kind, 'ConfigMapList', w);
  }
});

test('a number that is not one is a 400; invalid list and delete options are 422s and change nothing', async () => {
  const bad = await raw('get', '/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=soon');
  assert.match(bad.stderr, /BadRequest|strconv.ParseInt: parsing "soon": invalid syntax/);
  const match = await raw('get', '/api/v1/namespaces/default/configmaps?resourceVersionMatch=Exact');
  assert.match(match.stderr, /resourceVersionMatch is forbidden unless resourceVersion is provided/);
  const del = await raw('delete', '/api/v1/namespaces/default/configmaps/q1?propagationPolicy=Sometimes');
  assert.match(del.stderr, /propagationPolicy: Unsupported value: "Sometimes"/);
  const dry = await raw('delete', '/api/v1/namespaces/default/configmaps/q1?dryRun=true');
  assert.match(dry.stderr, /dryRun: Unsupported value/);
  assert.equal((await s.kubectl(['get', 'configmap', 'q1'])).code, 0, 'still there');
  const ok = await raw('delete', '/api/v1/namespaces/default/configmaps/q1?dryRun=All&gracePeriodSeconds=0');
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal((await s.kubectl(['get', 'configmap', 'q1'])).code, 0, 'a dry run deletes nothing');
});
