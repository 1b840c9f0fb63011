// End to end: `podnet trace --prove` across nodes on `podnet up --nodes 2 --overlay host-gw` (trace.test.ts
// covers VXLAN): pod → pod and pod → ClusterIP → remote pod take the node's host-gw route via the other
// node's underlay address, no encapsulation, and every predicted hop is confirmed by the kernel.
// Private state root, kubeconfig, cluster name (trace-gw-e2e), underlay 172.31.215.0/24.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { requireRoot } from '../../src/linux/exec.js';
import { e2eCluster } from '../support/e2e-cluster.js';
import type { TraceResult } from '../../src/core/trace/index.js';
import { assertProved, taken } from '../support/trace-proof.js';

const cluster = 'trace-gw-e2e';
const { work, stateDir, podnet, show, ok, apply } = e2eCluster(cluster, { kubectlTimeoutMs: 120_000 });
const node1 = `${cluster}-node-1`, node2 = `${cluster}-node-2`;
const node2IP = '172.31.215.12';

async function trace(from: string, to: string): Promise<{ t: TraceResult; text: string }> {
  const r = await podnet('trace', '--name', cluster, '--prove', '-o', 'json', from, to);
  assert.equal(r.code, 0, `podnet trace ${from} ${to}: ${show(r)}`);
  return { t: JSON.parse(r.stdout) as TraceResult, text: r.stdout };
}

/** The cross-node hop is a host-gw route via node-2's underlay address, and nothing is encapsulated. */
function assertHostGw(t: TraceResult, text: string): void {
  const hop = taken(t).find((h) => h.kind === 'route' && h.summary.startsWith('host-gw:'));
  assert.ok(hop, text);
  assert.equal(hop.summary, `host-gw: routed to node ${node2} (${node2IP}) over the underlay, no encapsulation`, text);
  assert.ok(!taken(t).some((h) => h.kind === 'overlay' || /VXLAN|VNI|flannel/.test(h.summary)), text);
}

before(async () => {
  requireRoot('the host-gw trace end-to-end test');
  const up = await podnet('up', '--name', cluster, '--nodes', '2', '--overlay', 'host-gw', '--no-ingress', '--underlay-cidr', '172.31.215.0/24');
  assert.equal(up.code, 0, show(up));
  await apply(`apiVersion: v1
kind: Pod
metadata: { name: client }
spec:
  nodeName: ${node1}
  containers:
  - { name: curl, image: curlimages/curl, command: ["sleep", "3600"] }
---
apiVersion: v1
kind: Pod
metadata: { name: far, labels: { app: far } }
spec:
  nodeName: ${node2}
  containers:
  - { name: nginx, image: nginx, ports: [{ containerPort: 80 }] }
---
apiVersion: v1
kind: Service
metadata: { name: far }
spec: { selector: { app: far }, ports: [{ port: 80, targetPort: 80 }] }
`);
  await ok('wait', '--for=condition=Ready', 'pod/client', 'pod/far', '--timeout=120s');
});

after(async () => {
  if (existsSync(stateDir)) await podnet('down', '--name', cluster);
  rmSync(work, { recursive: true, force: true });
});

test('host-gw: pod → pod across nodes is routed via the other node\'s underlay address, confirmed', async () => {
  const { t, text } = await trace('client', 'far');
  assertHostGw(t, text);
  assertProved(t, text);
});

test('host-gw: pod → ClusterIP → remote pod: the proxy DNAT, then the host-gw route, confirmed', async () => {
  const { t, text } = await trace('client', 'svc/far');
  assert.ok(taken(t).some((h) => h.kind === 'service' && /DNATs/.test(h.summary)), text);
  assertHostGw(t, text);
  assertProved(t, text);
});
