// `podnet down`: removes everything a cluster's inventory lists: agents and the server (each checked to
// be ours before it is signalled), any process still inside a recorded namespace, the namespaces (nodes,
// and pods that agents recorded), the root-namespace links, the kubeconfig entries, and the state
// directory. Idempotent: what is already gone is skipped. The state directory is kept when something
// could not be removed, so that the next `podnet down` can try again.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { deleteNetns } from '../../linux/netns.js';
import { deleteLink } from '../../linux/link.js';
import { pidsInNetns, isAlive } from '../../linux/process.js';
import { isEtcdProcess } from './etcd.js';
import { mountsUnder, unmountLazy } from '../../linux/mounts.js';
import { nftDeleteTable } from '../../linux/nft.js';
import { apiServerVipTable } from '../../core/cluster/apiserver-vip.js';
import { stateDirOf, stateRoot as defaultStateRoot } from './state.js';
import { Inventory } from './inventory.js';
import { unmergeKubeconfig } from './kubeconfig.js';
import { stopSupervised } from './supervisor.js';
import { silentProgress, type Progress } from './progress.js';
import { deleteAgentTables, deleteJoinedNode, readJoinRecord } from './join-record.js';
import { clusterPaths } from '../../core/topology/plan.js';

export interface DownResult {
  existed: boolean;
  /** One line per thing removed, e.g. "stopped server (pid 123)", "deleted netns podnet-node-1". */
  removed: string[];
  /** What could not be removed, with the reason; empty when the teardown is complete. */
  failed: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Kills every process inside the namespace: it would keep the namespace alive after its deletion. */
async function killProcessesIn(netns: string): Promise<number[]> {
  const pids = pidsInNetns(netns);
  for (const pid of pids) { try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ } }
  for (let i = 0; i < 100 && pids.some(isAlive); i++) await sleep(20);
  for (const pid of pids.filter(isAlive)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  return pids;
}

/** Tears a cluster down. Never throws for a missing object; returns what it removed and what failed. */
export async function tearDown(name: string, opts: { stateRoot?: string } = {}, progress: Progress = silentProgress): Promise<DownResult> {
  const stateDir = stateDirOf(name, opts.stateRoot ?? defaultStateRoot());
  const result: DownResult = { existed: existsSync(stateDir), removed: [], failed: [] };
  if (!result.existed) return result;
  const inventory = new Inventory(stateDir);
  const attempt = async (what: string, fn: () => Promise<string | undefined>) => {
    try {
      const done = await fn();
      if (done) result.removed.push(done);
    } catch (e) {
      result.failed.push(`${what}: ${(e as Error).message}`);
    }
  };

  await progress.step('Stopping the agents and the API server', async () => {
    // Agents first: they talk to the server while stopping their pods.
    const procs = inventory.processes();
    const isServer = (n: string) => n === 'server' || /^server-\d+$/.test(n);
    await Promise.all(procs.filter((p) => !isServer(p.name) && !isEtcdProcess(p.name)).map((p) => attempt(`stop ${p.name}`, async () => describeStop(p.name, p.id.pid, await stopSupervised(inventory, p.name, p.id)))));
    for (const p of procs.filter((x) => isServer(x.name))) {
      await attempt(`stop ${p.name}`, async () => describeStop(p.name, p.id.pid, await stopSupervised(inventory, p.name, p.id)));
    }
    // Several servers kept one address in the host's nftables (podnet up --servers): the last one
    // stopping leaves the table behind. Its name is the cluster's, so only this cluster's goes.
    await attempt('nft table', async () => (await nftDeleteTable('ip', apiServerVipTable(name))) ? `deleted nft table ip ${apiServerVipTable(name)}` : undefined);
    // The datastore last: the server writes to it while it stops.
    await Promise.all(procs.filter((p) => isEtcdProcess(p.name)).map((p) =>
      attempt(`stop ${p.name}`, async () => describeStop(p.name, p.id.pid, await stopSupervised(inventory, p.name, p.id)))));
  });

  // A joined host (podnet join): the agent worked in this namespace itself, and the Node is in a cluster
  // that lives on. Its pods' namespaces and cni0/flannel.1 go in the steps below, as for podnet up.
  const joined = readJoinRecord(stateDir);
  if (joined) {
    await progress.step(`Deleting Node ${joined.node} from ${joined.server} and the agent's nft tables`, async () => {
      try {
        const deleted = await deleteJoinedNode(clusterPaths(stateDir).kubeconfig, joined.node);
        if (deleted) result.removed.push(`deleted Node ${joined.node} from ${joined.server}`);
      } catch (e) {
        // The cluster may be gone already: not a reason to keep this host's state.
        result.removed.push(`left Node ${joined.node} in ${joined.server} (${(e as Error).message}); delete it there with kubectl delete node ${joined.node}`);
      }
      await attempt('nft tables', async () => {
        const tables = await deleteAgentTables();
        return tables.length ? `deleted nft tables ${tables.join(', ')}` : undefined;
      });
    });
  }

  await progress.step('Deleting the network namespaces', async () => {
    for (const ns of inventory.list('netns')) {
      await attempt(`netns ${ns}`, async () => {
        const killed = await killProcessesIn(ns);
        const deleted = await deleteNetns(ns);
        inventory.remove('netns', ns);
        const extra = killed.length ? ` (killed ${killed.length} process${killed.length === 1 ? '' : 'es'} left in it: ${killed.join(', ')})` : '';
        return deleted ? `deleted netns ${ns}${extra}` : undefined;
      });
    }
  });

  await progress.step('Deleting the bridge and veths', async () => {
    // Veths went with their node namespaces; the bridge goes last.
    for (const link of inventory.list('links')) {
      await attempt(`link ${link}`, async () => {
        const deleted = await deleteLink(link);
        inventory.remove('links', link);
        return deleted ? `deleted link ${link}` : undefined;
      });
    }
  });

  const merge = inventory.kubeconfigMerge();
  if (merge) {
    await progress.step(`Removing context ${merge.entry} from ${merge.path}`, async () => {
      await attempt('kubeconfig', async () => {
        const removed = unmergeKubeconfig(merge.path, merge.entry, merge);
        inventory.clearKubeconfigMerge();
        return removed ? `removed context ${merge.entry} from ${merge.path}` : undefined;
      });
    });
  }

  await progress.step(`Removing ${stateDir}`, async () => {
    if (result.failed.length > 0) return; // keep the inventory for the next attempt
    await attempt('state directory', async () => {
      for (const m of mountsUnder(stateDir)) {
        await unmountLazy(m);
        result.removed.push(`unmounted ${m}`);
      }
      rmSync(stateDir, { recursive: true, force: true });
      return `removed ${stateDir}`;
    });
  });
  return result;
}

function describeStop(name: string, pid: number, how: string): string | undefined {
  switch (how) {
    case 'terminated': return `stopped ${name} (pid ${pid})`;
    case 'killed': return `killed ${name} (pid ${pid}) after it ignored SIGTERM`;
    case 'not-ours': return `left pid ${pid} alone: it is no longer ${name} (the pid was reused)`;
    default: return undefined;
  }
}
