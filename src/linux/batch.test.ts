// Kernel test: `ip -batch` and `bridge -batch` with the overlay's commands, in a throwaway pno* namespace.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { requireRoot, run } from './exec.js';
import { addNetns } from './netns.js';
import { addBridge, addVxlan, setLinkUp } from './link.js';
import { addAddress } from './addr.js';
import { listRoutes } from './route.js';
import { listNeigh, neighReplaceArgs } from './neigh.js';
import { fdbReplaceArgs, listFdb } from './fdb.js';
import { routeBatchArgs, runBridgeBatch, runIpBatch } from './batch.js';

const ns = `pno-batch-${process.pid}`;
const at = { netns: ns };

before(async () => {
  requireRoot('the batch kernel tests');
  await addNetns(ns);
  await addBridge('eth0', at);
  await addAddress('eth0', '172.31.244.11/24', at);
  await setLinkUp('eth0', at);
  await addVxlan('flannel.1', { ...at, id: 1, local: '172.31.244.11', dev: 'eth0', dstport: 8472, learning: false });
  await setLinkUp('flannel.1', at);
});
after(async () => { await run(['ip', 'netns', 'delete', ns]).catch(() => {}); });

test('200 peers: neighbours, FDB entries and onlink routes in three processes', async () => {
  const peers = Array.from({ length: 200 }, (_, i) => ({
    gw: `10.244.${i + 2}.0`, mac: `0a:00:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`,
    ip: `172.31.${245 + (i >> 8)}.${(i & 255)}`,
  }));
  await runIpBatch(peers.map((p) => neighReplaceArgs({ ip: p.gw, lladdr: p.mac, dev: 'flannel.1' })), at);
  await runBridgeBatch(peers.map((p) => fdbReplaceArgs({ mac: p.mac, dst: p.ip, dev: 'flannel.1' })), at);
  await runIpBatch(peers.map((p) => routeBatchArgs('replace', { dst: `${p.gw}/24`, via: p.gw, dev: 'flannel.1', onlink: true })), at);
  assert.equal((await listNeigh('flannel.1', at)).length, 200);
  assert.equal((await listFdb('flannel.1', at)).filter((f) => f.dst).length, 200);
  const routes = (await listRoutes(at)).filter((r) => r.dev === 'flannel.1');
  assert.equal(routes.length, 200);
  assert.ok(routes.every((r) => r.flags.includes('onlink')));
});

test('without force the batch stops at the failing line; with force it goes on, and both fail naming it', async () => {
  const del = (n: number) => routeBatchArgs('del', { dst: `10.244.${n}.0/24` });
  await assert.rejects(runIpBatch([del(2), del(250), del(3)], at), /Command failed -:2/);
  assert.ok((await listRoutes(at)).some((r) => r.dst === '10.244.3.0/24'), 'line 3 did not run');
  await assert.rejects(runIpBatch([del(4), del(250), del(5)], { ...at, force: true }), /Command failed -:2/);
  assert.ok(!(await listRoutes(at)).some((r) => r.dst === '10.244.5.0/24'), 'line 3 ran');
});

test('words that could split or comment a batch line are refused', async () => {
  await assert.rejects(runIpBatch([['route', 'del', '10.0.0.0/8 # x']], at), /cannot put "10.0.0.0\/8 # x" in a batch line/);
  assert.throws(() => routeBatchArgs('replace', { dst: '10.244.2.0/24' }), /needs a next hop/);
  assert.throws(() => routeBatchArgs('replace', { dst: 'x', dev: 'eth0' }), /invalid route destination/);
});
