import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfList } from '../../../core/cni/conflist.js';
import { renderConflist, podMTU } from './cni-config.js';

test('the node conflist: bridge cni0 as gateway, host-local over the podCIDR, portmap; MTU 1450 with vxlan', () => {
  const list = parseConfList(renderConflist({ podCIDR: '10.244.1.0/24', overlay: 'vxlan', ipamDataDir: '/x' }));
  assert.equal(list.cniVersion, '1.1.0');
  assert.deepEqual(list.plugins.map((p) => p.type), ['bridge', 'portmap']);
  assert.equal(list.plugins[0].mtu, 1450);
  assert.deepEqual((list.plugins[0].ipam as { ranges: unknown }).ranges, [[{ subnet: '10.244.1.0/24' }]]);
  assert.equal(podMTU('host-gw'), 1500);
});
