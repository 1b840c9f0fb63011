// Pod network namespaces must be visible on the host (`ip netns exec <pod>`, `podnet down`), but the
// agent runs under `ip netns exec <node>`, which gives it a mount namespace of its own whose mounts are
// slaves of the host's: a netns bind mount made there (ip netns add) never reaches the host, and a
// later agent cannot see it either. So the agent creates and deletes pod netns in the host's mount
// namespace, entered with nsenter through a process that lives there; from the host the mount
// propagates back into the agent's namespace. The host's namespace is found as the one whose
// /run/netns mount is the master of ours (mountinfo: our `master:N` is its `shared:N`).
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { sameProcess, startTicks } from './proc.js';

interface Tags { shared?: string; master?: string }

/** The propagation tags of the mount at `point` in a mountinfo text (the last mount there wins). */
export function propagationOf(mountinfo: string, point: string): Tags | undefined {
  let found: Tags | undefined;
  for (const line of mountinfo.split('\n')) {
    const fields = line.split(' ');
    if (fields[4] !== point) continue;
    const tags: Tags = {};
    for (let i = 6; i < fields.length && fields[i] !== '-'; i++) {
      const [k, v] = fields[i].split(':');
      if (k === 'shared') tags.shared = v;
      if (k === 'master') tags.master = v;
    }
    found = tags;
  }
  return found;
}

const read = (path: string) => { try { return readFileSync(path, 'utf8'); } catch { return undefined; } };

let cached: { pid: number; ticks: number } | undefined | null;
let lastMiss = 0;

/**
 * A pid in the host's mount namespace to nsenter through, or undefined when we are in it already (or
 * it cannot be found, in which case our own namespace is used).
 */
export function hostMountNamespacePid(point = '/run/netns'): number | undefined {
  if (cached === null) return undefined;
  if (cached && sameProcess(cached.pid, cached.ticks)) return cached.pid;
  if (!cached && Date.now() - lastMiss < 10_000) return undefined;
  const ours = propagationOf(read('/proc/self/mountinfo') ?? '', point);
  if (!ours?.master) { cached = null; return undefined; }
  let self = '';
  try { self = readlinkSync('/proc/self/ns/mnt'); } catch { /* unknown */ }
  const pids = readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number).sort((a, b) => a - b);
  for (const pid of pids) {
    if (pid === process.pid) continue;
    try { if (readlinkSync(`/proc/${pid}/ns/mnt`) === self) continue; } catch { continue; }
    const theirs = propagationOf(read(`/proc/${pid}/mountinfo`) ?? '', point);
    if (theirs?.shared === ours.master && !theirs.master) {
      const ticks = startTicks(pid);
      if (ticks === undefined) continue;
      cached = { pid, ticks };
      return pid;
    }
  }
  cached = undefined;
  lastMiss = Date.now();
  return undefined;
}

/** Options for linux/netns.ts that make a namespace's bind mount in the host's mount namespace. */
export function inHostMounts(): { mountNamespaceOf?: number } {
  const pid = hostMountNamespacePid();
  return pid === undefined ? {} : { mountNamespaceOf: pid };
}
