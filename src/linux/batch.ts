// Many kernel changes in one process: `ip -batch -` and `bridge -batch -` read one command per line
// from stdin. A node with 1,000 peers needs 3,000 neighbour/FDB/route entries; one process per entry
// (~4 ms each) would take seconds, a batch takes milliseconds. Commands are argv arrays as everywhere
// in src/linux; each word is checked so that it cannot split or comment a line.
import { run } from './exec.js';
import { ipIn } from './netns.js';
import type { InNetns } from './link.js';
import { bridgeIn } from './fdb.js';
import { routeArgs, type RouteSpec } from './route.js';

// iproute2's batch reader splits lines on blanks and honours quotes and '#' comments.
const SAFE_WORD = /^[^\s"'#\\]+$/;

function batchText(commands: readonly (readonly string[])[]): string {
  return commands.map((argv) => {
    for (const w of argv) {
      if (!SAFE_WORD.test(w)) throw new Error(`cannot put ${JSON.stringify(w)} in a batch line: words must not contain blanks, quotes, '#' or '\\'`);
    }
    return argv.join(' ');
  }).join('\n') + '\n';
}

export interface BatchOptions extends InNetns {
  /** `-force`: go on after a failing line (the command still fails at the end, naming every failed line). */
  force?: boolean;
}

/**
 * Runs `ip [-n NS] [-force] -batch -` with one command per entry (each without the leading `ip`, e.g.
 * `['route', 'replace', ...]`). Without force iproute2 stops at the first failing line and names it
 * ("Command failed -:N"); the lines before it stay applied, so callers re-read the kernel state after a
 * failure.
 */
export async function runIpBatch(commands: readonly (readonly string[])[], opts: BatchOptions = {}): Promise<void> {
  if (commands.length === 0) return;
  await run([...ipIn(opts.netns), ...(opts.force ? ['-force'] : []), '-batch', '-'], { input: batchText(commands) });
}

/** Runs `bridge [-n NS] [-force] -batch -`, as runIpBatch does for `ip`. */
export async function runBridgeBatch(commands: readonly (readonly string[])[], opts: BatchOptions = {}): Promise<void> {
  if (commands.length === 0) return;
  await run([...bridgeIn(opts.netns), ...(opts.force ? ['-force'] : []), '-batch', '-'], { input: batchText(commands) });
}

/** The words after `ip` for `route replace|del`, for batches: the same checks as the single-route calls. */
export function routeBatchArgs(op: 'replace' | 'del', spec: Pick<RouteSpec, 'dst' | 'via' | 'dev' | 'onlink'>): string[] {
  return ['route', op, ...routeArgs(spec, op === 'replace')];
}
