import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { EnvConfigError, expand, parseQuantity, resolveEnv, type EnvSources } from './env.js';

const node = { nodeName: 'node-1', hostIP: '172.31.0.11', allocatableCpu: 2, allocatableMemoryBytes: 4 * 2 ** 30 };
const pod: V1Pod = {
  metadata: { name: 'web', namespace: 'shop', uid: 'u-1', labels: { app: 'web' }, annotations: { team: 'a' } },
  spec: { nodeName: 'node-1', serviceAccountName: 'sa', containers: [] },
};
const sources = (cms: Record<string, Record<string, string>> = {}, secrets: Record<string, Record<string, string>> = {}, svc: Record<string, string> = {}): EnvSources => ({
  configMap: async (_ns, name) => cms[name],
  secret: async (_ns, name) => secrets[name],
  serviceEnv: async () => svc,
});

test('$(VAR) expands from what is defined; $$ escapes; unknown references stay', () => {
  const env = { A: 'x', B: 'y' };
  assert.equal(expand('$(A)-$(B)-$(C)-$$(A)-$', env), 'x-y-$(C)-$(A)-$');
});

test('values, fieldRefs, ConfigMap and Secret keys, in order, with service variables first', async () => {
  const c: V1Container = {
    name: 'c',
    env: [
      { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
      { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
      { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'HOST', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
      { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
      { name: 'COLOR', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'color' } } },
      { name: 'PASS', valueFrom: { secretKeyRef: { name: 'sec', key: 'password' } } },
      { name: 'URL', value: 'http://$(POD).$(NS):$(KUBERNETES_SERVICE_PORT)' },
      { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
    ],
  };
  const { env } = await resolveEnv(pod, c, node, ['10.244.1.5'], sources({ cfg: { color: 'blue' } }, { sec: { password: 's3cret' } }, { KUBERNETES_SERVICE_PORT: '443' }));
  assert.deepEqual(env, {
    KUBERNETES_SERVICE_PORT: '443', POD: 'web', NS: 'shop', UID: 'u-1', APP: 'web', IP: '10.244.1.5', HOST: '172.31.0.11',
    NODE: 'node-1', SA: 'sa', COLOR: 'blue', PASS: 's3cret', URL: 'http://web.shop:443', MEM: '4096',
  });
});

test('envFrom with a prefix; invalid names are skipped with a warning', async () => {
  const c: V1Container = { name: 'c', envFrom: [{ prefix: 'CFG_', configMapRef: { name: 'cfg' } }] };
  const r = await resolveEnv(pod, c, node, [], sources({ cfg: { a: '1', 'b c': '2' } }));
  assert.deepEqual(r.env, { CFG_a: '1' });
  assert.match(r.warnings[0], /Keys \[b c\] from the EnvFrom configMap shop\/cfg were skipped/);
});

test('a missing ConfigMap, Secret or key is CreateContainerConfigError with kubelet\'s message, unless optional', async () => {
  const one = (valueFrom: NonNullable<V1Container['env']>[number]['valueFrom']): V1Container => ({ name: 'c', env: [{ name: 'X', valueFrom }] });
  await assert.rejects(resolveEnv(pod, one({ configMapKeyRef: { name: 'nope', key: 'k' } }), node, [], sources()),
    (e: Error) => e instanceof EnvConfigError && e.message === 'configmap "nope" not found' && (e as EnvConfigError).reason === 'CreateContainerConfigError');
  await assert.rejects(resolveEnv(pod, one({ configMapKeyRef: { name: 'cfg', key: 'k' } }), node, [], sources({ cfg: {} })), /couldn't find key k in ConfigMap shop\/cfg/);
  await assert.rejects(resolveEnv(pod, one({ secretKeyRef: { name: 's', key: 'k' } }), node, [], sources()), /secret "s" not found/);
  const r = await resolveEnv(pod, one({ secretKeyRef: { name: 's', key: 'k', optional: true } }), node, [], sources());
  assert.deepEqual(r.env, {});
});

test('quantities are read as the API server reads them (decimal exponents and micro included)', () => {
  assert.equal(parseQuantity('500m'), 0.5);
  assert.equal(parseQuantity('1Gi'), 2 ** 30);
  assert.equal(parseQuantity('1e3'), 1000);
  assert.ok(Math.abs(parseQuantity('100u') - 1e-4) < 1e-12);
  assert.throws(() => parseQuantity('1 Gi'), EnvConfigError);
});
