// Kernel test: interface addresses, in a throwaway pnt6* namespace.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { requireRoot, run } from './exec.js';
import { addNetns } from './netns.js';
import { addBridge } from './link.js';
import { addAddress, deleteAddress, flushAddresses, listAddresses, validateAddressCidr } from './addr.js';

const ns = `pnt6-ad-${process.pid}`;

before(async () => {
  requireRoot('the addr kernel tests');
  await addNetns(ns);
  await addBridge('cni0', { netns: ns });
});
after(async () => { await run(['ip', 'netns', 'delete', ns]).catch(() => {}); });

test('validateAddressCidr wants address/prefix', () => {
  validateAddressCidr('10.244.1.1/24');
  for (const bad of ['10.244.1.1', '10.244.1.256/24', '10.244.1.1/33', 'cni0']) {
    assert.throws(() => validateAddressCidr(bad), /expected an IPv4 address with a prefix length/, bad);
  }
});

test('add is idempotent, list shows it, delete removes it once', async () => {
  await addAddress('cni0', '10.244.1.1/24', { netns: ns });
  await addAddress('cni0', '10.244.1.1/24', { netns: ns });
  await addAddress('cni0', '10.244.9.1/24', { netns: ns });
  const mine = (await listAddresses({ netns: ns, dev: 'cni0', family: 'inet' })).map((a) => `${a.local}/${a.prefixlen}`);
  assert.deepEqual(mine.sort(), ['10.244.1.1/24', '10.244.9.1/24']);
  assert.ok((await listAddresses({ netns: ns })).every((a) => a.ifname !== undefined));
  assert.equal(await deleteAddress('cni0', '10.244.9.1/24', { netns: ns }), true);
  assert.equal(await deleteAddress('cni0', '10.244.9.1/24', { netns: ns }), false);
  await flushAddresses('cni0', { netns: ns });
  assert.deepEqual(await listAddresses({ netns: ns, dev: 'cni0', family: 'inet' }), []);
});
