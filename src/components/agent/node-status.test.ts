import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goArch, meminfoKi, newNode, nodeConditions, osImageOf, readHostFacts, type HostFacts } from './node-status.js';

const facts: HostFacts = {
  cpus: 2, memoryKi: 4_000_000, memoryAvailableKi: 3_000_000, ephemeralStorageKi: 10_000_000, ephemeralStorageAvailableKi: 5_000_000,
  threads: 300, pidMax: 4_194_304, osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0', architecture: 'amd64',
  machineID: 'm', bootID: 'b', systemUUID: '',
};

test('parsers', () => {
  assert.equal(meminfoKi('MemTotal:       16303540 kB\nMemFree:  1 kB\n', 'MemTotal'), 16303540);
  assert.equal(meminfoKi('', 'MemTotal'), 0);
  assert.equal(osImageOf('NAME="Debian"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'), 'Debian GNU/Linux 12 (bookworm)');
  assert.equal(osImageOf(''), 'Linux');
  assert.equal(goArch('x64'), 'amd64');
  assert.equal(goArch('arm64'), 'arm64');
});

test('the host facts are read from this machine', () => {
  const f = readHostFacts();
  assert.ok(f.cpus >= 1);
  assert.ok(f.memoryKi > 0 && f.memoryAvailableKi > 0);
  assert.ok(f.ephemeralStorageKi > 0);
  assert.ok(f.threads > 0 && f.pidMax > 0);
  assert.match(f.kernelVersion, /^\d+\.\d+/);
});

test('a new Node carries the kubelet labels, addresses, capacity and nodeInfo', () => {
  const now = new Date('2025-01-01T00:00:00Z');
  const node = newNode('podnet-node-1', '172.31.250.11', facts, now);
  assert.deepEqual(node.metadata?.labels, {
    'kubernetes.io/hostname': 'podnet-node-1', 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux', 'beta.kubernetes.io/arch': 'amd64',
  });
  assert.deepEqual(node.status?.addresses, [{ type: 'InternalIP', address: '172.31.250.11' }, { type: 'Hostname', address: 'podnet-node-1' }]);
  assert.deepEqual(node.status?.capacity, { cpu: '2', memory: '4000000Ki', pods: '110', 'ephemeral-storage': '10000000Ki' });
  assert.deepEqual(node.status?.allocatable, node.status?.capacity);
  assert.equal(node.status?.nodeInfo?.kubeletVersion, 'v1.32.0');
  assert.equal(node.status?.nodeInfo?.containerRuntimeVersion, 'podnet://0.1.0');
  assert.equal(node.status?.nodeInfo?.osImage, 'Debian GNU/Linux 12 (bookworm)');
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  assert.deepEqual(ready, { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now });
  assert.deepEqual(node.status?.conditions?.map((c) => `${c.type}=${c.status}`), ['MemoryPressure=False', 'DiskPressure=False', 'PIDPressure=False', 'Ready=True']);
});

test('heartbeats move lastHeartbeatTime; lastTransitionTime moves only when a status changes', () => {
  const t0 = new Date('2025-01-01T00:00:00Z');
  const t1 = new Date('2025-01-01T00:00:10Z');
  const first = nodeConditions(facts, t0);
  const second = nodeConditions(facts, t1, first);
  for (const c of second) {
    assert.deepEqual(c.lastHeartbeatTime, t1);
    assert.deepEqual(c.lastTransitionTime, t0);
  }
  const low = nodeConditions({ ...facts, memoryAvailableKi: 50 * 1024, ephemeralStorageAvailableKi: 10 }, t1, first);
  const mem = low.find((c) => c.type === 'MemoryPressure')!;
  assert.equal(mem.status, 'True');
  assert.equal(mem.reason, 'KubeletHasInsufficientMemory');
  assert.deepEqual(mem.lastTransitionTime, t1);
  assert.equal(low.find((c) => c.type === 'DiskPressure')?.status, 'True');
});
