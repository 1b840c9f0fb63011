// Small /proc readers the pod runtime needs beyond src/linux/process.ts: a process's start time (to tell
// a reused pid from ours), its children, and the terminal on its stdin (for resizing a tty container).
import { readFileSync, readlinkSync } from 'node:fs';

/** Start time in clock ticks after boot (field 22 of /proc/<pid>/stat), or undefined when gone or a zombie. */
export function startTicks(pid: number): number | undefined {
  let text: string;
  try { text = readFileSync(`/proc/${pid}/stat`, 'utf8'); } catch { return undefined; }
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  if (rest[0] === 'Z' || rest[0] === 'X') return undefined;
  return Number(rest[19]);
}

/** Whether `pid` is still the process that started at `ticks`. */
export function sameProcess(pid: number, ticks: number): boolean {
  return pid > 0 && startTicks(pid) === ticks;
}

/** Direct children of a process (from its main thread's children list). */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** The terminal device on a process's stdin, e.g. /dev/pts/3, or undefined. */
export function ttyOf(pid: number): string | undefined {
  try {
    const link = readlinkSync(`/proc/${pid}/fd/0`);
    return link.startsWith('/dev/pts/') ? link : undefined;
  } catch {
    return undefined;
  }
}

/** Sends a signal to a process group (a container and what it started), ignoring one that is gone. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try { process.kill(-pid, signal); } catch {
    try { process.kill(pid, signal); } catch { /* already gone */ }
  }
}
