// kubeconfig files, as kind writes them: the cluster's own kubeconfig in its state directory (server at
// the underlay host IP, so agents inside node namespaces can use it too), and a merge of the same
// credentials into the user's kubeconfig ($KUBECONFIG's first path, else ~/.kube/config) under the
// names `podnet-<cluster>`, made current. Down removes exactly those entries.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { ClusterConfig } from '../../core/cluster/config.js';

interface Named { name: string; [key: string]: unknown }
interface KubeconfigDoc {
  apiVersion?: string;
  kind?: string;
  clusters?: Named[] | null;
  users?: Named[] | null;
  contexts?: Named[] | null;
  'current-context'?: string;
  preferences?: unknown;
  [key: string]: unknown;
}

/** The cluster, user and context name used in kubeconfigs: `podnet-<cluster>` (kind says `kind-<cluster>`). */
export function kubeconfigEntryName(cluster: string): string {
  return `podnet-${cluster}`;
}

/** The user's kubeconfig: the first path of $KUBECONFIG, else ~/.kube/config (as kubectl and kind choose). */
export function userKubeconfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const first = (env.KUBECONFIG ?? '').split(':').find((p) => p.length > 0);
  return first ?? join(env.HOME || homedir(), '.kube', 'config');
}

export interface Credentials { server: string; caData: string; token: string }

/** The credentials of a cluster, with the given server URL. */
export function credentialsOf(config: ClusterConfig, server: string): Credentials {
  return {
    server,
    caData: readFileSync(config.paths.caCert).toString('base64'),
    token: readFileSync(config.paths.token, 'utf8').trim(),
  };
}

function entries(entry: string, c: Credentials): { cluster: Named; user: Named; context: Named } {
  return {
    cluster: { name: entry, cluster: { server: c.server, 'certificate-authority-data': c.caData } },
    user: { name: entry, user: { token: c.token } },
    context: { name: entry, context: { cluster: entry, user: entry } },
  };
}

function writeAtomically(path: string, doc: KubeconfigDoc): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.podnet-${process.pid}.tmp`;
  writeFileSync(tmp, stringify(doc), { mode: 0o600 });
  renameSync(tmp, path);
}

function readDoc(path: string): KubeconfigDoc | undefined {
  if (!existsSync(path)) return undefined;
  const text = readFileSync(path, 'utf8');
  const doc = (parse(text) ?? {}) as KubeconfigDoc;
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new Error(`${path} is not a kubeconfig (not a YAML mapping); fix or move it, or point KUBECONFIG elsewhere`);
  }
  return doc;
}

/** Writes the cluster's own kubeconfig (config.paths.kubeconfig): server https://<hostIP>:<port>, readable by root only. */
export function writeClusterKubeconfig(config: ClusterConfig): void {
  const entry = kubeconfigEntryName(config.name);
  const e = entries(entry, credentialsOf(config, `https://${config.hostIP}:${config.apiServerPort}`));
  writeAtomically(config.paths.kubeconfig, {
    apiVersion: 'v1', kind: 'Config', preferences: {},
    clusters: [e.cluster], users: [e.user], contexts: [e.context], 'current-context': entry,
  });
}

export interface MergeResult {
  /** current-context before the merge. */
  previousContext?: string;
  /** Whether the file did not exist before (down then removes it if nothing else was added). */
  created: boolean;
}

/** Adds (or replaces) the `entry` cluster, user and context in the kubeconfig at `path` and makes it current. */
export function mergeKubeconfig(path: string, entry: string, creds: Credentials): MergeResult {
  const existing = readDoc(path);
  const doc: KubeconfigDoc = existing ?? { apiVersion: 'v1', kind: 'Config', preferences: {} };
  const previous = doc['current-context'] || undefined;
  const e = entries(entry, creds);
  const put = (list: Named[] | null | undefined, item: Named) => [...(list ?? []).filter((x) => x?.name !== item.name), item];
  doc.clusters = put(doc.clusters, e.cluster);
  doc.users = put(doc.users, e.user);
  doc.contexts = put(doc.contexts, e.context);
  doc['current-context'] = entry;
  writeAtomically(path, doc);
  return { previousContext: previous === entry ? undefined : previous, created: !existing };
}

/**
 * Removes the `entry` cluster, user and context from the kubeconfig at `path`. When that context was
 * current, the previous one becomes current again if it still exists (else none is). A file that podnet
 * created and that is now empty is deleted. Returns whether anything was removed.
 */
export function unmergeKubeconfig(path: string, entry: string, previous: { previousContext?: string; created?: boolean } = {}): boolean {
  let doc: KubeconfigDoc | undefined;
  try { doc = readDoc(path); } catch { return false; } // not ours to repair
  if (!doc) return false;
  const drop = (list: Named[] | null | undefined) => (list ?? []).filter((x) => x?.name !== entry);
  const before = (doc.clusters?.length ?? 0) + (doc.users?.length ?? 0) + (doc.contexts?.length ?? 0);
  doc.clusters = drop(doc.clusters);
  doc.users = drop(doc.users);
  doc.contexts = drop(doc.contexts);
  const removed = before !== doc.clusters.length + doc.users.length + doc.contexts.length;
  const wasCurrent = doc['current-context'] === entry;
  if (wasCurrent) {
    const back = previous.previousContext;
    if (back && doc.contexts.some((c) => c.name === back)) doc['current-context'] = back;
    else delete doc['current-context'];
  }
  if (!removed && !wasCurrent) return false;
  if (previous.created && doc.clusters.length + doc.users.length + doc.contexts.length === 0) rmSync(path, { force: true });
  else writeAtomically(path, doc);
  return true;
}
