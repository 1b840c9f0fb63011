import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageKind, isLatest, parseImage } from './images.js';

test('parses image references', () => {
  assert.deepEqual(parseImage('nginx'), { registry: undefined, repository: 'nginx', tag: undefined, digest: undefined });
  assert.deepEqual(parseImage('docker.io/library/nginx:1.27'), { registry: 'docker.io', repository: 'nginx', tag: '1.27', digest: undefined });
  assert.deepEqual(parseImage('registry.k8s.io/e2e-test-images/agnhost:2.52'),
    { registry: 'registry.k8s.io', repository: 'e2e-test-images/agnhost', tag: '2.52', digest: undefined });
  assert.equal(parseImage('localhost:5000/app:v1').registry, 'localhost:5000');
});

test('maps images to built-in workloads', () => {
  assert.equal(imageKind('nginx:latest'), 'nginx');
  assert.equal(imageKind('registry.k8s.io/e2e-test-images/agnhost:2.52'), 'agnhost');
  assert.equal(imageKind('registry.k8s.io/pause:3.10'), 'pause');
  assert.equal(imageKind('busybox'), 'shell');
  assert.equal(imageKind('curlimages/curl:8.10.1'), 'shell');
  assert.equal(imageKind('nicolaka/netshoot'), 'shell');
  assert.equal(imageKind('example.com/my/app:1'), undefined);
});

test('latest detection follows imagePullPolicy defaulting', () => {
  assert.equal(isLatest('nginx'), true);
  assert.equal(isLatest('nginx:latest'), true);
  assert.equal(isLatest('nginx:1.27'), false);
  assert.equal(isLatest('nginx@sha256:abc'), false);
});
