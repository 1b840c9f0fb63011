// The runtime side (CniRuntime): a bridge + portmap .conflist, executed in-process as the agent does,
// with capability arguments, the cached result for CHECK and DEL, and GC.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfList } from '../../src/core/cni/conflist.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CniRuntime } from '../../src/components/cni/runtime.js';
import { readCachedResult } from '../../src/components/cni/result-cache.js';
import { closeExecutor } from '../../src/linux/exec.js';
import { requireRoot, run } from '../../src/linux/exec.js';
import { Scratch, requireTools, reservations } from './harness.js';

const scratch = new Scratch();

describe('network configuration lists, in-process', () => {
  before(() => { requireRoot('the CNI runtime tests'); requireTools(); scratch.links.add('pnc-brr0'); scratch.nftTables.add('pnc_rthp'); });
  after(async () => { closeExecutor(); await scratch.cleanup(); });

  test('ADD, CHECK, DEL and GC of bridge + portmap', async () => {
    const dataDir = scratch.tempDir('rt');
    const list = parseConfList(JSON.stringify({
      cniVersion: '1.1.0', name: 'pnc-rt',
      plugins: [
        { type: 'podnet-bridge', bridge: 'pnc-brr0', isGateway: true, isDefaultGateway: true, hairpinMode: true, ipam: { type: 'host-local', ranges: [[{ subnet: '10.99.44.0/24' }]], dataDir } },
        { type: 'podnet-portmap', nftTable: 'pnc_rthp', capabilities: { portMappings: true } },
      ],
    }));
    const netns = await scratch.addNetns('pnc-rt-pod');
    const capabilityArgs = { portMappings: [{ hostPort: 18081, containerPort: 80, protocol: 'tcp' }] };
    const call = { containerID: 'pnc-r1', netns, ifname: 'eth0', args: [['IgnoreUnknown', '1'], ['K8S_POD_NAMESPACE', 'default'], ['K8S_POD_NAME', 'web']] as Array<[string, string]>, capabilityArgs };
    const cacheDir = scratch.tempDir('cache');
    const rt = new CniRuntime({ cacheDir, cniPath: ['/usr/lib/cni'] });
    const result = await rt.add(list, call);
    // libcni's cache layout: the runtime's DEL and CHECK (and cnitool) find the attachment there.
    const entry = JSON.parse(readFileSync(join(cacheDir, 'results', 'pnc-rt-pnc-r1-eth0'), 'utf8'));
    assert.equal(entry.kind, 'cniCacheV1');
    assert.deepEqual([entry.containerId, entry.ifName, entry.networkName, entry.netns], ['pnc-r1', 'eth0', 'pnc-rt', netns]);
    assert.equal(JSON.parse(Buffer.from(entry.config, 'base64').toString()).name, 'pnc-rt');
    assert.deepEqual(entry.cniArgs[0], ['IgnoreUnknown', '1']);
    assert.deepEqual(entry.result, result);
    assert.deepEqual(readCachedResult(cacheDir, 'pnc-rt', 'pnc-r1', 'eth0')?.capabilityArgs, capabilityArgs);
    assert.equal(result.cniVersion, '1.1.0');
    assert.equal((result.ips as { address: string }[])[0].address, '10.99.44.2/24');
    assert.match((await run(['nft', 'list', 'table', 'ip', 'pnc_rthp'])).stdout, /tcp dport 18081 dnat to 10\.99\.44\.2:80/);
    await rt.check(list, call);

    // GC with no valid attachment DELs the cached attachment and removes what is left of it.
    assert.deepEqual(await rt.gc(list, []), []);
    assert.deepEqual(Object.keys(reservations(dataDir, 'pnc-rt')).filter((f) => /^\d/.test(f)), []);
    assert.doesNotMatch((await run(['nft', 'list', 'table', 'ip', 'pnc_rthp'])).stdout, /18081/);

    assert.equal(existsSync(join(cacheDir, 'results', 'pnc-rt-pnc-r1-eth0')), false);
    await rt.del(list, call);
    assert.equal((await run(['ip', '-n', 'pnc-rt-pod', '-o', 'link', 'show'])).stdout.trim().split('\n').length, 1);
  });
});
