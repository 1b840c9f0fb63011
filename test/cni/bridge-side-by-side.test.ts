// The reference bridge + host-local and podnet's bridge, one after the other on the same
// configuration (same network name, bridge, subnet): the same result shape and addresses, the same
// kernel state in the pod and on the bridge, and the same answers to CHECK and to repeated,
// netns-less and netns-gone DELs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { requireRoot, run } from '../../src/linux/exec.js';
import { join } from 'node:path';
import { type CniServer, serveCni } from '../../src/components/cni/server.js';
import { closeExecutor } from '../../src/linux/exec.js';
import { Scratch, type Side, bridgeState, call, normalizeResult, podState, requireTools, reservations } from './harness.js';

const scratch = new Scratch();
const BR = 'pnc-brs0';

function netconf(dataDir: string, version = '1.0.0', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    cniVersion: version, name: 'pnc-sbs', type: 'bridge', bridge: BR, isGateway: true, isDefaultGateway: true, hairpinMode: true, mtu: 1400,
    ipam: { type: 'host-local', ranges: [[{ subnet: '10.99.40.0/24' }]], dataDir },
    ...extra,
  };
}

interface Snapshot { add: Record<string, unknown> | null; pod: unknown; bridge: unknown; files: Record<string, string> }

async function addAndSnapshot(side: Side, netns: string, conf: Record<string, unknown>, extraEnv: Record<string, string> = {}): Promise<Snapshot> {
  const env = { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'pnc-c1', CNI_NETNS: netns, CNI_IFNAME: 'eth0', CNI_ARGS: 'IgnoreUnknown=1;K8S_POD_NAME=p' };
  const add = await call(side, 'bridge', env, conf, extraEnv);
  assert.equal(add.code, 0, `${side} ADD failed: ${add.stdout}`);
  const dataDir = (conf.ipam as { dataDir: string }).dataDir;
  return { add: add.json, pod: await podState(netns), bridge: await bridgeState(BR), files: reservations(dataDir, 'pnc-sbs') };
}

describe('bridge + host-local side by side with the reference', () => {
  let server: CniServer;
  before(async () => {
    requireRoot('the CNI side-by-side tests');
    requireTools();
    scratch.links.add(BR);
    server = await serveCni(join(scratch.tempDir('sock'), 'cni.sock'));
  });
  after(async () => { await server.close(); closeExecutor(); await scratch.cleanup(); });

  for (const version of ['1.0.0', '0.4.0', '1.1.0']) {
    test(`ADD gives the same result and kernel state (cniVersion ${version})`, async () => {
      // The Debian reference speaks up to 1.0.0: compare 1.1.0 against its 1.0.0 output plus the new fields.
      const refVersion = version === '1.1.0' ? '1.0.0' : version;
      const snaps: Record<string, Snapshot> = {};
      for (const side of ['reference', 'inproc'] as const) {
        // The same pod namespace name on both sides: the result carries it as the sandbox.
        const netns = await scratch.addNetns('pnc-sbs-pod');
        const dataDir = scratch.tempDir(side);
        snaps[side] = await addAndSnapshot(side, netns, netconf(dataDir, side === 'reference' ? refVersion : version));
        await run(['ip', 'netns', 'del', 'pnc-sbs-pod']);
        scratch.netns.delete('pnc-sbs-pod');
        await run(['ip', 'link', 'del', BR]);
      }
      const ref = snaps.reference, ours = snaps.inproc;
      let expected = normalizeResult(ref.add) as Record<string, unknown>;
      if (version === '1.1.0') {
        // 1.1.0 adds the interfaces' MTU.
        const itfs = expected.interfaces as Record<string, unknown>[];
        expected = { ...expected, cniVersion: '1.1.0', interfaces: itfs.map((i) => ({ ...i, mtu: 1400 })) };
        for (const i of expected.interfaces as Record<string, unknown>[]) {
          // key order: name, mac, mtu, sandbox
          const { name, mac, mtu, sandbox } = i as Record<string, unknown>;
          Object.keys(i).forEach((k) => delete i[k]);
          Object.assign(i, { name, mac, mtu }, sandbox ? { sandbox } : {});
        }
      }
      assert.deepEqual(normalizeResult(ours.add), expected);
      // Same text, key order included (the runtime stores it verbatim).
      assert.equal(JSON.stringify(normalizeResult(ours.add)), JSON.stringify(expected));
      assert.deepEqual(ours.pod, ref.pod);
      assert.deepEqual(ours.bridge, ref.bridge);
      assert.deepEqual(Object.keys(ours.files).sort(), Object.keys(ref.files).sort());
      assert.equal(ours.files['10.99.40.2'], 'pnc-c1\r\neth0');
      assert.equal(ours.files['10.99.40.2'], ref.files['10.99.40.2']);
    });
  }

  test('bin/podnet-cni, stand-alone and through the agent socket, gives the same ADD as the reference', async () => {
    const snaps: Record<string, Snapshot> = {};
    for (const side of ['reference', 'bin', 'socket'] as const) {
      const netns = await scratch.addNetns('pnc-sbs-pod');
      const dataDir = scratch.tempDir(`exe-${side}`);
      snaps[side] = await addAndSnapshot(side, netns, netconf(dataDir), side === 'socket' ? { PODNET_CNI_SOCKET: server.path } : {});
      await run(['ip', 'netns', 'del', 'pnc-sbs-pod']);
      scratch.netns.delete('pnc-sbs-pod');
      await run(['ip', 'link', 'del', BR]);
    }
    for (const side of ['bin', 'socket']) {
      assert.equal(JSON.stringify(normalizeResult(snaps[side].add)), JSON.stringify(normalizeResult(snaps.reference.add)), side);
      assert.deepEqual(snaps[side].pod, snaps.reference.pod, side);
      assert.deepEqual(snaps[side].bridge, snaps.reference.bridge, side);
    }
    assert.ok(server.stats.served >= 1);
  });

  test('dual stack (IPv4 + IPv6 range sets, routes per family, isDefaultGateway): same result and kernel state', async () => {
    const snaps: Record<string, Snapshot> = {};
    for (const side of ['reference', 'inproc'] as const) {
      const netns = await scratch.addNetns('pnc-sbs-pod');
      const dataDir = scratch.tempDir(`ds-${side}`);
      const conf = netconf(dataDir, '1.0.0', {
        ipam: { type: 'host-local', ranges: [[{ subnet: '10.99.40.0/24' }], [{ subnet: 'fd00:99:40::/64' }]], routes: [{ dst: '10.96.0.0/12' }, { dst: 'fd00:96::/108' }], dataDir },
        dns: { nameservers: ['10.96.0.10'], search: ['default.svc.cluster.local'] },
      });
      snaps[side] = await addAndSnapshot(side, netns, conf);
      await run(['ip', 'netns', 'del', 'pnc-sbs-pod']);
      scratch.netns.delete('pnc-sbs-pod');
      await run(['ip', 'link', 'del', BR]);
    }
    assert.deepEqual(normalizeResult(snaps.inproc.add), normalizeResult(snaps.reference.add));
    assert.deepEqual(snaps.inproc.pod, snaps.reference.pod);
    assert.deepEqual(snaps.inproc.bridge, snaps.reference.bridge);
    assert.deepEqual(Object.keys(snaps.inproc.files).sort(), Object.keys(snaps.reference.files).sort());
  });

  for (const side of ['reference', 'inproc'] as const) {
    test(`${side}: CHECK after ADD, DEL twice, DEL without CNI_NETNS, DEL after the netns is gone, duplicate ADD`, async () => {
      const netns = await scratch.addNetns(`pnc-sbs-k-${side}`);
      const dataDir = scratch.tempDir(`k-${side}`);
      const conf = netconf(dataDir);
      const env = { CNI_CONTAINERID: 'pnc-c2', CNI_NETNS: netns, CNI_IFNAME: 'eth0' };
      const add = await call(side, 'bridge', { ...env, CNI_COMMAND: 'ADD' }, conf);
      assert.equal(add.code, 0, add.stdout);

      const check = await call(side, 'bridge', { ...env, CNI_COMMAND: 'CHECK' }, { ...conf, prevResult: add.json });
      assert.equal(check.code, 0, check.stdout);
      assert.equal(check.stdout, '');
      // CHECK without prevResult: the reference message.
      const noPrev = await call(side, 'bridge', { ...env, CNI_COMMAND: 'CHECK' }, conf);
      assert.equal(noPrev.code, 1);
      assert.equal(noPrev.json?.msg, 'Required prevResult missing');

      // A second ADD of the same attachment is an error and leaves the first one intact.
      const again = await call(side, 'bridge', { ...env, CNI_COMMAND: 'ADD' }, conf);
      assert.equal(again.code, 1);
      assert.equal(again.json?.code, 999);
      // The reference creates the veth before asking IPAM, podnet asks IPAM first (concurrently with reading the bridge).
      assert.match(String(again.json?.msg), /duplicate allocation is not allowed|container veth name provided \(eth0\) already exists/);
      assert.ok(reservations(dataDir, 'pnc-sbs')['10.99.40.2']);

      // CHECK notices a missing container interface.
      await run(['ip', '-n', `pnc-sbs-k-${side}`, 'link', 'del', 'eth0']);
      const broken = await call(side, 'bridge', { ...env, CNI_COMMAND: 'CHECK' }, { ...conf, prevResult: add.json });
      assert.equal(broken.code, 1, 'CHECK must fail once eth0 is gone');

      for (let i = 0; i < 2; i++) {
        const del = await call(side, 'bridge', { ...env, CNI_COMMAND: 'DEL' }, conf);
        assert.equal(del.code, 0, del.stdout);
      }
      assert.deepEqual(Object.keys(reservations(dataDir, 'pnc-sbs')).sort(), ['last_reserved_ip.0', 'lock']);
      const noNetns = await call(side, 'bridge', { CNI_COMMAND: 'DEL', CNI_CONTAINERID: 'pnc-c2', CNI_IFNAME: 'eth0' }, conf);
      assert.equal(noNetns.code, 0, noNetns.stdout);
      await run(['ip', 'netns', 'del', `pnc-sbs-k-${side}`]);
      scratch.netns.delete(`pnc-sbs-k-${side}`);
      const gone = await call(side, 'bridge', { ...env, CNI_COMMAND: 'DEL' }, conf);
      assert.equal(gone.code, 0, gone.stdout);
      await run(['ip', 'link', 'del', BR]);
    });
  }

  test('an ADD failing late (bridge name taken by a non-bridge; bridge with another address) leaves nothing behind', async () => {
    for (const side of ['reference', 'inproc'] as const) {
      const netns = await scratch.addNetns(`pnc-sbs-f-${side}`);
      const dataDir = scratch.tempDir(`f-${side}`);
      const env = { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'pnc-c4', CNI_NETNS: netns, CNI_IFNAME: 'eth0' };
      // 1. A veth holds the bridge's name.
      await run(['ip', 'link', 'add', BR, 'type', 'veth', 'peer', 'name', 'pnc-brs0p']);
      const r1 = await call(side, 'bridge', env, netconf(dataDir));
      assert.deepEqual([r1.code, r1.json?.msg], [1, `failed to create bridge "${BR}": "${BR}" already exists but is not a bridge`], side);
      await run(['ip', 'link', 'del', BR]);
      // 2. The bridge carries another IPv4 address and forceAddress is off.
      await run(['ip', 'link', 'add', BR, 'type', 'bridge']);
      await run(['ip', 'addr', 'add', '10.99.39.1/24', 'dev', BR]);
      const r2 = await call(side, 'bridge', env, netconf(dataDir));
      assert.deepEqual([r2.code, r2.json?.msg], [1, `failed to set bridge addr: "${BR}" already has an IP address different from 10.99.40.1/24`], side);
      assert.deepEqual(Object.keys(reservations(dataDir, 'pnc-sbs')).filter((f) => /^\d/.test(f)), [], `${side}: reservation released`);
      if (side === 'inproc') {
        // The reference leaves its veth pair behind here (it does not undo setupVeth); podnet does.
        assert.equal((await run(['ip', '-o', 'link', 'show', 'master', BR])).stdout.trim(), '', 'no port left');
        assert.deepEqual((await run(['ip', '-n', `pnc-sbs-f-${side}`, '-o', 'link', 'show'])).stdout.trim().split('\n').length, 1, 'only lo in the pod');
      } else {
        await run(['ip', '-n', `pnc-sbs-f-${side}`, 'link', 'del', 'eth0']);
      }
      // 3. forceAddress replaces it. (The Debian reference fails here on this kernel: "could not set
      // bridge's mac: invalid argument" for a bridge created without ports, so only podnet is checked.)
      if (side === 'reference') { await run(['ip', 'link', 'del', BR]); continue; }
      const r3 = await call(side, 'bridge', env, netconf(dataDir, '1.0.0', { forceAddress: true }));
      assert.equal(r3.code, 0, r3.stdout);
      const addrs = (await run(['ip', '-4', '-o', 'addr', 'show', 'dev', BR])).stdout;
      assert.match(addrs, /10\.99\.40\.1\/24/);
      assert.doesNotMatch(addrs, /10\.99\.39\.1/);
      assert.equal((await call(side, 'bridge', { ...env, CNI_COMMAND: 'DEL' }, netconf(dataDir))).code, 0);
      await run(['ip', 'link', 'del', BR]);
    }
  });

  test('the container interface name already taken: the reference error, nothing left behind', async () => {
    const outcomes: Record<string, unknown> = {};
    for (const side of ['reference', 'inproc'] as const) {
      const netns = await scratch.addNetns(`pnc-sbs-x-${side}`);
      await run(['ip', '-n', `pnc-sbs-x-${side}`, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth9']);
      const dataDir = scratch.tempDir(`x-${side}`);
      const r = await call(side, 'bridge', { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'pnc-c3', CNI_NETNS: netns, CNI_IFNAME: 'eth0' }, netconf(dataDir));
      outcomes[side] = { code: r.code, json: r.json };
      // The address taken for the failed ADD was given back.
      assert.deepEqual(Object.keys(reservations(dataDir, 'pnc-sbs')).filter((f) => /^\d/.test(f)), []);
      const ports = await run(['ip', '-o', 'link', 'show', 'master', BR]).then((x) => x.stdout.trim()).catch(() => '');
      assert.equal(ports, '', 'no host veth left on the bridge');
      await run(['ip', 'link', 'del', BR]).catch(() => undefined);
    }
    const ours = outcomes.inproc as { json: Record<string, unknown> };
    assert.deepEqual({ code: ours.json.code, msg: ours.json.msg }, { code: 999, msg: 'container veth name provided (eth0) already exists' });
    assert.deepEqual((outcomes.reference as { json: Record<string, unknown> }).json.msg, ours.json.msg);
  });
});
