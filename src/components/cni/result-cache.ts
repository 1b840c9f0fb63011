// The runtime's result cache in libcni's layout, so cnitool, CRI-O and any libcni-based tool can
// read podnet's attachments and the other way round: <cacheDir>/results/<network>-<containerID>-<ifname>
// holding {"kind":"cniCacheV1","containerId","config" (the list's bytes, base64 as Go marshals []byte),
// "ifName","networkName","netns","cniArgs":[[k,v]...],"capabilityArgs","result"}, mode 0600.
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CniCall } from './plugin.js';

export const DEFAULT_CACHE_DIR = '/var/lib/cni';

export interface CachedAttachment {
  containerId: string;
  ifName: string;
  networkName: string;
  netns?: string;
  /** The configuration list text. */
  config: string;
  cniArgs?: [string, string][];
  capabilityArgs?: Record<string, unknown>;
  result?: Record<string, unknown>;
}

export function cachePath(cacheDir: string, network: string, containerID: string, ifname: string): string {
  return join(cacheDir, 'results', `${network}-${containerID}-${ifname}`);
}

function cniArgsPairs(args: string | undefined): [string, string][] | undefined {
  if (!args) return undefined;
  return args.split(';').filter(Boolean).map((kv) => { const i = kv.indexOf('='); return [kv.slice(0, i), kv.slice(i + 1)] as [string, string]; });
}

export function writeCachedResult(cacheDir: string, network: string, configText: string, call: CniCall, result: Record<string, unknown>, capabilityArgs?: Record<string, unknown>): void {
  const file = cachePath(cacheDir, network, call.containerID, call.ifname);
  mkdirSync(join(cacheDir, 'results'), { recursive: true, mode: 0o700 });
  const entry: Record<string, unknown> = {
    kind: 'cniCacheV1',
    containerId: call.containerID,
    config: Buffer.from(configText).toString('base64'),
    ifName: call.ifname,
    networkName: network,
  };
  if (call.netns) entry.netns = call.netns;
  const pairs = cniArgsPairs(call.args);
  if (pairs?.length) entry.cniArgs = pairs;
  if (capabilityArgs && Object.keys(capabilityArgs).length) entry.capabilityArgs = capabilityArgs;
  entry.result = result;
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(entry), { mode: 0o600 });
  renameSync(tmp, file);
}

/** The cached attachment, or null when there is none (or it is not a cniCacheV1 entry). */
export function readCachedResult(cacheDir: string, network: string, containerID: string, ifname: string): CachedAttachment | null {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(cachePath(cacheDir, network, containerID, ifname), 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (raw.kind !== 'cniCacheV1') return null;
  return {
    containerId: String(raw.containerId ?? ''),
    ifName: String(raw.ifName ?? ''),
    networkName: String(raw.networkName ?? ''),
    netns: typeof raw.netns === 'string' ? raw.netns : undefined,
    config: typeof raw.config === 'string' ? Buffer.from(raw.config, 'base64').toString() : '',
    cniArgs: raw.cniArgs as [string, string][] | undefined,
    capabilityArgs: raw.capabilityArgs as Record<string, unknown> | undefined,
    result: raw.result as Record<string, unknown> | undefined,
  };
}

export function deleteCachedResult(cacheDir: string, network: string, containerID: string, ifname: string): void {
  try { unlinkSync(cachePath(cacheDir, network, containerID, ifname)); } catch { /* none */ }
}
