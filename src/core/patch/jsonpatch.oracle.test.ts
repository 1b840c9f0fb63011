// Differential test: podnet's JSON patch (RFC 6902) and JSON merge patch (RFC 7386) against the real
// kubectl 1.32, which applies both with evanphx/json-patch v4 as kube-apiserver does. Fails (never skips)
// when kubectl is missing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject } from '../api/object.js';
import { KubectlOracle, type OracleResult } from './kubectl-oracle.testkit.js';
import { applyJsonPatch } from './jsonpatch.js';
import { applyMergePatch } from './merge.js';

const CM: JsonObject = {
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default', labels: { app: 'web' } },
  data: { a: '1', 'x/y': '2', 't~u': '3' }, x: [1, 2, 3], o: { k: [{ a: 1, b: 1 }, null] },
};
const DEPLOY: JsonObject = {
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
  spec: { replicas: 1, template: { spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }] }] } } },
};

// kubectl rewrites one evanphx message before printing it; the API server sends the original text.
const KUBECTL_REWRITE = /^Object to be patched is missing field \((.*)\)$/;
function fromKubectl(r: OracleResult): OracleResult {
  if (r.ok) return r;
  const m = KUBECTL_REWRITE.exec(r.error);
  return m ? { ok: false, error: `replace operation does not apply: doc is missing key: ${m[1]}` } : r;
}

function run(fn: () => JsonObject): OracleResult {
  try { return { ok: true, object: fn() }; } catch (e) { return { ok: false, error: (e as Error).message }; }
}

const JSON_CASES: [string, JsonObject, unknown][] = [
  ['add, remove, replace on objects', CM, [{ op: 'add', path: '/data/b', value: 'B' }, { op: 'remove', path: '/data/a' }, { op: 'replace', path: '/metadata/labels/app', value: 'api' }]],
  ['escaped keys ~1 and ~0', CM, [{ op: 'replace', path: '/data/x~1y', value: 'Y' }, { op: 'remove', path: '/data/t~0u' }]],
  ['array add at index, at end with -, negative index', CM, [{ op: 'add', path: '/x/1', value: 9 }, { op: 'add', path: '/x/-', value: 8 }, { op: 'add', path: '/x/-1', value: 7 }]],
  ['array add at length', CM, [{ op: 'add', path: '/x/3', value: 4 }]],
  ['array replace and remove with negative index', CM, [{ op: 'replace', path: '/x/-1', value: 0 }, { op: 'remove', path: '/x/-3' }]],
  ['leading zeros and plus sign in indices', CM, [{ op: 'add', path: '/x/01', value: 7 }, { op: 'add', path: '/x/+1', value: 6 }]],
  ['replace on a missing key adds it', CM, [{ op: 'replace', path: '/data/new', value: 'n' }]],
  ['test then replace (kubectl scale style precondition)', DEPLOY, [{ op: 'test', path: '/spec/replicas', value: 1 }, { op: 'replace', path: '/spec/replicas', value: 3 }]],
  ['test objects, arrays and numbers deeply', DEPLOY, [{ op: 'test', path: '/spec/template/spec/containers/0/ports', value: [{ containerPort: 80.0 }] }]],
  ['test of a missing key with null passes', CM, [{ op: 'test', path: '/data/zz', value: null }]],
  ['test of a null list element with null passes', CM, [{ op: 'test', path: '/o/k/1', value: null }]],
  // (upstream crashes comparing documents that hold null list elements; this one holds none)
  ['test of the whole document', DEPLOY, [{ op: 'test', path: '', value: DEPLOY }]],
  ['move and copy', DEPLOY, [{ op: 'copy', from: '/spec/template/spec/containers/0', path: '/spec/template/spec/containers/-' },
    { op: 'move', from: '/spec/replicas', path: '/spec/paused' }]],
  ['copy from a missing key copies null', CM, [{ op: 'copy', from: '/data/zz', path: '/data/q' }]],
  ['add without value adds null', CM, [{ op: 'add', path: '/data/n' }]],
  ['replace the whole document', CM, [{ op: 'replace', path: '', value: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } } }]],
  ['replace the whole document with a scalar is ignored', CM, [{ op: 'replace', path: '', value: 1 }]],
  ['empty and null patches', CM, []],
  ['null patch', CM, null],
  ['error: test fails', DEPLOY, [{ op: 'test', path: '/spec/replicas', value: 2 }, { op: 'replace', path: '/spec/replicas', value: 3 }]],
  ['error: test of a missing key with a value', CM, [{ op: 'test', path: '/data/zz', value: '1' }]],
  ['error: test without value', CM, [{ op: 'test', path: '/x/1' }]],
  ['error: test of the whole document', CM, [{ op: 'test', path: '', value: {} }]],
  ['error: remove a missing key', CM, [{ op: 'remove', path: '/data/zz' }]],
  ['error: add under a missing parent', CM, [{ op: 'add', path: '/nope/b', value: 1 }]],
  ['error: add at the root path', CM, [{ op: 'add', path: '', value: {} }]],
  ['error: add through a scalar', CM, [{ op: 'add', path: '/data/a/b', value: 1 }]],
  ['error: path without a leading slash', CM, [{ op: 'add', path: 'data', value: 1 }]],
  ['error: array index past the end', CM, [{ op: 'add', path: '/x/5', value: 9 }]],
  ['error: negative index before the start', CM, [{ op: 'add', path: '/x/-5', value: 9 }]],
  ['error: remove past the end', CM, [{ op: 'remove', path: '/x/7' }]],
  ['error: remove with -', CM, [{ op: 'remove', path: '/x/-' }]],
  ['error: index out of range', CM, [{ op: 'remove', path: '/x/99999999999999999999' }]],
  ['error: replace past the end', CM, [{ op: 'replace', path: '/x/7', value: 1 }]],
  ['error: replace with a non-numeric index', CM, [{ op: 'replace', path: '/x/a', value: 1 }]],
  ['error: add with a non-numeric index', CM, [{ op: 'add', path: '/x/a', value: 1 }]],
  ['error: test with a non-numeric index', CM, [{ op: 'test', path: '/x/a', value: 1 }]],
  ['error: move from a missing key', CM, [{ op: 'move', from: '/data/zz', path: '/data/q' }]],
  ['error: move with a non-numeric index', CM, [{ op: 'move', from: '/x/a', path: '/y' }]],
  ['error: move into its own child', CM, [{ op: 'move', from: '/data', path: '/data/a' }]],
  ['error: unknown op', CM, [{ op: 'bogus', path: '/x' }]],
  ['error: missing op', CM, [{ path: '/x' }]],
  ['error: add without path', CM, [{ op: 'add', value: 1 }]],
  ['error: add with a numeric path', CM, [{ op: 'add', path: 3, value: 1 }]],
  ['error: replace without path', CM, [{ op: 'replace', value: 1 }]],
  ['error: test without path', CM, [{ op: 'test', value: 1 }]],
  ['error: move without path', CM, [{ op: 'move', from: '/x' }]],
  ['error: move without from', CM, [{ op: 'move', path: '/x' }]],
  ['error: copy without from', CM, [{ op: 'copy', path: '/y' }]],
  ['error: copy without path', CM, [{ op: 'copy', from: '/x' }]],
  ['error: not a list of operations', CM, { op: 'add', path: '/data/q' }],
  ['error: an operation that is not an object', CM, [1]],
];

const MERGE_CASES: [string, JsonObject, unknown][] = [
  ['kubectl scale body', DEPLOY, { spec: { replicas: 3 } }],
  ['null deletes, objects merge, lists replace', CM, { data: { a: null, b: 'B' }, x: [9], metadata: { labels: { tier: 'fe' } } }],
  ['a new object loses its nulls, nested too', CM, { n: { m: null, p: [{ z: null }, null] }, metadata: { annotations: { a: null } } }],
  ['a list over a list: nulls pruned inside objects, null elements kept', CM, { o: { k: [{ a: null, c: 1 }, null] } }],
  ['an object over a list is pruned', CM, { x: { q: null, r: 1 } }],
  ['a list over an object is taken as sent', CM, { data: [{ a: null }, null] }],
  ['a scalar over an object', CM, { o: 'flat' }],
  ['deleting a whole object', CM, { o: null }],
  ['empty patch', CM, {}],
  ['error: null patch', CM, null],
  ['error: string patch', CM, 's'],
];

describe('JSON patch and JSON merge patch agree with kubectl 1.32', () => {
  let oracle: KubectlOracle;
  before(async () => { oracle = await KubectlOracle.require(); });
  after(() => oracle?.cleanup());

  for (const [name, object, patch] of JSON_CASES) {
    it(`json: ${name}`, async () => {
      const expected = fromKubectl(await oracle.patch(object, patch, 'json'));
      assert.deepStrictEqual(run(() => applyJsonPatch(object, patch)), expected);
      if (name.startsWith('error:')) assert.equal(expected.ok, false);
    });
  }

  for (const [name, object, patch] of MERGE_CASES) {
    it(`merge: ${name}`, async () => {
      const expected = await oracle.patch(object, patch, 'merge');
      const actual = run(() => applyMergePatch(object, patch));
      if (name.startsWith('error:')) {
        // podnet adds how to fix it after upstream's text.
        assert.equal(expected.ok, false);
        assert.equal(actual.ok, false);
        assert.ok(!actual.ok && !expected.ok && actual.error.startsWith(expected.error), `${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`);
        return;
      }
      assert.deepStrictEqual(actual, expected);
    });
  }
});
