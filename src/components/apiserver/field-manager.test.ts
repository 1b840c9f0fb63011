import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../core/api/errors.js';
import { mustResource } from '../../core/api/resources.js';
import { checkApplyConfig, checkPatchOptions, managerOf } from './field-manager.js';

test('the manager is ?fieldManager=, else the user agent up to its first slash', () => {
  assert.equal(managerOf('kubectl-create', 'kubectl/v1.32.4 (linux/amd64) kubernetes/abc'), 'kubectl-create');
  assert.equal(managerOf(null, 'kubectl/v1.32.4 (linux/amd64) kubernetes/abc'), 'kubectl');
  assert.equal(managerOf(null, 'node-fetch/1.0 (+https://github.com/bitinn/node-fetch)'), 'node-fetch');
});

test('patch options are validated with PatchOptions\' wording', () => {
  const message = (f: () => void) => { try { f(); } catch (e) { return (e as ApiError).message; } return ''; };
  assert.equal(message(() => checkPatchOptions(null, false, true)),
    'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
  assert.equal(message(() => checkPatchOptions('x', true, false)),
    'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch');
  assert.match(message(() => checkPatchOptions('a'.repeat(129), false, true)), /fieldManager: Too long: may not be more than 128 bytes/);
  assert.equal(message(() => checkPatchOptions('kubectl', true, true)), '');
});

test('an apply configuration must be an object of the endpoint\'s kind with fields the kind has', () => {
  const deployments = mustResource('deployments.apps');
  const status = (f: () => void) => { try { f(); } catch (e) { return [(e as ApiError).code, (e as ApiError).message]; } return []; };
  assert.deepEqual(status(() => checkApplyConfig(deployments, ['x'], 'default', 'web')),
    [400, 'error decoding YAML: the apply configuration must be a YAML or JSON object']);
  assert.deepEqual(status(() => checkApplyConfig(deployments, { apiVersion: 'v1', kind: 'Deployment' }, 'default', 'web')),
    [400, 'Incorrect version specified in apply patch. Specified patch version: v1, expected: apps/v1']);
  assert.deepEqual(status(() => checkApplyConfig(deployments, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { managedFields: [] } }, 'default', 'web')),
    [400, 'metadata.managedFields must be nil']);
  assert.deepEqual(status(() => checkApplyConfig(deployments,
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { spec: { containers: [{ image: 'x' }] } } } }, 'default', 'web')),
  [500, 'failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.template.spec.containers: element 0: associative list with keys has an element that omits key field "name" (and doesn\'t have default value)']);
});
