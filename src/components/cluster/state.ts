// Where a cluster lives on disk: /var/lib/podnet/<name>/ (the root overridable with PODNET_STATE_ROOT,
// which tests use). The state directory holds cluster.json, the PKI, the store, logs, pid files and the
// inventory of kernel objects; a cluster exists exactly as long as its state directory does.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS, type ClusterConfig } from '../../core/cluster/config.js';
import { validateClusterName } from '../../core/topology/names.js';

/** The directory that holds one state directory per cluster. */
export function stateRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.PODNET_STATE_ROOT || DEFAULTS.stateRoot;
}

/** The cluster's state directory. Validates the name first: it becomes a path that down removes. */
export function stateDirOf(name: string, root = stateRoot()): string {
  validateClusterName(name);
  return join(root, name);
}

/** The file `podnet up` writes and `podnet server` / `podnet agent --config` read. */
export function clusterConfigPath(stateDir: string): string {
  return join(stateDir, 'cluster.json');
}

/** Written by `podnet up` as its last act: a state directory without it is from an unfinished (crashed) up. */
export function upFinishedPath(stateDir: string): string {
  return join(stateDir, 'up-finished.json');
}

/** When `podnet up` finished, or undefined if it did not (yet). */
export function upFinishedAt(stateDir: string): string | undefined {
  try { return (JSON.parse(readFileSync(upFinishedPath(stateDir), 'utf8')) as { at: string }).at; } catch { return undefined; }
}

export function clusterExists(name: string, root = stateRoot()): boolean {
  return existsSync(stateDirOf(name, root));
}

/** Names of the clusters that have a state directory under `root`. */
export function listClusters(root = stateRoot()): string[] {
  let entries: string[];
  try { entries = readdirSync(root); } catch { return []; }
  return entries.filter((e) => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(e) && statSync(join(root, e)).isDirectory()).sort();
}

/** Reads and checks cluster.json; a clear error when it is missing or not a cluster configuration. */
export function readClusterConfig(file: string): ClusterConfig {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (e) {
    throw new Error(`cannot read the cluster configuration ${file}: ${(e as Error).message}; it is written by \`podnet up\``);
  }
  let config: ClusterConfig;
  try { config = JSON.parse(text) as ClusterConfig; } catch (e) {
    throw new Error(`${file} is not valid JSON (${(e as Error).message}); remove the cluster with \`podnet down\` and bring it up again`);
  }
  for (const key of ['name', 'stateDir', 'hostIP', 'apiServerPort', 'nodes', 'paths'] as const) {
    if (config[key] === undefined) throw new Error(`${file} has no "${key}": it is not a podnet cluster configuration`);
  }
  return config;
}

/** The cluster's configuration when `podnet up` got far enough to write it. */
export function tryReadClusterConfig(stateDir: string): ClusterConfig | undefined {
  const file = clusterConfigPath(stateDir);
  return existsSync(file) ? readClusterConfig(file) : undefined;
}
