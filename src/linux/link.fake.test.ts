// link.ts on the recording executor (no root): the exact ip argv, and what answers mean.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useRecordingExecutor } from './exec-fake.js';
import { addBridge, addVeth, addVxlan, deleteLink, getLink, setLinkAddress, setLinkUp } from './link.js';

const fake = useRecordingExecutor();

test('creating links: bridge, veth with its peer in another namespace, vxlan without learning', async () => {
  fake.clear();
  await addBridge('cni0', { netns: 'n1', mtu: 1450 });
  await addVeth('veth1', 'eth0', { peerNetns: 'pod1' });
  await addVxlan('flannel.1', { netns: 'n1', id: 1, local: '172.31.250.11', dev: 'eth0', learning: false });
  await setLinkUp('cni0', { netns: 'n1' });
  await setLinkAddress('cni0', '0A:58:0A:F4:01:01');
  assert.deepEqual(fake.argvs(), [
    ['ip', '-n', 'n1', 'link', 'add', 'cni0', 'mtu', '1450', 'type', 'bridge'],
    ['ip', 'link', 'add', 'veth1', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', 'pod1'],
    ['ip', '-n', 'n1', 'link', 'add', 'flannel.1', 'type', 'vxlan', 'id', '1', 'local', '172.31.250.11', 'dev', 'eth0', 'dstport', '4789', 'nolearning'],
    ['ip', '-n', 'n1', 'link', 'set', 'dev', 'cni0', 'up'],
    ['ip', 'link', 'set', 'dev', 'cni0', 'address', '0A:58:0A:F4:01:01'],
  ]);
});

test('bad names never reach ip', async () => {
  fake.clear();
  await assert.rejects(addBridge('a-name-longer-than-15'), /at most 15/);
  await assert.rejects(setLinkUp('eth0; reboot'), /invalid interface name/);
  await assert.rejects(addVxlan('vx', { id: 1 << 24 }), /invalid VXLAN id/);
  assert.deepEqual(fake.calls, []);
});

test('getLink parses ip -j; a missing link is undefined, and deleting it again is false', async () => {
  fake.clear();
  fake.on(['ip', '-j', '-d', 'link', 'show', 'dev', 'eth0'], { stdout: '[{"ifindex":2,"ifname":"eth0","flags":["UP"],"mtu":1500,"operstate":"UP"}]' });
  fake.on(['ip', '-j', '-d', 'link', 'show', 'dev', 'eth9'], { exitCode: 1, stderr: 'Device "eth9" does not exist.' });
  fake.on(['ip', 'link', 'delete'], { exitCode: 1, stderr: 'Cannot find device "eth9"' });
  assert.equal((await getLink('eth0'))?.ifindex, 2);
  assert.equal(await getLink('eth9'), undefined);
  assert.equal(await deleteLink('eth9'), false);
});
