// The bridge attachment planner: from the configuration, the IPAM result and what the bridge looks
// like now, the exact iproute2 batch lines for the host and the pod namespaces, and the result the
// plugin will print. Pure, so every decision (gateways, default route, forceAddress, veth name,
// MTU, hairpin) is unit-tested without root; components/cni/bridge.ts only runs the batches.
import { createHash } from 'node:crypto';
import type { BridgeConfig } from './bridge-config.js';
import { CniError, ErrorCode } from './errors.js';
import { type IPPrefix, type IPFamily, isIP, isIPPrefix, prefixContains, defaultRouteDst, formatIPPrefix, formatIP, nextIP, networkOf, parseIPPrefix, parseIP } from '../net/index.js';
import type { IPConfig, Result, Route } from './result.js';
import type { BatchLine } from '../iproute/batch.js';

export { isBatchSafeWord } from '../iproute/batch.js';

/**
 * The host end of the veth: "veth" + 8 hex characters, like the reference, but taken from a hash
 * of the attachment (container ID, ifname) instead of random bytes, so a leftover from the same
 * attachment is recognisable. `attempt` salts the hash after a name collision.
 */
export function hostVethName(containerID: string, ifname: string, attempt = 0): string {
  const h = createHash('sha256').update(`${containerID}/${ifname}${attempt ? `#${attempt}` : ''}`).digest('hex');
  return `veth${h.slice(0, 8)}`;
}

/** What `ip -j -d addr show dev <bridge>` says about an existing link with the bridge's name. */
export interface BridgeState {
  isBridge: boolean;
  mac: string;
  promisc: boolean;
  mtu: number;
  /** Global and link-local addresses with their prefix length. */
  addrs: IPPrefix[];
}

interface IpLinkJson {
  ifname?: string;
  address?: string;
  mtu?: number;
  flags?: string[];
  operstate?: string;
  master?: string;
  link_index?: number;
  ifindex?: number;
  promiscuity?: number;
  linkinfo?: { info_kind?: string; info_slave_kind?: string };
  addr_info?: { family?: string; local?: string; prefixlen?: number; scope?: string }[];
}

export function parseBridgeState(json: unknown): BridgeState {
  const l = (Array.isArray(json) ? json[0] : json) as IpLinkJson | undefined;
  if (!l) throw new CniError(ErrorCode.Internal, 'unexpected empty output from ip addr show');
  const addrs: IPPrefix[] = [];
  for (const a of l.addr_info ?? []) {
    const text = `${a.local}/${a.prefixlen}`;
    if (a.local !== undefined && a.prefixlen !== undefined && isIPPrefix(text)) addrs.push(parseIPPrefix(text));
  }
  return {
    isBridge: l.linkinfo?.info_kind === 'bridge',
    mac: l.address ?? '',
    promisc: (l.flags ?? []).includes('PROMISC'),
    mtu: l.mtu ?? 0,
    addrs,
  };
}

export interface Gateways {
  /** Gateway address with the pod prefix (e.g. 10.99.0.1/24), per family, for the bridge. */
  v4: IPPrefix[];
  v6: IPPrefix[];
}

/**
 * The reference calcGateways: every IP belongs to the container interface (index 2); a missing
 * gateway becomes the subnet's first address when isGateway; isDefaultGateway appends a default
 * route through it unless IPAM already gave one with a gateway.
 */
export function calcGateways(result: Result, cfg: BridgeConfig): Gateways {
  const gws: Gateways = { v4: [], v6: [] };
  const defaultFound: Record<IPFamily, boolean> = { 4: false, 6: false };
  result.routes = result.routes ?? [];
  for (const ipc of result.ips ?? []) {
    if (!isIPPrefix(ipc.address)) throw new CniError(ErrorCode.Internal, `Unknown IP object: ${JSON.stringify(ipc)}`);
    const addr = parseIPPrefix(ipc.address);
    const fam = addr.ip.family;
    ipc.interface = 2;
    if (!ipc.gateway && cfg.isGateway) ipc.gateway = formatIP(nextIP(networkOf(addr).ip));
    if (cfg.isDefaultGateway && !defaultFound[fam]) {
      defaultFound[fam] = result.routes.some((r) => r.gw && normDst(r.dst) === defaultRouteDst(fam));
      if (!defaultFound[fam]) {
        result.routes.push({ dst: defaultRouteDst(fam), ...(ipc.gateway ? { gw: ipc.gateway } : {}) });
        defaultFound[fam] = true;
      }
    }
    if (cfg.isGateway && ipc.gateway) {
      if (isIP(ipc.gateway)) (fam === 4 ? gws.v4 : gws.v6).push({ ip: parseIP(ipc.gateway), prefix: addr.prefix });
    }
  }
  return gws;
}

function normDst(dst: string): string {
  return isIPPrefix(dst) ? formatIPPrefix(networkOf(parseIPPrefix(dst))) : dst;
}

/**
 * Addresses to remove from and add to the bridge for its gateways (reference ensureAddr): an
 * identical address is kept; any other IPv4 address (or an overlapping IPv6 one) is an error
 * unless forceAddress, in which case it is replaced.
 */
export function planBridgeAddresses(bridge: string, state: BridgeState | null, gws: Gateways, forceAddress: boolean): { add: IPPrefix[]; del: IPPrefix[] } {
  const add: IPPrefix[] = [];
  const del: IPPrefix[] = [];
  const existing = state?.addrs ?? [];
  for (const gw of [...gws.v4, ...gws.v6]) {
    const want = formatIPPrefix(gw);
    const fam = gw.ip.family;
    const same = existing.some((a) => formatIPPrefix(a) === want) || add.some((a) => formatIPPrefix(a) === want);
    if (same) continue;
    for (const a of existing) {
      if (a.ip.family !== fam || del.includes(a)) continue;
      const clash = fam === 4 || prefixContains(a, gw.ip) || prefixContains(gw, a.ip);
      if (!clash) continue;
      if (!forceAddress) {
        throw new CniError(ErrorCode.Internal, `failed to set bridge addr: ${JSON.stringify(bridge)} already has an IP address different from ${want}`);
      }
      del.push(a);
    }
    add.push(gw);
  }
  return { add, del };
}

/**
 * Run in the host namespace: create the veth pair with the container end (named ifname) created
 * straight into the pod's namespace, as the reference does the other way round with
 * IFLA_NET_NS_FD. txqueuelen 0 on both ends is what the reference's netlink request leaves.
 */
export function vethCreateLine(ifname: string, hostVeth: string, netnsPath: string, mtu: number, mac?: string): BatchLine {
  const m = [...(mtu ? ['mtu', String(mtu)] : []), 'txqueuelen', '0'];
  return { argv: ['link', 'add', 'name', hostVeth, ...m, 'type', 'veth', 'peer', 'name', ifname, ...(mac ? ['address', mac] : []), ...m, 'netns', netnsPath] };
}

/** iproute2's batch parser splits on blanks and treats quotes and "#" specially: such paths cannot go through it. */
export function isBatchSafePath(path: string): boolean {
  return /^\/[A-Za-z0-9_.@%+=:,/-]+$/.test(path);
}


function routeLine(r: Route, ifname: string, gw: string | undefined): BatchLine {
  const argv = ['route', 'add', normDst(r.dst)];
  if (gw) argv.push('via', gw);
  argv.push('dev', ifname);
  if (r.priority !== undefined) argv.push('metric', String(r.priority));
  if (r.table !== undefined) argv.push('table', String(r.table));
  if (r.scope !== undefined) argv.push('scope', String(r.scope));
  if (r.mtu !== undefined) argv.push('mtu', String(r.mtu));
  if (r.advmss !== undefined) argv.push('advmss', String(r.advmss));
  return { argv, tolerateExists: true };
}

/**
 * Run in the pod namespace after the sysctls: the reference ConfigureIface (addresses with the
 * IPv4 broadcast, link up, routes; a route without gw uses the first gateway of its family;
 * duplicate routes are skipped), then `link show` to learn the MAC the kernel chose.
 */
export function podConfigLines(ifname: string, ips: IPConfig[], routes: Route[]): BatchLine[] {
  const lines: BatchLine[] = [];
  const firstGw: Partial<Record<IPFamily, string>> = {};
  for (const ipc of ips) {
    const c = parseIPPrefix(ipc.address);
    lines.push({ argv: ['addr', 'add', formatIPPrefix(c), ...(c.ip.family === 4 && c.prefix < 31 ? ['brd', '+'] : []), 'dev', ifname] });
    if (ipc.gateway && firstGw[c.ip.family] === undefined) firstGw[c.ip.family] = ipc.gateway;
  }
  lines.push({ argv: ['link', 'set', 'dev', ifname, 'up'] });
  for (const r of routes) {
    const fam = isIPPrefix(r.dst) ? parseIPPrefix(r.dst).ip.family : 4;
    lines.push(routeLine(r, ifname, r.gw ?? firstGw[fam]));
  }
  lines.push({ argv: ['link', 'show', 'dev', ifname] });
  return lines;
}

/** Sysctls for the container interface, written inside the pod namespace (errors ignored, as in the reference). */
export function podSysctls(ifname: string, enableDad: boolean, hasV6: boolean): [string, string][] {
  const s: [string, string][] = [];
  if (hasV6) s.push(['net/ipv6/conf/lo/disable_ipv6', '0'], [`net/ipv6/conf/${ifname}/disable_ipv6`, '0']);
  if (enableDad) s.push([`net/ipv6/conf/${ifname}/enhanced_dad`, '1'], [`net/ipv6/conf/${ifname}/accept_dad`, '1']);
  else s.push([`net/ipv6/conf/${ifname}/accept_dad`, '0']);
  s.push([`net/ipv4/conf/${ifname}/arp_notify`, '1']);
  return s;
}

/**
 * Run in the host namespace after the pod side: ensure the bridge (created with a pinned MAC when it
 * will carry the gateway, as the reference pins it), attach and raise the host veth with the
 * hairpin flag, set the gateway addresses, then show both links for MACs and operstate.
 */
export function hostLines(cfg: BridgeConfig, state: BridgeState | null, hostVeth: string, addrs: { add: IPPrefix[]; del: IPPrefix[] }, newBridgeMac: string): BatchLine[] {
  const br = cfg.bridge;
  const lines: BatchLine[] = [];
  if (!state) {
    const mac = cfg.isGateway && addrs.add.length ? ['address', newBridgeMac] : [];
    // Another ADD may create it at the same moment: EEXIST is fine, the next lines check it is a bridge.
    lines.push({ argv: ['link', 'add', 'name', br, ...mac, ...(cfg.mtu ? ['mtu', String(cfg.mtu)] : []), 'type', 'bridge'], tolerateExists: true });
  }
  if (cfg.promiscMode) lines.push({ argv: ['link', 'set', 'dev', br, 'promisc', 'on'] });
  lines.push({ argv: ['link', 'set', 'dev', br, 'up'] });
  lines.push({ argv: ['link', 'set', 'dev', hostVeth, 'master', br] });
  lines.push({ argv: ['link', 'set', 'dev', hostVeth, 'type', 'bridge_slave', 'hairpin', cfg.hairpinMode ? 'on' : 'off'] });
  lines.push({ argv: ['link', 'set', 'dev', hostVeth, 'up'] });
  // A concurrent ADD may have removed it already (forceAddress): gone is done.
  for (const a of addrs.del) lines.push({ argv: ['addr', 'del', formatIPPrefix(a), 'dev', br], tolerateMissing: true });
  for (const a of addrs.add) {
    lines.push({ argv: ['addr', 'add', formatIPPrefix(a), ...(a.ip.family === 4 && a.prefix < 31 ? ['brd', '+'] : []), 'dev', br], tolerateExists: true });
  }
  if (state && cfg.isGateway && addrs.add.length && state.mac) lines.push({ argv: ['link', 'set', 'dev', br, 'address', state.mac] });
  lines.push({ argv: ['link', 'show', 'dev', hostVeth] });
  lines.push({ argv: ['link', 'show', 'dev', br] });
  return lines;
}

/** A random locally administered unicast MAC (as the kernel would pick). */
export function randomMac(bytes: Uint8Array): string {
  const b = Array.from(bytes.slice(0, 6));
  b[0] = (b[0] & 0xfe) | 0x02;
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
}

export type { IpLinkJson };
