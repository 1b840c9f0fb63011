// host-local IPAM configuration: range sets, their defaults (rangeStart = network+1, rangeEnd = last
// address minus the IPv4 broadcast, gateway = network+1) and validation, with the reference
// plugin's messages. Also the allocation order (round robin from last_reserved_ip + 1), so the
// disk store in components/cni only does file I/O.
import { CniError, ErrorCode } from './errors.js';
import {
  type IPPrefix, type IP, bitsOf, compareIP, prefixContains, formatIPPrefix, formatIP, ipEqual, isIP, isIPPrefix, lastOf, networkOf, nextIP, parseIPPrefix, parseIP,
} from '../net/index.js';
import type { Route } from './result.js';
import { versionAtLeast } from './version.js';

export interface Range {
  /** Network address and prefix. */
  subnet: IPPrefix;
  rangeStart: IP;
  rangeEnd: IP;
  gateway: IP;
}

export type RangeSet = Range[];

export interface HostLocalConfig {
  /** The network name: the directory under dataDir. */
  name: string;
  dataDir: string;
  ranges: RangeSet[];
  routes: Route[];
  resolvConf?: string;
  /** Addresses asked for through CNI_ARGS IP=, args.cni.ips or runtimeConfig.ips. */
  requestedIPs: IP[];
}

export const DEFAULT_DATA_DIR = '/var/lib/cni/networks';

const fail = (msg: string): never => { throw new CniError(ErrorCode.Internal, msg); };

function ipField(v: unknown, what: string): IP | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' || !isIP(v)) fail(`invalid ${what} ${JSON.stringify(v)}: not an IP address`);
  return parseIP(v as string);
}

export function rangeContains(r: Range, ip: IP): boolean {
  return prefixContains(r.subnet, ip) && compareIP(ip, r.rangeStart) >= 0 && compareIP(ip, r.rangeEnd) <= 0;
}

export function rangeString(r: Range): string {
  return `${formatIP(r.rangeStart)}-${formatIP(r.rangeEnd)}`;
}

export function rangeSetString(s: RangeSet): string {
  return s.map(rangeString).join(',');
}

export function rangeFor(s: RangeSet, ip: IP): Range | undefined {
  return s.find((r) => rangeContains(r, ip));
}

/** Fills defaults and validates one range (reference Range.Canonicalize). */
export function canonicalizeRange(raw: unknown): Range {
  const o = (raw ?? {}) as Record<string, unknown>;
  const sub = typeof o.subnet === 'string' && isIPPrefix(o.subnet) ? parseIPPrefix(o.subnet) : null;
  if (!sub) fail(`invalid CIDR address: ${typeof o.subnet === 'string' ? o.subnet : JSON.stringify(o.subnet ?? '')}`);
  const subnet = networkOf(sub!);
  if (subnet.ip.value !== sub!.ip.value) {
    fail(`Network has host bits set. For a subnet mask of length ${subnet.prefix} the network address is ${formatIP(subnet.ip)}`);
  }
  if (subnet.prefix > bitsOf(subnet.ip.family) - 2) fail(`Network ${formatIPPrefix(subnet)} too small to allocate from`);
  const first = nextIP(subnet.ip);
  const gateway = ipField(o.gateway, 'gateway') ?? first;
  if (!prefixContains(subnet, gateway)) fail(`gateway ${formatIP(gateway)} not in network ${formatIPPrefix(subnet)}`);
  const last = lastOf(subnet);
  const defaultEnd = subnet.ip.family === 4 ? { family: 4 as const, value: last.value - 1n } : last;
  const r: Range = { subnet, gateway, rangeStart: first, rangeEnd: defaultEnd };
  const start = ipField(o.rangeStart, 'rangeStart');
  if (start) {
    if (!prefixContains(subnet, start)) fail(`RangeStart ${formatIP(start)} not in network ${formatIPPrefix(subnet)}`);
    r.rangeStart = start;
  }
  const end = ipField(o.rangeEnd, 'rangeEnd');
  if (end) {
    if (!prefixContains(subnet, end) || compareIP(end, r.rangeStart) < 0) fail(`RangeEnd ${formatIP(end)} not in network ${formatIPPrefix(subnet)}`);
    r.rangeEnd = end;
  }
  return r;
}

function overlaps(a: Range, b: Range): boolean {
  if (a.subnet.ip.family !== b.subnet.ip.family) return false;
  return rangeContains(a, b.rangeStart) || rangeContains(a, b.rangeEnd) || rangeContains(b, a.rangeStart) || rangeContains(b, a.rangeEnd);
}

export function canonicalizeRangeSet(raw: unknown): RangeSet {
  if (!Array.isArray(raw) || raw.length === 0) fail('empty range set');
  const set = (raw as unknown[]).map(canonicalizeRange);
  for (const r of set) if (r.subnet.ip.family !== set[0].subnet.ip.family) fail('mixed address families');
  for (let i = 0; i < set.length; i++) {
    for (let j = i + 1; j < set.length; j++) {
      if (overlaps(set[i], set[j])) fail(`subnets ${formatIPPrefix(set[i].subnet)} and ${formatIPPrefix(set[j].subnet)} overlap`);
    }
  }
  return set;
}

function parseRoutes(raw: unknown): Route[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) fail('invalid routes: must be a list of {"dst": IPPrefix, "gw": IP}');
  return (raw as unknown[]).map((x) => {
    const o = (x ?? {}) as Record<string, unknown>;
    const dst = typeof o.dst === 'string' && isIPPrefix(o.dst) ? parseIPPrefix(o.dst) : null;
    if (!dst) fail(`invalid CIDR address: ${String(o.dst ?? '')}`);
    const route: Route = { dst: formatIPPrefix(networkOf(dst!)) };
    const gw = ipField(o.gw, 'route gateway');
    if (gw) route.gw = formatIP(gw);
    return route;
  });
}

/**
 * The host-local configuration from the full network configuration (IPAM plugins get all of it),
 * like the reference LoadIPAMConfig: legacy top-level range first, runtimeConfig.ipRanges prepended,
 * requested addresses collected from CNI_ARGS, args and runtimeConfig.
 */
export function loadHostLocalConfig(conf: Record<string, unknown>, cniArgs: Map<string, string>): HostLocalConfig {
  const ipam = conf.ipam as Record<string, unknown> | undefined;
  if (!ipam || typeof ipam !== 'object') fail("IPAM config missing 'ipam' key");
  const name = String(conf.name ?? '');
  const cniVersion = typeof conf.cniVersion === 'string' ? conf.cniVersion : '0.1.0';

  const requested: IP[] = [];
  const want = (v: unknown) => {
    const s = String(v).replace(/\/\d+$/, '');
    if (!isIP(s)) fail(`cannot understand ip: IP ${s} not v4 nor v6`);
    requested.push(parseIP(s));
  };
  const envIP = cniArgs.get('IP');
  if (envIP) want(envIP);
  const args = conf.args as { cni?: { ips?: unknown } } | undefined;
  if (Array.isArray(args?.cni?.ips)) args!.cni!.ips.forEach(want);
  const rc = (conf.runtimeConfig ?? {}) as { ips?: unknown; ipRanges?: unknown };
  if (Array.isArray(rc.ips)) rc.ips.forEach(want);

  let rawSets: unknown[] = Array.isArray(ipam!.ranges) ? [...(ipam!.ranges as unknown[])] : [];
  if (typeof ipam!.subnet === 'string' && ipam!.subnet !== '') {
    rawSets = [[{ subnet: ipam!.subnet, rangeStart: ipam!.rangeStart, rangeEnd: ipam!.rangeEnd, gateway: ipam!.gateway }], ...rawSets];
  }
  if (Array.isArray(rc.ipRanges) && rc.ipRanges.length) rawSets = [...rc.ipRanges, ...rawSets];
  if (rawSets.length === 0) fail('no IP ranges specified');

  const ranges = rawSets.map((s, i) => {
    try {
      return canonicalizeRangeSet(s);
    } catch (e) {
      if (e instanceof CniError && e.msg.startsWith('invalid CIDR address')) throw e;
      return fail(`invalid range set ${i}: ${(e as Error).message}`);
    }
  });
  const v4 = ranges.filter((s) => s[0].subnet.ip.family === 4).length;
  if ((v4 > 1 || ranges.length - v4 > 1) && !versionAtLeast(cniVersion, '0.3.0')) {
    fail(`CNI version ${cniVersion} does not support more than 1 address per family`);
  }
  for (let i = 0; i < ranges.length; i++) {
    for (let j = i + 1; j < ranges.length; j++) {
      if (ranges[i].some((a) => ranges[j].some((b) => overlaps(a, b)))) fail(`range set ${i} overlaps with ${j}`);
    }
  }
  const dataDir = typeof ipam!.dataDir === 'string' && ipam!.dataDir !== '' ? ipam!.dataDir : DEFAULT_DATA_DIR;
  const resolvConf = typeof ipam!.resolvConf === 'string' && ipam!.resolvConf !== '' ? ipam!.resolvConf : undefined;
  return { name, dataDir, ranges, routes: parseRoutes(ipam!.routes), resolvConf, requestedIPs: requested };
}

/**
 * Candidate addresses in allocation order: from last_reserved_ip + 1 (when it lies in the set),
 * otherwise from the first rangeStart, wrapping across the set's ranges, skipping gateways, until
 * the start is reached again (the reference RangeIter).
 */
export function* allocationOrder(set: RangeSet, lastReserved: IP | null): Generator<{ ip: IP; range: Range }> {
  let idx = 0;
  let cur: IP | null = null;
  let startIP: IP | null = null;
  if (lastReserved) {
    const i = set.findIndex((r) => rangeContains(r, lastReserved));
    if (i >= 0) { idx = i; cur = lastReserved; }
  }
  for (;;) {
    let r = set[idx];
    if (cur === null) {
      cur = r.rangeStart;
      startIP = cur;
    } else {
      if (ipEqual(cur, r.rangeEnd)) {
        idx = (idx + 1) % set.length;
        r = set[idx];
        cur = r.rangeStart;
      } else {
        cur = nextIP(cur);
      }
      if (startIP === null) startIP = cur;
      else if (ipEqual(cur, startIP)) return;
    }
    if (ipEqual(cur, r.gateway)) continue;
    yield { ip: cur, range: r };
  }
}
