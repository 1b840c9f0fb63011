// End to end: `podnet up --overlay vxlan` and `--overlay host-gw` give each node the flannel kernel
// state (flannel.1 and its onlink routes, or host-gw routes via the node IPs), publish the flannel
// annotations on the Nodes, and a pod on node-1 that curls agnhost's /clientip on node-2 is seen with
// its own pod IP (no NAT between pods). Private state root, kubeconfig, cluster names (pno-*) and
// underlays (172.31.242.0/24, 172.31.241.0/24).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireRoot } from '../../src/linux/exec.js';
import { e2eCluster } from '../support/e2e-cluster.js';

// One private state root and kubeconfig for both clusters of this file.
const { work, stateRoot, kubeconfig, podnet, kubectl, show } = e2eCluster('pno-e2e', { kubectlTimeoutMs: 60_000 });
const clusters = new Set<string>();
const ipIn = (netns: string, ...args: string[]) => execFileSync('ip', ['-n', netns, ...args], { encoding: 'utf8' });

before(() => requireRoot('the overlay end-to-end test'));

after(async () => {
  for (const name of clusters) {
    if (existsSync(join(stateRoot, name))) await podnet('down', '--name', name);
  }
  rmSync(work, { recursive: true, force: true });
});

interface NodeJson {
  metadata: { name: string; annotations?: Record<string, string> };
  spec: { podCIDR?: string };
  status: { addresses: Array<{ type: string; address: string }> };
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The Nodes once each has a podCIDR and has published its flannel annotations for `mode`. */
async function overlayNodes(mode: string): Promise<NodeJson[]> {
  return waitFor(`both Nodes to have a podCIDR and flannel.alpha.coreos.com/backend-type=${mode}`, async () => {
    const r = await kubectl('get', 'nodes', '-o', 'json');
    if (r.code !== 0) return undefined;
    const items = (JSON.parse(r.stdout).items as NodeJson[]).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    const done = items.length === 2 && items.every((n) => n.spec.podCIDR && n.metadata.annotations?.['flannel.alpha.coreos.com/backend-type'] === mode);
    return done ? items : undefined;
  });
}

/** Runs agnhost netexec on node-2 and a curl pod on node-1; returns what /clientip said and the client's IP. */
async function clientIPAcrossNodes(cluster: string): Promise<{ seen: string; clientIP: string }> {
  const manifest = join(work, `${cluster}-pods.yaml`);
  writeFileSync(manifest, `apiVersion: v1
kind: Pod
metadata: { name: netexec, labels: { app: netexec } }
spec:
  nodeName: ${cluster}-node-2
  containers:
  - name: agnhost
    image: registry.k8s.io/e2e-test-images/agnhost:2.52
    args: ["netexec", "--http-port=8080"]
---
apiVersion: v1
kind: Pod
metadata: { name: client }
spec:
  nodeName: ${cluster}-node-1
  containers:
  - name: curl
    image: curlimages/curl
    command: ["sleep", "3600"]
`);
  const apply = await kubectl('apply', '-f', manifest);
  assert.equal(apply.code, 0, show(apply));
  const wait = await kubectl('wait', '--for=condition=Ready', 'pod/netexec', 'pod/client', '--timeout=90s');
  assert.equal(wait.code, 0, show(wait));
  const podIP = async (name: string) => (await kubectl('get', 'pod', name, '-o', 'jsonpath={.status.podIP}')).stdout.trim();
  const serverIP = await podIP('netexec');
  const clientIP = await podIP('client');
  // The first request after Ready, no retry: a built-in agnhost is reported started once it listens.
  const curl = await kubectl('exec', 'client', '--', 'curl', '-sS', '--max-time', '5', `http://${serverIP}:8080/clientip`);
  assert.equal(curl.code, 0, show(curl));
  return { seen: curl.stdout.trim(), clientIP };
}

async function up(cluster: string, mode: string, underlay: string): Promise<void> {
  clusters.add(cluster);
  const r = await podnet('up', '--name', cluster, '--nodes', '2', '--overlay', mode, '--underlay-cidr', underlay);
  assert.equal(r.code, 0, show(r));
}

test('podnet up --overlay vxlan: flannel.1 on every node, onlink routes, pod IPs preserved across nodes', async () => {
  const cluster = 'pno-vx';
  await up(cluster, 'vxlan', '172.31.242.0/24');
  try {
    const [n1, n2] = await overlayNodes('vxlan');
    const link = await waitFor('flannel.1 in node-1', async () => {
      try { return JSON.parse(ipIn(n1.metadata.name, '-j', '-d', 'link', 'show', 'dev', 'flannel.1'))[0]; } catch { return undefined; }
    });
    assert.equal(link.mtu, 1450);
    assert.equal(link.linkinfo.info_data.id, 1);
    assert.equal(link.linkinfo.info_data.port, 8472);
    assert.equal(link.linkinfo.info_data.learning, false);
    assert.equal(link.linkinfo.info_data.local, '172.31.242.11');
    const data = JSON.parse(n1.metadata.annotations!['flannel.alpha.coreos.com/backend-data']);
    assert.deepEqual(data, { VNI: 1, VtepMAC: link.address });
    assert.equal(n1.metadata.annotations!['flannel.alpha.coreos.com/public-ip'], '172.31.242.11');
    const gw = n2.spec.podCIDR!.split('/')[0];
    const routes = await waitFor(`a route to ${n2.spec.podCIDR} in node-1`, async () => {
      const out = ipIn(n1.metadata.name, 'route', 'show', n2.spec.podCIDR!);
      return out.trim() ? out : undefined;
    });
    assert.match(routes, new RegExp(`^${n2.spec.podCIDR!.replace(/\./g, '\\.')} via ${gw.replace(/\./g, '\\.')} dev flannel\\.1 onlink`, 'm'));
    assert.match(ipIn(n1.metadata.name, 'neigh', 'show', 'dev', 'flannel.1'), new RegExp(`${gw.replace(/\./g, '\\.')} lladdr ${JSON.parse(n2.metadata.annotations!['flannel.alpha.coreos.com/backend-data']).VtepMAC} PERMANENT`));

    const { seen, clientIP } = await clientIPAcrossNodes(cluster);
    assert.equal(seen.split(':')[0], clientIP, `agnhost /clientip answered ${seen}`);
  } finally {
    const down = await podnet('down', '--name', cluster);
    assert.equal(down.code, 0, show(down));
  }
});

test('podnet up --overlay host-gw: no flannel.1, routes via the node IPs, pod IPs preserved across nodes', async () => {
  const cluster = 'pno-gw';
  await up(cluster, 'host-gw', '172.31.241.0/24');
  try {
    const [n1, n2] = await overlayNodes('host-gw');
    const routes = await waitFor(`a route to ${n2.spec.podCIDR} in node-1`, async () => {
      const out = ipIn(n1.metadata.name, 'route', 'show', n2.spec.podCIDR!);
      return out.trim() ? out : undefined;
    });
    assert.match(routes, new RegExp(`^${n2.spec.podCIDR!.replace(/\./g, '\\.')} via 172\\.31\\.241\\.12 dev eth0`, 'm'));
    assert.doesNotMatch(ipIn(n1.metadata.name, 'link', 'show'), /flannel\.1/);

    const { seen, clientIP } = await clientIPAcrossNodes(cluster);
    assert.equal(seen.split(':')[0], clientIP, `agnhost /clientip answered ${seen}`);
    // The node's own podCIDR stays with cni0 (the CNI's), untouched by the overlay.
    assert.match(ipIn(n1.metadata.name, 'route', 'show', n1.spec.podCIDR!), /dev cni0/);
  } finally {
    const down = await podnet('down', '--name', cluster);
    assert.equal(down.code, 0, show(down));
  }
});
