// portmap (hostPort, like `docker run -p 18080:80`): bridge + portmap chained through
// bin/podnet-cni and the agent socket, inside a node namespace, with a real HTTP server in the pod.
// The hostPort answers from the node itself (node address and 127.0.0.1), from another pod on the
// bridge, and from the pod itself (hairpin); after DEL it does not answer any more.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { requireRoot, run } from '../../src/linux/exec.js';
import { Scratch, callInNode, requireTools, startServer } from './harness.js';

const scratch = new Scratch();
const NODE = 'pnc-pm-node';
const TABLE = 'pnc_hp';
let socket = '';
let stopServer = () => {};
let dataDir = '';

const bridgeConf = () => ({
  cniVersion: '1.0.0', name: 'pnc-pm', type: 'bridge', bridge: 'pnc-brp0', isGateway: true, isDefaultGateway: true, hairpinMode: true,
  ipam: { type: 'host-local', ranges: [[{ subnet: '10.99.42.0/24' }]], dataDir },
});
const portmapConf = (prevResult?: unknown) => ({
  cniVersion: '1.0.0', name: 'pnc-pm', type: 'portmap', nftTable: TABLE, capabilities: undefined,
  runtimeConfig: { portMappings: [{ hostPort: 18080, containerPort: 80, protocol: 'tcp' }, { hostPort: 15353, containerPort: 53, protocol: 'udp' }] },
  ...(prevResult ? { prevResult } : {}),
});

/** HTTP status of a GET from inside a namespace ('000' when nothing answered). */
async function httpFrom(netns: string, url: string): Promise<string> {
  const r = await run(['ip', 'netns', 'exec', netns, 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '3', url], { okExitCodes: [7, 28, 52, 56] });
  return r.stdout.trim();
}

describe('portmap: hostPort DNAT in nftables through bin/podnet-cni and the agent socket', () => {
  let pod: Record<string, unknown> = {};
  const env = (id: string, netns: string) => ({ CNI_CONTAINERID: id, CNI_NETNS: netns, CNI_IFNAME: 'eth0' });

  before(async () => {
    requireRoot('the portmap tests');
    requireTools();
    await scratch.addNetns(NODE);
    await run(['ip', '-n', NODE, 'link', 'set', 'lo', 'up']);
    dataDir = scratch.tempDir('pm');
    socket = join(dataDir, 'cni.sock');
    stopServer = (await startServer(scratch, NODE, socket)).stop;
  });
  after(async () => { stopServer(); await scratch.cleanup(); });

  test('ADD: the hostPort reaches the pod from the node, 127.0.0.1, another pod and the pod itself', async () => {
    const podNs = await scratch.addNetns('pnc-pm-pod');
    const cliNs = await scratch.addNetns('pnc-pm-cli');
    const add = await callInNode(NODE, 'bridge', { ...env('pnc-web', podNs), CNI_COMMAND: 'ADD' }, bridgeConf(), socket);
    assert.equal(add.code, 0, add.stdout);
    pod = add.json!;
    const cli = await callInNode(NODE, 'bridge', { ...env('pnc-cli', cliNs), CNI_COMMAND: 'ADD' }, bridgeConf(), socket);
    assert.equal(cli.code, 0, cli.stdout);
    const pm = await callInNode(NODE, 'portmap', { ...env('pnc-web', podNs), CNI_COMMAND: 'ADD' }, portmapConf(pod), socket);
    assert.equal(pm.code, 0, pm.stdout);
    assert.deepEqual(pm.json, pod, 'portmap passes the previous result through');

    const table = (await run(['ip', 'netns', 'exec', NODE, 'nft', 'list', 'table', 'ip', TABLE])).stdout;
    assert.match(table, /fib daddr type local tcp dport 18080 dnat to 10\.99\.42\.2:80 comment "pnc-pm\/pnc-web\/eth0"/);
    assert.match(table, /fib daddr type local udp dport 15353 dnat to 10\.99\.42\.2:53/);

    const web = spawn('ip', ['netns', 'exec', 'pnc-pm-pod', 'python3', '-m', 'http.server', '80', '--bind', '0.0.0.0'], { stdio: 'ignore' });
    if (web.pid) scratch.pids.add(web.pid);
    for (let i = 0; i < 50 && (await httpFrom(NODE, 'http://10.99.42.2:80/')) !== '200'; i++) await new Promise((r) => setTimeout(r, 100));

    assert.equal(await httpFrom(NODE, 'http://10.99.42.1:18080/'), '200', 'from the node to its own address');
    assert.equal(await httpFrom(NODE, 'http://127.0.0.1:18080/'), '200', 'from the node to 127.0.0.1 (route_localnet + masquerade)');
    assert.equal(await httpFrom('pnc-pm-cli', 'http://10.99.42.1:18080/'), '200', 'from another pod on the bridge (hairpin masquerade)');
    assert.equal(await httpFrom('pnc-pm-pod', 'http://10.99.42.1:18080/'), '200', 'from the pod itself (hairpin)');

    const check = await callInNode(NODE, 'portmap', { ...env('pnc-web', podNs), CNI_COMMAND: 'CHECK' }, portmapConf(pod), socket);
    assert.equal(check.code, 0, check.stdout);
  });

  test('DEL removes the DNAT (idempotent, also without prevResult); CHECK then fails; GC removes stale mappings', async () => {
    const podNs = '/run/netns/pnc-pm-pod';
    const del = await callInNode(NODE, 'portmap', { ...env('pnc-web', podNs), CNI_COMMAND: 'DEL' }, portmapConf(pod), socket);
    assert.equal(del.code, 0, del.stdout);
    assert.doesNotMatch((await run(['ip', 'netns', 'exec', NODE, 'nft', 'list', 'table', 'ip', TABLE])).stdout, /dport 18080/);
    assert.equal(await httpFrom('pnc-pm-cli', 'http://10.99.42.1:18080/'), '000');
    const again = await callInNode(NODE, 'portmap', { CNI_COMMAND: 'DEL', CNI_CONTAINERID: 'pnc-web', CNI_IFNAME: 'eth0' }, portmapConf(), socket);
    assert.equal(again.code, 0, again.stdout);
    const check = await callInNode(NODE, 'portmap', { ...env('pnc-web', podNs), CNI_COMMAND: 'CHECK' }, portmapConf(pod), socket);
    assert.equal(check.code, 1);
    assert.match(String(check.json?.msg), /hostPort rules of pnc-web\/eth0 are missing/);
    const noPrev = await callInNode(NODE, 'portmap', { ...env('pnc-web', podNs), CNI_COMMAND: 'ADD' }, portmapConf(), socket);
    assert.deepEqual([noPrev.code, noPrev.json?.msg], [1, 'must be called as chained plugin']);
    // GC: mappings of attachments that are not valid any more go, valid ones stay.
    const gcConf = (extra: object) => ({ ...portmapConf(pod), cniVersion: '1.1.0', ...extra });
    for (const id of ['pnc-keep', 'pnc-stale']) {
      const r = await callInNode(NODE, 'portmap', { ...env(id, podNs), CNI_COMMAND: 'ADD' }, gcConf({}), socket);
      assert.equal(r.code, 0, r.stdout);
    }
    const gc = await callInNode(NODE, 'portmap', { CNI_COMMAND: 'GC' }, gcConf({ 'cni.dev/valid-attachments': [{ containerID: 'pnc-keep', ifname: 'eth0' }] }), socket);
    assert.equal(gc.code, 0, gc.stdout);
    const left = (await run(['ip', 'netns', 'exec', NODE, 'nft', 'list', 'table', 'ip', TABLE])).stdout;
    assert.match(left, /pnc-pm\/pnc-keep\/eth0/);
    assert.doesNotMatch(left, /pnc-stale/);
    const delKeep = await callInNode(NODE, 'portmap', { ...env('pnc-keep', podNs), CNI_COMMAND: 'DEL' }, gcConf({}), socket);
    assert.equal(delKeep.code, 0, delKeep.stdout);

    for (const [id, ns] of [['pnc-web', 'pnc-pm-pod'], ['pnc-cli', 'pnc-pm-cli']]) {
      const d = await callInNode(NODE, 'bridge', { ...env(id, `/run/netns/${ns}`), CNI_COMMAND: 'DEL' }, bridgeConf(), socket);
      assert.equal(d.code, 0, d.stdout);
    }
  });
});
