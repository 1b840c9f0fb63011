// Kernel test: the underlay of a 2-node cluster (bridge, node namespaces, veths, addresses, default
// routes, forwarding), traffic between nodes and from the host, and tearDown removing all of it, also
// what a crashed agent would leave (a pod namespace with a process still in it). No API server involved.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireRoot, run } from '../../linux/exec.js';
import { addNetns, netnsExists } from '../../linux/netns.js';
import { getLink } from '../../linux/link.js';
import { listRoutes } from '../../linux/route.js';
import { getSysctl } from '../../linux/sysctl.js';
import { isAlive, spawnDetached } from '../../linux/process.js';
import { planCluster } from '../../core/topology/plan.js';
import { Inventory } from './inventory.js';
import { createBridge, createNode } from './underlay.js';
import { tearDown } from './down.js';
import { mergeKubeconfig } from './kubeconfig.js';

const root = mkdtempSync(join(tmpdir(), 'pnt6-underlay-'));
// The underlay is chosen as podnet up chooses it: a /24 no host route covers (other clusters run here too).
const config = planCluster({ name: 'pnt6ul', nodes: 2, stateRoot: root }, await listRoutes({ table: 'all' }));
const inventory = new Inventory(config.stateDir);
const [host, ip1, ip2] = [config.hostIP, config.nodes[0].ip, config.nodes[1].ip];
const podNs = 'pnt6ul-pod-1';

before(() => requireRoot('the underlay kernel tests'));
after(async () => {
  await tearDown(config.name, { stateRoot: root });
  // In case tearDown itself is what failed.
  for (const ns of [...config.nodes.map((n) => n.name), podNs]) await run(['ip', 'netns', 'delete', ns]).catch(() => {});
  await run(['ip', 'link', 'delete', config.bridge]).catch(() => {});
  rmSync(root, { recursive: true, force: true });
});

const curl = (args: string[]) => execFileSync('curl', ['-s', '--max-time', '5', ...args], { encoding: 'utf8' });

test('bridge and nodes are made as planned', async () => {
  mkdirSync(config.stateDir, { recursive: true });
  await createBridge(config, inventory);
  await Promise.all(config.nodes.map((_, i) => createNode(config, i, inventory)));

  const bridge = await getLink('pn-pnt6ul');
  assert.equal(bridge?.linkinfo?.info_kind, 'bridge');
  assert.ok(bridge?.flags.includes('UP'));
  for (const [i, node] of config.nodes.entries()) {
    assert.equal((await getLink(`pn-pnt6ul-n${i + 1}`))?.master, 'pn-pnt6ul');
    const routes = await listRoutes({ netns: node.name });
    assert.ok(routes.some((r) => r.dst === 'default' && r.gateway === host && r.dev === 'eth0'));
    assert.ok(routes.some((r) => r.dst === config.underlayCIDR && r.prefsrc === node.ip));
    assert.equal(await getSysctl('net.ipv4.ip_forward', { netns: node.name }), '1');
  }
  assert.deepEqual(inventory.list('netns'), ['pnt6ul-node-1', 'pnt6ul-node-2']);
  assert.deepEqual(inventory.list('links'), ['pn-pnt6ul', 'pn-pnt6ul-n1', 'pn-pnt6ul-n2']);
  await assert.rejects(createBridge(config, inventory), /a link named pn-pnt6ul already exists.*podnet down --name pnt6ul/);
});

test('node to node and host to node over the underlay', async () => {
  // A listener in node 2 answers node 1 (through the bridge) and the host (from the bridge address).
  const server = await spawnDetached([process.execPath, '-e',
    `require('http').createServer((q, s) => s.end('hello from ' + q.socket.remoteAddress)).listen(8080, '${ip2}', () => console.log('listening'))`],
  { netns: 'pnt6ul-node-2', logFile: join(config.paths.logs, 'listener.log') });
  for (let i = 0; i < 100; i++) {
    try { if (curl([`http://${ip2}:8080/`]).length) break; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  const fromNode = execFileSync('ip', ['netns', 'exec', 'pnt6ul-node-1', 'curl', '-s', '--max-time', '5', `http://${ip2}:8080/`], { encoding: 'utf8' });
  assert.equal(fromNode, `hello from ${ip1}`);
  assert.equal(curl([`http://${ip2}:8080/`]), `hello from ${host}`);
  assert.ok(isAlive(server.pid));
  // Left running on purpose: tearDown must find and stop it because it is inside a node namespace.
});

test('tearDown removes namespaces (with processes left in them), links, kubeconfig entries and state', async () => {
  // What an agent records for a pod, with a process inside as a crashed agent would leave it.
  inventory.add('netns', podNs);
  await addNetns(podNs);
  const orphan = await spawnDetached(['sleep', '300'], { netns: podNs, logFile: join(config.paths.logs, 'orphan.log') });
  const kubeconfig = join(root, 'kubeconfig');
  const merged = mergeKubeconfig(kubeconfig, 'podnet-pnt6ul', { server: 'https://127.0.0.1:1', caData: 'eA==', token: 't' });
  inventory.setKubeconfigMerge({ path: kubeconfig, entry: 'podnet-pnt6ul', ...merged });

  const r = await tearDown(config.name, { stateRoot: root });
  assert.deepEqual(r.failed, []);
  assert.ok(r.removed.includes('deleted netns pnt6ul-node-1'), r.removed.join('\n'));
  assert.ok(r.removed.some((l) => /^deleted netns pnt6ul-node-2 \(killed 1 process left in it: \d+\)$/.test(l)), r.removed.join('\n'));
  assert.ok(r.removed.some((l) => l === `deleted netns ${podNs} (killed 1 process left in it: ${orphan.pid})`), r.removed.join('\n'));
  assert.ok(r.removed.includes('deleted link pn-pnt6ul'));
  assert.ok(r.removed.includes(`removed context podnet-pnt6ul from ${kubeconfig}`));
  assert.ok(r.removed.includes(`removed ${config.stateDir}`));
  assert.equal(isAlive(orphan.pid), false);
  for (const ns of ['pnt6ul-node-1', 'pnt6ul-node-2', podNs]) assert.equal(netnsExists(ns), false, ns);
  for (const l of ['pn-pnt6ul', 'pn-pnt6ul-n1', 'pn-pnt6ul-n2']) assert.equal(await getLink(l), undefined, l);
  assert.equal(existsSync(config.stateDir), false);
  assert.equal(existsSync(kubeconfig), false);

  const again = await tearDown(config.name, { stateRoot: root });
  assert.deepEqual(again, { existed: false, removed: [], failed: [] });
});
