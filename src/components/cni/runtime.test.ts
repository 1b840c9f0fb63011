import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfList, pluginConfig } from '../../core/cni/conflist.js';
import { CniError } from '../../core/cni/errors.js';
import { renderConflist } from '../agent/pods/cni-config.js';
import { CniRuntime, type CniEnvVars, type PluginInvoker } from './runtime.js';
import { listCachedResults } from './result-cache.js';

const list = parseConfList(renderConflist({ podCIDR: '10.244.1.0/24', overlay: 'vxlan', ipamDataDir: '/x' }));
const attachment = {
  containerID: 'abc', ifname: 'eth0', netns: '/run/netns/p',
  args: [['IgnoreUnknown', '1'], ['K8S_POD_NAME', 'web']] as Array<[string, string]>,
  capabilityArgs: { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }] },
};

test('request configuration: cniVersion and name added, runtimeConfig only for declared capabilities', () => {
  const bridge = pluginConfig(list, 0, { capabilityArgs: attachment.capabilityArgs });
  assert.equal(bridge.runtimeConfig, undefined);
  assert.equal(bridge.name, 'podnet');
  const portmap = pluginConfig(list, 1, { capabilityArgs: attachment.capabilityArgs, prevResult: { ips: [] } });
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
    const rt = new CniRuntime({ cacheDir: dir, invoke, cniPath: ['/opt/cni/bin'] });
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
    const rt = new CniRuntime({ cacheDir: dir, cniPath: [], invoke: async (type, env, stdin) => {
      calls.push({ type, cmd: env.CNI_COMMAND, conf: JSON.parse(stdin) });
      return env.CNI_COMMAND === 'ADD' ? JSON.stringify({ ips: [] }) : '';
    } });
    await rt.add(list, { ...attachment, containerID: 'keep' });
    await rt.add(list, { ...attachment, containerID: 'stale' });
    calls.length = 0;
    assert.deepEqual(await rt.gc(list, [{ containerID: 'keep', ifname: 'eth0' }]), []);
    assert.deepEqual(calls.map((c) => `${c.cmd} ${c.type}`), ['DEL portmap', 'DEL bridge', 'GC bridge', 'GC portmap']);
    assert.deepEqual(calls[2].conf['cni.dev/valid-attachments'], [{ containerID: 'keep', ifname: 'eth0' }]);
    assert.deepEqual(listCachedResults(dir, 'podnet').map((c) => c.containerID), ['keep']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a failing plugin stops ADD; its error keeps the code and names the plugin; CHECK runs in order with the cached result', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pna-cni-'));
  try {
    const calls: string[] = [];
    let fail = true;
    const invoke: PluginInvoker = async (type, env, stdin) => {
      calls.push(`${env.CNI_COMMAND} ${type}`);
      if (env.CNI_COMMAND === 'ADD' && type === 'bridge' && fail) throw new CniError(11, 'try again', 'busy');
      if (env.CNI_COMMAND === 'CHECK') assert.equal((JSON.parse(stdin).prevResult as { via: string }).via, 'portmap');
      return env.CNI_COMMAND === 'ADD' ? JSON.stringify({ cniVersion: '1.1.0', ips: [], via: type }) : '';
    };
    const rt = new CniRuntime({ cacheDir: dir, invoke });
    await assert.rejects(rt.add(list, attachment), (e: CniError) => e.code === 11 && /^plugin type="bridge" name="podnet" failed \(add\): try again$/.test(e.msg) && e.details === 'busy');
    assert.deepEqual(calls, ['ADD bridge']);
    // The attachment is cached without a result, so that GC still DELs it.
    assert.deepEqual(listCachedResults(dir, 'podnet').map((c) => [c.containerID, c.result]), [['abc', undefined]]);
    await assert.rejects(rt.check(list, attachment), (e: CniError) => e.code === 3);
    fail = false;
    calls.length = 0;
    await rt.add(list, attachment);
    await rt.check(list, { ...attachment, args: [] });
    assert.deepEqual(calls, ['ADD bridge', 'ADD portmap', 'CHECK bridge', 'CHECK portmap']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('versions gate the commands: no prevResult on DEL before 0.4.0, no CHECK with disableCheck, no GC before 1.1.0', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pna-cni-'));
  try {
    const seen: Array<{ cmd: string; prev: boolean }> = [];
    const invoke: PluginInvoker = async (_type, env, stdin) => {
      seen.push({ cmd: env.CNI_COMMAND, prev: 'prevResult' in JSON.parse(stdin) });
      return env.CNI_COMMAND === 'ADD' ? JSON.stringify({ cniVersion: '0.3.1', ips: [] }) : '';
    };
    const rt = new CniRuntime({ cacheDir: dir, invoke });
    const old = parseConfList(JSON.stringify({ cniVersion: '0.3.1', name: 'old', disableCheck: 'true', plugins: [{ type: 'x' }] }));
    await rt.add(old, attachment);
    await rt.check(old, attachment);
    await rt.del(old, attachment);
    assert.deepEqual(await rt.gc(old, []), []);
    await rt.status(old);
    assert.deepEqual(seen, [{ cmd: 'ADD', prev: false }, { cmd: 'DEL', prev: false }]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
