// host-local interoperability and concurrency: an attachment added by the reference plugins is
// deleted by podnet and the other way round (same network, bridge and data directory), parallel
// ADDs from both implementations never share an address, and GC removes exactly the stale
// attachments (their reservations and their masquerade elements), also the reference's.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { requireRoot, run } from '../../src/linux/exec.js';
import { closeExecutor } from '../../src/linux/exec.js';
import { installPluginLinks } from '../../src/components/cni/shim-build.js';
import { REF_DIR, Scratch, type Side, call, requireTools, reservations } from './harness.js';

const scratch = new Scratch();
const BR = 'pnc-bri0';
const MASQ = 'pnc_imasq';

function netconf(dataDir: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    cniVersion: '1.0.0', name: 'pnc-int', type: 'bridge', bridge: BR, isGateway: true, hairpinMode: true, ipMasqTable: MASQ,
    ipam: { type: 'host-local', ranges: [[{ subnet: '10.99.41.0/24' }]], routes: [{ dst: '0.0.0.0/0' }], dataDir },
    ...extra,
  };
}

const ips = (files: Record<string, string>) => Object.keys(files).filter((f) => /^\d/.test(f)).sort();

async function links(netns: string): Promise<string[]> {
  const out = await run(['ip', '-n', netns, '-o', 'link', 'show']).then((r) => r.stdout).catch(() => '');
  return out.split('\n').map((l) => l.split(':')[1]?.trim().split('@')[0]).filter(Boolean);
}

describe('host-local and bridge interoperability with the reference', () => {
  before(() => { requireRoot('the CNI interop tests'); requireTools(); scratch.links.add(BR); scratch.nftTables.add(MASQ); });
  after(async () => { closeExecutor(); await scratch.cleanup(); });

  for (const [adder, deleter] of [['reference', 'inproc'], ['inproc', 'reference']] as [Side, Side][]) {
    test(`ADD by ${adder}, CHECK and DEL by ${deleter}`, async () => {
      const netns = await scratch.addNetns(`pnc-int-${adder}`);
      const dataDir = scratch.tempDir('int');
      const conf = netconf(dataDir);
      const env = { CNI_CONTAINERID: `pnc-x-${adder}`, CNI_NETNS: netns, CNI_IFNAME: 'eth0' };
      const add = await call(adder, 'bridge', { ...env, CNI_COMMAND: 'ADD' }, conf);
      assert.equal(add.code, 0, add.stdout);
      assert.deepEqual(ips(reservations(dataDir, 'pnc-int')), ['10.99.41.2']);
      const check = await call(deleter, 'bridge', { ...env, CNI_COMMAND: 'CHECK' }, { ...conf, prevResult: add.json });
      assert.equal(check.code, 0, check.stdout);
      const del = await call(deleter, 'bridge', { ...env, CNI_COMMAND: 'DEL' }, { ...conf, prevResult: add.json });
      assert.equal(del.code, 0, del.stdout);
      assert.deepEqual(ips(reservations(dataDir, 'pnc-int')), []);
      assert.deepEqual(await links(`pnc-int-${adder}`), ['lo']);
      // The other side's next ADD continues the round robin from the shared last_reserved_ip.
      const next = await call(deleter, 'bridge', { ...env, CNI_COMMAND: 'ADD' }, conf);
      assert.equal(next.code, 0, next.stdout);
      assert.deepEqual(ips(reservations(dataDir, 'pnc-int')), ['10.99.41.3']);
      assert.equal((await call(adder, 'bridge', { ...env, CNI_COMMAND: 'DEL' }, conf)).code, 0);
      assert.deepEqual(ips(reservations(dataDir, 'pnc-int')), []);
    });
  }

  test('the reference bridge delegating IPAM to podnet-host-local (installed in CNI_PATH as a link to bin/podnet-cni)', async () => {
    const binDir = scratch.tempDir('bin');
    installPluginLinks(binDir);
    const dataDir = scratch.tempDir('deleg');
    const conf = { ...netconf(dataDir), ipam: { type: 'podnet-host-local', ranges: [[{ subnet: '10.99.41.0/24' }]], routes: [{ dst: '0.0.0.0/0' }], dataDir } };
    const netns = await scratch.addNetns('pnc-int-deleg');
    // The reference passes its environment on to the IPAM plugin: run podnet-host-local from the sources.
    const env = { CNI_CONTAINERID: 'pnc-dg', CNI_NETNS: netns, CNI_IFNAME: 'eth0', CNI_PATH: `${binDir}:${REF_DIR}`, PODNET_CNI_FROM_SOURCE: '1' };
    const add = await call('reference', 'bridge', { ...env, CNI_COMMAND: 'ADD' }, conf);
    assert.equal(add.code, 0, add.stdout);
    const files = reservations(dataDir, 'pnc-int');
    assert.equal(files[ips(files)[0]], 'pnc-dg\r\neth0');
    const check = await call('reference', 'bridge', { ...env, CNI_COMMAND: 'CHECK' }, { ...conf, prevResult: add.json });
    assert.equal(check.code, 0, check.stdout);
    const del = await call('reference', 'bridge', { ...env, CNI_COMMAND: 'DEL' }, conf);
    assert.equal(del.code, 0, del.stdout);
    assert.deepEqual(ips(reservations(dataDir, 'pnc-int')), []);
  });

  test('20 parallel ADDs (10 by podnet in-process, 10 by the reference) get unique addresses; all reserved, all released', async () => {
    const dataDir = scratch.tempDir('par');
    const conf = netconf(dataDir);
    const pods = await Promise.all(Array.from({ length: 20 }, (_, i) => scratch.addNetns(`pnc-par-${i}`)));
    const sideOf = (i: number): Side => (i % 2 ? 'reference' : 'inproc');
    const adds = await Promise.all(pods.map((netns, i) =>
      call(sideOf(i), 'bridge', { CNI_COMMAND: 'ADD', CNI_CONTAINERID: `pnc-p${i}`, CNI_NETNS: netns, CNI_IFNAME: 'eth0' }, conf)));
    adds.forEach((a, i) => assert.equal(a.code, 0, `ADD ${i} (${sideOf(i)}): ${a.stdout}`));
    const addrs = adds.map((a) => ((a.json?.ips as { address: string }[])[0]).address);
    assert.equal(new Set(addrs).size, 20, `duplicates in ${addrs.join(' ')}`);
    const files = reservations(dataDir, 'pnc-int');
    assert.equal(ips(files).length, 20);
    adds.forEach((a, i) => assert.equal(files[addrs[i].split('/')[0]], `pnc-p${i}\r\neth0`));
    const dels = await Promise.all(pods.map((netns, i) =>
      call(sideOf(i + 1), 'bridge', { CNI_COMMAND: 'DEL', CNI_CONTAINERID: `pnc-p${i}`, CNI_NETNS: netns, CNI_IFNAME: 'eth0' }, conf)));
    dels.forEach((d, i) => assert.equal(d.code, 0, `DEL ${i}: ${d.stdout}`));
    assert.deepEqual(ips(reservations(dataDir, 'pnc-int')), []);
    const ports = await run(['ip', '-o', 'link', 'show', 'master', BR]).then((r) => r.stdout.trim());
    assert.equal(ports, '');
  });

  test('GC keeps the valid attachments and removes the rest: reservations (also the reference\'s) and masquerade elements', async () => {
    const dataDir = scratch.tempDir('gc');
    const conf = netconf(dataDir, { cniVersion: '1.1.0', ipMasq: true });
    const refConf = { ...netconf(dataDir), ipMasq: false };
    const a = await scratch.addNetns('pnc-gc-a');
    const b = await scratch.addNetns('pnc-gc-b');
    const c = await scratch.addNetns('pnc-gc-c');
    for (const [id, netns] of [['pnc-ga', a], ['pnc-gb', b]]) {
      const r = await call('inproc', 'bridge', { CNI_COMMAND: 'ADD', CNI_CONTAINERID: id, CNI_NETNS: netns, CNI_IFNAME: 'eth0' }, conf);
      assert.equal(r.code, 0, r.stdout);
    }
    const rc = await call('reference', 'bridge', { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'pnc-gc', CNI_NETNS: c, CNI_IFNAME: 'eth0' }, refConf);
    assert.equal(rc.code, 0, rc.stdout);
    assert.equal(ips(reservations(dataDir, 'pnc-int')).length, 3);
    // b's and c's pods vanish without a DEL (a node reboot, a crashed runtime).
    for (const n of ['pnc-gc-b', 'pnc-gc-c']) { await run(['ip', 'netns', 'del', n]); scratch.netns.delete(n); }

    const gc = await call('inproc', 'bridge', { CNI_COMMAND: 'GC' }, { ...conf, 'cni.dev/valid-attachments': [{ containerID: 'pnc-ga', ifname: 'eth0' }] });
    assert.equal(gc.code, 0, gc.stdout);
    const left = reservations(dataDir, 'pnc-int');
    assert.deepEqual(ips(left), ['10.99.41.2']);
    assert.equal(left['10.99.41.2'], 'pnc-ga\r\neth0');
    const map = await run(['nft', 'list', 'map', 'ip', MASQ, 'pods']).then((r) => r.stdout);
    assert.match(map, /10\.99\.41\.2 comment "pnc-int\/pnc-ga\/eth0"/);
    assert.doesNotMatch(map, /pnc-gb/);
    // The older key name is accepted too.
    const gcOld = await call('inproc', 'bridge', { CNI_COMMAND: 'GC' }, { ...conf, 'cni.dev/attachments': [] });
    assert.equal(gcOld.code, 0, gcOld.stdout);
    assert.deepEqual(ips(reservations(dataDir, 'pnc-int')), []);
    assert.doesNotMatch(await run(['nft', 'list', 'map', 'ip', MASQ, 'pods']).then((r) => r.stdout), /10\.99\.41/);
    // GC on a configuration older than 1.1.0 is refused, as the spec says.
    const old = await call('inproc', 'bridge', { CNI_COMMAND: 'GC' }, { ...netconf(dataDir), 'cni.dev/valid-attachments': [] });
    assert.deepEqual([old.code, old.json?.code, old.json?.msg], [1, 1, 'config version does not allow GC']);
    await call('inproc', 'bridge', { CNI_COMMAND: 'DEL', CNI_CONTAINERID: 'pnc-ga', CNI_NETNS: a, CNI_IFNAME: 'eth0' }, conf);
  });

  test('ipMasq: the element follows the attachment, and DEL removes it even when the netns is already gone', async () => {
    const dataDir = scratch.tempDir('masq');
    const conf = netconf(dataDir, { ipMasq: true });
    const netns = await scratch.addNetns('pnc-masq-a');
    const add = await call('inproc', 'bridge', { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'pnc-m1', CNI_NETNS: netns, CNI_IFNAME: 'eth0' }, conf);
    assert.equal(add.code, 0, add.stdout);
    const table = await run(['nft', 'list', 'table', 'ip', MASQ]).then((r) => r.stdout);
    assert.match(table, /10\.99\.41\.\d+ comment "pnc-int\/pnc-m1\/eth0" : jump masq_[0-9a-f]{12}/);
    assert.match(table, /ip daddr 10\.99\.41\.0\/24 return/);
    await run(['ip', 'netns', 'del', 'pnc-masq-a']);
    scratch.netns.delete('pnc-masq-a');
    // No prevResult, netns gone: the reference would leak its chain here.
    const del = await call('inproc', 'bridge', { CNI_COMMAND: 'DEL', CNI_CONTAINERID: 'pnc-m1', CNI_NETNS: netns, CNI_IFNAME: 'eth0' }, conf);
    assert.equal(del.code, 0, del.stdout);
    assert.doesNotMatch(await run(['nft', 'list', 'map', 'ip', MASQ, 'pods']).then((r) => r.stdout), /pnc-m1/);
    const again = await call('inproc', 'bridge', { CNI_COMMAND: 'DEL', CNI_CONTAINERID: 'pnc-m1', CNI_IFNAME: 'eth0' }, conf);
    assert.equal(again.code, 0, again.stdout);
  });
});
