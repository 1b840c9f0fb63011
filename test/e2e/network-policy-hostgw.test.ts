// End to end: NetworkPolicy across nodes with the host-gw overlay (routes over the underlay instead of
// VXLAN): the Cyclonus base policy's hand-written matrices (see test/support/netpol-model.ts), pod IPs
// and ClusterIPs, on `podnet up --nodes 3 --overlay host-gw`. network-policy.test.ts covers VXLAN and
// everything else. Private state root, kubeconfig, cluster name (policy-hgw) and underlay (172.31.222.0/24).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { requireRoot } from '../../src/linux/exec.js';
import { e2eCluster } from '../support/e2e-cluster.js';
import { addresses, ALLOW_ALL, BASE, BASE_OTHER, BASE_TCP80, modelManifest, probeAll, type Addresses } from '../support/netpol-model.js';

const cluster = 'policy-hgw';
const c = e2eCluster(cluster, { kubectlTimeoutMs: 120_000 });
const nodes = [1, 2, 3].map((i) => `${cluster}-node-${i}`);
let addr: Addresses;

before(async () => {
  requireRoot('the NetworkPolicy host-gw end-to-end test');
  const up = await c.podnet('up', '--name', cluster, '--nodes', '3', '--overlay', 'host-gw', '--underlay-cidr', '172.31.222.0/24');
  assert.equal(up.code, 0, c.show(up));
  await c.apply(modelManifest(nodes));
  for (const ns of ['x', 'y', 'z']) await c.ok('wait', '-n', ns, '--for=condition=Ready', 'pod', '--all', '--timeout=120s');
  addr = await addresses(c);
});

after(async () => {
  if (existsSync(c.stateDir)) await c.podnet('down', '--name', cluster);
  rmSync(c.work, { recursive: true, force: true });
});

async function expectMatrices(to: Map<string, string>, want: string[], what: string, waitMs = 30_000): Promise<void> {
  let got: string[] = [];
  const deadline = Date.now() + waitMs;
  do {
    got = await probeAll(c, to);
    if (got.every((m, i) => m === want[i])) return;
  } while (Date.now() < deadline);
  assert.deepEqual(got, want, what);
}

test('host-gw: the base policy across nodes, by pod IP and by ClusterIP; deleting it opens everything again', async () => {
  // Also waits for all 27 servers to listen (Ready when the process starts; slow on loaded cores).
  await expectMatrices(addr.pod, [ALLOW_ALL, ALLOW_ALL, ALLOW_ALL], 'no policy', 120_000);
  await c.apply(BASE);
  await expectMatrices(addr.pod, [BASE_TCP80, BASE_OTHER, BASE_OTHER], 'pod IPs');
  await expectMatrices(addr.service, [BASE_TCP80, BASE_OTHER, BASE_OTHER], 'ClusterIPs');
  await c.ok('delete', 'networkpolicy', '-n', 'x', 'base');
  await expectMatrices(addr.pod, [ALLOW_ALL, ALLOW_ALL, ALLOW_ALL], 'after delete');
});
