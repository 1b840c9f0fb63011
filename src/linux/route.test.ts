// Kernel test: routes (via, dev, src, onlink, replace, delete), in a throwaway pnt6* namespace.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { requireRoot, run } from './exec.js';
import { addNetns } from './netns.js';
import { addBridge, setLinkUp } from './link.js';
import { addAddress } from './addr.js';
import { addRoute, deleteRoute, listRoutes, replaceRoute } from './route.js';

const ns = `pnt6-rt-${process.pid}`;

before(async () => {
  requireRoot('the route kernel tests');
  await addNetns(ns);
  await addBridge('eth0', { netns: ns });
  await addAddress('eth0', '172.31.246.11/24', { netns: ns });
  await setLinkUp('eth0', { netns: ns });
});
after(async () => { await run(['ip', 'netns', 'delete', ns]).catch(() => {}); });

test('default route via the host, as a node has', async () => {
  await addRoute({ dst: 'default', via: '172.31.246.1', dev: 'eth0' }, { netns: ns });
  const def = (await listRoutes({ netns: ns })).find((r) => r.dst === 'default');
  assert.equal(def?.gateway, '172.31.246.1');
  assert.equal(def?.dev, 'eth0');
  await assert.rejects(addRoute({ dst: 'default', via: '172.31.246.1', dev: 'eth0' }, { netns: ns }), /File exists/);
});

test('host-gw route with onlink, replaced, with src, then deleted', async () => {
  await addRoute({ dst: '10.244.2.0/24', via: '10.99.0.12', dev: 'eth0', onlink: true }, { netns: ns });
  let r = (await listRoutes({ netns: ns })).find((x) => x.dst === '10.244.2.0/24');
  assert.equal(r?.gateway, '10.99.0.12');
  assert.ok(r?.flags.includes('onlink'));
  await replaceRoute({ dst: '10.244.2.0/24', via: '172.31.246.12', dev: 'eth0', src: '172.31.246.11' }, { netns: ns });
  r = (await listRoutes({ netns: ns })).find((x) => x.dst === '10.244.2.0/24');
  assert.equal(r?.gateway, '172.31.246.12');
  assert.equal(r?.prefsrc, '172.31.246.11');
  assert.equal(await deleteRoute({ dst: '10.244.2.0/24' }, { netns: ns }), true);
  assert.equal(await deleteRoute({ dst: '10.244.2.0/24' }, { netns: ns }), false);
});

test('the local table lists the namespace\'s own addresses', async () => {
  const all = await listRoutes({ netns: ns, table: 'all' });
  assert.ok(all.some((x) => x.type === 'local' && x.dst === '172.31.246.11'));
});

test('bad routes are refused before reaching the kernel', async () => {
  await assert.rejects(addRoute({ dst: '10.244.2.0/24' }, { netns: ns }), /needs a next hop \(via\) or a device \(dev\)/);
  await assert.rejects(addRoute({ dst: 'somewhere', dev: 'eth0' }, { netns: ns }), /invalid route destination/);
  await assert.rejects(addRoute({ dst: '10.1.0.0/16', via: 'gw' }, { netns: ns }), /invalid next hop/);
});
