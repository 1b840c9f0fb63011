// Named network namespaces, the kind `ip netns add` makes: a file under /run/netns bind-mounted to the
// namespace, so it outlives the processes in it until `ip netns delete`. Nodes and pods are such
// namespaces. Every other wrapper in src/linux takes an optional `netns` and runs `ip -n NS ...`.
import { existsSync } from 'node:fs';
import { run, runJson } from './exec.js';

/** Where iproute2 keeps named namespaces (a bind mount per name). */
export const NETNS_RUN_DIR = '/run/netns';

// iproute2 accepts any file name; we allow what Kubernetes names and our hashes produce, so that a name
// never needs quoting in a log line and never climbs out of /run/netns.
const NETNS_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,99}$/;

/** Throws unless `name` is usable as a network namespace name (letters, digits, `-`, `_`, `.`; at most 100). */
export function validateNetnsName(name: string): void {
  if (!NETNS_NAME.test(name) || name === '.' || name === '..') {
    throw new Error(
      `invalid network namespace name ${JSON.stringify(name)}: use 1-100 letters, digits, '-', '_' or '.', starting with a letter or digit`,
    );
  }
}

/**
 * The argv prefix for running `ip` against a namespace: `['ip', '-n', NS]`, or `['ip']` for the root
 * namespace. Other wrappers build on it; `ip -n` is iproute2's own shorthand for `ip netns exec NS ip`.
 */
export function ipIn(netns?: string): string[] {
  if (netns === undefined) return ['ip'];
  validateNetnsName(netns);
  return ['ip', '-n', netns];
}

export interface NetnsMountOptions {
  /**
   * Make or remove the /run/netns bind mount in the mount namespace of this process (nsenter --mount):
   * the node agent runs in a mount namespace of its own whose mounts never reach the host, so it makes
   * pod namespaces in the host's.
   */
  mountNamespaceOf?: number;
}

function inMounts(argv: string[], opts: NetnsMountOptions): string[] {
  if (opts.mountNamespaceOf === undefined) return argv;
  if (!Number.isInteger(opts.mountNamespaceOf) || opts.mountNamespaceOf <= 0) throw new Error(`invalid pid ${opts.mountNamespaceOf} for a mount namespace`);
  return ['nsenter', `--mount=/proc/${opts.mountNamespaceOf}/ns/mnt`, '--', ...argv];
}

/** Creates the named namespace. Fails (CommandError) if it already exists. */
export async function addNetns(name: string, opts: NetnsMountOptions = {}): Promise<void> {
  validateNetnsName(name);
  await run(inMounts(['ip', 'netns', 'add', name], opts));
}

/**
 * Deletes the named namespace: unmounts and removes /run/netns/NAME. Links inside it go with it once
 * no process holds it. Returns false (and does nothing) when it did not exist, so teardown is idempotent.
 */
export async function deleteNetns(name: string, opts: NetnsMountOptions = {}): Promise<boolean> {
  validateNetnsName(name);
  if (!netnsExists(name)) return false;
  await run(inMounts(['ip', 'netns', 'delete', name], opts));
  return true;
}

/** Whether /run/netns/NAME exists. Synchronous because it is a single stat. */
export function netnsExists(name: string): boolean {
  validateNetnsName(name);
  return existsSync(`${NETNS_RUN_DIR}/${name}`);
}

/** Names of all named namespaces on the host (`ip -j netns list`). */
export async function listNetns(): Promise<string[]> {
  const list = await runJson<Array<{ name: string }>>(['ip', '-j', 'netns', 'list']);
  return list.map((n) => n.name);
}
