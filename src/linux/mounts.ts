// Mount points (`/proc/self/mountinfo`) and unmounting (`umount -l`): `podnet down` unmounts what
// podnet bind-mounted under its state directory before deleting it, since rm -r would otherwise walk
// into a bind mount and delete what it shows (e.g. a host directory bind-mounted for a pod).
import { readFileSync } from 'node:fs';
import { run } from './exec.js';

/** The mount points of a mountinfo text (field 5, with octal escapes such as \040 decoded). */
export function mountPoints(mountinfo: string): string[] {
  return mountinfo.split('\n').filter(Boolean)
    .map((l) => l.split(' ')[4].replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
}

/** Mount points at or below `dir` in this process's mount namespace, deepest first. */
export function mountsUnder(dir: string, mountinfo?: string): string[] {
  let text = mountinfo;
  if (text === undefined) {
    try { text = readFileSync('/proc/self/mountinfo', 'utf8'); } catch { return []; }
  }
  return mountPoints(text).filter((p) => p === dir || p.startsWith(dir + '/')).sort((a, b) => b.length - a.length);
}

/** Detaches a mount now and cleans it up once nothing uses it (`umount -l`). */
export async function unmountLazy(point: string): Promise<void> {
  if (!point.startsWith('/')) throw new Error(`cannot unmount ${JSON.stringify(point)}: give an absolute mount point`);
  await run(['umount', '-l', point]);
}
