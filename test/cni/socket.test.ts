// bin/podnet-cni's fast path: the compiled shim finds the agent's socket from the namespace it runs
// in (/run/podnet/<netns>/cni.sock), the agent answers in-process, and a client in another
// namespace is sent back to run the plugin stand-alone (its host-side work belongs there).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { type CniServer, serveCni } from '../../src/components/cni/server.js';
import { closeExecutor } from '../../src/linux/exec.js';
import { requireRoot, run } from '../../src/linux/exec.js';
import { PODNET_CNI, REF_DIR, Scratch, execPlugin, requireTools, startServer } from './harness.js';

const scratch = new Scratch();
const NODE = 'pnc-sk-node';
const loConf = JSON.stringify({ cniVersion: '1.0.0', name: 'pnc-sk', type: 'podnet-loopback' });

describe('the agent socket and the compiled shim', () => {
  let server: CniServer;
  before(async () => {
    requireRoot('the CNI socket tests');
    requireTools();
    server = await serveCni(join(scratch.tempDir('sk'), 'cni.sock'));
  });
  after(async () => { await server.close(); closeExecutor(); await scratch.cleanup(); rmSync(`/run/podnet/${NODE}`, { recursive: true, force: true }); });

  test('serveCni builds the shim and answers through it', async () => {
    assert.ok(server.shim, `shim not built: ${server.shimError}`);
    const pod = await scratch.addNetns('pnc-sk-pod');
    const before = server.stats.served;
    const add = await execPlugin(PODNET_CNI, { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'pnc-k1', CNI_NETNS: pod, CNI_IFNAME: 'lo', CNI_PATH: REF_DIR, PODNET_CNI_SOCKET: server.path }, loConf);
    assert.equal(add.code, 0, add.stdout);
    assert.deepEqual((add.json?.interfaces as object[])[0], { name: 'lo', mac: '00:00:00:00:00:00', sandbox: pod });
    assert.equal(server.stats.served, before + 1);
    assert.match((await run(['ip', '-n', 'pnc-sk-pod', 'link', 'show', 'lo'])).stdout, /state UNKNOWN|,UP/);
  });

  test('a client in another network namespace is refused and runs the plugin stand-alone', async () => {
    await scratch.addNetns('pnc-sk-other');
    const refused = server.stats.refused;
    const served = server.stats.served;
    const v = await execPlugin(['ip', 'netns', 'exec', 'pnc-sk-other', PODNET_CNI], { CNI_COMMAND: 'VERSION', PODNET_CNI_SOCKET: server.path, PODNET_CNI_FROM_SOURCE: '1' }, '{"cniVersion":"1.0.0"}');
    assert.equal(v.code, 0, v.stdout);
    assert.equal(v.json?.cniVersion, '1.0.0');
    assert.equal(server.stats.refused, refused + 1);
    assert.equal(server.stats.served, served);
  });

  test('without PODNET_CNI_SOCKET the shim finds /run/podnet/<netns>/cni.sock of the agent in its namespace', async () => {
    await scratch.addNetns(NODE);
    const agent = await startServer(scratch, NODE, `/run/podnet/${NODE}/cni.sock`);
    try {
      const pod = await scratch.addNetns('pnc-sk-pod2');
      const add = await execPlugin(['ip', 'netns', 'exec', NODE, PODNET_CNI], { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'pnc-k2', CNI_NETNS: pod, CNI_IFNAME: 'lo' }, loConf);
      assert.equal(add.code, 0, add.stdout);
      const del = await execPlugin(['ip', 'netns', 'exec', NODE, PODNET_CNI], { CNI_COMMAND: 'DEL', CNI_CONTAINERID: 'pnc-k2', CNI_NETNS: pod, CNI_IFNAME: 'lo' }, loConf);
      assert.equal(del.code, 0, del.stdout);
      assert.match((await run(['ip', '-n', 'pnc-sk-pod2', 'link', 'show', 'lo'])).stdout, /state DOWN/);
    } finally {
      agent.stop();
    }
  });
});
