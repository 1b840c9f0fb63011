// The Node object an agent registers and keeps up to date, as the kubelet does: labels, addresses,
// capacity, nodeInfo and conditions. Host facts are read from /proc, /etc/os-release and statfs (all
// nodes of a podnet cluster share the host's CPU, memory and disk); the pressure conditions are computed
// with the kubelet's default eviction thresholds, not assumed.
import { readFileSync, statfsSync } from 'node:fs';
import { cpus, release } from 'node:os';
import type { V1Node, V1NodeCondition } from '@kubernetes/client-node';

export const KUBELET_VERSION = 'v1.32.0';
export const CONTAINER_RUNTIME_VERSION = 'podnet://0.1.0';
/** The kubelet's default --max-pods. */
export const MAX_PODS = 110;
/** Kubelet default hard eviction thresholds: memory.available<100Mi, nodefs.available<10%. */
const MEMORY_AVAILABLE_MIN_KI = 100 * 1024;
const NODEFS_AVAILABLE_MIN_FRACTION = 0.1;
/** No PID threshold is set by default; we call it pressure when 90% of pid_max is in use. */
const PID_USED_MAX_FRACTION = 0.9;

export interface HostFacts {
  cpus: number;
  memoryKi: number;
  memoryAvailableKi: number;
  ephemeralStorageKi: number;
  ephemeralStorageAvailableKi: number;
  threads: number;
  pidMax: number;
  osImage: string;
  kernelVersion: string;
  architecture: string;
  machineID: string;
  bootID: string;
  systemUUID: string;
}

/** A field of /proc/meminfo in KiB ("MemTotal:  16303540 kB"), 0 when absent. */
export function meminfoKi(text: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

/** PRETTY_NAME of /etc/os-release, as the kubelet reports osImage. */
export function osImageOf(osRelease: string): string {
  const m = /^PRETTY_NAME=(.*)$/m.exec(osRelease);
  if (!m) return 'Linux';
  return m[1].trim().replace(/^(["'])(.*)\1$/, '$2');
}

/** Node's process.arch in Go's GOARCH spelling, which the kubernetes.io/arch label uses. */
export function goArch(arch: string = process.arch): string {
  const map: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64' };
  return map[arch] ?? arch;
}

function readOr(path: string, fallback: string): string {
  try { return readFileSync(path, 'utf8').trim(); } catch { return fallback; }
}

/** Reads the host facts a Node reports. */
export function readHostFacts(): HostFacts {
  const meminfo = readOr('/proc/meminfo', '');
  const fs = statfsSync('/');
  const loadavg = readOr('/proc/loadavg', '0 0 0 0/0 0'); // 4th field: runnable/total scheduling entities
  return {
    cpus: cpus().length,
    memoryKi: meminfoKi(meminfo, 'MemTotal'),
    memoryAvailableKi: meminfoKi(meminfo, 'MemAvailable'),
    ephemeralStorageKi: Math.floor((fs.blocks * fs.bsize) / 1024),
    ephemeralStorageAvailableKi: Math.floor((fs.bavail * fs.bsize) / 1024),
    threads: Number(loadavg.split(' ')[3]?.split('/')[1] ?? 0),
    pidMax: Number(readOr('/proc/sys/kernel/pid_max', '32768')),
    osImage: osImageOf(readOr('/etc/os-release', '')),
    kernelVersion: release(),
    architecture: goArch(),
    machineID: readOr('/etc/machine-id', ''),
    bootID: readOr('/proc/sys/kernel/random/boot_id', ''),
    systemUUID: readOr('/sys/class/dmi/id/product_uuid', ''),
  };
}

/** Labels the kubelet sets on its Node, including the beta ones older tools still select on. */
export function nodeLabels(nodeName: string, facts: Pick<HostFacts, 'architecture'>): Record<string, string> {
  return {
    'kubernetes.io/hostname': nodeName,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': facts.architecture,
    'beta.kubernetes.io/os': 'linux',
    'beta.kubernetes.io/arch': facts.architecture,
  };
}

type Status = 'True' | 'False';

/**
 * The four conditions, evaluated from the facts. lastTransitionTime is kept from `previous` when the
 * status did not change, as the kubelet does; lastHeartbeatTime is always `now`.
 */
export function nodeConditions(facts: HostFacts, now: Date, previous: V1NodeCondition[] = []): V1NodeCondition[] {
  const memory = facts.memoryAvailableKi > 0 && facts.memoryAvailableKi < MEMORY_AVAILABLE_MIN_KI;
  const disk = facts.ephemeralStorageKi > 0 && facts.ephemeralStorageAvailableKi < facts.ephemeralStorageKi * NODEFS_AVAILABLE_MIN_FRACTION;
  const pids = facts.pidMax > 0 && facts.threads > facts.pidMax * PID_USED_MAX_FRACTION;
  const make = (type: string, status: Status, reason: string, message: string): V1NodeCondition => {
    const before = previous.find((c) => c.type === type);
    const lastTransitionTime = before && before.status === status && before.lastTransitionTime ? new Date(before.lastTransitionTime) : now;
    return { type, status, reason, message, lastHeartbeatTime: now, lastTransitionTime };
  };
  return [
    memory
      ? make('MemoryPressure', 'True', 'KubeletHasInsufficientMemory', 'kubelet has insufficient memory available')
      : make('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    disk
      ? make('DiskPressure', 'True', 'KubeletHasDiskPressure', 'kubelet has disk pressure')
      : make('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    pids
      ? make('PIDPressure', 'True', 'KubeletHasInsufficientPID', 'kubelet has insufficient PID available')
      : make('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    make('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
  ];
}

/** The Node's status: addresses, capacity = allocatable (no reservations are configured), nodeInfo, conditions. */
export function nodeStatus(nodeName: string, nodeIP: string, facts: HostFacts, now: Date, previous: V1NodeCondition[] = []): NonNullable<V1Node['status']> {
  const capacity = {
    cpu: String(facts.cpus),
    memory: `${facts.memoryKi}Ki`,
    pods: String(MAX_PODS),
    'ephemeral-storage': `${facts.ephemeralStorageKi}Ki`,
  };
  return {
    addresses: [{ type: 'InternalIP', address: nodeIP }, { type: 'Hostname', address: nodeName }],
    capacity,
    allocatable: { ...capacity },
    conditions: nodeConditions(facts, now, previous),
    nodeInfo: {
      machineID: facts.machineID,
      systemUUID: facts.systemUUID,
      bootID: facts.bootID,
      kernelVersion: facts.kernelVersion,
      osImage: facts.osImage,
      containerRuntimeVersion: CONTAINER_RUNTIME_VERSION,
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: facts.architecture,
    },
  };
}

/** The Node to create on first registration. */
export function newNode(nodeName: string, nodeIP: string, facts: HostFacts, now: Date): V1Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: nodeName, labels: nodeLabels(nodeName, facts) },
    spec: {},
    status: nodeStatus(nodeName, nodeIP, facts, now),
  };
}
