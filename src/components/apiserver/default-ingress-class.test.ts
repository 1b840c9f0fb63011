import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from './registry.js';
import { DefaultIngressClass } from './default-ingress-class.js';
import { MemoryStore } from '../store/index.js';
import { isApiError } from '../../core/api/errors.js';
import type { JsonObject, KubeObject } from '../../core/api/object.js';

const cls = (name: string, isDefault: boolean): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass',
  metadata: { name, ...(isDefault ? { annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } } : {}) },
  spec: { controller: `example.com/${name}` },
} as KubeObject);
const ing = (name: string, extra: JsonObject = {}): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, namespace: 'default', ...(extra.metadata ?? {}) },
  spec: { defaultBackend: { service: { name: 'web', port: { number: 80 } } }, ...(extra.spec ?? {}) },
} as KubeObject);

test('DefaultIngressClass: a new Ingress without a class gets the default one; named classes and the legacy annotation are kept', async () => {
  const registry = new Registry(new MemoryStore());
  registry.use(new DefaultIngressClass(registry));
  const className = async (name: string) => ((await registry.get('ingresses.networking.k8s.io', 'default', name)) as JsonObject).spec.ingressClassName;
  await registry.create('ingresses.networking.k8s.io', ing('before'));
  assert.equal(await className('before'), undefined, 'no default class yet');
  await registry.create('ingressclasses.networking.k8s.io', cls('nginx', true));
  await registry.create('ingressclasses.networking.k8s.io', cls('other', false));
  await registry.create('ingresses.networking.k8s.io', ing('plain'));
  assert.equal(await className('plain'), 'nginx');
  await registry.create('ingresses.networking.k8s.io', ing('named', { spec: { ingressClassName: 'other' } }));
  assert.equal(await className('named'), 'other');
  await registry.create('ingresses.networking.k8s.io', ing('legacy', { metadata: { annotations: { 'kubernetes.io/ingress.class': 'other' } } }));
  assert.equal(await className('legacy'), undefined);
  await registry.patch('ingresses.networking.k8s.io', 'default', 'before', { metadata: { labels: { a: 'b' } } }, 'merge');
  assert.equal(await className('before'), undefined, 'updates are left alone, as upstream');

  await registry.create('ingressclasses.networking.k8s.io', cls('second', true));
  await assert.rejects(registry.create('ingresses.networking.k8s.io', ing('ambiguous')),
    (e) => isApiError(e, 'Forbidden') && /2 default IngressClasses were found \(nginx, second\)/.test(e.message));
  assert.equal(await registry.get('ingresses.networking.k8s.io', 'default', 'ambiguous'), undefined);
});
