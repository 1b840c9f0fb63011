// Kernel test: FDB entries of a VXLAN device (`bridge fdb`), in a throwaway pno* namespace.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { requireRoot, run } from './exec.js';
import { addNetns } from './netns.js';
import { addBridge, addVxlan, setLinkUp } from './link.js';
import { addAddress } from './addr.js';
import { deleteFdb, fdbReplaceArgs, listFdb, replaceFdb } from './fdb.js';

const ns = `pno-fdb-${process.pid}`;
const at = { netns: ns };

before(async () => {
  requireRoot('the FDB kernel tests');
  await addNetns(ns);
  await addBridge('eth0', at);
  await addAddress('eth0', '172.31.244.11/24', at);
  await setLinkUp('eth0', at);
  await addVxlan('flannel.1', { ...at, id: 1, local: '172.31.244.11', dev: 'eth0', dstport: 8472, learning: false });
});
after(async () => { await run(['ip', 'netns', 'delete', ns]).catch(() => {}); });

const remote = (f: { dst?: string }) => f.dst !== undefined;

test('replace writes one permanent entry per MAC and moves it to a new destination', async () => {
  await replaceFdb({ mac: '0a:00:00:00:00:02', dst: '172.31.244.12', dev: 'flannel.1' }, at);
  await replaceFdb({ mac: '0a:00:00:00:00:02', dst: '172.31.244.12', dev: 'flannel.1' }, at);
  assert.deepEqual((await listFdb('flannel.1', at)).filter(remote),
    [{ mac: '0a:00:00:00:00:02', dst: '172.31.244.12', flags: ['self'], state: 'permanent' }]);
  await replaceFdb({ mac: '0a:00:00:00:00:02', dst: '172.31.244.22', dev: 'flannel.1' }, at);
  assert.deepEqual((await listFdb('flannel.1', at)).filter(remote).map((f) => f.dst), ['172.31.244.22']);
});

test('delete names the destination and reports whether there was an entry', async () => {
  await replaceFdb({ mac: '0a:00:00:00:00:03', dst: '172.31.244.13', dev: 'flannel.1' }, at);
  assert.equal(await deleteFdb({ mac: '0a:00:00:00:00:03', dst: '172.31.244.13', dev: 'flannel.1' }, at), true);
  assert.equal(await deleteFdb({ mac: '0a:00:00:00:00:03', dst: '172.31.244.13', dev: 'flannel.1' }, at), false);
});

test('bad input is refused before reaching the kernel', () => {
  assert.throws(() => fdbReplaceArgs({ mac: 'zz:00:00:00:00:02', dst: '172.31.244.12', dev: 'flannel.1' }), /invalid MAC address/);
  assert.throws(() => fdbReplaceArgs({ mac: '0a:00:00:00:00:02', dst: '172.31.244', dev: 'flannel.1' }), /invalid FDB destination/);
});
