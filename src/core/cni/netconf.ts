// Typed reading of plugin configuration keys. A key of the wrong JSON type is an invalid network
// configuration (code 7); the message keeps the wording of the reference's Go decoder
// ("cannot unmarshal string into Go struct field NetConf.mtu of type int") because users search
// for it, and adds what to do.
import { CniError, ErrorCode } from './errors.js';
import type { DNS } from './result.js';

export type Json = Record<string, unknown>;

function jsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v === 'boolean' ? 'bool' : typeof v;
}

function typeError(field: string, v: unknown, goType: string): CniError {
  return new CniError(
    ErrorCode.InvalidNetworkConfig,
    `failed to load netconf: json: cannot unmarshal ${jsonType(v)} into Go struct field NetConf.${field} of type ${goType}`,
    `fix "${field}" in the network configuration: it must be a JSON ${goType === 'int' ? 'integer' : goType === 'bool' ? 'boolean' : goType}`,
  );
}

export function getBool(o: Json, key: string, def = false, where = key): boolean {
  const v = o[key];
  if (v === undefined || v === null) return def;
  if (typeof v !== 'boolean') throw typeError(where, v, 'bool');
  return v;
}

export function getString(o: Json, key: string, def = '', where = key): string {
  const v = o[key];
  if (v === undefined || v === null) return def;
  if (typeof v !== 'string') throw typeError(where, v, 'string');
  return v;
}

export function getInt(o: Json, key: string, def = 0, where = key): number {
  const v = o[key];
  if (v === undefined || v === null) return def;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw typeError(where, v, 'int');
  return v;
}

export function getObject(o: Json, key: string, where = key): Json | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw typeError(where, v, 'object');
  return v as Json;
}

export function unsupported(key: string, value: unknown, why: string): CniError {
  return new CniError(ErrorCode.UnsupportedField, `unsupported field in network configuration: ${key}=${JSON.stringify(value)}`, why);
}

export function invalid(msg: string, details = ''): CniError {
  return new CniError(ErrorCode.InvalidNetworkConfig, msg, details);
}

/** The well-known "dns" key (also the bridge result's dns when set). */
export function getDNS(o: Json): DNS | undefined {
  const d = getObject(o, 'dns');
  if (!d) return undefined;
  const out: DNS = {};
  const list = (k: string) => {
    const v = d[k];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw typeError(`dns.${k}`, v, '[]string');
    return v as string[];
  };
  const ns = list('nameservers'); if (ns) out.nameservers = ns;
  const domain = getString(d, 'domain', '', 'dns.domain'); if (domain) out.domain = domain;
  const search = list('search'); if (search) out.search = search;
  const options = list('options'); if (options) out.options = options;
  return out;
}

export const MAC_RE = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;

/** Linux interface names: 1-15 bytes, no '/', ':' or whitespace, not "." or "..". */
export function isValidLinkName(name: string): boolean {
  return name.length > 0 && name.length <= 15 && name !== '.' && name !== '..' && !/[/:\s]/.test(name);
}

/** nftables identifiers (table names) that need no quoting. */
export function isValidNftName(name: string): boolean {
  return /^[a-zA-Z_][a-zA-Z0-9_]{0,63}$/.test(name);
}
