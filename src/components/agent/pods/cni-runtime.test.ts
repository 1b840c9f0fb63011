import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CniRuntime, parseNetworkList, pluginRequest, type CniEnvVars } from './cni-runtime.js';
import { renderConflist, podMTU } from './cni-config.js';

const list = parseNetworkList(renderConflist({ podCIDR: '10.244.1.0/24', overlay: 'vxlan', ipamDataDir: '/x' }), '/d/10-podnet.conflist');
const attachment = {
  containerID: 'abc', ifname: 'eth0', netns: '/run/netns/p',
  args: [['IgnoreUnknown', '1'], ['K8S_POD_NAME', 'web']] as Array<[string, string]>,
  capabilityArgs: { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }] },
};

test('the node conflist: bridge cni0 as gateway, host-local over the podCIDR, portmap; MTU 1450 with vxlan', () => {
  assert.equal(list.cniVersion, '1.1.0');
  assert.deepEqual(list.plugins.map((p) => p.type), ['bridge', 'portmap']);
  assert.equal(list.plugins[0].mtu, 1450);
  assert.deepEqual((list.plugins[0].ipam as { ranges: unknown }).ranges, [[{ subnet: '10.244.1.0/24' }]]);
  assert.equal(podMTU('host-gw'), 1500);
});

test('request configuration: cniVersion and name added, runtimeConfig only for declared capabilities', () => {
  const bridge = pluginRequest(list, list.plugins[0], attachment.capabilityArgs);
  assert.equal(bridge.runtimeConfig, undefined);
  assert.equal(bridge.name, 'podnet');
  const portmap = pluginRequest(list, list.plugins[1], attachment.capabilityArgs, { ips: [] });
  assert.deepEqual(portmap.runtimeConfig, { portMappings: attachment.capabilityArgs.portMappings });
  assert.equal(portmap.capabilities, undefined);
  assert.deepEqual(portmap.prevResult, { ips: [] });
});

test('ADD in order threading prevResult, cached as libcni does; DEL in reverse with the cached result', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pna-cni-'));
  try {
    const calls: Array<{ type: string; env: CniEnvVars; conf: Record<string, unknown> }> = [];
    const invoke = async (type: string, env: CniEnvVars, stdin: string) => {
      const conf = JSON.parse(stdin);
      calls.push({ type, env, conf });
      if (env.CNI_COMMAND !== 'ADD') return '';
      return JSON.stringify({ cniVersion: '1.1.0', ips: [{ address: '10.244.1.2/24' }], via: type });
    };
    const rt = new CniRuntime(dir, invoke, ['/opt/cni/bin']);
    const result = await rt.add(list, attachment);
    assert.equal(result.via, 'portmap');
    assert.deepEqual(calls.map((c) => c.type), ['bridge', 'portmap']);
    assert.equal(calls[1].conf.prevResult && (calls[1].conf.prevResult as { via: string }).via, 'bridge');
    assert.equal(calls[0].env.CNI_ARGS, 'IgnoreUnknown=1;K8S_POD_NAME=web');
    assert.equal(calls[0].env.CNI_PATH, '/opt/cni/bin');
    const cacheFile = join(dir, 'results', 'podnet-abc-eth0');
    const cached = JSON.parse(readFileSync(cacheFile, 'utf8'));
    assert.equal(cached.kind, 'cniCacheV1');
    assert.equal(Buffer.from(cached.config, 'base64').toString(), list.bytes);
    assert.equal(cached.result.via, 'portmap');

    calls.length = 0;
    await rt.del(list, { containerID: 'abc', ifname: 'eth0', netns: '/run/netns/p', args: [] });
    assert.deepEqual(calls.map((c) => c.type), ['portmap', 'bridge']);
    for (const c of calls) assert.equal((c.conf.prevResult as { via: string }).via, 'portmap');
    assert.equal(calls[0].env.CNI_ARGS, 'IgnoreUnknown=1;K8S_POD_NAME=web');
    assert.deepEqual(calls[0].conf.runtimeConfig, { portMappings: attachment.capabilityArgs.portMappings });
    assert.ok(!existsSync(cacheFile));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('GC: DEL for cached attachments not valid any more, then GC with the valid set to each plugin', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pna-cni-'));
  try {
    const calls: Array<{ type: string; cmd: string; conf: Record<string, unknown> }> = [];
    const rt = new CniRuntime(dir, async (type, env, stdin) => {
      calls.push({ type, cmd: env.CNI_COMMAND, conf: JSON.parse(stdin) });
      return env.CNI_COMMAND === 'ADD' ? JSON.stringify({ ips: [] }) : '';
    }, []);
    await rt.add(list, { ...attachment, containerID: 'keep' });
    await rt.add(list, { ...attachment, containerID: 'stale' });
    calls.length = 0;
    assert.deepEqual(await rt.gc(list, [{ containerID: 'keep', ifname: 'eth0' }]), []);
    assert.deepEqual(calls.map((c) => `${c.cmd} ${c.type}`), ['DEL portmap', 'DEL bridge', 'GC bridge', 'GC portmap']);
    assert.deepEqual(calls[2].conf['cni.dev/valid-attachments'], [{ containerID: 'keep', ifname: 'eth0' }]);
    assert.deepEqual(rt.listCache('podnet').map((c) => c.containerId), ['keep']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
