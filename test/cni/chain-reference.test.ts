// Chaining: what a .conflist is for. podnet's bridge (in-process, as the agent runs it) followed by
// Debian's reference `tuning` and `bandwidth` plugins (executed from /usr/lib/cni) through the one
// CNI runtime, run from a throwaway node namespace as the agent runs in its node's: ADD threads the
// bridge result into the reference plugins, CHECK passes, DEL in reverse removes everything.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PODNET_ROOT } from '../../src/components/cni/shim-build.js';
import { requireRoot, run } from '../../src/linux/exec.js';
import { REF_DIR, Scratch, requireTools, reservations } from './harness.js';

const scratch = new Scratch();
const NODE = `pnc-ch-n${process.pid}`;
const POD = `pnc-ch-p${process.pid}`;

function runList(op: string, req: Record<string, unknown>): Promise<{ code: number; out: Record<string, unknown> | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', NODE, process.execPath, '--import', 'tsx', join(PODNET_ROOT, 'test', 'cni', 'run-list.ts'), op, JSON.stringify(req)],
      { cwd: PODNET_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out: out.trim() ? JSON.parse(out) as Record<string, unknown> : null }));
  });
}

before(async () => {
  requireRoot('the CNI chaining test');
  requireTools();
  for (const f of ['tuning', 'bandwidth']) assert.ok(existsSync(join(REF_DIR, f)), `${REF_DIR}/${f} is missing: apt-get install containernetworking-plugins`);
  await scratch.addNetns(NODE);
  await run(['ip', '-n', NODE, 'link', 'set', 'lo', 'up']);
});
after(() => scratch.cleanup());

test('podnet bridge + reference tuning + reference bandwidth: ADD, CHECK, DEL through the agent\'s runtime', async () => {
  const confDir = scratch.tempDir('chain-conf');
  const dataDir = scratch.tempDir('chain-ipam');
  writeFileSync(join(confDir, '10-chain.conflist'), JSON.stringify({
    // 1.0.0: the newest version Debian's 1.1.1 plugins speak.
    cniVersion: '1.0.0', name: 'pnc-chain',
    plugins: [
      { type: 'bridge', bridge: 'pnc-chbr0', isGateway: true, ipam: { type: 'host-local', ranges: [[{ subnet: '10.99.61.0/24' }]], dataDir } },
      { type: 'tuning', sysctl: { 'net.core.somaxconn': '321' } },
      { type: 'bandwidth', capabilities: { bandwidth: true } },
    ],
  }));
  const netns = await scratch.addNetns(POD);
  const req = {
    confDir, cacheDir: scratch.tempDir('chain-cache'), cniPath: [REF_DIR], containerID: 'pnc-ch1', netns, ifname: 'eth0',
    args: [['IgnoreUnknown', '1'], ['K8S_POD_NAMESPACE', 'default'], ['K8S_POD_NAME', 'web']],
    capabilityArgs: { bandwidth: { ingressRate: 8_000_000, ingressBurst: 800_000, egressRate: 4_000_000, egressBurst: 400_000 } },
  };
  const add = await runList('add', req);
  assert.equal(add.code, 0, JSON.stringify(add.out));
  const result = add.out!;
  assert.equal(result.cniVersion, '1.0.0');
  assert.deepEqual((result.ips as Array<{ address: string }>).map((i) => i.address), ['10.99.61.2/24']);
  const hostVeth = (result.interfaces as Array<{ name: string; sandbox?: string }>).find((i) => i.name.startsWith('veth') && !i.sandbox)!.name;

  // tuning set its sysctl in the pod; bandwidth shaped the host veth (ingress to the pod) and
  // redirected the pod's egress through an ifb device in the node namespace.
  assert.equal((await run(['ip', 'netns', 'exec', POD, 'sysctl', '-n', 'net.core.somaxconn'])).stdout.trim(), '321');
  assert.match((await run(['tc', '-n', NODE, 'qdisc', 'show', 'dev', hostVeth])).stdout, /qdisc tbf/);
  const ifbs = (await run(['ip', '-n', NODE, '-o', 'link', 'show', 'type', 'ifb'])).stdout;
  assert.match(ifbs, /bwp/);
  // The bridge really wired the pod: its address on eth0, the node routes to it over the bridge.
  assert.match((await run(['ip', '-n', POD, '-4', '-o', 'addr', 'show', 'eth0'])).stdout, /10\.99\.61\.2\/24/);
  assert.match((await run(['ip', '-n', NODE, 'route', 'get', '10.99.61.2'])).stdout, /dev pnc-chbr0/);

  const check = await runList('check', req);
  assert.equal(check.code, 0, JSON.stringify(check.out));

  const del = await runList('del', req);
  assert.equal(del.code, 0, JSON.stringify(del.out));
  assert.equal((await run(['ip', '-n', NODE, '-o', 'link', 'show', 'type', 'ifb'])).stdout.trim(), '');
  assert.equal((await run(['ip', '-n', POD, '-o', 'link', 'show'])).stdout.trim().split('\n').length, 1, 'only lo is left in the pod');
  assert.deepEqual(Object.keys(reservations(dataDir, 'pnc-chain')).filter((f) => /^\d/.test(f)), []);
  assert.deepEqual(readdirSync(join(req.cacheDir, 'results')), []);
  // DEL again succeeds (the spec requires it).
  assert.equal((await runList('del', req)).code, 0);
});
