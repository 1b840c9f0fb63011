// Process supervision for a cluster: the API server and the agents run detached, each with a pid file
// (its ProcessIdentity) under <stateDir>/pids/ and a log under <stateDir>/logs/. Stopping checks the
// pid still belongs to the process we started before signalling it.
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
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
