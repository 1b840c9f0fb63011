// The one runtime side of CNI (what libcni's CNIConfig does, containernetworking/cni libcni/api.go),
// used by the node agent for every pod sandbox. For a network configuration list:
//   ADD    plugins in order, each given the previous plugin's result as prevResult; the final result
//          is cached (result-cache.ts, libcni's layout and format)
//   CHECK  plugins in order with the cached result (lists of 0.4.0 or later, unless disableCheck)
//   DEL    plugins in reverse with the cached result (0.4.0 or later); the cache entry goes last
//   GC     DEL of every cached attachment no longer valid, then `cni.dev/valid-attachments` to every
//          plugin (1.1.0 or later, unless disableGC), continuing past errors and returning them all
//   STATUS every plugin in order (1.1.0 or later)
// Each plugin's stdin is conflist.ts's pluginConfig. A plugin runs through a PluginInvoker: by default
// podnet's own types in-process (no process per call; they act on the caller's network namespace, the
// node's, where the agent runs) and any other type (the reference bandwidth, tuning, firewall, ...)
// executed from CNI_PATH.
import { type ConfList, pluginConfig } from '../../core/cni/conflist.js';
import { CniError, ErrorCode } from '../../core/cni/errors.js';
import { versionAtLeast } from '../../core/cni/version.js';
import { DEFAULT_CNI_PATH, execPlugin } from './exec-plugin.js';
import { cniInvoke, pluginKind } from './plugin.js';
import {
  type Attachment, type CachedAttachment, deleteCachedResult, listCachedResults, readCachedResult, writeCachedResult,
} from './result-cache.js';

export type CniCommand = 'ADD' | 'DEL' | 'CHECK' | 'GC' | 'STATUS';

/** The six variables a runtime always passes (the Debian plugins refuse calls without CNI_PATH). */
export interface CniEnvVars {
  CNI_COMMAND: CniCommand;
  CNI_CONTAINERID: string;
  CNI_NETNS: string;
  CNI_IFNAME: string;
  CNI_ARGS: string;
  CNI_PATH: string;
}

/** Runs plugin `type` with the environment and stdin; resolves with its stdout, throws CniError. */
export type PluginInvoker = (type: string, env: CniEnvVars, stdin: string) => Promise<string>;

export interface InvokerOptions {
  /**
   * Execute every plugin, podnet's own too, inside this named network namespace. Node cannot enter a
   * namespace from a thread, so nothing runs in-process then; for tests that drive a node from outside.
   */
  netns?: string;
  /** Types to execute from CNI_PATH although podnet implements them (e.g. ['portmap'] for the reference). */
  external?: readonly string[];
}

/** podnet's own types in-process, everything else executed from CNI_PATH. */
export function pluginInvoker(opts: InvokerOptions = {}): PluginInvoker {
  return async (type, env, stdin) => {
    if (opts.netns || !pluginKind(type) || opts.external?.includes(type)) return execPlugin(type, { ...env }, stdin, { netns: opts.netns });
    const out = await cniInvoke({ ...env }, stdin, { plugin: type });
    if (out.exitCode === 0) return out.stdout;
    const o = JSON.parse(out.stdout) as { code: number; msg: string; details?: string };
    throw new CniError(o.code, o.msg, o.details ?? '');
  };
}

export interface RuntimeOptions {
  /** libcni-compatible cache directory (results/ under it); libcni's default is /var/lib/cni. */
  cacheDir: string;
  /** CNI_PATH given to every plugin and searched for executables. */
  cniPath?: readonly string[];
  invoke?: PluginInvoker;
}

function decode(type: string, stdout: string): Record<string, unknown> | undefined {
  const text = stdout.trim();
  if (!text) return undefined;
  try { return JSON.parse(text) as Record<string, unknown>; } catch {
    throw new CniError(ErrorCode.DecodingFailure, `plugin type="${type}" printed something that is not JSON: ${text.slice(0, 200)}`);
  }
}

type Target = Pick<Attachment, 'containerID' | 'ifname' | 'netns' | 'args'>;

export class CniRuntime {
  readonly cacheDir: string;
  private readonly path: string;
  private readonly invoke: PluginInvoker;

  constructor(opts: RuntimeOptions) {
    this.cacheDir = opts.cacheDir;
    this.path = (opts.cniPath ?? DEFAULT_CNI_PATH).join(':');
    this.invoke = opts.invoke ?? pluginInvoker();
  }

  private env(command: CniCommand, a: Target | null): CniEnvVars {
    return {
      CNI_COMMAND: command, CNI_CONTAINERID: a?.containerID ?? '', CNI_NETNS: a?.netns ?? '', CNI_IFNAME: a?.ifname ?? '',
      CNI_ARGS: (a?.args ?? []).map(([k, v]) => `${k}=${v}`).join(';'), CNI_PATH: this.path,
    };
  }

  /** One plugin of the list; its error names the plugin as libcni's does ("plugin type=... failed (add)"). */
  private async call(list: ConfList, i: number, env: CniEnvVars, conf: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
    const type = String(list.plugins[i].type);
    try {
      return decode(type, await this.invoke(type, env, JSON.stringify(conf)));
    } catch (e) {
      const err = e instanceof CniError ? e : new CniError(ErrorCode.Internal, (e as Error).message);
      throw new CniError(err.code, `plugin type="${type}" name="${list.name}" failed (${env.CNI_COMMAND.toLowerCase()}): ${err.msg}`, err.details);
    }
  }

  /** The cached attachment (with its final ADD result), or null. */
  cached(list: ConfList, containerID: string, ifname: string): CachedAttachment | null {
    return readCachedResult(this.cacheDir, list.name, containerID, ifname);
  }

  /**
   * ADD. The attachment is cached (without a result) before the first plugin runs, so that a crash
   * in the middle still leaves the record that leads to the DEL every ADD needs (GC finds it).
   */
  async add(list: ConfList, a: Attachment): Promise<Record<string, unknown>> {
    writeCachedResult(this.cacheDir, list.name, list.bytes, a);
    const env = this.env('ADD', a);
    let prev: Record<string, unknown> | undefined;
    for (let i = 0; i < list.plugins.length; i++) {
      prev = await this.call(list, i, env, pluginConfig(list, i, { capabilityArgs: a.capabilityArgs, prevResult: prev }));
    }
    if (!prev) throw new CniError(ErrorCode.Internal, `plugin type="${String(list.plugins.at(-1)?.type)}" name="${list.name}" returned no result`);
    writeCachedResult(this.cacheDir, list.name, list.bytes, a, prev);
    return prev;
  }

  /** CHECK with the cached ADD result; a no-op when the list says disableCheck or predates CHECK. */
  async check(list: ConfList, a: Target): Promise<void> {
    if (list.disableCheck || !versionAtLeast(list.cniVersion, '0.4.0')) return;
    const c = this.cached(list, a.containerID, a.ifname);
    if (!c?.result) throw new CniError(ErrorCode.UnknownContainer, `no cached result for ${a.containerID}/${a.ifname} on network ${list.name}`, 'CHECK needs a previous ADD');
    const env = this.env('CHECK', { ...a, args: a.args.length ? a.args : c.args });
    for (let i = 0; i < list.plugins.length; i++) {
      await this.call(list, i, env, pluginConfig(list, i, { capabilityArgs: c.capabilityArgs, prevResult: c.result }));
    }
  }

  /**
   * DEL in reverse order, every plugin given the cached ADD result (none before 0.4.0, none after a
   * failed ADD). CNI_ARGS and capability arguments not given are the ADD's, from the cache. The cache
   * entry goes once every plugin succeeded; DEL may be repeated.
   */
  async del(list: ConfList, a: Target & { capabilityArgs?: Record<string, unknown> }): Promise<void> {
    const c = this.cached(list, a.containerID, a.ifname);
    const prevResult = versionAtLeast(list.cniVersion, '0.4.0') ? c?.result : undefined;
    const capabilityArgs = a.capabilityArgs ?? c?.capabilityArgs ?? {};
    const env = this.env('DEL', { ...a, args: a.args.length ? a.args : c?.args ?? [] });
    for (let i = list.plugins.length - 1; i >= 0; i--) {
      await this.call(list, i, env, pluginConfig(list, i, { capabilityArgs, prevResult }));
    }
    deleteCachedResult(this.cacheDir, list.name, a.containerID, a.ifname);
  }

  /**
   * GC (libcni GCNetworkList): DEL every cached attachment not in `valid`, then GC to every plugin.
   * Errors are collected, not fatal; the caller must not run ADD or DEL meanwhile (GC is exclusive).
   */
  async gc(list: ConfList, valid: Array<{ containerID: string; ifname: string }>): Promise<string[]> {
    const keep = new Set(valid.map((v) => `${v.containerID}/${v.ifname}`));
    const errors: string[] = [];
    for (const c of listCachedResults(this.cacheDir, list.name)) {
      if (keep.has(`${c.containerID}/${c.ifname}`)) continue;
      try { await this.del(list, c); } catch (e) { errors.push((e as Error).message); }
    }
    if (list.disableGC || !versionAtLeast(list.cniVersion, '1.1.0')) return errors;
    const attachments = valid.map((v) => ({ containerID: v.containerID, ifname: v.ifname }));
    for (let i = 0; i < list.plugins.length; i++) {
      try { await this.call(list, i, this.env('GC', null), pluginConfig(list, i, { validAttachments: attachments })); } catch (e) { errors.push((e as Error).message); }
    }
    return errors;
  }

  /** STATUS of every plugin (1.1.0 or later); throws the first plugin's error (e.g. code 50). */
  async status(list: ConfList): Promise<void> {
    if (!versionAtLeast(list.cniVersion, '1.1.0')) return;
    for (let i = 0; i < list.plugins.length; i++) await this.call(list, i, this.env('STATUS', null), pluginConfig(list, i));
  }
}
