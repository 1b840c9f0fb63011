// The runtime side for the node agent: executes a network configuration list the way libcni does
// (ADD in order, each plugin getting the previous result; DEL in reverse, each getting the cached
// ADD result; CHECK in order unless disableCheck; GC to every plugin, continuing past errors, only
// for lists of version 1.1.0 or later). podnet's own plugin types (and the reference names they
// stand in for) run in-process; any other type (bandwidth, firewall, ...) is executed from CNI_PATH.
// With `cacheDir`, the final ADD result is cached in libcni's layout (result-cache.ts) and DEL and
// CHECK read it from there, as libcni does; without, the caller passes the cached result itself.
import { type ConfList, pluginConfig } from '../../core/cni/conflist.js';
import { CniError, ErrorCode } from '../../core/cni/errors.js';
import { versionAtLeast } from '../../core/cni/version.js';
import { CommandError, run } from '../../linux/exec.js';
import { findPlugin } from './ipam.js';
import { type CniCall, cniInvoke, pluginKind } from './plugin.js';
import { deleteCachedResult, readCachedResult, writeCachedResult } from './result-cache.js';

export interface ListOptions {
  /** Capability arguments for this attachment, e.g. { portMappings: [{hostPort, containerPort, protocol}] }. */
  capabilityArgs?: Record<string, unknown>;
  /** Types to execute from CNI_PATH even though podnet implements them (e.g. ['portmap'] to use the reference). */
  external?: string[];
  /** libcni-compatible result cache directory (libcni's default is /var/lib/cni). */
  cacheDir?: string;
}

const DEFAULT_PATH = ['/opt/cni/bin', '/usr/lib/cni'];

async function invoke(command: string, type: string, call: CniCall | null, conf: Record<string, unknown>, opts: ListOptions): Promise<string> {
  const env = {
    CNI_COMMAND: command,
    CNI_CONTAINERID: call?.containerID,
    CNI_NETNS: call?.netns,
    CNI_IFNAME: call?.ifname,
    CNI_ARGS: call?.args,
    CNI_PATH: call?.path ?? DEFAULT_PATH.join(':'),
  };
  const stdin = JSON.stringify(conf);
  if (pluginKind(type) && !opts.external?.includes(type)) {
    const out = await cniInvoke(env, stdin, { plugin: type });
    if (out.exitCode === 0) return out.stdout;
    const o = JSON.parse(out.stdout) as { code: number; msg: string; details?: string };
    throw new CniError(o.code, o.msg, o.details ?? '');
  }
  const file = findPlugin(type, env.CNI_PATH.split(':').filter(Boolean));
  try {
    return (await run([file], { input: stdin, env: { ...process.env, ...env } })).stdout;
  } catch (e) {
    if (!(e instanceof CommandError)) throw e;
    let o: { code?: number; msg?: string; details?: string } = {};
    try { o = JSON.parse(e.stdout) as typeof o; } catch { /* not an error object */ }
    throw new CniError(o.code ?? ErrorCode.Internal, o.msg ?? `${type} ${command} failed: ${e.message}`, o.details ?? '');
  }
}

/** ADD the attachment to every plugin of the list; resolves with the final result (cached when cacheDir is set). */
export async function addNetworkList(list: ConfList, call: CniCall, opts: ListOptions = {}): Promise<Record<string, unknown>> {
  let prev: unknown;
  for (let i = 0; i < list.plugins.length; i++) {
    const conf = pluginConfig(list, i, { capabilityArgs: opts.capabilityArgs, prevResult: prev });
    prev = JSON.parse(await invoke('ADD', String(list.plugins[i].type), call, conf, opts));
  }
  const result = prev as Record<string, unknown>;
  if (opts.cacheDir) writeCachedResult(opts.cacheDir, list.name, list.bytes, call, result, opts.capabilityArgs);
  return result;
}

function cached(list: ConfList, call: CniCall, opts: ListOptions, given: unknown): { result: unknown; capabilityArgs?: Record<string, unknown> } {
  if (given !== undefined || !opts.cacheDir) return { result: given, capabilityArgs: opts.capabilityArgs };
  const c = readCachedResult(opts.cacheDir, list.name, call.containerID, call.ifname);
  return { result: c?.result, capabilityArgs: opts.capabilityArgs ?? c?.capabilityArgs };
}

/**
 * DEL in reverse order, every plugin getting the cached ADD result (none before 0.4.0, and none
 * after a failed ADD); the cache entry goes once every plugin succeeded.
 */
export async function delNetworkList(list: ConfList, call: CniCall, cachedResult?: unknown, opts: ListOptions = {}): Promise<void> {
  const c = cached(list, call, opts, cachedResult);
  const prevResult = versionAtLeast(list.cniVersion, '0.4.0') ? c.result : undefined;
  for (let i = list.plugins.length - 1; i >= 0; i--) {
    await invoke('DEL', String(list.plugins[i].type), call, pluginConfig(list, i, { capabilityArgs: c.capabilityArgs, prevResult }), opts);
  }
  if (opts.cacheDir) deleteCachedResult(opts.cacheDir, list.name, call.containerID, call.ifname);
}

/** CHECK in order with the cached ADD result; a no-op when the list says disableCheck. */
export async function checkNetworkList(list: ConfList, call: CniCall, cachedResult?: unknown, opts: ListOptions = {}): Promise<void> {
  if (list.disableCheck || !versionAtLeast(list.cniVersion, '0.4.0')) return;
  const c = cached(list, call, opts, cachedResult);
  if (c.result === undefined) throw new CniError(ErrorCode.UnknownContainer, `no cached result for ${call.containerID}/${call.ifname} on network ${list.name}`, 'CHECK needs a previous ADD');
  for (let i = 0; i < list.plugins.length; i++) {
    await invoke('CHECK', String(list.plugins[i].type), call, pluginConfig(list, i, { capabilityArgs: c.capabilityArgs, prevResult: c.result }), opts);
  }
}

/**
 * GC with the attachments that are still valid; every plugin is called even if one fails, and all
 * errors are reported together. The spec makes GC exclusive: no ADD or DEL may run meanwhile.
 */
export async function gcNetworkList(list: ConfList, valid: { containerID: string; ifname: string }[], opts: ListOptions & { path?: string } = {}): Promise<void> {
  if (list.disableGC || !versionAtLeast(list.cniVersion, '1.1.0')) return;
  const errors: string[] = [];
  for (let i = 0; i < list.plugins.length; i++) {
    const type = String(list.plugins[i].type);
    try {
      await invoke('GC', type, opts.path ? { containerID: '', ifname: '', path: opts.path } : null, pluginConfig(list, i, { validAttachments: valid }), opts);
    } catch (e) {
      errors.push(`${type}: ${(e as Error).message}`);
    }
  }
  if (errors.length) throw new CniError(ErrorCode.Internal, `GC of network ${list.name} failed: ${errors.join('; ')}`);
}

/** STATUS of every plugin (lists of version 1.1.0 or later); throws the first plugin's error (e.g. code 50). */
export async function statusNetworkList(list: ConfList, opts: ListOptions & { path?: string } = {}): Promise<void> {
  if (!versionAtLeast(list.cniVersion, '1.1.0')) return;
  for (let i = 0; i < list.plugins.length; i++) {
    await invoke('STATUS', String(list.plugins[i].type), opts.path ? { containerID: '', ifname: '', path: opts.path } : null, pluginConfig(list, i), opts);
  }
}
