// Kernel test: bridges, veth pairs across namespaces, vxlan, link state; in pnt6* namespaces only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { requireRoot, run } from './exec.js';
import { addNetns } from './netns.js';
import {
  addBridge, addVeth, addVxlan, deleteLink, getLink, hashedIfName, listLinks, setLinkAddress, setLinkDown,
  setLinkMaster, setLinkMtu, setLinkNetns, setLinkUp, validateIfName, MAX_IFNAME_LENGTH,
} from './link.js';

const a = `pnt6-la-${process.pid}`;
const b = `pnt6-lb-${process.pid}`;

before(async () => {
  requireRoot('the link kernel tests');
  await addNetns(a);
  await addNetns(b);
});
after(async () => {
  for (const ns of [a, b]) await run(['ip', 'netns', 'delete', ns]).catch(() => {});
});

test('interface names: at most 15 characters, with an explanation', () => {
  validateIfName('eth0');
  validateIfName('x'.repeat(MAX_IFNAME_LENGTH));
  assert.throws(() => validateIfName('x'.repeat(16)), /16 characters long; Linux allows at most 15 \(IFNAMSIZ/);
  assert.throws(() => validateIfName('a/b'), /invalid interface name/);
  assert.throws(() => validateIfName(''), /invalid interface name/);
});

test('hashedIfName is stable, 15 characters, and differs per key', () => {
  const one = hashedIfName('veth', 'default/nginx');
  assert.equal(one.length, 15);
  assert.ok(one.startsWith('veth'));
  assert.equal(hashedIfName('veth', 'default/nginx'), one);
  assert.notEqual(hashedIfName('veth', 'default/nginx2'), one);
  assert.throws(() => hashedIfName('muchtoolongp', 'k'), /too long/);
});

test('bridge with a veth enslaved, up, mtu, address, master, nomaster', async () => {
  await addBridge('br6', { netns: a });
  await addVeth('v6host', 'v6peer', { netns: a });
  await setLinkMaster('v6host', 'br6', { netns: a });
  await setLinkMtu('v6host', 1400, { netns: a });
  await setLinkAddress('v6host', '0a:58:0a:f4:01:07', { netns: a });
  await setLinkUp('br6', { netns: a });
  await setLinkUp('v6host', { netns: a });
  const host = await getLink('v6host', { netns: a });
  assert.equal(host?.master, 'br6');
  assert.equal(host?.mtu, 1400);
  assert.equal(host?.address, '0a:58:0a:f4:01:07');
  assert.ok(host?.flags.includes('UP'));
  assert.equal(host?.linkinfo?.info_kind, 'veth');
  assert.equal((await getLink('br6', { netns: a }))?.linkinfo?.info_kind, 'bridge');
  await setLinkMaster('v6host', null, { netns: a });
  await setLinkDown('v6host', { netns: a });
  const after = await getLink('v6host', { netns: a });
  assert.equal(after?.master, undefined);
  assert.ok(!after?.flags.includes('UP'));
  assert.ok((await listLinks({ netns: a, type: 'bridge' })).every((l) => l.linkinfo?.info_kind === 'bridge'));
  assert.equal(await deleteLink('v6host', { netns: a }), true);
  // Deleting one end of a veth deletes the pair.
  assert.equal(await getLink('v6peer', { netns: a }), undefined);
  assert.equal(await deleteLink('v6host', { netns: a }), false);
});

test('veth with its peer created directly in another namespace, then moved and renamed', async () => {
  await addVeth('v6x', 'eth0', { netns: a, peerNetns: b });
  assert.equal((await getLink('eth0', { netns: b }))?.linkinfo?.info_kind, 'veth');
  assert.equal(await getLink('eth0', { netns: a }), undefined);
  await setLinkNetns('v6x', b, { netns: a, newName: 'eth1' });
  assert.ok(await getLink('eth1', { netns: b }));
  assert.equal(await getLink('v6x', { netns: a }), undefined);
  await deleteLink('eth1', { netns: b });
});

test('vxlan with id, local, dev, dstport and nolearning', async () => {
  await addBridge('under6', { netns: a });
  await addVxlan('flannel.1', { netns: a, id: 1, local: '172.31.246.11', dev: 'under6', dstport: 4789, learning: false });
  const vx = await getLink('flannel.1', { netns: a });
  assert.equal(vx?.linkinfo?.info_kind, 'vxlan');
  const data = vx?.linkinfo?.info_data as Record<string, unknown>;
  assert.equal(data.id, 1);
  assert.equal(data.local, '172.31.246.11');
  assert.equal(data.port, 4789);
  assert.equal(data.learning, false);
  await assert.rejects(addVxlan('vx6bad', { netns: a, id: 1 << 24 }), /VNI is an integer from 0 to 16777215/);
});

test('commands name the failing command and the kernel error', async () => {
  await assert.rejects(setLinkUp('nosuch6', { netns: a }), /ip -n pnt6-la-\d+ link set dev nosuch6 up failed.*(does not exist|Cannot find)/s);
  await assert.rejects(addBridge('x'.repeat(16), { netns: a }), /at most 15/);
});
