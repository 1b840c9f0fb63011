// Kernel test: per-namespace sysctls; the root namespace's value must not change.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { requireRoot, run } from './exec.js';
import { addNetns } from './netns.js';
import { getSysctl, setSysctl } from './sysctl.js';

const ns = `pnt6-sc-${process.pid}`;

before(async () => {
  requireRoot('the sysctl kernel tests');
  await addNetns(ns);
});
after(async () => { await run(['ip', 'netns', 'delete', ns]).catch(() => {}); });

test('net.ipv4.ip_forward is set inside the namespace only', async () => {
  // A new namespace may inherit the root's value (net.core.devconf_inherit_init_net), so set both ways.
  const rootBefore = await getSysctl('net.ipv4.ip_forward');
  const other = rootBefore === '1' ? '0' : '1';
  await setSysctl('net.ipv4.ip_forward', other, { netns: ns });
  assert.equal(await getSysctl('net.ipv4.ip_forward', { netns: ns }), other);
  assert.equal(await getSysctl('net.ipv4.ip_forward'), rootBefore);
  await setSysctl('net.ipv4.ip_forward', rootBefore, { netns: ns });
  assert.equal(await getSysctl('net.ipv4.ip_forward', { netns: ns }), rootBefore);
});

test('slashed keys work for names with dots', async () => {
  await setSysctl('net/ipv4/conf/lo/rp_filter', 0, { netns: ns });
  assert.equal(await getSysctl('net/ipv4/conf/lo/rp_filter', { netns: ns }), '0');
});

test('bad keys and values are refused', async () => {
  await assert.rejects(setSysctl('net.ipv4.ip_forward; reboot', 1, { netns: ns }), /invalid sysctl key/);
  await assert.rejects(setSysctl('net.ipv4.ip_forward', '1\n2', { netns: ns }), /invalid sysctl value/);
  await assert.rejects(setSysctl('net.ipv4.no_such_key', 1, { netns: ns }), /sysctl .*failed/);
});
