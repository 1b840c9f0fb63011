// Kernel test (root): three node namespaces on an underlay bridge, two pods each behind cni0, an overlay
// loop per node (Nodes shared in memory, as the API would share them). Checks the flannel kernel state,
// TCP between pods on different nodes with the source pod IP preserved, masquerade towards
// the outside, restart without changes, repair of a deleted flannel.1, node leave/join, and host-gw.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { run, requireRoot } from '../../../linux/exec.js';
import { deleteLink, getLink } from '../../../linux/link.js';
import { listAddresses } from '../../../linux/addr.js';
import { listRoutes } from '../../../linux/route.js';
import { listNeigh } from '../../../linux/neigh.js';
import { listFdb } from '../../../linux/fdb.js';
import { nftListTable } from '../../../linux/nft.js';
import { vxlanBackendDataOf, type OverlayMode } from '../../../core/overlay/index.js';
import { startOverlay, type RunningOverlay } from './index.js';
import { Testbed, type TestPod } from './testing/testbed.js';
import { MemoryNodes } from './testing/memory-nodes.js';

let tb: Testbed;
let mem: MemoryNodes;
let loops: RunningOverlay[] = [];
const logs: string[] = [];

before(async () => {
  requireRoot('the overlay kernel tests');
  tb = await Testbed.create({
    prefix: `pno-ov${process.pid}`, nodes: 3, podsPerNode: 2,
    underlayCIDR: '172.31.243.0/24', clusterCIDR: '10.244.0.0/16', podMTU: 1450,
  });
  mem = new MemoryNodes(tb.nodeObjects());
  // Listeners that print the peer address of each TCP connection: pod 1 of every node, and the outside.
  for (const n of tb.nodes) tb.startProcess(n.pods[0].netns, ['socat', 'TCP-LISTEN:8080,reuseaddr,fork', 'SYSTEM:echo $SOCAT_PEERADDR']);
  tb.startProcess(tb.underlay, ['socat', `TCP-LISTEN:8081,bind=${tb.outsideIP},reuseaddr,fork`, 'SYSTEM:echo $SOCAT_PEERADDR']);
});

after(async () => {
  await stopLoops();
  await tb?.destroy();
});

async function stopLoops(): Promise<void> {
  await Promise.all(loops.map((l) => l.stop()));
  loops = [];
}

async function startLoops(mode: OverlayMode): Promise<void> {
  loops = await Promise.all(tb.nodes.map((n) => startOverlay(mem.source(), tb.config(mode), n.name, {
    netns: n.netns, resyncMs: 60_000, log: (l) => logs.push(`${n.name}: ${l}`),
  })));
  await Promise.all(loops.map((l) => l.ready));
  // Converged once every loop sees every other node (all annotations published).
  await waitFor(async () => (await Promise.all(loops.map((l) => l.syncNow()))).every((r) => r.skipped.length === 0), 'every node to see every other node');
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; overlay log:\n${logs.slice(-20).join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Whether a TCP connection from `from` to a listener at ip:8080 gets through (one try, 1 s). */
async function reaches(from: TestPod, ip: string): Promise<boolean> {
  try {
    const { stdout } = await run(['socat', '-T', '2', '-t', '2', '-', `TCP:${ip}:8080,connect-timeout=1`], { netns: from.netns, timeoutMs: 5_000 });
    return stdout.trim() !== '';
  } catch { return false; }
}

/** The source address the listener at ip:port saw for a connection from `from`. */
async function peerSeenBy(from: TestPod, ip: string, port: number): Promise<string> {
  let last: unknown;
  for (let i = 0; i < 30; i++) { // the listener may still be starting
    try {
      const { stdout } = await run(['socat', '-T', '3', '-t', '3', '-', `TCP:${ip}:${port},connect-timeout=3`], { netns: from.netns, timeoutMs: 10_000 });
      if (stdout.trim()) return stdout.trim();
    } catch (e) { last = e; }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no answer from ${ip}:${port} in ${from.netns}: ${(last as Error)?.message}`);
}

async function checkTraffic(): Promise<void> {
  const [n1, n2, n3] = tb.nodes;
  for (const [a, b] of [[n1, n2], [n2, n3], [n3, n1]]) {
    assert.equal(await peerSeenBy(a.pods[1], b.pods[0].ip, 8080), a.pods[1].ip, `${b.pods[0].ip} must see ${a.pods[1].netns}'s own IP`);
  }
  // Same node, through cni0 only.
  assert.equal(await peerSeenBy(n1.pods[1], n1.pods[0].ip, 8080), n1.pods[1].ip);
  // Leaving the cluster CIDR: masqueraded to the node's address.
  for (const n of tb.nodes) assert.equal(await peerSeenBy(n.pods[1], tb.outsideIP, 8081), n.ip);
}

test('vxlan: each node gets flannel.1 with ARP, FDB and onlink routes per peer; pods talk across nodes with their own IPs', async () => {
  await startLoops('vxlan');
  const [n1, n2] = tb.nodes;
  for (const n of tb.nodes) {
    const link = await getLink('flannel.1', { netns: n.netns });
    assert.ok(link, `flannel.1 in ${n.netns}`);
    assert.equal(link.mtu, 1450);
    assert.ok(link.flags.includes('UP'));
    assert.deepEqual(
      { ...(link.linkinfo?.info_data as Record<string, unknown>) },
      { ...(link.linkinfo?.info_data as Record<string, unknown>), id: 1, port: 8472, local: n.ip, link: 'eth0', learning: false },
    );
    const addrs = await listAddresses({ netns: n.netns, dev: 'flannel.1', family: 'inet' });
    assert.deepEqual(addrs.map((a) => `${a.local}/${a.prefixlen}`), [`${n.podCIDR.split('/')[0]}/32`]);
    // The Node publishes the device's MAC, as flannel does.
    const annotations = mem.get(n.name)!.metadata!.annotations!;
    assert.equal(annotations['flannel.alpha.coreos.com/backend-type'], 'vxlan');
    assert.equal(annotations['flannel.alpha.coreos.com/public-ip'], n.ip);
    assert.deepEqual(vxlanBackendDataOf(mem.get(n.name)!), { VNI: 1, VtepMAC: link.address });
  }
  const mac2 = (await getLink('flannel.1', { netns: n2.netns }))!.address;
  const neigh = await listNeigh('flannel.1', { netns: n1.netns });
  assert.ok(neigh.some((x) => x.dst === '10.244.2.0' && x.lladdr === mac2 && x.state.includes('PERMANENT')), JSON.stringify(neigh));
  const fdb = await listFdb('flannel.1', { netns: n1.netns });
  assert.ok(fdb.some((x) => x.mac === mac2 && x.dst === n2.ip), JSON.stringify(fdb));
  const route = (await listRoutes({ netns: n1.netns })).find((r) => r.dst === '10.244.2.0/24');
  assert.deepEqual({ gateway: route?.gateway, dev: route?.dev, onlink: route?.flags.includes('onlink') }, { gateway: '10.244.2.0', dev: 'flannel.1', onlink: true });
  const nat = await nftListTable('ip', 'podnet-nat', { netns: n1.netns });
  assert.ok(nat, 'table ip podnet-nat');

  await checkTraffic();
  // The cross-node packets really went through the tunnel.
  const { stdout } = await run(['ip', '-j', '-s', 'link', 'show', 'dev', 'flannel.1'], { netns: n1.netns });
  assert.ok(JSON.parse(stdout)[0].stats64.tx.packets > 0);
});

test('a restarted agent finds everything in place; a deleted flannel.1 comes back with the same MAC', async () => {
  const n1 = tb.nodes[0];
  const mac = (await getLink('flannel.1', { netns: n1.netns }))!.address;
  await loops[0].stop();
  loops[0] = await startOverlay(mem.source(), tb.config('vxlan'), n1.name, { netns: n1.netns, resyncMs: 60_000, log: (l) => logs.push(l) });
  assert.equal((await loops[0].ready).summary, 'nothing to change');

  await deleteLink('flannel.1', { netns: n1.netns });
  const r = await loops[0].syncNow();
  assert.match(r.summary, /^create flannel\.1, \+1 address, \+2 neighbours, \+2 FDB entries, \+2 routes$/);
  assert.equal((await getLink('flannel.1', { netns: n1.netns }))!.address, mac);
  assert.equal(await peerSeenBy(n1.pods[1], tb.nodes[1].pods[0].ip, 8080), n1.pods[1].ip);
});

test('a node leaving takes its route, ARP and FDB entries away; coming back restores them', async () => {
  const [n1, , n3] = tb.nodes;
  const saved = mem.get(n3.name)!;
  mem.delete(n3.name);
  const r = await loops[0].syncNow();
  assert.equal(r.summary, '-1 neighbour, -1 FDB entry, -1 route');
  assert.ok(!(await listRoutes({ netns: n1.netns })).some((x) => x.dst === n3.podCIDR));
  assert.ok(!(await listNeigh('flannel.1', { netns: n1.netns })).some((x) => x.dst === '10.244.3.0'));
  assert.ok(!(await listFdb('flannel.1', { netns: n1.netns })).some((x) => x.dst === n3.ip));
  assert.equal(await reaches(n1.pods[1], n3.pods[0].ip), false);

  mem.put(saved);
  assert.equal((await loops[0].syncNow()).summary, '+1 neighbour, +1 FDB entry, +1 route');
  assert.equal(await peerSeenBy(n1.pods[1], n3.pods[0].ip, 8080), n1.pods[1].ip);
});

test('host-gw: flannel.1 goes, a route per peer via its node IP; pods still talk with their own IPs', async () => {
  await stopLoops();
  await startLoops('host-gw');
  const [n1, n2, n3] = tb.nodes;
  for (const n of tb.nodes) {
    assert.equal(await getLink('flannel.1', { netns: n.netns }), undefined);
    assert.equal(mem.get(n.name)!.metadata!.annotations!['flannel.alpha.coreos.com/backend-type'], 'host-gw');
  }
  const routes = (await listRoutes({ netns: n1.netns })).filter((r) => r.dst.startsWith('10.244.'));
  assert.deepEqual(
    routes.map((r) => ({ dst: r.dst, gateway: r.gateway, dev: r.dev })).sort((a, b) => a.dst.localeCompare(b.dst)),
    [
      { dst: '10.244.1.0/24', gateway: undefined, dev: 'cni0' },
      { dst: n2.podCIDR, gateway: n2.ip, dev: 'eth0' },
      { dst: n3.podCIDR, gateway: n3.ip, dev: 'eth0' },
    ],
  );
  await checkTraffic();
});
