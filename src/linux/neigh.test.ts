// Kernel test: permanent neighbour entries on a VXLAN device, in a throwaway pno* namespace.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { requireRoot, run } from './exec.js';
import { addNetns } from './netns.js';
import { addBridge, addVxlan, setLinkUp } from './link.js';
import { addAddress } from './addr.js';
import { deleteNeigh, listNeigh, neighReplaceArgs, replaceNeigh } from './neigh.js';

const ns = `pno-neigh-${process.pid}`;
const at = { netns: ns };

before(async () => {
  requireRoot('the neighbour kernel tests');
  await addNetns(ns);
  await addBridge('eth0', at);
  await addAddress('eth0', '172.31.244.11/24', at);
  await setLinkUp('eth0', at);
  await addVxlan('flannel.1', { ...at, id: 1, local: '172.31.244.11', dev: 'eth0', dstport: 8472, learning: false });
  await setLinkUp('flannel.1', at);
});
after(async () => { await run(['ip', 'netns', 'delete', ns]).catch(() => {}); });

test('replace is idempotent, changes the MAC in place, and the entry is permanent', async () => {
  await replaceNeigh({ ip: '10.244.2.0', lladdr: '0A:00:00:00:00:02', dev: 'flannel.1' }, at);
  await replaceNeigh({ ip: '10.244.2.0', lladdr: '0a:00:00:00:00:02', dev: 'flannel.1' }, at);
  assert.deepEqual(await listNeigh('flannel.1', at), [{ dst: '10.244.2.0', lladdr: '0a:00:00:00:00:02', state: ['PERMANENT'] }]);
  await replaceNeigh({ ip: '10.244.2.0', lladdr: '0a:00:00:00:aa:02', dev: 'flannel.1' }, at);
  assert.deepEqual((await listNeigh('flannel.1', at)).map((n) => n.lladdr), ['0a:00:00:00:aa:02']);
});

test('delete reports whether there was an entry', async () => {
  await replaceNeigh({ ip: '10.244.3.0', lladdr: '0a:00:00:00:00:03', dev: 'flannel.1' }, at);
  assert.equal(await deleteNeigh('10.244.3.0', 'flannel.1', at), true);
  assert.equal(await deleteNeigh('10.244.3.0', 'flannel.1', at), false);
  assert.ok(!(await listNeigh('flannel.1', at)).some((n) => n.dst === '10.244.3.0'));
});

test('bad input is refused before reaching the kernel', () => {
  assert.throws(() => neighReplaceArgs({ ip: '10.244.2', lladdr: '0a:00:00:00:00:02', dev: 'flannel.1' }), /invalid neighbour address "10.244.2"/);
  assert.throws(() => neighReplaceArgs({ ip: '10.244.2.0', lladdr: '0a:00:00:00:02', dev: 'flannel.1' }), /invalid MAC address/);
  assert.throws(() => neighReplaceArgs({ ip: '10.244.2.0', lladdr: '0a:00:00:00:00:02', dev: 'a b' }), /invalid interface name/);
});
