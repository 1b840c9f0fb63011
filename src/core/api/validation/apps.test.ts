import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorString } from '../errors.js';
import type { KubeObject } from '../object.js';
import { defaultObject } from '../defaults/index.js';
import { validateCreate, validateUpdate } from './index.js';

function created(o: KubeObject): KubeObject {
  const c = structuredClone(o);
  c.metadata.namespace ??= 'default';
  defaultObject(c, { create: true });
  return c;
}
const errorsOf = (o: KubeObject) => validateCreate(created(o)).map(fieldErrorString);

/** What `kubectl create deployment <name> --image=nginx` sends. */
function deployment(name: string, over: Record<string, unknown> = {}, kind = 'Deployment'): KubeObject {
  return {
    apiVersion: 'apps/v1', kind, metadata: { name, labels: { app: name } },
    spec: {
      replicas: 1, selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'nginx', image: 'nginx', resources: {} }] } },
      ...over,
    },
  };
}

test('the frontend and backend Deployments of the seeds are valid, and so is a ReplicaSet', () => {
  assert.deepEqual(errorsOf(deployment('frontend')), []);
  assert.deepEqual(errorsOf(deployment('backend', { replicas: 3 })), []);
  assert.deepEqual(errorsOf(deployment('web-7d9f', {}, 'ReplicaSet')), []);
  assert.deepEqual(errorsOf(deployment('recreate', { strategy: { type: 'Recreate' } })), []);
  assert.deepEqual(errorsOf(deployment('expr', { selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['expr'] }] } })), []);
});

const template = (labels: Record<string, string>) => ({ metadata: { labels }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });

const cases: Array<[string, KubeObject, string[]]> = [
  ['selector does not match the template', deployment('web', { template: template({ app: 'other', tier: 'fe' }) }),
    ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"other", "tier":"fe"}: `selector` does not match template `labels`']],
  ['missing selector', deployment('web', { selector: undefined }),
    ['spec.selector: Required value', 'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`']],
  ['empty selector', deployment('web', { selector: {} }),
    ['spec.selector: Invalid value: &LabelSelector{MatchLabels:map[string]string{},MatchExpressions:[]LabelSelectorRequirement{},}: empty selector is invalid for deployment']],
  ['negative replicas', deployment('web', { replicas: -1 }), ['spec.replicas: Invalid value: -1: must be greater than or equal to 0']],
  ['bad strategy type', deployment('web', { strategy: { type: 'BlueGreen' } }),
    ['spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:"BlueGreen", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: "Recreate", "RollingUpdate"']],
  ['maxUnavailable and maxSurge both 0', deployment('web', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } }),
    ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0']],
  ['bad percent', deployment('web', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25x' } } }),
    ["spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 25x: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"]],
  ['rollingUpdate with Recreate', deployment('web', { strategy: { type: 'Recreate', rollingUpdate: {} } }),
    ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"]],
  ['template restartPolicy', deployment('web', { template: { ...template({ app: 'web' }), spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } } }),
    ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']],
  ['template container port', deployment('web', { template: { ...template({ app: 'web' }), spec: { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 0 }] }] } } }),
    ['spec.template.spec.containers[0].ports[0].containerPort: Required value']],
  ['selector operator', deployment('web', { selector: { matchExpressions: [{ key: 'app', operator: 'Like', values: ['web'] }] } }), [
    'spec.selector.matchExpressions[0].operator: Invalid value: "Like": not a valid selector operator',
    'spec.selector: Invalid value: &LabelSelector{MatchLabels:map[string]string{},MatchExpressions:[]LabelSelectorRequirement{LabelSelectorRequirement{Key:app,Operator:Like,Values:[web],},},}: invalid label selector']],
  ['progressDeadlineSeconds', deployment('web', { progressDeadlineSeconds: 5, minReadySeconds: 10 }),
    ['spec.progressDeadlineSeconds: Invalid value: 5: must be greater than minReadySeconds']],
];

for (const [name, o, want] of cases) test(`Deployment: ${name}`, () => assert.deepEqual(errorsOf(o), want));

test('the selector of an apps/v1 Deployment is immutable; replicas and the template may change', () => {
  const old = created(deployment('web'));
  old.metadata.resourceVersion = '3';
  const next = structuredClone(old) as any;
  next.spec.replicas = 5;
  next.spec.template.spec.containers[0].image = 'nginx:1.28';
  assert.deepEqual(validateUpdate(next, old).map(fieldErrorString), []);
  next.spec.selector = { matchLabels: { app: 'web', tier: 'fe' } };
  next.spec.template.metadata.labels.tier = 'fe';
  assert.deepEqual(validateUpdate(next, old).map(fieldErrorString), [
    'spec.selector: Invalid value: &LabelSelector{MatchLabels:map[string]string{app: web,tier: fe,},MatchExpressions:[]LabelSelectorRequirement{},}: field is immutable']);
});

test('Scale: replicas may not be negative', () => {
  const scale = (replicas: number): KubeObject => ({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web' }, spec: { replicas } });
  assert.deepEqual(validateCreate(scale(3)), []);
  assert.deepEqual(validateCreate(scale(-2)).map(fieldErrorString), ['spec.replicas: Invalid value: -2: must be greater than or equal to 0']);
});
