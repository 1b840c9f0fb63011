// CNI_NETNS checks, with the reference plugins' messages: the path must be a network namespace
// (an nsfs bind mount such as /run/netns/<name>, or /proc/<pid>/ns/net), and an ADD must not
// target the plugin's own namespace (that would put "eth0" on the node itself).
import { statSync, statfsSync } from 'node:fs';

const NSFS_MAGIC = 0x6e736673;
const PROCFS_MAGIC = 0x9fa0;

export type NetnsProblem = { missing: true; message: string } | { missing: false; message: string };

/** null when `path` is a usable network namespace; otherwise what is wrong with it. */
export function netnsProblem(path: string): NetnsProblem | null {
  let type: number;
  try {
    type = Number(statfsSync(path).type);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file or directory' : (e as Error).message;
    return { missing: code === 'ENOENT', message: `failed to open netns ${JSON.stringify(path)}: failed to Statfs ${JSON.stringify(path)}: ${why}` };
  }
  if (type !== NSFS_MAGIC && type !== PROCFS_MAGIC) {
    return { missing: false, message: `failed to open netns ${JSON.stringify(path)}: unknown FS magic on ${JSON.stringify(path)}: ${type.toString(16)}` };
  }
  return null;
}

/** True when `path` is the namespace this process runs in. */
export function isOwnNetns(path: string): boolean {
  try {
    const a = statSync(path);
    const b = statSync('/proc/self/ns/net');
    return a.ino === b.ino && a.dev === b.dev;
  } catch {
    return false;
  }
}

/** Inode of this process's network namespace (the socket server compares it with its clients'). */
export function ownNetnsInode(): number {
  return statSync('/proc/self/ns/net').ino;
}
