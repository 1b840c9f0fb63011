// End to end: `podnet up --nodes 2` brings up a cluster whose Nodes the real kubectl sees Ready, a second
// `up` is refused, `down` removes it, and afterwards nothing of the cluster is left: no namespace, link,
// process, mount, state file or kubeconfig entry. Runs the CLI from source (tsx) with a private state
// root, kubeconfig and underlay, so it touches nothing outside its own pnt6e2e cluster.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireRoot } from '../../src/linux/exec.js';
import { e2eCluster } from '../support/e2e-cluster.js';

const cluster = 'pnt6e2e';
const underlay = '172.31.246.0/24';
const { repo, work, stateDir, kubeconfig, podnet, kubectl, show } = e2eCluster(cluster, { kubectlTimeoutMs: 30_000 });

function netnsOfCluster(): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0]).filter((n) => n.startsWith(`${cluster}-`));
}
function linksOfCluster(): string[] {
  const links = JSON.parse(execFileSync('ip', ['-j', 'link', 'show'], { encoding: 'utf8' })) as Array<{ ifname: string }>;
  return links.map((l) => l.ifname).filter((n) => n.startsWith(`pn-${cluster}`));
}
function processesOfCluster(): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmd.includes(stateDir)) out.push(`${pid}: ${cmd}`);
    } catch { /* exited */ }
  }
  return out;
}
function mountsOfCluster(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(stateDir) || l.includes(`/run/netns/${cluster}-`));
}

before(() => requireRoot('the up/down end-to-end test'));

after(async () => {
  // Whatever happened above, leave nothing behind.
  if (existsSync(stateDir)) await podnet('down', '--name', cluster);
  for (const ns of netnsOfCluster()) execFileSync('ip', ['netns', 'delete', ns]);
  for (const link of linksOfCluster()) execFileSync('ip', ['link', 'delete', link]);
  rmSync(work, { recursive: true, force: true });
});

test('podnet up --nodes 2, kubectl sees 2 Ready nodes, up again is refused, down leaves nothing', async () => {
  const up = await podnet('up', '--name', cluster, '--nodes', '2', '--underlay-cidr', underlay, '-f', join(repo, 'examples/my-nginx-pods.yaml'));
  assert.equal(up.code, 0, show(up));
  // Not a terminal: plain lines, one per step, with the elapsed time.
  assert.match(up.stdout, /^ok {3}Planning the topology \(\d+ ms\)$/m);
  assert.match(up.stdout, /^ok {3}Waiting for the nodes to be Ready \(\d+ ms\)$/m);
  assert.match(up.stdout, /pod\/my-nginx-pod-1 created/);
  assert.match(up.stdout, new RegExp(`Cluster "${cluster}" is up`));

  const nodes = await kubectl('get', 'nodes', '-o', 'json');
  assert.equal(nodes.code, 0, show(nodes));
  const items = JSON.parse(nodes.stdout).items as Array<{ metadata: { name: string; labels: Record<string, string> }; status: { conditions: Array<{ type: string; status: string }>; addresses: Array<{ type: string; address: string }> } }>;
  assert.deepEqual(items.map((n) => n.metadata.name).sort(), [`${cluster}-node-1`, `${cluster}-node-2`]);
  for (const n of items) {
    assert.equal(n.status.conditions.find((c) => c.type === 'Ready')?.status, 'True', n.metadata.name);
    assert.equal(n.metadata.labels['kubernetes.io/hostname'], n.metadata.name);
  }
  assert.deepEqual(items.map((n) => n.status.addresses.find((a) => a.type === 'InternalIP')?.address).sort(), ['172.31.246.11', '172.31.246.12']);
  const table = await kubectl('get', 'nodes');
  assert.match(table.stdout, new RegExp(`^${cluster}-node-1\\s+Ready`, 'm'));
  const pods = await kubectl('get', 'pods', '-o', 'name');
  assert.deepEqual(pods.stdout.trim().split('\n').sort(), ['pod/my-nginx-pod-1', 'pod/my-nginx-pod-2']);
  // The merged context is current in the (private) user kubeconfig.
  const ctx = await kubectl('config', 'current-context');
  assert.equal(ctx.stdout.trim(), `podnet-${cluster}`);

  // The kernel side: node namespaces with eth0 on the underlay and a default route to the host.
  // (Pod namespaces, e.g. cluster DNS's, are named <cluster>-pod-<id>; down must remove them too.)
  assert.deepEqual(netnsOfCluster().filter((n) => !n.startsWith(`${cluster}-pod-`)).sort(), [`${cluster}-node-1`, `${cluster}-node-2`]);
  const addr = execFileSync('ip', ['-n', `${cluster}-node-2`, '-j', '-4', 'addr', 'show', 'dev', 'eth0'], { encoding: 'utf8' });
  assert.equal(JSON.parse(addr)[0].addr_info[0].local, '172.31.246.12');
  const route = execFileSync('ip', ['-n', `${cluster}-node-1`, 'route', 'show', 'default'], { encoding: 'utf8' });
  assert.match(route, /default via 172\.31\.246\.1 dev eth0/);
  assert.equal(execFileSync('ip', ['netns', 'exec', `${cluster}-node-1`, 'sysctl', '-n', 'net.ipv4.ip_forward'], { encoding: 'utf8' }).trim(), '1');
  const masters = JSON.parse(execFileSync('ip', ['-j', 'link', 'show', 'master', `pn-${cluster}`], { encoding: 'utf8' })) as Array<{ ifname: string }>;
  assert.deepEqual(masters.map((l) => l.ifname).sort(), [`pn-${cluster}-n1`, `pn-${cluster}-n2`]);

  const status = await podnet('status', '--name', cluster);
  assert.equal(status.code, 0, show(status));
  assert.match(status.stdout, /health: ok/);
  assert.match(status.stdout, new RegExp(`agent-${cluster}-node-2\\s+pid \\d+\\s+alive`));
  assert.match(status.stdout, /server\s+pid \d+\s+alive/);
  assert.match(status.stdout, new RegExp(`${cluster}-node-1\\s+172\\.31\\.246\\.11\\s+netns present\\s+Ready: True`));

  const again = await podnet('up', '--name', cluster, '--nodes', '2', '--underlay-cidr', underlay);
  assert.equal(again.code, 1, show(again));
  assert.match(again.stderr, new RegExp(`cluster "${cluster}" already exists; delete it with podnet down --name ${cluster}`));

  const down = await podnet('down', '--name', cluster);
  assert.equal(down.code, 0, show(down));
  assert.match(down.stdout, /stopped server \(pid \d+\)/);
  assert.match(down.stdout, new RegExp(`stopped agent-${cluster}-node-1 \\(pid \\d+\\)`));
  assert.match(down.stdout, new RegExp(`deleted netns ${cluster}-node-2`));
  assert.match(down.stdout, new RegExp(`deleted link pn-${cluster}\\b`));
  assert.match(down.stdout, new RegExp(`removed context podnet-${cluster} from ${kubeconfig}`));

  assert.deepEqual(netnsOfCluster(), [], 'network namespaces left');
  assert.deepEqual(linksOfCluster(), [], 'links left');
  assert.deepEqual(processesOfCluster(), [], 'processes left');
  assert.deepEqual(mountsOfCluster(), [], 'mounts left');
  assert.equal(existsSync(stateDir), false, 'state directory left');
  // The kubeconfig did not exist before up, so down removed it with the entries.
  assert.equal(existsSync(kubeconfig), false, 'kubeconfig left');

  const downAgain = await podnet('down', '--name', cluster);
  assert.equal(downAgain.code, 0, show(downAgain));
  assert.match(downAgain.stdout, new RegExp(`cluster "${cluster}" does not exist`));
});
