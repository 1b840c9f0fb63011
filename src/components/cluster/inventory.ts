// The inventory: everything a cluster made in the kernel and in the user's files, written down *before*
// it is made, so that `podnet down` can remove it even after `podnet up` or an agent crashed halfway.
// Plain files in the state directory, so agents (another process, another language even) can add to it:
//   <stateDir>/netns/<name>     one empty file per network namespace (nodes; pods, added by agents)
//   <stateDir>/links/<name>     one empty file per link in the root namespace (bridge, host-side veths)
//   <stateDir>/pids/<name>.json one ProcessIdentity per supervised process (server, agents)
//   <stateDir>/kubeconfig-merge.json  where the context was merged and what was current before
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessIdentity } from '../../linux/process.js';

export type InventoryKind = 'netns' | 'links';

/** Records of one cluster's objects, in its state directory. */
export class Inventory {
  constructor(readonly stateDir: string) {}

  private dir(kind: InventoryKind | 'pids'): string {
    return join(this.stateDir, kind);
  }

  /** Notes that a network namespace (kind 'netns') or root-namespace link ('links') is about to exist. */
  add(kind: InventoryKind, name: string): void {
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) throw new Error(`cannot record ${kind} ${JSON.stringify(name)}: not a plain name`);
    mkdirSync(this.dir(kind), { recursive: true });
    writeFileSync(join(this.dir(kind), name), '');
  }

  /** Forgets an object after it was removed. */
  remove(kind: InventoryKind, name: string): void {
    rmSync(join(this.dir(kind), name), { force: true });
  }

  list(kind: InventoryKind): string[] {
    try { return readdirSync(this.dir(kind)).sort(); } catch { return []; }
  }

  /** Saves a supervised process's identity as pids/<name>.json. */
  addProcess(name: string, id: ProcessIdentity): void {
    mkdirSync(this.dir('pids'), { recursive: true });
    writeFileSync(join(this.dir('pids'), `${name}.json`), JSON.stringify(id) + '\n');
  }

  removeProcess(name: string): void {
    rmSync(join(this.dir('pids'), `${name}.json`), { force: true });
  }

  /** Supervised processes by name (`server`, `agent-<node>`), unreadable files skipped. */
  processes(): Array<{ name: string; id: ProcessIdentity }> {
    let files: string[];
    try { files = readdirSync(this.dir('pids')).filter((f) => f.endsWith('.json')).sort(); } catch { return []; }
    const out: Array<{ name: string; id: ProcessIdentity }> = [];
    for (const f of files) {
      try { out.push({ name: f.slice(0, -5), id: JSON.parse(readFileSync(join(this.dir('pids'), f), 'utf8')) }); } catch { /* half-written by a crash: nothing to stop */ }
    }
    return out;
  }

  private get mergeFile(): string { return join(this.stateDir, 'kubeconfig-merge.json'); }

  /** Records that the cluster's context was merged into `path`, and the context that was current before. */
  setKubeconfigMerge(record: KubeconfigMergeRecord): void {
    mkdirSync(this.stateDir, { recursive: true });
    writeFileSync(this.mergeFile, JSON.stringify(record) + '\n');
  }

  kubeconfigMerge(): KubeconfigMergeRecord | undefined {
    if (!existsSync(this.mergeFile)) return undefined;
    try { return JSON.parse(readFileSync(this.mergeFile, 'utf8')); } catch { return undefined; }
  }

  clearKubeconfigMerge(): void {
    rmSync(this.mergeFile, { force: true });
  }
}

export interface KubeconfigMergeRecord {
  /** The kubeconfig file the entries were merged into. */
  path: string;
  /** The cluster, user and context name written there (`podnet-<name>`). */
  entry: string;
  /** current-context before the merge, restored on down when ours is still current. */
  previousContext?: string;
}
