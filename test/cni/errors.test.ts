// Bad input through the executable (bin/podnet-cni, via the agent socket, and once stand-alone),
// next to the reference bridge: the spec's error codes and the reference's messages, exit code 1
// and the error object on stdout.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { type CniServer, serveCni } from '../../src/components/cni/server.js';
import { closeExecutor } from '../../src/linux/exec.js';
import { requireRoot } from '../../src/linux/exec.js';
import { type CallEnv, type Outcome, PODNET_CNI, REF_DIR, Scratch, execPlugin, requireTools } from './harness.js';

const scratch = new Scratch();
let server: CniServer;
let netns = '';
const conf = { cniVersion: '1.0.0', name: 'pnc-err', type: 'bridge', bridge: 'pnc-bre0', ipam: {} };

function ref(env: Partial<CallEnv>, stdin: string): Promise<Outcome> {
  return execPlugin(join(REF_DIR, 'bridge'), { CNI_PATH: REF_DIR, ...env }, stdin);
}
function ours(env: Partial<CallEnv>, stdin: string, standalone = false): Promise<Outcome> {
  const via = standalone ? { PODNET_CNI_SHIM: '/nonexistent', PODNET_CNI_FROM_SOURCE: '1' } : { PODNET_CNI_SOCKET: server.path };
  return execPlugin(PODNET_CNI, { CNI_PATH: REF_DIR, ...env, ...via }, stdin.replace('"type":"bridge"', '"type":"podnet-bridge"'));
}
const full = () => ({ CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'pnc-e1', CNI_NETNS: netns, CNI_IFNAME: 'eth0' });

describe('bad input: codes, messages, exit status', () => {
  before(async () => {
    requireRoot('the CNI error tests');
    requireTools();
    netns = await scratch.addNetns('pnc-err-pod');
    server = await serveCni(join(scratch.tempDir('err'), 'cni.sock'));
    scratch.links.add('pnc-bre0');
  });
  after(async () => { await server.close(); closeExecutor(); await scratch.cleanup(); });

  const cases: [string, Partial<CallEnv>, string][] = [
    ['invalid JSON', {}, '{bad'],
    ['missing CNI_CONTAINERID', { CNI_CONTAINERID: undefined }, ''],
    ['missing CNI_NETNS', { CNI_NETNS: undefined }, ''],
    ['missing CNI_IFNAME', { CNI_IFNAME: undefined }, ''],
    ['missing everything but the command', { CNI_CONTAINERID: undefined, CNI_NETNS: undefined, CNI_IFNAME: undefined }, ''],
    ['unsupported cniVersion', {}, JSON.stringify({ ...conf, cniVersion: '9.9.9' })],
    ['no network name', {}, JSON.stringify({ cniVersion: '1.0.0', type: 'bridge' })],
    ['invalid container ID', { CNI_CONTAINERID: 'a b' }, ''],
    ['interface name too long', { CNI_IFNAME: 'eth0123456789abcdef' }, ''],
    ['interface name with a slash', { CNI_IFNAME: 'a/b' }, ''],
    ['unknown command', { CNI_COMMAND: 'FOO' }, ''],
    ['netns does not exist', { CNI_NETNS: '/run/netns/pnc-err-none' }, ''],
    ['CHECK on a 0.3.1 configuration', { CNI_COMMAND: 'CHECK' }, JSON.stringify({ ...conf, cniVersion: '0.3.1' })],
    ['hairpin and promiscuous mode together', {}, JSON.stringify({ ...conf, hairpinMode: true, promiscMode: true })],
    ['CNI_ARGS pair without "="', { CNI_ARGS: 'K8S_POD_NAME' }, ''],
  ];
  for (const [what, envPatch, stdin] of cases) {
    test(`${what}: same code and message as the reference`, async () => {
      const env = { ...full(), ...envPatch };
      const text = stdin || JSON.stringify(conf);
      const [r, o] = await Promise.all([ref(env, text), ours(env, text)]);
      assert.equal(o.code, 1, `exit status: ${o.stdout}`);
      assert.ok(o.json, `error object on stdout: ${o.stdout}`);
      assert.equal(r.code, 1);
      assert.equal(o.json!.code, r.json!.code);
      if (what === 'invalid JSON') assert.match(String(o.json!.msg), /^error unmarshall network config: /);
      else assert.equal(o.json!.msg, r.json!.msg);
      if (what === 'unsupported cniVersion') {
        assert.equal(o.json!.details, 'config is "9.9.9", plugin supports ["0.1.0" "0.2.0" "0.3.0" "0.3.1" "0.4.0" "1.0.0" "1.1.0"]');
      }
    });
  }

  test('a field of the wrong type: the reference message, but code 7 (invalid network config)', async () => {
    const text = JSON.stringify({ ...conf, mtu: 'x' });
    const [r, o] = await Promise.all([ref(full(), text), ours(full(), text)]);
    assert.equal(r.json!.msg, `failed to load netconf: ${'json: cannot unmarshal string into Go struct field NetConf.mtu of type int'}`);
    assert.deepEqual([o.code, o.json!.code, o.json!.msg], [1, 7, r.json!.msg]);
    assert.match(String(o.json!.details), /must be a JSON integer/);
  });

  test('ADD into the plugin\'s own namespace is refused with code 8 before anything is touched', async () => {
    // The agent (socket server) runs in this test process.
    const o = await ours({ ...full(), CNI_NETNS: `/proc/${process.pid}/ns/net` }, JSON.stringify(conf));
    assert.deepEqual([o.code, o.json?.code, o.json?.msg], [1, 8, 'invalid network namespace']);
  });

  test('no CNI_COMMAND: code 4 and exit 1 (the reference prints its version to stderr and exits 0)', async () => {
    const o = await ours({ CNI_CONTAINERID: 'x' }, JSON.stringify(conf));
    assert.deepEqual([o.code, o.json?.code, o.json?.msg], [1, 4, 'required env variables [CNI_COMMAND] missing']);
  });

  test('VERSION and STATUS', async () => {
    const v = await ours({ CNI_COMMAND: 'VERSION' }, '{"cniVersion":"1.1.0"}');
    assert.equal(v.code, 0);
    assert.deepEqual(v.json, { cniVersion: '1.1.0', supportedVersions: ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'] });
    const ok = await ours({ CNI_COMMAND: 'STATUS' }, JSON.stringify({ ...conf, cniVersion: '1.1.0' }));
    assert.deepEqual([ok.code, ok.stdout], [0, '']);
    // host-local with its only address taken: not ready (code 50).
    const dataDir = scratch.tempDir('status');
    const full30 = { ...conf, cniVersion: '1.1.0', ipam: { type: 'host-local', ranges: [[{ subnet: '10.99.43.0/30' }]], dataDir } };
    const add = await ours({ ...full(), CNI_CONTAINERID: 'pnc-s1' }, JSON.stringify(full30));
    assert.equal(add.code, 0, add.stdout);
    const busy = await ours({ CNI_COMMAND: 'STATUS' }, JSON.stringify(full30));
    assert.deepEqual([busy.code, busy.json?.code, busy.json?.msg], [1, 50, 'no IP addresses available in range set: 10.99.43.1-10.99.43.2']);
    const del = await ours({ ...full(), CNI_COMMAND: 'DEL', CNI_CONTAINERID: 'pnc-s1' }, JSON.stringify(full30));
    assert.equal(del.code, 0, del.stdout);
  });

  test('the stand-alone executable (no agent) answers the same', async () => {
    const o = await ours({ ...full(), CNI_IFNAME: undefined }, JSON.stringify(conf), true);
    assert.deepEqual([o.code, o.json?.code, o.json?.msg], [1, 4, 'required env variables [CNI_IFNAME] missing']);
    const v = await ours({ CNI_COMMAND: 'VERSION' }, '', true);
    assert.equal(v.code, 0);
    assert.equal(v.json?.cniVersion, '1.1.0');
  });
});
