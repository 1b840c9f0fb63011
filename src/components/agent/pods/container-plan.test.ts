import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import { planContainer, type PlanContext } from './container-plan.js';

const pod: V1Pod = { metadata: { name: 'web', namespace: 'default', uid: 'u' }, spec: { containers: [] } };
const ctx: PlanContext = {
  node: { nodeName: 'n', hostIP: '172.31.0.11', allocatableCpu: 2, allocatableMemoryBytes: 1 },
  clusterDomain: 'cluster.local', podIPs: ['10.244.1.5'],
  envSources: { configMap: async () => undefined, secret: async () => undefined, serviceEnv: async () => ({}) },
};

test('a shell image runs the host tool, resolved through PATH, with kubelet\'s base environment', async () => {
  const plan = await planContainer(pod, { name: 'c', image: 'busybox', command: ['sh', '-c', 'true'], env: [{ name: 'A', value: 'b' }] }, ctx);
  assert.equal(plan.kind, 'run');
  if (plan.kind !== 'run') return;
  assert.match(plan.argv[0], /\/sh$/);
  assert.deepEqual(plan.argv.slice(1), ['-c', 'true']);
  assert.equal(plan.env.HOSTNAME, 'web');
  assert.equal(plan.env.A, 'b');
  assert.equal(plan.startError, undefined);
  assert.deepEqual(plan.events.map((e) => e.reason), ['Pulled']);
});

test('a missing executable or working directory is a StartError; a missing ConfigMap keeps it waiting', async () => {
  const missing = await planContainer(pod, { name: 'c', image: 'busybox', command: ['no-such-tool-podnet'] }, ctx);
  assert.equal(missing.kind === 'run' && missing.startError, 'exec: "no-such-tool-podnet": executable file not found in $PATH');
  const noDir = await planContainer(pod, { name: 'c', image: 'busybox', command: ['sh'], workingDir: '/no/such/dir' }, ctx);
  assert.match(noDir.kind === 'run' ? noDir.startError ?? '' : '', /chdir to cwd \("\/no\/such\/dir"\)/);
  const waiting = await planContainer(pod, { name: 'c', image: 'busybox', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } }] }, ctx);
  assert.equal(waiting.kind, 'wait');
  assert.equal(waiting.kind === 'wait' && waiting.reason, 'CreateContainerConfigError');
});

test('built-in workloads run the podnet workload program', async () => {
  const plan = await planContainer(pod, { name: 'c', image: 'registry.k8s.io/e2e-test-images/agnhost:2.52', args: ['netexec'] }, ctx);
  assert.equal(plan.kind === 'run' && plan.imageID, 'podnet://builtin/agnhost');
  assert.deepEqual(plan.kind === 'run' && plan.argv.slice(-2), ['agnhost', 'netexec']);
});
