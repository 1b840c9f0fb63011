// The runtime side of CNI, as libcni does it (containernetworking/cni libcni/api.go) for a network
// configuration list: ADD runs the plugins in order threading prevResult, DEL runs them in reverse with
// the cached final ADD result, GC first DELs every cached attachment no longer valid and then sends
// `cni.dev/valid-attachments` to each plugin. Each plugin's request configuration is the plugin object
// plus cniVersion, name, runtimeConfig (the capabilities it declares that the runtime has arguments for)
// and prevResult. The final ADD result is cached in libcni's layout and format, so that cnitool-style
// tools and the agent after a restart find it.
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';

export type CniCommand = 'ADD' | 'DEL' | 'CHECK' | 'GC' | 'STATUS';

export interface CniEnvVars {
  CNI_COMMAND: CniCommand;
  CNI_CONTAINERID: string;
  CNI_NETNS: string;
  CNI_IFNAME: string;
  CNI_ARGS: string;
  CNI_PATH: string;
}

/** Runs one plugin `type` with the environment and request configuration; resolves with its stdout. */
export type PluginInvoker = (type: string, env: CniEnvVars, stdin: string) => Promise<string>;

/** A plugin's error object ({code, msg, details}), as a thrown error. */
export class CniPluginError extends Error {
  constructor(readonly plugin: string, readonly code: number, readonly msg: string, readonly details?: string) {
    super(`plugin type="${plugin}" failed (${code}): ${msg}${details ? `; ${details}` : ''}`);
    this.name = 'CniPluginError';
  }
}

export interface NetworkList {
  cniVersion: string;
  name: string;
  disableGC?: boolean;
  plugins: Array<Record<string, unknown>>;
  /** The file's bytes (cached with each attachment, as libcni does). */
  bytes: string;
  file: string;
}

export interface Attachment {
  containerID: string;
  ifname: string;
  /** Path of the network namespace, /run/netns/<name>. */
  netns: string;
  /** CNI_ARGS pairs, e.g. [['IgnoreUnknown','1'], ['K8S_POD_NAMESPACE','default'], ...]. */
  args: Array<[string, string]>;
  /** Capability arguments, e.g. { portMappings: [...] }. */
  capabilityArgs: Record<string, unknown>;
}

export interface CachedAttachment {
  kind: 'cniCacheV1';
  containerId: string;
  config: string;
  ifName: string;
  networkName: string;
  netns: string;
  cniArgs: Array<[string, string]>;
  capabilityArgs: Record<string, unknown>;
  result?: Record<string, unknown>;
}

/** Parses a .conflist (or up-converts a single-plugin .conf/.json), with libcni's checks. */
export function parseNetworkList(text: string, file: string): NetworkList {
  let raw: Record<string, unknown>;
  try { raw = JSON.parse(text); } catch (e) { throw new Error(`${file}: invalid JSON: ${(e as Error).message}`); }
  const name = raw.name;
  if (typeof name !== 'string' || !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) throw new Error(`${file}: missing or invalid network name`);
  if (extname(file) !== '.conflist') {
    if (typeof raw.type !== 'string') throw new Error(`${file}: a single-plugin configuration needs "type"`);
    return { cniVersion: String(raw.cniVersion ?? '0.2.0'), name, plugins: [raw], bytes: text, file };
  }
  const plugins = raw.plugins;
  if (!Array.isArray(plugins) || plugins.length === 0) throw new Error(`${file}: error parsing configuration list: no plugins in list`);
  return { cniVersion: String(raw.cniVersion ?? ''), name, disableGC: raw.disableGC === true || raw.disableGC === 'true', plugins, bytes: text, file };
}

/** The network containerd would use: the lexicographically first .conf/.conflist/.json in the directory. */
export function loadDefaultNetwork(confDir: string): NetworkList {
  let files: string[];
  try { files = readdirSync(confDir); } catch { files = []; }
  const candidates = files.filter((f) => ['.conf', '.conflist', '.json'].includes(extname(f))).sort();
  for (const f of candidates) {
    const path = join(confDir, f);
    if (!statSync(path).isFile()) continue;
    return parseNetworkList(readFileSync(path, 'utf8'), path);
  }
  throw new Error(`no network configuration in ${confDir}: the agent writes 10-podnet.conflist there once the Node has a podCIDR`);
}

/** The request configuration a plugin receives (libcni buildOneConfig + injectRuntimeConfig). */
export function pluginRequest(list: NetworkList, plugin: Record<string, unknown>, capabilityArgs: Record<string, unknown>, prevResult?: Record<string, unknown>): Record<string, unknown> {
  const { capabilities, ...rest } = plugin as { capabilities?: Record<string, boolean> } & Record<string, unknown>;
  const conf: Record<string, unknown> = { ...rest, cniVersion: list.cniVersion, name: list.name };
  const runtimeConfig: Record<string, unknown> = {};
  for (const [cap, on] of Object.entries(capabilities ?? {})) {
    if (on && capabilityArgs[cap] !== undefined) runtimeConfig[cap] = capabilityArgs[cap];
  }
  if (Object.keys(runtimeConfig).length) conf.runtimeConfig = runtimeConfig;
  if (prevResult) conf.prevResult = prevResult;
  return conf;
}

function decodeOutput(type: string, stdout: string): Record<string, unknown> | undefined {
  const text = stdout.trim();
  if (!text) return undefined;
  try { return JSON.parse(text); } catch {
    throw new CniPluginError(type, 999, `plugin printed something that is not JSON: ${text.slice(0, 200)}`);
  }
}

export class CniRuntime {
  constructor(private readonly cacheDir: string, private readonly invoke: PluginInvoker, private readonly cniPath: string[]) {}

  private cacheFile(network: string, containerID: string, ifname: string): string {
    return join(this.cacheDir, 'results', `${network}-${containerID}-${ifname}`);
  }

  private env(command: CniCommand, a: Pick<Attachment, 'containerID' | 'ifname' | 'netns' | 'args'>): CniEnvVars {
    return {
      CNI_COMMAND: command, CNI_CONTAINERID: a.containerID, CNI_NETNS: a.netns, CNI_IFNAME: a.ifname,
      CNI_ARGS: a.args.map(([k, v]) => `${k}=${v}`).join(';'), CNI_PATH: this.cniPath.join(':'),
    };
  }

  /** The cached attachment (with its final ADD result), or undefined. */
  readCache(network: string, containerID: string, ifname: string): CachedAttachment | undefined {
    try { return JSON.parse(readFileSync(this.cacheFile(network, containerID, ifname), 'utf8')); } catch { return undefined; }
  }

  /** Every cached attachment of a network. */
  listCache(network: string): CachedAttachment[] {
    let files: string[];
    try { files = readdirSync(join(this.cacheDir, 'results')); } catch { return []; }
    const out: CachedAttachment[] = [];
    for (const f of files.filter((x) => x.startsWith(`${network}-`))) {
      try { out.push(JSON.parse(readFileSync(join(this.cacheDir, 'results', f), 'utf8'))); } catch { /* half-written */ }
    }
    return out.filter((c) => c.networkName === network);
  }

  private writeCache(list: NetworkList, a: Attachment, result?: Record<string, unknown>): void {
    const file = this.cacheFile(list.name, a.containerID, a.ifname);
    mkdirSync(join(this.cacheDir, 'results'), { recursive: true });
    const body: CachedAttachment = {
      kind: 'cniCacheV1', containerId: a.containerID, config: Buffer.from(list.bytes).toString('base64'),
      ifName: a.ifname, networkName: list.name, netns: a.netns, cniArgs: a.args, capabilityArgs: a.capabilityArgs,
      ...(result ? { result } : {}),
    };
    writeFileSync(`${file}.tmp`, JSON.stringify(body));
    renameSync(`${file}.tmp`, file);
  }

  private async call(type: string, env: CniEnvVars, conf: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
    return decodeOutput(type, await this.invoke(type, env, JSON.stringify(conf)));
  }

  /**
   * ADD: plugins in order. The attachment is cached (without a result) before the first plugin runs, so
   * that a crash in the middle still leaves a record that leads to the DEL every ADD needs.
   */
  async add(list: NetworkList, a: Attachment): Promise<Record<string, unknown>> {
    this.writeCache(list, a);
    let prev: Record<string, unknown> | undefined;
    for (const plugin of list.plugins) {
      const type = String(plugin.type);
      prev = await this.call(type, this.env('ADD', a), pluginRequest(list, plugin, a.capabilityArgs, prev));
    }
    if (!prev) throw new CniPluginError(String(list.plugins.at(-1)?.type), 999, 'the last plugin returned no result');
    this.writeCache(list, a, prev);
    return prev;
  }

  /** DEL: plugins in reverse, each given the cached result; the cache entry goes once all succeeded. */
  async del(list: NetworkList, a: Pick<Attachment, 'containerID' | 'ifname' | 'netns' | 'args'> & { capabilityArgs?: Record<string, unknown> }): Promise<void> {
    const cached = this.readCache(list.name, a.containerID, a.ifname);
    const caps = a.capabilityArgs ?? cached?.capabilityArgs ?? {};
    const env = this.env('DEL', { ...a, args: a.args.length ? a.args : cached?.cniArgs ?? [] });
    for (const plugin of [...list.plugins].reverse()) {
      await this.call(String(plugin.type), env, pluginRequest(list, plugin, caps, cached?.result));
    }
    rmSync(this.cacheFile(list.name, a.containerID, a.ifname), { force: true });
  }

  /**
   * GC: DEL for every cached attachment not in `valid` (libcni GCNetworkList), then GC to each plugin
   * when the list is 1.1.0 or newer and GC is not disabled. Errors are collected, not fatal.
   */
  async gc(list: NetworkList, valid: Array<{ containerID: string; ifname: string }>): Promise<string[]> {
    const keep = new Set(valid.map((v) => `${v.containerID}/${v.ifname}`));
    const errors: string[] = [];
    for (const c of this.listCache(list.name)) {
      if (keep.has(`${c.containerId}/${c.ifName}`)) continue;
      try { await this.del(list, { containerID: c.containerId, ifname: c.ifName, netns: c.netns, args: c.cniArgs ?? [], capabilityArgs: c.capabilityArgs }); }
      catch (e) { errors.push((e as Error).message); }
    }
    const [maj, min] = list.cniVersion.split('.').map(Number);
    if (list.disableGC || maj < 1 || (maj === 1 && min < 1)) return errors;
    const attachments = valid.map((v) => ({ containerID: v.containerID, ifname: v.ifname }));
    for (const plugin of list.plugins) {
      const { capabilities: _c, ...rest } = plugin;
      const conf = { ...rest, cniVersion: list.cniVersion, name: list.name, 'cni.dev/valid-attachments': attachments, 'cni.dev/attachments': attachments };
      const env: CniEnvVars = { CNI_COMMAND: 'GC', CNI_CONTAINERID: '', CNI_NETNS: '', CNI_IFNAME: '', CNI_ARGS: '', CNI_PATH: this.cniPath.join(':') };
      try { await this.call(String(plugin.type), env, conf); } catch (e) { errors.push((e as Error).message); }
    }
    return errors;
  }
}
