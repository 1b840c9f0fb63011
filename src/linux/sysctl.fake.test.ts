// sysctl.ts on the recording executor (no root): writes are sysctl steps, in a namespace when given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useRecordingExecutor } from './exec-fake.js';
import { getSysctl, setSysctl, setSysctls } from './sysctl.js';

const fake = useRecordingExecutor();

test('dotted and slashed keys become /proc/sys paths; several go in one step; the namespace is passed on', async () => {
  fake.clear();
  await setSysctl('net.ipv4.ip_forward', 1, { netns: 'n1' });
  await setSysctls({ 'net/ipv4/conf/eth0.100/rp_filter': 0, 'net.ipv6.conf.all.forwarding': '1' }, { netns: '/run/netns/p1' });
  assert.deepEqual(fake.calls.map((c) => [c.netns, c.sysctls]), [
    ['n1', [['net/ipv4/ip_forward', '1']]],
    ['/run/netns/p1', [['net/ipv4/conf/eth0.100/rp_filter', '0'], ['net/ipv6/conf/all/forwarding', '1']]],
  ]);
});

test('a failed write is an error naming the key; bad keys and values never reach the kernel', async () => {
  fake.clear();
  fake.on(['<sysctl>'], { exitCode: 1, stderr: 'cannot write /proc/sys/net/ipv4/nope\n' });
  await assert.rejects(setSysctl('net.ipv4.nope', 1), /setting sysctl net.ipv4.nope failed: cannot write/);
  fake.clear();
  await assert.rejects(setSysctl('../../etc/passwd', 1), /invalid sysctl key/);
  await assert.rejects(setSysctl('net.ipv4.ip_forward', '1\n2'), /invalid sysctl value/);
  assert.equal(fake.calls.length, 0);
});

test('reading runs sysctl -n inside the namespace', async () => {
  fake.clear();
  fake.on(['sysctl', '-n'], { stdout: '1\n' });
  assert.equal(await getSysctl('net.ipv4.ip_forward', { netns: 'n1' }), '1');
  assert.deepEqual(fake.calls[0].full, ['ip', 'netns', 'exec', 'n1', 'sysctl', '-n', 'net.ipv4.ip_forward']);
});
