// The agent's record of each pod sandbox it made, written before each kernel object is made so that an
// agent restarted after `kill -9` can adopt what still runs and clean up what no pod owns:
// <stateDir>/nodes/<node>/pods/<uid>/sandbox.json, replaced atomically (temp file + rename).
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { NodePaths } from './paths.js';

export interface ProcessRef { pid: number; startTicks: number }

export interface SandboxRecord {
  uid: string;
  namespace: string;
  name: string;
  /** 64 hex characters; the CNI container ID of the attachment. */
  sandboxId: string;
  hostNetwork: boolean;
  /** The pod's named network namespace (absent with hostNetwork). */
  netns?: string;
  ifname: string;
  podIPs: string[];
  socket: string;
  /** The shim holding the sandbox's namespaces; absent until it started. */
  shim?: ProcessRef;
  /** Current container instances by name, so that their processes can be found if the shim is gone. */
  containers: Record<string, ProcessRef & { id: string }>;
  /** 'creating' until the sandbox is complete, 'ready', then 'deleting' while it is torn down. */
  state: 'creating' | 'ready' | 'deleting';
  createdAt: string;
}

export function writeRecord(paths: NodePaths, r: SandboxRecord): void {
  const file = paths.record(r.uid);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify(r, null, 1));
  renameSync(`${file}.tmp`, file);
}

export function readRecord(paths: NodePaths, uid: string): SandboxRecord | undefined {
  try { return JSON.parse(readFileSync(paths.record(uid), 'utf8')) as SandboxRecord; } catch { return undefined; }
}

/** Every record on this node (unreadable ones are skipped: written by a crash mid-way, nothing was made yet). */
export function listRecords(paths: NodePaths): SandboxRecord[] {
  let uids: string[];
  try { uids = readdirSync(paths.podsDir); } catch { return []; }
  return uids.map((u) => readRecord(paths, u)).filter((r): r is SandboxRecord => r !== undefined);
}

/** Forgets a pod's sandbox: its record and the pod directory (hosts, resolv.conf, shim config). */
export function removeRecord(paths: NodePaths, uid: string): void {
  rmSync(paths.podDir(uid), { recursive: true, force: true });
}
