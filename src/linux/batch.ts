// Many kernel changes in one process: `ip -batch -` and `bridge -batch -` read one command per line
// from stdin. A node with 1,000 peers needs 3,000 neighbour/FDB/route entries; one process per entry
// (~4 ms each) would take seconds, a batch takes milliseconds. Commands are argv arrays as everywhere
// in src/linux; each word is checked so that it cannot split or comment a line.
import { run } from './exec.js';
import { ipIn } from './netns.js';
import { validateIfName, type InNetns } from './link.js';
import { bridgeIn } from './fdb.js';
import type { RouteSpec } from './route.js';
import { validateIPv4 } from './neigh.js';

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

const CIDR_OR_ADDR = /^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/;

/**
 * The words after `ip` for `route replace|del` of an overlay route (dst via gateway dev DEV [onlink]),
 * for batches. The single-route functions are in route.ts.
 */
export function routeBatchArgs(op: 'replace' | 'del', spec: Pick<RouteSpec, 'dst' | 'via' | 'dev' | 'onlink'>): string[] {
  if (!CIDR_OR_ADDR.test(spec.dst)) throw new Error(`invalid route destination ${JSON.stringify(spec.dst)}: use an IPv4 address or a CIDR like 10.244.2.0/24`);
  const argv = ['route', op, spec.dst];
  if (spec.via !== undefined) { validateIPv4(spec.via, 'next hop'); argv.push('via', spec.via); }
  if (spec.dev !== undefined) { validateIfName(spec.dev); argv.push('dev', spec.dev); }
  if (spec.onlink) argv.push('onlink');
  if (op === 'replace' && spec.via === undefined && spec.dev === undefined) throw new Error(`route to ${spec.dst} needs a next hop (via) or a device (dev)`);
  return argv;
}
