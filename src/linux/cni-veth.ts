// The pod side of a CNI attachment: enter CNI_NETNS once, set the container interface's sysctls (they
// only exist inside that namespace), then address it, raise it and route it with one `ip -batch`.
// Also the pod-side reads and deletes that CHECK, DEL and loopback need.
import { type BatchLine, type BatchOutcome, batchOutcome, batchText } from '../core/iproute/batch.js';
import { CommandError, run, runSteps } from './exec.js';
import { ipBatchArgv } from './batch.js';

const TIMEOUT_MS = 30_000;

/** Writes the sysctls (errors ignored, as in the reference), then runs the batch lines (JSON output) in the namespace at `netnsPath`. */
export async function configurePod(netnsPath: string, sysctls: [string, string][], lines: BatchLine[]): Promise<BatchOutcome> {
  const [, r] = await runSteps([{ sysctls }, { argv: ipBatchArgv(), input: batchText(lines) }], { netns: netnsPath, timeoutMs: TIMEOUT_MS });
  return batchOutcome(lines, r.stdout, r.stderr, r.exitCode);
}

/** Whether a link with this name exists inside the namespace. */
export async function linkExistsIn(netnsPath: string, ifname: string): Promise<boolean> {
  const r = await run(['ip', 'link', 'show', 'dev', ifname], { netns: netnsPath, okExitCodes: 'any', timeoutMs: TIMEOUT_MS });
  return r.exitCode === 0;
}

/** Deletes a link inside a namespace; false if it was not there. */
export async function deleteLinkIn(netnsPath: string, ifname: string): Promise<boolean> {
  try {
    await run(['ip', 'link', 'del', 'dev', ifname], { netns: netnsPath, timeoutMs: TIMEOUT_MS });
    return true;
  } catch (e) {
    if (e instanceof CommandError && /Cannot find device|does not exist/.test(e.stderr)) return false;
    throw new Error(`failed to delete ${ifname} in ${netnsPath}: ${e instanceof CommandError ? e.stderr.trim() : (e as Error).message}`);
  }
}

/** Sets a link down inside a namespace (loopback DEL). */
export async function setLinkDownIn(netnsPath: string, ifname: string): Promise<void> {
  await run(['ip', 'link', 'set', 'dev', ifname, 'down'], { netns: netnsPath, okExitCodes: 'any', timeoutMs: TIMEOUT_MS });
}

/** Runs batch lines inside a namespace, plus `ip -6 -j route show` when asked (CHECK), with one entry into it. */
export async function readIn(netnsPath: string, lines: BatchLine[], withV6Routes: boolean): Promise<{ batch: BatchOutcome; v6routes: unknown }> {
  if (!withV6Routes) {
    const r = await run(ipBatchArgv(), { input: batchText(lines), netns: netnsPath, okExitCodes: 'any', timeoutMs: TIMEOUT_MS });
    return { batch: batchOutcome(lines, r.stdout, r.stderr, r.exitCode), v6routes: [] };
  }
  const [b, v6] = await runSteps([
    { argv: ipBatchArgv(), input: batchText(lines) },
    { argv: ['ip', '-6', '-j', 'route', 'show', 'table', 'main'] },
  ], { netns: netnsPath, timeoutMs: TIMEOUT_MS });
  const batch = b.exitCode === -1 ? { shows: [], errors: [b.stderr.trim()], failed: new Map<number, string>() } : batchOutcome(lines, b.stdout, b.stderr, b.exitCode);
  let v6routes: unknown = [];
  if (v6.stdout.trim()) { try { v6routes = JSON.parse(v6.stdout); } catch { /* none */ } }
  return { batch, v6routes };
}
