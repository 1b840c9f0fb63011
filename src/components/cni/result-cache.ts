// The runtime's result cache in libcni's layout, so cnitool, CRI-O and any libcni-based tool can
// read podnet's attachments and the other way round: <cacheDir>/results/<network>-<containerID>-<ifname>
// holding {"kind":"cniCacheV1","containerId","config" (the list's bytes, base64 as Go marshals []byte),
// "ifName","networkName","netns","cniArgs":[[k,v]...],"capabilityArgs","result"}, mode 0600.
import { mkdirSync, readFileSync, readdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const DEFAULT_CACHE_DIR = '/var/lib/cni';

/** One attachment of a network, as the runtime knows it (the key is network, containerID, ifname). */
export interface Attachment {
  containerID: string;
  ifname: string;
  /** Path of the network namespace, e.g. /run/netns/<name>; may be empty on DEL and GC. */
  netns: string;
  /** CNI_ARGS pairs, e.g. [['IgnoreUnknown','1'], ['K8S_POD_NAMESPACE','default'], ...]. */
  args: Array<[string, string]>;
  /** Capability arguments, e.g. { portMappings: [...] }. */
  capabilityArgs: Record<string, unknown>;
}

export interface CachedAttachment extends Attachment {
  networkName: string;
  /** The configuration list text. */
  config: string;
  /** The final ADD result; absent while the ADD is under way (or when it failed). */
  result?: Record<string, unknown>;
}

export function cachePath(cacheDir: string, network: string, containerID: string, ifname: string): string {
  return join(cacheDir, 'results', `${network}-${containerID}-${ifname}`);
}

export function writeCachedResult(cacheDir: string, network: string, configText: string, a: Attachment, result?: Record<string, unknown>): void {
  const file = cachePath(cacheDir, network, a.containerID, a.ifname);
  mkdirSync(join(cacheDir, 'results'), { recursive: true, mode: 0o700 });
  const entry: Record<string, unknown> = {
    kind: 'cniCacheV1',
    containerId: a.containerID,
    config: Buffer.from(configText).toString('base64'),
    ifName: a.ifname,
    networkName: network,
  };
  if (a.netns) entry.netns = a.netns;
  if (a.args.length) entry.cniArgs = a.args;
  if (Object.keys(a.capabilityArgs).length) entry.capabilityArgs = a.capabilityArgs;
  if (result) entry.result = result;
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(entry), { mode: 0o600 });
  renameSync(tmp, file);
}

function decode(text: string): CachedAttachment | null {
  let raw: Record<string, unknown>;
  try { raw = JSON.parse(text) as Record<string, unknown>; } catch { return null; }
  if (raw.kind !== 'cniCacheV1') return null;
  return {
    containerID: String(raw.containerId ?? ''),
    ifname: String(raw.ifName ?? ''),
    networkName: String(raw.networkName ?? ''),
    netns: typeof raw.netns === 'string' ? raw.netns : '',
    config: typeof raw.config === 'string' ? Buffer.from(raw.config, 'base64').toString() : '',
    args: Array.isArray(raw.cniArgs) ? raw.cniArgs as Array<[string, string]> : [],
    capabilityArgs: (raw.capabilityArgs ?? {}) as Record<string, unknown>,
    result: raw.result as Record<string, unknown> | undefined,
  };
}

/** The cached attachment, or null when there is none (or it is not a cniCacheV1 entry). */
export function readCachedResult(cacheDir: string, network: string, containerID: string, ifname: string): CachedAttachment | null {
  try { return decode(readFileSync(cachePath(cacheDir, network, containerID, ifname), 'utf8')); } catch { return null; }
}

/** Every cached attachment of a network (libcni GCNetworkList's starting point). */
export function listCachedResults(cacheDir: string, network: string): CachedAttachment[] {
  let files: string[];
  try { files = readdirSync(join(cacheDir, 'results')); } catch { return []; }
  const out: CachedAttachment[] = [];
  for (const f of files) {
    if (!f.startsWith(`${network}-`) || f.includes('.tmp-')) continue;
    let c: CachedAttachment | null = null;
    try { c = decode(readFileSync(join(cacheDir, 'results', f), 'utf8')); } catch { /* removed meanwhile */ }
    if (c?.networkName === network) out.push(c);
  }
  return out;
}

export function deleteCachedResult(cacheDir: string, network: string, containerID: string, ifname: string): void {
  try { unlinkSync(cachePath(cacheDir, network, containerID, ifname)); } catch { /* none */ }
}
