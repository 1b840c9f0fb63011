// The runtime side of the CNI spec, pure part: a network configuration list (.conflist) and the
// configuration each plugin of it receives on stdin (spec §"Deriving execution configuration"):
// the plugin object unchanged plus the list's name and chosen cniVersion; for ADD/DEL/CHECK the
// runtimeConfig made of the capabilities the plugin declares, and prevResult; for GC the valid
// attachments (under both key names libcni sends).
import { CniError, ErrorCode } from './errors.js';
import { validateNetworkName } from './request.js';
import { SUPPORTED_VERSIONS, isValidVersion, versionAtLeast } from './version.js';

export interface ConfList {
  cniVersion: string;
  name: string;
  disableCheck: boolean;
  disableGC: boolean;
  plugins: Record<string, unknown>[];
  /** The configuration text as read (libcni caches it with each attachment). */
  bytes: string;
}

function flag(v: unknown, key: string): boolean {
  if (v === undefined || v === null) return false;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw new CniError(ErrorCode.InvalidNetworkConfig, `invalid ${key} ${JSON.stringify(v)}: use true or false`);
}

/**
 * Parses a .conflist (or a single-plugin .conf, up-converted to a one-plugin list as go-cni does).
 * The version is the highest of cniVersion and cniVersions that podnet supports.
 */
export function parseConfList(text: string): ConfList {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new CniError(ErrorCode.DecodingFailure, `error parsing configuration list: ${(e as Error).message}`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new CniError(ErrorCode.DecodingFailure, 'error parsing configuration list: not a JSON object');
  const name = typeof raw.name === 'string' ? raw.name : '';
  validateNetworkName(name);
  const plugins = Array.isArray(raw.plugins) ? raw.plugins as Record<string, unknown>[] : typeof raw.type === 'string' ? [raw] : [];
  if (plugins.length === 0) {
    throw new CniError(ErrorCode.InvalidNetworkConfig, `error parsing configuration list: no plugins in list`, 'a .conflist needs "plugins": [{"type": ...}, ...]');
  }
  for (const [i, p] of plugins.entries()) {
    if (!p || typeof p !== 'object' || typeof p.type !== 'string' || !p.type || /[/\\]/.test(p.type)) {
      throw new CniError(ErrorCode.InvalidNetworkConfig, `plugin ${i} of network ${name} has no valid "type"`);
    }
  }
  const candidates = [raw.cniVersion, ...(Array.isArray(raw.cniVersions) ? raw.cniVersions : [])]
    .filter((v): v is string => isValidVersion(v) && (SUPPORTED_VERSIONS as readonly string[]).includes(v));
  const cniVersion = candidates.reduce<string | null>((best, v) => (best === null || versionAtLeast(v, best) ? v : best), null);
  if (!cniVersion) {
    throw new CniError(ErrorCode.IncompatibleCNIVersion, 'incompatible CNI versions',
      `network ${name} declares ${JSON.stringify(raw.cniVersion ?? '')}; podnet supports ${SUPPORTED_VERSIONS.join(', ')}`);
  }
  return { cniVersion, name, disableCheck: flag(raw.disableCheck, 'disableCheck'), disableGC: flag(raw.disableGC, 'disableGC'), plugins, bytes: text };
}

export interface DeriveOptions {
  /** Capability arguments the runtime has for this attachment, e.g. { portMappings: [...] }. */
  capabilityArgs?: Record<string, unknown>;
  prevResult?: unknown;
  /** GC only. */
  validAttachments?: { containerID: string; ifname: string }[];
}

/** The stdin configuration of plugin `index` of the list. */
export function pluginConfig(list: ConfList, index: number, opts: DeriveOptions = {}): Record<string, unknown> {
  const plugin = list.plugins[index];
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(plugin)) {
    // capabilities become runtimeConfig; runtimeConfig and cni.dev/* are the runtime's, never the file's.
    if (k === 'capabilities' || k === 'runtimeConfig' || k.startsWith('cni.dev/')) continue;
    out[k] = v;
  }
  out.cniVersion = list.cniVersion;
  out.name = list.name;
  if (opts.validAttachments) {
    out['cni.dev/valid-attachments'] = opts.validAttachments;
    out['cni.dev/attachments'] = opts.validAttachments;
    return out;
  }
  const caps = (plugin.capabilities ?? {}) as Record<string, unknown>;
  const rc: Record<string, unknown> = {};
  for (const [cap, wanted] of Object.entries(caps)) {
    if (wanted === true && opts.capabilityArgs && cap in opts.capabilityArgs) rc[cap] = opts.capabilityArgs[cap];
  }
  if (Object.keys(rc).length) out.runtimeConfig = rc;
  if (opts.prevResult !== undefined) out.prevResult = opts.prevResult;
  return out;
}
