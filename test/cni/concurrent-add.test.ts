// The first pods on a fresh node: many CNI ADDs at once on a bridge that does not exist yet, as the
// agent runs them right after `podnet up` (both CoreDNS pods and the user's first pods together). Every
// kernel step they share — creating cni0, raising it, giving it the gateway address, the masquerade
// table, the portmap table and chains, forwarding sysctls — must treat "a sibling just did it" as done,
// as the reference bridge plugin does (EEXIST on the gateway address is success). Runs through the agent
// socket (the agent's in-process path) and through bin/podnet-cni stand-alone (one process per ADD, like
// a runtime calling the reference plugins), each on a fresh bridge in a throwaway node namespace.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { requireRoot, run, runJson } from '../../src/linux/exec.js';
import { Scratch, callInNode, requireTools, startServer } from './harness.js';

const scratch = new Scratch();
const NODE = `pnc-cc-${process.pid}`;
const BR = 'pnc-brc0';
const PODS = 12;
let socket = '';
let stopServer = () => {};

const bridgeConf = (dataDir: string) => ({
  cniVersion: '1.0.0', name: 'pnc-cc', type: 'bridge', bridge: BR, isGateway: true, isDefaultGateway: true, hairpinMode: true,
  ipMasq: true, ipMasqTable: 'pnc_cc_masq',
  ipam: { type: 'host-local', ranges: [[{ subnet: '10.99.44.0/24' }]], dataDir },
});
const portmapConf = (i: number, prevResult: unknown) => ({
  cniVersion: '1.0.0', name: 'pnc-cc', type: 'portmap', nftTable: 'pnc_cc_hp',
  runtimeConfig: { portMappings: [{ hostPort: 19000 + i, containerPort: 80, protocol: 'tcp' }] },
  prevResult,
});

async function freshNode(node: string): Promise<void> {
  await scratch.addNetns(node);
  await run(['ip', '-n', node, 'link', 'set', 'lo', 'up']);
}

/** PODS ADDs at once in `node` (a fresh namespace: no bridge yet), through the socket when given. */
async function concurrentAdds(node: string, tag: string, viaSocket: boolean): Promise<void> {
  const NODE = node;
  const dataDir = scratch.tempDir(`cc-${tag}`);
  const pods = await Promise.all(Array.from({ length: PODS }, (_, i) => scratch.addNetns(`${NODE}-${tag}${i}`)));
  const env = (i: number) => ({ CNI_CONTAINERID: `pnc-cc-${tag}-${i}`, CNI_NETNS: pods[i], CNI_IFNAME: 'eth0' });
  const adds = await Promise.all(pods.map((_, i) => callInNode(NODE, 'bridge', { CNI_COMMAND: 'ADD', ...env(i) }, bridgeConf(dataDir), viaSocket ? socket : undefined)));
  for (const [i, a] of adds.entries()) assert.equal(a.code, 0, `ADD ${i} failed: ${a.stdout}`);
  const maps = await Promise.all(adds.map((a, i) => callInNode(NODE, 'portmap', { CNI_COMMAND: 'ADD', ...env(i) }, portmapConf(i, a.json), viaSocket ? socket : undefined)));
  for (const [i, m] of maps.entries()) assert.equal(m.code, 0, `portmap ADD ${i} failed: ${m.stdout}`);

  // One bridge, one gateway address, every pod a port of it with its own address.
  const br = await runJson<Array<{ addr_info: Array<{ family: string; local: string; prefixlen: number }> }>>(['ip', '-n', NODE, '-j', 'addr', 'show', 'dev', BR]);
  assert.deepEqual(br[0].addr_info.filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`), ['10.99.44.1/24']);
  const ports = await runJson<Array<{ operstate: string }>>(['ip', '-n', NODE, '-j', 'link', 'show', 'master', BR]);
  assert.equal(ports.length, PODS);
  assert.deepEqual(ports.map((p) => p.operstate), ports.map(() => 'UP'));
  const ips = adds.map((a) => (a.json?.ips as Array<{ address: string }>)[0].address);
  assert.equal(new Set(ips).size, PODS, `addresses are unique: ${ips.join(' ')}`);
  const chains = await runJson<{ nftables: Array<{ chain?: { name: string } }> }>(['ip', 'netns', 'exec', NODE, 'nft', '-j', 'list', 'chains', 'ip']);
  assert.equal(chains.nftables.filter((c) => c.chain?.name.startsWith('hp_') && c.chain.name.endsWith('_pre')).length, PODS, 'one hostPort chain per pod');

  for (const [i] of pods.entries()) {
    const del = await callInNode(NODE, 'bridge', { CNI_COMMAND: 'DEL', ...env(i) }, bridgeConf(dataDir), viaSocket ? socket : undefined);
    assert.equal(del.code, 0, del.stdout);
  }
  for (const p of pods) { const n = p.replace('/run/netns/', ''); await run(['ip', 'netns', 'del', n]); scratch.netns.delete(n); }
}

describe('concurrent CNI ADDs on a fresh bridge', () => {
  before(async () => {
    requireRoot('the concurrent CNI ADD tests');
    requireTools();
    await freshNode(NODE);
    socket = join(scratch.tempDir('sock'), 'cni.sock');
    const server = await startServer(scratch, NODE, socket);
    stopServer = server.stop;
  });
  after(async () => { stopServer(); await scratch.cleanup(); });

  test(`${PODS} ADDs at once through the agent socket (the agent's in-process plugins) all succeed`, async () => {
    await concurrentAdds(NODE, 's', true);
  });

  test(`${PODS} ADDs at once through stand-alone bin/podnet-cni (one process each) all succeed`, async () => {
    await freshNode(`${NODE}-b`);
    await concurrentAdds(`${NODE}-b`, 'b', false);
  });
});
