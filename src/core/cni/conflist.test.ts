import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfList, pluginConfig } from './conflist.js';

const list = parseConfList(JSON.stringify({
  cniVersion: '1.0.0', cniVersions: ['0.4.0', '1.1.0', '9.0.0'], name: 'cbr0',
  plugins: [
    { type: 'podnet-bridge', bridge: 'cni0', ipam: { type: 'host-local' } },
    { type: 'podnet-portmap', capabilities: { portMappings: true, bandwidth: false }, runtimeConfig: { ignored: true } },
  ],
}));

test('the highest supported version of cniVersion and cniVersions is chosen', () => {
  assert.equal(list.cniVersion, '1.1.0');
  assert.throws(() => parseConfList('{"cniVersion":"9.9.9","name":"n","plugins":[{"type":"x"}]}'), /incompatible CNI versions/);
  assert.throws(() => parseConfList('{"cniVersion":"1.0.0","name":"n","plugins":[]}'), /no plugins in list/);
  assert.equal(parseConfList('{"cniVersion":"0.3.1","name":"n","type":"bridge"}').plugins.length, 1);
  assert.equal(parseConfList('{"cniVersion":"1.0.0","name":"n","disableCheck":"true","plugins":[{"type":"x"}]}').disableCheck, true);
});

test('each plugin gets name, cniVersion, its declared capabilities as runtimeConfig and prevResult', () => {
  const caps = { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }], bandwidth: { ingressRate: 1 } };
  assert.deepEqual(pluginConfig(list, 0, { capabilityArgs: caps }), { type: 'podnet-bridge', bridge: 'cni0', ipam: { type: 'host-local' }, cniVersion: '1.1.0', name: 'cbr0' });
  assert.deepEqual(pluginConfig(list, 1, { capabilityArgs: caps, prevResult: { cniVersion: '1.1.0' } }), {
    type: 'podnet-portmap', cniVersion: '1.1.0', name: 'cbr0', runtimeConfig: { portMappings: caps.portMappings }, prevResult: { cniVersion: '1.1.0' },
  });
});

test('GC configurations carry the valid attachments under both key names', () => {
  const c = pluginConfig(list, 1, { validAttachments: [{ containerID: 'a', ifname: 'eth0' }] });
  assert.deepEqual(c['cni.dev/valid-attachments'], [{ containerID: 'a', ifname: 'eth0' }]);
  assert.deepEqual(c['cni.dev/attachments'], c['cni.dev/valid-attachments']);
  assert.equal(c.runtimeConfig, undefined);
});
