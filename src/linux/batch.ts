// Many kernel changes in one process: `ip -batch -` and `bridge -batch -` read one command per line
// from stdin (the lines and the reading of iproute2's answer are in core/iproute/batch.ts). Two ways
// to run one: runIpBatch stops at the first failure and throws (the overlay re-reads the kernel then);
// ipBatch goes on past failures (-force) and reports each line's fate, with the JSON of its `show`
// lines (the CNI plugin wires a pod with one such batch per namespace).
import { type BatchLine, type BatchOutcome, batchOutcome, batchText } from '../core/iproute/batch.js';
import { run } from './exec.js';
import { ipIn } from './netns.js';
import type { InNetns } from './link.js';
import { bridgeIn } from './fdb.js';
import { routeArgs, type RouteSpec } from './route.js';

export type { BatchLine, BatchOutcome } from '../core/iproute/batch.js';

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

export interface IpBatchOptions {
  /** A namespace name or path (a CNI_NETNS); this process's own namespace when undefined. */
  netns?: string;
  /** `ip -d`: details such as the link kind. */
  details?: boolean;
  timeoutMs?: number;
}

/** The argv of a JSON, keep-going batch. */
export function ipBatchArgv(details = false): string[] {
  return ['ip', '-j', ...(details ? ['-d'] : []), '-force', '-batch', '-'];
}

/** Runs the lines as one `ip -j -force -batch -` and reports every line's fate (never throws for a failed line). */
export async function ipBatch(lines: readonly BatchLine[], opts: IpBatchOptions = {}): Promise<BatchOutcome> {
  const r = await run(ipBatchArgv(opts.details), { input: batchText(lines), netns: opts.netns, okExitCodes: 'any', timeoutMs: opts.timeoutMs ?? 30_000 });
  return batchOutcome(lines, r.stdout, r.stderr, r.exitCode);
}
