import { test } from 'node:test';
import assert from 'node:assert/strict';
import { propagationOf } from './host-mounts.js';

test('propagation tags of a mount point from mountinfo', () => {
  const host = '42 27 254:0 /run/netns /run/netns rw,relatime shared:1 - ext4 /dev/vda rw\n43 42 0:4 net:[1] /run/netns/a rw shared:2 - nsfs nsfs rw\n';
  const agent = '501 500 254:0 /run/netns /run/netns rw,relatime master:1 - ext4 /dev/vda rw\n';
  assert.deepEqual(propagationOf(host, '/run/netns'), { shared: '1' });
  assert.deepEqual(propagationOf(agent, '/run/netns'), { master: '1' });
  assert.equal(propagationOf(host, '/nope'), undefined);
});
