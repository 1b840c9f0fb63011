// The Service controllers against the real registry (defaulting, validation, status subresources,
// garbage collection) over the in-memory store, and how fast a pod turning Ready reaches its
// EndpointSlice: the controller's share of the network-programming latency. Timings are printed,
// never asserted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from '../apiserver/registry.js';
import { NamespaceLifecycle } from '../apiserver/namespace-lifecycle.js';
import { ServiceAllocation } from '../apiserver/service-allocation.js';
import { MemoryStore } from '../store/index.js';
import { node } from './testing/fixtures.js';
import { waitFor } from './testing/wait.js';
import { startControllers } from './index.js';
import type { ClusterConfig } from '../../core/cluster/config.js';
import type { JsonObject, KubeObject } from '../../core/api/object.js';
import type { WatchEvent } from '../../core/api/client.js';

const config = {
  name: 'test', clusterCIDR: '10.244.0.0/16', nodeCIDRMaskSize: 24, serviceCIDR: '10.96.0.0/12',
  hostIP: '172.31.250.1', apiServerPort: 6443, nodePortRange: '30000-32767', underlayCIDR: '172.31.250.0/24',
  stateDir: '/tmp/podnet-endpoints-it', nodes: [{ name: 'node-1', ip: '172.31.250.11' }, { name: 'node-2', ip: '172.31.250.12' }],
} as ClusterConfig;

const SLICES = 'endpointslices.discovery.k8s.io';
const N = 100;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function podObject(i: number): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: `backend-${i}`, namespace: 'default', labels: { app: 'backend' } },
    spec: { nodeName: i % 2 ? 'node-1' : 'node-2', containers: [{ name: 'app', image: 'nginx', ports: [{ name: 'http', containerPort: 80 }] }] },
  } as KubeObject;
}

async function setStatus(registry: Registry, name: string, i: number, ready: boolean): Promise<void> {
  const pod = (await registry.get('pods', 'default', name)) as JsonObject;
  const ip = `10.244.${i % 2 ? 1 : 2}.${10 + i}`;
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  pod.status = {
    ...pod.status, phase: 'Running', podIP: ip, podIPs: [{ ip }],
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: now }],
  };
  await registry.update('pods', pod as KubeObject, 'status');
}

test('against the registry: slices, Endpoints and a LoadBalancer address; pod Ready → slice latency over 100 pods', async (t) => {
  const store = new MemoryStore();
  const registry = new Registry(store);
  registry.use(new NamespaceLifecycle(registry));
  registry.use(await ServiceAllocation.open(store, registry, config));
  const logs: string[] = [];
  const ctl = await startControllers(registry, config, { log: (l) => logs.push(l) });
  // When each pod was first seen ready in a slice, from a watch (not polling, which would blur the numbers).
  const seenReady = new Map<string, number>();
  const watch = await registry.watch(SLICES, { namespace: 'default', labelSelector: 'kubernetes.io/service-name=backend' }, (e: WatchEvent) => {
    if (e.type !== 'ADDED' && e.type !== 'MODIFIED') return;
    const now = performance.now();
    for (const ep of ((e.object as JsonObject).endpoints ?? []) as JsonObject[]) {
      if (ep.conditions?.ready && !seenReady.has(ep.targetRef.name)) seenReady.set(ep.targetRef.name, now);
    }
  });
  try {
    for (const n of ['node-1', 'node-2']) {
      await registry.create('nodes', node(n, { labels: { 'topology.kubernetes.io/zone': `zone-${n.slice(-1)}` } }));
      const cur = (await registry.get('nodes', undefined, n)) as JsonObject;
      cur.status = node(n).status;
      await registry.update('nodes', cur as KubeObject, 'status');
    }
    await registry.create('services', {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'backend', namespace: 'default', labels: { app: 'backend' } },
      spec: { selector: { app: 'backend' }, ports: [{ name: 'web', port: 5000, targetPort: 'http' }] },
    } as KubeObject);
    await registry.create('services', {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'frontend', namespace: 'default' },
      spec: { type: 'LoadBalancer', selector: { app: 'frontend' }, ports: [{ port: 80 }] },
    } as KubeObject);
    for (let i = 0; i < N; i++) await registry.create('pods', podObject(i));
    for (let i = 0; i < N; i++) await setStatus(registry, `backend-${i}`, i, false);
    const slices = async () => (await registry.list(SLICES, { namespace: 'default', labelSelector: 'kubernetes.io/service-name=backend' })).items as JsonObject[];
    await waitFor(async () => (await slices()).flatMap((s) => s.endpoints ?? []).length === N, `${N} not-ready endpoints`);
    // Pods' condition times have whole seconds, so a later write in the same second may carry none (as upstream).
    assert.match((await slices())[0].metadata.annotations['endpoints.kubernetes.io/last-change-trigger-time'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    // One at a time: the latency of a single change with nothing else going on.
    const single: number[] = [];
    for (let i = 0; i < N; i++) {
      const t0 = performance.now();
      await setStatus(registry, `backend-${i}`, i, true);
      await waitFor(() => seenReady.has(`backend-${i}`), `backend-${i} ready in its slice`);
      single.push(seenReady.get(`backend-${i}`)! - t0);
    }
    // All at once, as in a rollout: every pod goes not ready, then all turn Ready together.
    await Promise.all(Array.from({ length: N }, (_, i) => setStatus(registry, `backend-${i}`, i, false)));
    await waitFor(async () => (await slices()).flatMap((s) => s.endpoints ?? []).every((e: JsonObject) => !e.conditions.ready), 'all not ready');
    seenReady.clear();
    const started = new Map<string, number>();
    await Promise.all(Array.from({ length: N }, async (_, i) => {
      started.set(`backend-${i}`, performance.now());
      await setStatus(registry, `backend-${i}`, i, true);
    }));
    await waitFor(() => seenReady.size === N, 'all ready in slices again');
    const burst = [...started].map(([name, t0]) => seenReady.get(name)! - t0);
    const fmt = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return `p50 ${percentile(s, 50).toFixed(1)} ms, p99 ${percentile(s, 99).toFixed(1)} ms, max ${s[s.length - 1].toFixed(1)} ms`; };
    t.diagnostic(`pod Ready → EndpointSlice, one pod at a time (${single.length} samples): ${fmt(single)}`);
    t.diagnostic(`pod Ready → EndpointSlice, ${burst.length} pods at once: ${fmt(burst)}`);

    const all = await slices();
    assert.equal(all.length, 1, `${N} endpoints fit one slice`);
    const s = all[0];
    assert.deepEqual(s.ports, [{ name: 'web', port: 80, protocol: 'TCP' }]);
    assert.equal(s.endpoints.filter((e: JsonObject) => e.conditions.ready).length, N);
    assert.ok(s.endpoints.every((e: JsonObject) => e.zone === (e.nodeName === 'node-1' ? 'zone-1' : 'zone-2')));
    await waitFor(async () => ((await registry.get('endpoints', 'default', 'backend')) as JsonObject)?.subsets?.[0]?.addresses?.length === N, 'Endpoints');
    await waitFor(async () => ((await registry.get('services', 'default', 'frontend')) as JsonObject).status.loadBalancer.ingress?.[0]?.ip === '172.31.250.200', 'LB address');
    await waitFor(async () => ((await registry.get('services', 'default', 'frontend')) as JsonObject).metadata.annotations?.['podnet.io/announcing-node'], 'announcer');

    // The kubernetes Service's slice is another controller's and stays as it is.
    const k8s = (await registry.list(SLICES, { namespace: 'default', labelSelector: 'kubernetes.io/service-name=kubernetes' })).items;
    assert.equal(k8s.length, 1);
    assert.equal(k8s[0].metadata.labels?.['endpointslice.kubernetes.io/managed-by'], undefined);

    // Deleting the Service takes its slices (garbage collector) and its Endpoints (controller) with it.
    await registry.delete('services', 'default', 'backend');
    await waitFor(async () => (await slices()).length === 0 && !(await registry.get('endpoints', 'default', 'backend')), 'cleanup');
  } finally {
    watch.stop();
    await ctl.stop();
    await store.close();
  }
  assert.deepEqual(logs.filter((l) => !/Conflict|modified/.test(l)), []);
});
