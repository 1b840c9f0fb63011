// cni-veth.ts on the recording executor (no root): a pod is configured with one entry into its namespace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useRecordingExecutor } from './exec-fake.js';
import { configurePod, deleteLinkIn, linkExistsIn } from './cni-veth.js';

const fake = useRecordingExecutor();

test('configurePod: the sysctls, then one ip batch, both in CNI_NETNS; the batch outcome comes back', async () => {
  fake.clear();
  fake.on(['ip', '-j', '-force', '-batch', '-'], { stdout: '[{"ifname":"eth0","address":"0a:58:0a:f4:01:05"}]\n' });
  const out = await configurePod('/proc/99/ns/net', [['net/ipv4/conf/eth0/arp_notify', '1']], [
    { argv: ['addr', 'add', '10.244.1.5/24', 'brd', '+', 'dev', 'eth0'] },
    { argv: ['link', 'show', 'dev', 'eth0'] },
  ]);
  assert.deepEqual(out.errors, []);
  assert.deepEqual(out.shows, [[{ ifname: 'eth0', address: '0a:58:0a:f4:01:05' }]]);
  assert.deepEqual(fake.calls.map((c) => [c.netns, c.sysctls ?? c.argv, c.input]), [
    ['/proc/99/ns/net', [['net/ipv4/conf/eth0/arp_notify', '1']], undefined],
    ['/proc/99/ns/net', ['ip', '-j', '-force', '-batch', '-'], 'addr add 10.244.1.5/24 brd + dev eth0\nlink show dev eth0\n'],
  ]);
});

test('pod-side link checks: exists or not; deleting a link that is gone is false', async () => {
  fake.clear();
  fake.on(['ip', 'link', 'show'], { exitCode: 1, stderr: 'Device "eth0" does not exist.' });
  fake.on(['ip', 'link', 'del'], { exitCode: 1, stderr: 'Cannot find device "eth0"' });
  assert.equal(await linkExistsIn('/run/netns/p1', 'eth0'), false);
  assert.equal(await deleteLinkIn('/run/netns/p1', 'eth0'), false);
});
