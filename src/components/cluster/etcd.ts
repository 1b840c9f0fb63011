// `podnet up --datastore etcd`: runs the members of a new etcd cluster (Debian's etcd) as supervised
// processes of the cluster, waits until they have elected a leader and answer, and finds them again for
// `podnet down` (supervised names `etcd-1`, ...). The layout comes from core/cluster/etcd-plan.ts.
import { createServer } from 'node:net';
import { etcdArgv, planEtcdMembers, type EtcdMember } from '../../core/cluster/etcd-plan.js';
import type { ClusterConfig } from '../../core/cluster/config.js';
import { EtcdStore } from '../store/etcd.js';
import type { Inventory } from './inventory.js';
import { startSupervised } from './supervisor.js';
import { spawnDetached, stopProcess, type ProcessIdentity } from '../../linux/process.js';
import { rmSync } from 'node:fs';

/** Whether a supervised process name is an etcd member's (they stop after the API servers). */
export function isEtcdProcess(name: string): boolean {
  return /^etcd-\d+$/.test(name);
}

/** Ports the kernel says are free on 127.0.0.1 now (each bound, all released together). */
export async function freeLoopbackPorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => resolve(s));
  })));
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** Plans the members of a cluster's etcd on free loopback ports. */
export async function planClusterEtcd(stateDir: string, count?: number): Promise<EtcdMember[]> {
  const n = count ?? 3;
  return planEtcdMembers(stateDir, await freeLoopbackPorts(2 * n), n);
}

/** Starts every member of config's etcd (recorded in the inventory first) and returns their identities. */
export async function startEtcdMembers(config: ClusterConfig, inventory: Inventory): Promise<ProcessIdentity[]> {
  const members = config.datastore?.type === 'etcd' ? config.datastore.members ?? [] : [];
  return Promise.all(members.map((m) => startSupervised(config, inventory, m.name, etcdArgv(m, members, `podnet-${config.name}`))));
}

/**
 * Waits until the etcd cluster at endpoints answers a linearizable read (so it has a leader and a
 * majority), checking `check` (are the processes alive?) between tries.
 */
export async function waitForEtcd(endpoints: string[], opts: { timeoutMs: number; check?: () => void }): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let last = '';
  for (;;) {
    opts.check?.();
    const store = new EtcdStore({ endpoints, requestTimeoutMs: 1000 });
    try {
      await store.currentRevision();
      return;
    } catch (e) {
      last = (e as Error).message;
    } finally {
      await store.close();
    }
    if (Date.now() > deadline) throw new Error(`etcd at ${endpoints.join(', ')} did not answer within ${opts.timeoutMs} ms: ${last}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** An etcd cluster run outside any podnet cluster (tests, benchmarks): its members and how to end it. */
export interface LocalEtcd {
  members: EtcdMember[];
  ids: ProcessIdentity[];
  endpoints: string[];
  /** Stops every member still running and removes the data directory. */
  stop(): Promise<void>;
}

/** Starts a new etcd cluster of `count` members on loopback with its data (and logs) under dir. */
export async function startLocalEtcd(dir: string, count = 1, token = `local-${process.pid}`): Promise<LocalEtcd> {
  const members = planEtcdMembers(dir, await freeLoopbackPorts(2 * count), count);
  const ids = await Promise.all(members.map((m) => spawnDetached(etcdArgv(m, members, token), { logFile: `${dir}/${m.name}.log` })));
  const stop = async () => {
    await Promise.all(ids.map((id) => stopProcess(id, { graceMs: 2000 })));
    rmSync(dir, { recursive: true, force: true });
  };
  const endpoints = members.map((m) => m.clientURL);
  try {
    await waitForEtcd(endpoints, { timeoutMs: 20_000 });
  } catch (e) {
    await stop();
    throw e;
  }
  return { members, ids, endpoints, stop };
}
