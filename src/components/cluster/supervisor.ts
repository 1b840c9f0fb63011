// Process supervision for a cluster: the API server and the agents run detached, each with a pid file
// (its ProcessIdentity) under <stateDir>/pids/ and a log under <stateDir>/logs/. Stopping checks the
// pid still belongs to the process we started before signalling it.
import { join } from 'node:path';
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnDetached, stopProcess, isOurProcess, type ProcessIdentity, type StopResult } from '../../linux/process.js';
import type { ClusterConfig } from '../../core/cluster/config.js';
import type { Inventory } from './inventory.js';

/** Log file of a supervised process: <stateDir>/logs/<name>.log. */
export function logFileOf(config: Pick<ClusterConfig, 'paths'>, name: string): string {
  return join(config.paths.logs, `${name}.log`);
}

/** The supervised name of a node's agent. */
export function agentProcessName(node: string): string {
  return `agent-${node}`;
}

/** Starts a detached process, records its identity, and returns it. */
export async function startSupervised(
  config: ClusterConfig, inventory: Inventory, name: string, argv: string[], netns?: string,
): Promise<ProcessIdentity> {
  const id = await spawnDetached(argv, { netns, logFile: logFileOf(config, name), cwd: config.stateDir });
  inventory.addProcess(name, id);
  return id;
}

/** Whether the recorded process is still ours and running. */
export function supervisedAlive(id: ProcessIdentity): boolean {
  return isOurProcess(id);
}

/** Stops a recorded process and forgets it. */
export async function stopSupervised(inventory: Inventory, name: string, id: ProcessIdentity): Promise<StopResult> {
  const result = await stopProcess(id, { graceMs: 5000 });
  inventory.removeProcess(name);
  return result;
}

/** The last `lines` lines of a log file, for error messages ("" when unreadable). */
export function tailLog(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Throws, with the end of its log, when a supervised process is no longer running. */
export function mustBeAlive(id: ProcessIdentity, what: string, log: string): void {
  if (!supervisedAlive(id)) {
    const tail = tailLog(log);
    throw new Error(`${what} (pid ${id.pid}) exited${tail ? `; the end of its log ${log}:\n${tail}` : ` without writing to its log ${log}`}`);
  }
}

/**
 * Copies the logs directory to a new temporary directory before a failed `up` or `join` removes the
 * state directory with them, so the failure can be investigated; returns the copy (undefined: no logs).
 */
export function keepLogs(config: Pick<ClusterConfig, 'paths'>, label: string): string | undefined {
  if (!existsSync(config.paths.logs)) return undefined;
  const kept = mkdtempSync(join(tmpdir(), `podnet-${label}-logs-`));
  cpSync(config.paths.logs, kept, { recursive: true });
  return kept;
}
