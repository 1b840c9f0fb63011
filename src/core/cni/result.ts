// CNI results and their version conversion. Internally every result is held in the 1.1.0 shape;
// it is parsed from whatever version a previous plugin or an IPAM delegate produced and printed in
// the version the request's configuration declared (the spec requires the output in that version).
import { CniError, ErrorCode } from './errors.js';
import { type IPFamily, isIPPrefix, parseIPPrefix } from '../net/index.js';
import { versionAtLeast } from './version.js';

/** The family of an address or route destination in a result, undefined when it is not one. */
const familyOf = (s: string): IPFamily | undefined => (isIPPrefix(s) ? parseIPPrefix(s).ip.family : undefined);

export interface Interface {
  name: string;
  mac?: string;
  /** 1.1.0 */
  mtu?: number;
  sandbox?: string;
  /** 1.1.0 */
  socketPath?: string;
  /** 1.1.0 */
  pciID?: string;
}

export interface IPConfig {
  /** Index into interfaces. */
  interface?: number;
  /** CIDR with the host address, e.g. 10.99.0.2/24. */
  address: string;
  gateway?: string;
}

export interface Route {
  dst: string;
  gw?: string;
  /** 1.1.0 */
  mtu?: number;
  /** 1.1.0 */
  advmss?: number;
  /** 1.1.0 */
  priority?: number;
  /** 1.1.0 */
  table?: number;
  /** 1.1.0: 0 universe, 253 link, 254 host */
  scope?: number;
}

export interface DNS {
  nameservers?: string[];
  domain?: string;
  search?: string[];
  options?: string[];
}

export interface Result {
  cniVersion: string;
  interfaces?: Interface[];
  ips?: IPConfig[];
  routes?: Route[];
  dns?: DNS;
}

type Json = Record<string, unknown>;

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
function strList(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
}

function parseDNS(v: unknown): DNS {
  if (!v || typeof v !== 'object') return {};
  const d = v as Json;
  const out: DNS = {};
  const ns = strList(d.nameservers); if (ns) out.nameservers = ns;
  const dom = str(d.domain); if (dom) out.domain = dom;
  const search = strList(d.search); if (search) out.search = search;
  const opts = strList(d.options); if (opts) out.options = opts;
  return out;
}

function parseRoute(v: unknown): Route {
  const r = (v ?? {}) as Json;
  const dst = str(r.dst);
  if (!dst || !isIPPrefix(dst)) throw new CniError(ErrorCode.DecodingFailure, `invalid route in result: dst ${JSON.stringify(r.dst)} is not a CIDR`);
  const out: Route = { dst };
  const gw = str(r.gw); if (gw) out.gw = gw;
  for (const k of ['mtu', 'advmss', 'priority', 'table', 'scope'] as const) {
    const n = num(r[k]); if (n !== undefined) out[k] = n;
  }
  return out;
}

/** Parses a result of any supported version (e.g. a prevResult or an IPAM delegate's output). */
export function parseResult(raw: unknown): Result {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new CniError(ErrorCode.DecodingFailure, 'failed to decode result: not a JSON object');
  }
  const r = raw as Json;
  const cniVersion = str(r.cniVersion) ?? '0.1.0';
  const out: Result = { cniVersion };
  if (r.ip4 !== undefined || r.ip6 !== undefined) {
    // 0.1.0/0.2.0: one address per family, routes nested in it.
    out.ips = [];
    out.routes = [];
    for (const key of ['ip4', 'ip6'] as const) {
      const c = r[key] as Json | undefined;
      if (!c) continue;
      const ip = str(c.ip);
      if (!ip) continue;
      out.ips.push({ address: ip, ...(str(c.gateway) ? { gateway: str(c.gateway) } : {}) });
      for (const rt of Array.isArray(c.routes) ? c.routes : []) out.routes.push(parseRoute(rt));
    }
    out.dns = parseDNS(r.dns);
    return out;
  }
  if (Array.isArray(r.interfaces)) {
    out.interfaces = r.interfaces.map((i) => {
      const o = (i ?? {}) as Json;
      const itf: Interface = { name: str(o.name) ?? '' };
      const mac = str(o.mac); if (mac) itf.mac = mac;
      const mtu = num(o.mtu); if (mtu) itf.mtu = mtu;
      const sb = str(o.sandbox); if (sb) itf.sandbox = sb;
      const sp = str(o.socketPath); if (sp) itf.socketPath = sp;
      const pci = str(o.pciID); if (pci) itf.pciID = pci;
      return itf;
    });
  }
  if (Array.isArray(r.ips)) {
    out.ips = r.ips.map((i) => {
      const o = (i ?? {}) as Json;
      const address = str(o.address);
      if (!address || !isIPPrefix(address)) {
        throw new CniError(ErrorCode.DecodingFailure, `invalid IP configuration in result: address ${JSON.stringify(o.address)} is not a CIDR`);
      }
      const ipc: IPConfig = { address };
      const idx = num(o.interface); if (idx !== undefined) ipc.interface = idx;
      const gw = str(o.gateway); if (gw) ipc.gateway = gw;
      return ipc;
    });
  }
  if (Array.isArray(r.routes)) out.routes = r.routes.map(parseRoute);
  out.dns = parseDNS(r.dns);
  return out;
}

function formatDNS(d: DNS | undefined): Json {
  const o: Json = {};
  if (!d) return o;
  if (d.nameservers?.length) o.nameservers = d.nameservers;
  if (d.domain) o.domain = d.domain;
  if (d.search?.length) o.search = d.search;
  if (d.options?.length) o.options = d.options;
  return o;
}

function formatRoute(r: Route, v11: boolean): Json {
  const o: Json = { dst: r.dst };
  if (r.gw) o.gw = r.gw;
  if (v11) {
    for (const k of ['mtu', 'advmss', 'priority', 'table', 'scope'] as const) if (r[k] !== undefined) o[k] = r[k];
  }
  return o;
}

/**
 * The result as a JSON object in the given spec version, with keys in the order the reference
 * library prints them. Fields newer than the version are dropped; 0.3.x/0.4.0 add ips[].version.
 */
export function formatResult(res: Result, version: string): Json {
  if (!versionAtLeast(version, '0.3.0')) return formatLegacyResult(res, version);
  const v11 = versionAtLeast(version, '1.1.0');
  const pre10 = !versionAtLeast(version, '1.0.0');
  const out: Json = { cniVersion: version };
  if (res.interfaces?.length) {
    out.interfaces = res.interfaces.map((i) => {
      const o: Json = { name: i.name };
      if (i.mac) o.mac = i.mac;
      if (v11 && i.mtu) o.mtu = i.mtu;
      if (i.sandbox) o.sandbox = i.sandbox;
      if (v11 && i.socketPath) o.socketPath = i.socketPath;
      if (v11 && i.pciID) o.pciID = i.pciID;
      return o;
    });
  }
  if (res.ips?.length) {
    out.ips = res.ips.map((ip) => {
      const o: Json = {};
      if (pre10) o.version = familyOf(ip.address) === 6 ? '6' : '4';
      if (ip.interface !== undefined) o.interface = ip.interface;
      o.address = ip.address;
      if (ip.gateway) o.gateway = ip.gateway;
      return o;
    });
  }
  if (res.routes?.length) out.routes = res.routes.map((r) => formatRoute(r, v11));
  out.dns = formatDNS(res.dns);
  return out;
}

/** 0.1.0/0.2.0: the first address of each family, with the routes of that family. */
function formatLegacyResult(res: Result, version: string): Json {
  const out: Json = { cniVersion: version };
  for (const fam of [4, 6] as const) {
    const ip = res.ips?.find((i) => familyOf(i.address) === fam);
    if (!ip) continue;
    const o: Json = { ip: ip.address };
    if (ip.gateway) o.gateway = ip.gateway;
    const routes = (res.routes ?? []).filter((r) => familyOf(r.dst) === fam).map((r) => formatRoute(r, false));
    if (routes.length) o.routes = routes;
    out[fam === 4 ? 'ip4' : 'ip6'] = o;
  }
  if (!out.ip4 && !out.ip6) throw new CniError(ErrorCode.Internal, 'cannot convert: no valid IP addresses');
  out.dns = formatDNS(res.dns);
  return out;
}
