// Kernel test: named network namespaces, in throwaway pnt6* namespaces removed even when a test fails.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { requireRoot, run } from './exec.js';
import { addNetns, deleteNetns, listNetns, netnsExists, validateNetnsName, ipIn } from './netns.js';

const ns = `pnt6-ns-${process.pid}`;

before(() => requireRoot('the netns kernel tests'));
after(async () => { await run(['ip', 'netns', 'delete', ns]).catch(() => {}); });

test('validateNetnsName accepts node and pod names and refuses path tricks', () => {
  validateNetnsName('podnet-node-1');
  validateNetnsName('pod.default.nginx_1');
  for (const bad of ['', '..', '../etc', 'a/b', 'a b', '-x', 'x'.repeat(101)]) {
    assert.throws(() => validateNetnsName(bad), /invalid network namespace name/, bad);
  }
});

test('ipIn builds the ip -n prefix', () => {
  assert.deepEqual(ipIn(), ['ip']);
  assert.deepEqual(ipIn('n1'), ['ip', '-n', 'n1']);
});

test('add, exists, list, delete, delete again', async () => {
  assert.equal(netnsExists(ns), false);
  await addNetns(ns);
  assert.equal(netnsExists(ns), true);
  assert.ok((await listNetns()).includes(ns));
  await assert.rejects(addNetns(ns), /File exists|already exists/);
  assert.equal(await deleteNetns(ns), true);
  assert.equal(netnsExists(ns), false);
  assert.ok(!(await listNetns()).includes(ns));
  assert.equal(await deleteNetns(ns), false);
});
