import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldSet, pathString, type Path } from './fieldpath.js';

const f = (field: string) => ({ field });

test('FieldsV1 round-trips, with `.` where a node is both a member and a parent', () => {
  const fieldsV1 = {
    'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
    'f:spec': {
      'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:image': {} } },
      'f:finalizers': { 'v:"a"': {} },
    },
  };
  const set = FieldSet.fromFieldsV1(fieldsV1);
  assert.ok(set.has([f('metadata'), f('labels')]));
  assert.ok(set.has([f('metadata'), f('labels'), f('app')]));
  assert.ok(!set.has([f('metadata')]));
  assert.ok(set.has([f('spec'), f('containers'), { key: [['name', 'c']] }]));
  assert.deepEqual(set.toFieldsV1(), fieldsV1);
});

test('elements are ordered as structured-merge-diff orders them: fields, keys (numbers numerically), values, indexes', () => {
  const set = new FieldSet();
  const ports: Path = [f('ports')];
  for (const p of [443, 80, 8080]) set.insert([...ports, { key: [['containerPort', p], ['protocol', 'TCP']] }]);
  set.insert([...ports, { index: 0 }]);
  set.insert([f('b')]);
  set.insert([f('a')]);
  assert.deepEqual(Object.keys(set.toFieldsV1()), ['f:a', 'f:b', 'f:ports']);
  assert.deepEqual(Object.keys(set.toFieldsV1()['f:ports'] as object), [
    'k:{"containerPort":80,"protocol":"TCP"}', 'k:{"containerPort":443,"protocol":"TCP"}',
    'k:{"containerPort":8080,"protocol":"TCP"}', 'i:0',
  ]);
});

test('paths print as upstream prints them in conflicts', () => {
  assert.equal(pathString([f('spec'), f('containers'), { key: [['name', 'nginx']] }, f('image')]), '.spec.containers[name="nginx"].image');
  assert.equal(pathString([f('spec'), f('ports'), { key: [['port', 80], ['protocol', 'TCP']] }]), '.spec.ports[port=80,protocol="TCP"]');
  assert.equal(pathString([f('metadata'), f('finalizers'), { value: 'x' }]), '.metadata.finalizers[="x"]');
});

test('set algebra keeps the tree shape', () => {
  const a = new FieldSet(), b = new FieldSet();
  a.insert([f('spec'), f('replicas')]); a.insert([f('spec'), f('paused')]);
  b.insert([f('spec'), f('replicas')]);
  assert.deepEqual(a.difference(b).toFieldsV1(), { 'f:spec': { 'f:paused': {} } });
  assert.deepEqual(a.intersection(b).toFieldsV1(), { 'f:spec': { 'f:replicas': {} } });
  assert.ok(a.difference(a).empty());
  assert.ok(a.union(b).equals(a));
  assert.deepEqual(a.paths().map(pathString), ['.spec.paused', '.spec.replicas']);
});
