// Integration test (root): the overlay through the real API path. A podnet API server (child process,
// loopback) holds the Nodes; kubeNodeSource lists and watches them and merge-patches annotations; two
// overlay loops started with a KubeConfig program a two-node testbed, publish their flannel annotations
// through the API, and follow a Node's deletion through the watch alone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { requireRoot, run } from '../../../linux/exec.js';
import { listRoutes } from '../../../linux/route.js';
import { getLink } from '../../../linux/link.js';
import { vxlanBackendDataOf } from '../../../core/overlay/index.js';
import { startTestServer, type TestServer } from '../../../../test/support/server.js';
import { kubeNodeSource, startOverlay, type NodeSource, type RunningOverlay } from './index.js';
import { Testbed } from './testing/testbed.js';

let server: TestServer;
let tb: Testbed;
let kc: KubeConfig;
let core: CoreV1Api;
const sources: NodeSource[] = [];
const loops: RunningOverlay[] = [];
const logs: string[] = [];

before(async () => {
  requireRoot('the overlay API integration test');
  tb = await Testbed.create({ prefix: `pno-api${process.pid}`, nodes: 2, podsPerNode: 1, underlayCIDR: '172.31.244.0/24', clusterCIDR: '10.244.0.0/16', podMTU: 1450 });
  server = await startTestServer('pno-overlay');
  kc = new KubeConfig();
  kc.loadFromFile(server.kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
  for (const n of tb.nodes) {
    await core.createNode({ body: { apiVersion: 'v1', kind: 'Node', metadata: { name: n.name }, spec: { podCIDR: n.podCIDR, podCIDRs: [n.podCIDR] } } });
  }
  tb.startProcess(tb.nodes[1].pods[0].netns, ['socat', 'TCP-LISTEN:8080,reuseaddr,fork', 'SYSTEM:echo $SOCAT_PEERADDR']);
});

after(async () => {
  await Promise.all(loops.map((l) => l.stop()));
  await Promise.all(sources.map((s) => s.stop()));
  await server?.cleanup();
  await tb?.destroy();
});

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; overlay log:\n${logs.slice(-20).join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('kubeNodeSource lists and watches Nodes and merge-patches annotations', async () => {
  const source = kubeNodeSource(kc, (l) => logs.push(l));
  sources.push(source);
  let changes = 0;
  await source.start(() => { changes++; });
  assert.deepEqual(source.list().map((n) => n.metadata?.name).sort(), tb.nodes.map((n) => n.name));
  const before = changes;
  await source.annotate(tb.nodes[0].name, { 'example.com/a': '1' });
  await source.annotate(tb.nodes[0].name, { 'example.com/b': '2' });
  await waitFor('the patched annotations in the cache', () =>
    source.list().find((n) => n.metadata?.name === tb.nodes[0].name)?.metadata?.annotations?.['example.com/b'] === '2');
  assert.ok(changes > before);
  // A merge patch adds to the annotations, it does not replace them.
  const node = await core.readNode({ name: tb.nodes[0].name });
  assert.equal(node.metadata?.annotations?.['example.com/a'], '1');
  assert.equal(node.spec?.podCIDR, tb.nodes[0].podCIDR);
});

test('overlay loops on a KubeConfig publish flannel annotations, connect pods, and follow a Node deletion', async () => {
  for (const n of tb.nodes) {
    loops.push(await startOverlay(kc, tb.config('vxlan'), n.name, { netns: n.netns, resyncMs: 60_000, log: (l) => logs.push(`${n.name}: ${l}`) }));
  }
  await Promise.all(loops.map((l) => l.ready));
  const [n1, n2] = tb.nodes;
  await waitFor('a route to node 2\'s podCIDR in node 1', async () =>
    (await listRoutes({ netns: n1.netns })).some((r) => r.dst === n2.podCIDR && r.dev === 'flannel.1'));
  for (const n of tb.nodes) {
    const api = await core.readNode({ name: n.name });
    assert.equal(api.metadata?.annotations?.['flannel.alpha.coreos.com/public-ip'], n.ip);
    assert.deepEqual(vxlanBackendDataOf(api), { VNI: 1, VtepMAC: (await getLink('flannel.1', { netns: n.netns }))!.address });
  }
  const { stdout } = await run(['socat', '-T', '3', '-t', '3', '-', `TCP:${n2.pods[0].ip}:8080,connect-timeout=3`], { netns: n1.pods[0].netns });
  assert.equal(stdout.trim(), n1.pods[0].ip);

  // No syncNow: the watch event alone must make node 1 drop node 2's entries.
  await core.deleteNode({ name: n2.name });
  await waitFor('node 1 to drop its route to node 2', async () =>
    !(await listRoutes({ netns: n1.netns })).some((r) => r.dst === n2.podCIDR));
});
