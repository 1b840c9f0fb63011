// Pod sandboxes: what containerd's RunPodSandbox / StopPodSandbox do for a pod, with processes and
// namespaces. A sandbox is a network namespace named `<cluster>-pod-<id>` (recorded in the cluster's
// netns inventory so `podnet down` finds it), wired by CNI ADD (eth0 into cni0, an IP from the
// podCIDR, hostPorts), and a shim process in it with its own UTS and mount namespaces where the pod's
// /etc/hosts, /etc/resolv.conf and /etc/hostname are bind-mounted. hostNetwork pods keep the node's
// network namespace (no CNI) but still get their own mount and UTS namespaces.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { addNetns, deleteNetns, netnsExists, NETNS_RUN_DIR } from '../../../linux/netns.js';
import { setLinkUp } from '../../../linux/link.js';
import { pidsInNetns, isAlive } from '../../../linux/process.js';
import { spawnDetached } from '../../../linux/process.js';
import type { CniRuntime, NetworkFile } from '../../cni/index.js';
import { portMappings } from '../../../core/net/index.js';
import { shimArgv } from './node-command.js';
import type { NodePaths } from './paths.js';
import { readRecord, removeRecord, writeRecord, type SandboxRecord } from './pod-record.js';
import { sameProcess, signalGroup, startTicks } from './proc.js';
import { ShimClient } from './shim-client.js';
import { inHostMounts } from './host-mounts.js';
import type { ShimConfig } from './shim-main.js';

export const POD_IFNAME = 'eth0';

export interface SandboxEnv {
  clusterName: string;
  nodeName: string;
  paths: NodePaths;
  cni: CniRuntime;
  /** The node's network list (read when a sandbox is made or torn down). */
  network(): NetworkFile;
  log(line: string): void;
}

/** The files the sandbox bind-mounts, rendered by the caller once the pod's IPs are known. */
export interface SandboxFiles {
  hostname: string;
  hosts(podIPs: string[]): string;
  resolvConf: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `ip netns add`, made in the host's mount namespace so that the host sees the pod netns. */
async function addPodNetns(name: string): Promise<void> {
  await addNetns(name, inHostMounts());
}

/** `ip netns delete` in the host's mount namespace; false when it did not exist. */
async function deletePodNetns(name: string): Promise<boolean> {
  return deleteNetns(name, inHostMounts());
}

/** The netns name of a sandbox: prefixed with the cluster name so that `podnet down` can find it. */
export function sandboxNetnsName(clusterName: string, sandboxId: string): string {
  return `${clusterName}-pod-${sandboxId.slice(0, 12)}`;
}

function cniArgs(pod: V1Pod, sandboxId: string): Array<[string, string]> {
  return [
    ['IgnoreUnknown', '1'],
    ['K8S_POD_NAMESPACE', pod.metadata?.namespace ?? 'default'],
    ['K8S_POD_NAME', pod.metadata?.name ?? ''],
    ['K8S_POD_INFRA_CONTAINER_ID', sandboxId],
    ['K8S_POD_UID', pod.metadata?.uid ?? ''],
  ];
}

function ipsOf(result: Record<string, unknown>): string[] {
  const ips = (result.ips as Array<{ address: string }> | undefined) ?? [];
  return ips.map((i) => i.address.split('/')[0]);
}

function recordNetnsInventory(env: SandboxEnv, netns: string): void {
  mkdirSync(env.paths.netnsInventory, { recursive: true });
  writeFileSync(join(env.paths.netnsInventory, netns), '');
}

export class SandboxError extends Error {
  /** Set when tearing the half-made sandbox down failed too: it must be torn down before another is made. */
  leftover?: SandboxRecord;
  constructor(message: string) { super(message); this.name = 'SandboxError'; }
}

/**
 * Creates the pod's sandbox and returns its record and a connected shim client. On failure everything
 * made so far is torn down (CNI DEL included, as the spec requires after a failed ADD) and a
 * SandboxError says why.
 */
export async function createSandbox(env: SandboxEnv, pod: V1Pod, files: SandboxFiles): Promise<{ record: SandboxRecord; shim: ShimClient }> {
  const uid = pod.metadata!.uid!;
  const sandboxId = randomBytes(32).toString('hex');
  const hostNetwork = pod.spec?.hostNetwork === true;
  const record: SandboxRecord = {
    uid, namespace: pod.metadata?.namespace ?? 'default', name: pod.metadata?.name ?? '',
    sandboxId, hostNetwork, ifname: POD_IFNAME, podIPs: [], socket: env.paths.socket(sandboxId),
    containers: {}, state: 'creating', createdAt: new Date().toISOString(),
  };
  if (!hostNetwork) record.netns = sandboxNetnsName(env.clusterName, sandboxId);
  writeRecord(env.paths, record);
  try {
    if (record.netns) {
      recordNetnsInventory(env, record.netns);
      await addPodNetns(record.netns);
      await setLinkUp('lo', { netns: record.netns });
      const network = env.network();
      const result = await env.cni.add(network, {
        containerID: sandboxId, ifname: POD_IFNAME, netns: `${NETNS_RUN_DIR}/${record.netns}`,
        args: cniArgs(pod, sandboxId), capabilityArgs: { portMappings: portMappings(pod) },
      });
      record.podIPs = ipsOf(result);
      if (record.podIPs.length === 0) throw new Error(`the network ${network.name} gave no IP address`);
      writeRecord(env.paths, record);
    }
    const shim = await startShim(env, record, files);
    record.state = 'ready';
    writeRecord(env.paths, record);
    return { record, shim };
  } catch (e) {
    const error = new SandboxError((e as Error).message);
    await destroySandbox(env, record).catch((err) => {
      env.log(`cleanup of failed sandbox ${sandboxId.slice(0, 12)}: ${(err as Error).message}`);
      error.leftover = record;
    });
    throw error;
  }
}

async function startShim(env: SandboxEnv, record: SandboxRecord, files: SandboxFiles): Promise<ShimClient> {
  const etc = env.paths.etcDir(record.uid);
  mkdirSync(etc, { recursive: true });
  const hostsFile = join(etc, 'hosts'), resolvFile = join(etc, 'resolv.conf'), hostnameFile = join(etc, 'hostname');
  writeFileSync(hostsFile, files.hosts(record.podIPs), { mode: 0o644 });
  writeFileSync(resolvFile, files.resolvConf, { mode: 0o644 });
  writeFileSync(hostnameFile, files.hostname + '\n', { mode: 0o644 });
  const binds = [{ source: hostsFile, target: '/etc/hosts' }, { source: resolvFile, target: '/etc/resolv.conf' }];
  if (existsSync('/etc/hostname')) binds.push({ source: hostnameFile, target: '/etc/hostname' });
  const config: ShimConfig = { socket: record.socket, hostname: files.hostname, binds };
  const configFile = env.paths.shimConfig(record.uid);
  writeFileSync(configFile, JSON.stringify(config));
  const argv = ['unshare', '--uts', '--mount', '--propagation', 'private', ...shimArgv(), configFile];
  const id = await spawnDetached(argv, { netns: record.netns, logFile: env.paths.shimLog(record.uid), cwd: env.paths.podDir(record.uid) });
  record.shim = { pid: id.pid, startTicks: id.startTime };
  writeRecord(env.paths, record);
  const shim = await ShimClient.connect(record.socket, 20_000, () => isAlive(id.pid));
  // After ip netns exec and unshare exec'd the shim, the pid is the same; its start time is too.
  record.shim = { pid: id.pid, startTicks: startTicks(id.pid) ?? id.startTime };
  return shim;
}

/** Whether the sandbox's shim is still the process that was recorded. */
export function shimAlive(record: SandboxRecord): boolean {
  return record.shim !== undefined && sameProcess(record.shim.pid, record.shim.startTicks);
}

/**
 * Tears a sandbox down, idempotently: the shim and every process left in the sandbox, CNI DEL with the
 * cached result, the network namespace and its inventory record, the socket, then the pod's record.
 * Throws (keeping the record, so that it is tried again) when CNI DEL fails.
 */
export async function destroySandbox(env: SandboxEnv, record: SandboxRecord, shim?: ShimClient): Promise<void> {
  if (record.state !== 'deleting') {
    record.state = 'deleting';
    if (readRecord(env.paths, record.uid)?.sandboxId === record.sandboxId) writeRecord(env.paths, record);
  }
  if (shimAlive(record)) {
    if (shim && !shim.isClosed) await shim.shutdown().catch(() => undefined);
    else signalGroup(record.shim!.pid, 'SIGTERM');
    for (let i = 0; i < 100 && shimAlive(record); i++) await sleep(20);
    if (shimAlive(record)) process.kill(record.shim!.pid, 'SIGKILL');
  }
  shim?.close();
  for (const c of Object.values(record.containers)) if (sameProcess(c.pid, c.startTicks)) signalGroup(c.pid, 'SIGKILL');
  if (record.netns && netnsExists(record.netns)) {
    for (const pid of pidsInNetns(record.netns)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  }
  if (record.netns) {
    await env.cni.del(env.network(), {
      containerID: record.sandboxId, ifname: record.ifname, netns: `${NETNS_RUN_DIR}/${record.netns}`, args: [],
    });
    await deletePodNetns(record.netns);
    rmSync(join(env.paths.netnsInventory, record.netns), { force: true });
  }
  rmSync(record.socket, { force: true });
  if (readRecord(env.paths, record.uid)?.sandboxId === record.sandboxId) removeRecord(env.paths, record.uid);
}

/** Reconnects to a running sandbox's shim (agent restart). */
export async function reconnectSandbox(record: SandboxRecord): Promise<ShimClient> {
  return ShimClient.connect(record.socket, 5_000, () => shimAlive(record));
}
