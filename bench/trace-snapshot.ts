// The API read behind every `podnet trace` answer (no cluster, no lock needed: a podnet API server on
// loopback): 1,000 Services with an EndpointSlice each, read as plain JSON (loadSnapshot, now) against
// the same lists through @kubernetes/client-node's typed API calls (how loadSnapshot read them before),
// interleaved in the same run. Both reads must give the model the same objects.
//
//   node --import tsx bench/trace-snapshot.ts [--services 1000] [--runs 10] [--short]
import { parseArgs } from 'node:util';
import assert from 'node:assert/strict';
import { CoreV1Api, DiscoveryV1Api, KubeConfig, NetworkingV1Api } from '@kubernetes/client-node';
import { startTestServer } from '../test/support/server.js';
import { loadSnapshot } from '../src/components/trace/snapshot.js';
import { apiShape } from '../src/components/agent/policy/sources.js';
import { sized } from './support/short.js';

const { values: args } = parseArgs({ options: { services: { type: 'string', default: sized('1000', '1000') }, runs: { type: 'string', default: sized('10', '5') }, short: { type: 'boolean' } } });
const N = Number(args.services), RUNS = Number(args.runs);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The previous loadSnapshot's lists: typed client-node calls (models built field by field). */
async function typedLists(kc: KubeConfig) {
  const core = kc.makeApiClient(CoreV1Api), discovery = kc.makeApiClient(DiscoveryV1Api), networking = kc.makeApiClient(NetworkingV1Api);
  const [nodes, pods, services, slices, namespaces, policies] = await Promise.all([
    core.listNode(), core.listPodForAllNamespaces(), core.listServiceForAllNamespaces(), discovery.listEndpointSliceForAllNamespaces(),
    core.listNamespace(), networking.listNetworkPolicyForAllNamespaces(), networking.listIngressForAllNamespaces(), networking.listIngressClass(),
    core.readNamespacedConfigMap({ namespace: 'kube-system', name: 'coredns' }).catch(() => undefined),
  ]);
  return { nodes: nodes.items, pods: pods.items, services: services.items, slices: slices.items, namespaces: namespaces.items, policies: policies.items.map(apiShape) };
}

const api = await startTestServer('trace-snap');
try {
  await api.start();
  const objs: string[] = [];
  for (let i = 0; i < N; i++) {
    // No selector: the EndpointSlice controller leaves these Services' slices to us.
    objs.push(`apiVersion: v1\nkind: Service\nmetadata: { name: s-${i} }\nspec: { ports: [{ port: 80, targetPort: 80 }] }`);
    objs.push(`apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: { name: s-${i}-x, labels: { kubernetes.io/service-name: s-${i} } }\naddressType: IPv4\nports: [{ name: "", port: 80, protocol: TCP }]\nendpoints: [{ addresses: ["10.244.2.${2 + (i % 250)}"], conditions: { ready: true }, nodeName: node-2 }]`);
  }
  objs.push('apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: from-near }\nspec: { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { app: near } } }] }] }');
  for (let i = 0; i < objs.length; i += 500) {
    const r = await api.kubectl(['apply', '-f', '-'], objs.slice(i, i + 500).join('\n---\n'));
    if (r.code !== 0) throw new Error(r.stderr);
  }
  const kc = new KubeConfig();
  kc.loadFromFile(api.kubeconfig);
  const h = { config: api.config, kc };
  // Same objects either way (the policy's `from` included, which the typed model calls `_from`).
  const [raw, typed] = [await loadSnapshot(h), await typedLists(kc)];
  assert.equal(raw.services.length, typed.services.length);
  assert.equal(raw.endpointSlices.length, typed.slices.length);
  const plain = (x: unknown) => JSON.parse(JSON.stringify(x));
  assert.deepEqual(plain(raw.networkPolicies?.[0]?.spec?.ingress), plain(typed.policies[0]?.spec?.ingress));
  const rawMs: number[] = [], typedMs: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    let t0 = performance.now();
    await loadSnapshot(h);
    rawMs.push(performance.now() - t0);
    t0 = performance.now();
    await typedLists(kc);
    typedMs.push(performance.now() - t0);
  }
  const f = (x: number) => x.toFixed(0);
  process.stdout.write(`trace's API read: ${N} Services + ${N} EndpointSlices, podnet API server on loopback, ${RUNS} interleaved runs\n`);
  process.stdout.write(`plain JSON lists (loadSnapshot)          median ${f(median(rawMs))} ms, max ${f(Math.max(...rawMs))} ms\n`);
  process.stdout.write(`client-node typed lists (before)         median ${f(median(typedMs))} ms, max ${f(Math.max(...typedMs))} ms\n`);
  process.stdout.write(`ratio plain/typed                        ${(median(rawMs) / median(typedMs)).toFixed(2)}\n`);
} finally {
  await api.cleanup();
}
