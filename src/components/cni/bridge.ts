// The bridge plugin: ADD and DEL, behaving like the reference `bridge` (same configuration, same
// result shape, same kernel state) with three tool runs per ADD instead of a fresh process doing
// dozens of netlink round trips, and with the independent steps overlapped:
//   1. host: read the bridge + create the veth pair into the pod      || IPAM allocates
//   2. pod: sysctls, addresses, routes || host: bridge, port, gateway  || nft masquerade
//   3. the port's operstate (sysfs when it is ours, else ip)
// Anything ADD did is undone if a later step fails.
import { randomBytes } from 'node:crypto';
import { type BridgeConfig, checkBridgeAddOptions, loadBridgeConfig } from '../../core/cni/bridge-config.js';
import {
  type BridgeState, type IpLinkJson, calcGateways, hostLines, hostVethName, isBatchSafePath, isBatchSafeWord, parseBridgeState, planBridgeAddresses,
  podConfigLines, podSysctls, randomMac, vethCreateLine,
} from '../../core/cni/bridge-plan.js';
import { CniError, ErrorCode } from '../../core/cni/errors.js';
import { loadHostLocalConfig, rangeFor } from '../../core/cni/host-local-config.js';
import { type IPPrefix, type IP, isIPPrefix, parseIPPrefix } from '../../core/net/index.js';
import { attachmentComment } from '../../core/cni/masq-plan.js';
import { type Request, parseCniArgs } from '../../core/cni/request.js';
import { type Result, parseResult } from '../../core/cni/result.js';
import { netnsProblem } from '../../linux/cni-netns.js';
import { sysfsNet, sysfsShows } from '../../linux/sysfs.js';
import { setSysctl, setSysctls } from '../../linux/sysctl.js';
import { configurePod, deleteLinkIn, linkExistsIn } from '../../linux/cni-veth.js';
import { ipBatch } from '../../linux/batch.js';
import { deleteLink, getLink } from '../../linux/link.js';
import { IN_PROCESS_IPAM, ipamAdd, ipamDel } from './ipam.js';
import { masqAdd, masqDel } from './masq.js';
import { checkAddNetns } from './netns-check.js';

const VETH_NAME_ATTEMPTS = 10;

/**
 * Waits for the host veth to be operationally UP, as the reference does before answering (a port
 * that is not forwarding yet would drop the pod's first packets). Reads sysfs when it is this
 * namespace's (no process), else `ip link show`; gives up like the reference after ~2.5 s.
 */
async function waitPortUp(veth: string, first: IpLinkJson | undefined, sysfs: boolean): Promise<IpLinkJson> {
  let link = first;
  if (link?.operstate === 'UP') return link;
  for (const ms of [0, 1, 2, 5, 10, 30, 50, 500, 1000, 1000]) {
    if (ms) await new Promise((r) => setTimeout(r, ms));
    if (sysfs) {
      const state = sysfsNet(veth, 'operstate');
      if (state === 'up') return { ...link, operstate: 'UP', address: sysfsNet(veth, 'address') ?? link?.address };
      link = { ...link, operstate: state?.toUpperCase() ?? 'unknown' };
      continue;
    }
    const now = await getLink(veth).catch((e: Error) => { throw new CniError(ErrorCode.Internal, `failed to lookup ${JSON.stringify(veth)}: ${e.message}`); });
    if (!now) throw new CniError(ErrorCode.Internal, `failed to lookup ${JSON.stringify(veth)}: it does not exist`);
    link = now as IpLinkJson;
    if (link?.operstate === 'UP') return link;
  }
  throw new CniError(ErrorCode.Internal, `bridge port in error state: ${link?.operstate ?? 'unknown'}`);
}

function first(x: unknown): IpLinkJson | undefined {
  return Array.isArray(x) ? (x[0] as IpLinkJson) : undefined;
}

/**
 * Step 1, in the host namespace: read the bridge and create the veth pair (container end straight
 * into the pod). A taken host name is retried with the next name; a taken container name is the
 * reference's error.
 */
async function readBridgeAndCreateVeth(cfg: BridgeConfig, netns: string, ifname: string, containerID: string): Promise<{ state: BridgeState | null; hostVeth: string }> {
  for (let attempt = 0; attempt < VETH_NAME_ATTEMPTS; attempt++) {
    const hostVeth = hostVethName(containerID, ifname, attempt);
    const out = await ipBatch([{ argv: ['addr', 'show', 'dev', cfg.bridge] }, vethCreateLine(ifname, hostVeth, netns, cfg.mtu, cfg.mac)], { details: true });
    const createErr = out.failed.get(2);
    if (createErr === undefined) {
      const readErr = out.failed.get(1);
      if (readErr !== undefined && !/does not exist/.test(readErr)) {
        await deleteLink(hostVeth);
        throw new CniError(ErrorCode.Internal, `could not lookup ${JSON.stringify(cfg.bridge)}: ${readErr}`);
      }
      return { state: readErr === undefined ? parseBridgeState(out.shows[0]) : null, hostVeth };
    }
    if (!/File exists/.test(createErr)) throw new CniError(ErrorCode.Internal, `failed to create veth pair ${ifname}/${hostVeth}: ${createErr}`);
    if (await linkExistsIn(netns, ifname)) throw new CniError(ErrorCode.Internal, `container veth name provided (${ifname}) already exists`);
  }
  throw new CniError(ErrorCode.Internal, `failed to find a free host veth name after ${VETH_NAME_ATTEMPTS} attempts`);
}

export async function bridgeAdd(req: Request, env: Record<string, string | undefined>): Promise<Result> {
  const { args, conf } = req;
  const cfg = loadBridgeConfig(conf, parseCniArgs(args.args));
  checkBridgeAddOptions(cfg);
  checkAddNetns(args.netns, env);
  if (!isBatchSafeWord(args.ifname)) {
    throw new CniError(ErrorCode.InvalidEnvironmentVariables, `CNI_IFNAME ${JSON.stringify(args.ifname)} contains characters podnet cannot pass to iproute2`,
      'use letters, digits and ._- (e.g. eth0, net1)');
  }
  if (!isBatchSafePath(args.netns)) {
    throw new CniError(ErrorCode.InvalidEnvironmentVariables, `CNI_NETNS ${JSON.stringify(args.netns)} contains characters podnet cannot pass to iproute2`,
      'use a path made of letters, digits and /._-');
  }

  const undo: (() => Promise<unknown>)[] = [];
  try {
    // Step 1 (host: read the bridge, create the pair) runs alongside the address allocation.
    const [linkR, ipamR] = await Promise.allSettled([
      readBridgeAndCreateVeth(cfg, args.netns, args.ifname, args.containerID),
      cfg.ipamType ? ipamAdd(cfg.ipamType, conf, args) : Promise.resolve(null),
    ]);
    if (linkR.status === 'fulfilled') { const v = linkR.value.hostVeth; undo.push(() => deleteLink(v)); }
    if (ipamR.status === 'fulfilled' && ipamR.value) undo.push(() => ipamDel(cfg.ipamType, conf, args));
    if (ipamR.status === 'rejected') {
      // A failed external delegate gets a DEL so that it can release anything half-allocated (spec).
      if (!IN_PROCESS_IPAM.has(cfg.ipamType)) await ipamDel(cfg.ipamType, conf, args).catch(() => undefined);
      throw ipamR.reason;
    }
    if (linkR.status === 'rejected') throw linkR.reason;
    const { state, hostVeth } = linkR.value;
    const ipamResult = ipamR.value;
    if (state && !state.isBridge) {
      throw new CniError(ErrorCode.Internal, `failed to create bridge ${JSON.stringify(cfg.bridge)}: ${JSON.stringify(cfg.bridge)} already exists but is not a bridge`);
    }
    const result: Result = { cniVersion: req.cniVersion, interfaces: [], ips: ipamResult?.ips ?? [], routes: ipamResult?.routes ?? [], dns: ipamResult?.dns ?? {} };
    if (ipamResult && !result.ips!.length) throw new CniError(ErrorCode.Internal, 'IPAM plugin returned missing IP config');
    const gws = calcGateways(result, cfg);
    const addrPlan = planBridgeAddresses(cfg.bridge, state, gws, cfg.forceAddress);
    const hasV6 = result.ips!.some((i) => isIPPrefix(i.address) && parseIPPrefix(i.address).ip.family === 6);
    await setSysctl(`net/ipv6/conf/${hostVeth}/accept_ra`, '0').catch(() => undefined);

    // Step 2, all at once: the pod side (sysctls, addresses, routes), the host side (bridge, port,
    // gateway address) and the masquerade transaction.
    const podLines = ipamResult ? podConfigLines(args.ifname, result.ips!, result.routes!) : [{ argv: ['link', 'set', 'dev', args.ifname, 'up'] }, { argv: ['link', 'show', 'dev', args.ifname] }];
    const masqAddrs = cfg.ipMasq && ipamResult ? result.ips!.map((i) => parseIPPrefix(i.address)) : [];
    const comment = attachmentComment(cfg.name, args.containerID, args.ifname);
    if (masqAddrs.length) undo.push(() => masqDel(cfg.ipMasqTable, masqAddrs, comment));
    const [podR, hostR, masqR] = await Promise.allSettled([
      configurePod(args.netns, podSysctls(args.ifname, cfg.enableDad, hasV6), podLines),
      ipBatch(hostLines(cfg, state, hostVeth, addrPlan, randomMac(randomBytes(6)))),
      masqAddrs.length ? masqAdd(cfg.ipMasqTable, masqAddrs, comment) : Promise.resolve(),
    ]);
    if (podR.status === 'rejected') throw podR.reason;
    if (podR.value.errors.length) throw new CniError(ErrorCode.Internal, `failed to configure ${args.ifname}: ${podR.value.errors.join('; ')}`);
    if (hostR.status === 'rejected') throw hostR.reason;
    if (hostR.value.errors.length) throw new CniError(ErrorCode.Internal, `failed to attach ${hostVeth} to bridge ${cfg.bridge}: ${hostR.value.errors.join('; ')}`);
    if (masqR.status === 'rejected') throw new CniError(ErrorCode.Internal, `failed to set up ipMasq: ${(masqR.reason as Error).message}`);
    await setSysctl(`net/ipv6/conf/${cfg.bridge}/accept_ra`, '0').catch(() => undefined);
    const forwarding: Record<string, string> = {};
    if (gws.v4.length) forwarding['net/ipv4/ip_forward'] = '1';
    if (gws.v6.length) forwarding['net/ipv6/conf/all/forwarding'] = '1';
    await setSysctls(forwarding).catch((e: Error) => { throw new CniError(ErrorCode.Internal, `failed to enable forwarding: ${e.message}`); });

    const contLink = first(podR.value.shows[podR.value.shows.length - 1]);
    const shows = hostR.value.shows;
    const brLink = first(shows[shows.length - 1]);
    const sysfs = !!brLink?.ifindex && !!brLink.address && sysfsShows(cfg.bridge, brLink.ifindex, brLink.address);
    const vethLink = await waitPortUp(hostVeth, first(shows[shows.length - 2]), sysfs);
    result.interfaces = [
      { name: cfg.bridge, mac: brLink?.address, ...(brLink?.mtu ? { mtu: brLink.mtu } : {}) },
      { name: hostVeth, mac: vethLink.address, ...(vethLink.mtu ? { mtu: vethLink.mtu } : {}) },
      { name: args.ifname, mac: contLink?.address, ...(contLink?.mtu ? { mtu: contLink.mtu } : {}), sandbox: args.netns },
    ];
    // The configuration's dns wins over what IPAM returned (reference dnsConfSet).
    if (cfg.dns && Object.keys(cfg.dns).length) result.dns = cfg.dns;
    if (!ipamResult) { delete result.ips; delete result.routes; }
    undo.length = 0;
    return result;
  } catch (e) {
    for (const u of undo.reverse()) { try { await u(); } catch { /* best effort: report the original error */ } }
    throw e;
  }
}

/** The attachment's addresses with their prefix, for masquerade cleanup. */
function addressesFor(cfg: BridgeConfig, req: Request, released: IP[]): IPPrefix[] {
  const out: IPPrefix[] = [];
  if (released.length && IN_PROCESS_IPAM.has(cfg.ipamType)) {
    try {
      const hl = loadHostLocalConfig(req.conf, parseCniArgs(req.args.args));
      for (const ip of released) {
        for (const set of hl.ranges) {
          const r = rangeFor(set, ip);
          if (r) { out.push({ ip, prefix: r.subnet.prefix }); break; }
        }
      }
    } catch { /* fall back to prevResult */ }
  }
  if (!out.length && req.conf.prevResult) {
    try {
      for (const i of parseResult(req.conf.prevResult).ips ?? []) if (isIPPrefix(i.address)) out.push(parseIPPrefix(i.address));
    } catch { /* an unreadable prevResult: masqDel finds the elements by comment */ }
  }
  return out;
}

/**
 * DEL: best effort and idempotent. The container interface goes if the netns is still there; the
 * addresses are always released and the masquerade state is always removed, because both are keyed
 * by the attachment, not by what can still be seen inside the netns.
 */
export async function bridgeDel(req: Request): Promise<void> {
  const { args, conf } = req;
  const cfg = loadBridgeConfig(conf, parseCniArgs(args.args));
  if (args.netns && !netnsProblem(args.netns)) await deleteLinkIn(args.netns, args.ifname);
  const released = cfg.ipamType ? await ipamDel(cfg.ipamType, conf, args) : [];
  if (cfg.ipMasq && cfg.ipamType) {
    await masqDel(cfg.ipMasqTable, addressesFor(cfg, req, released), attachmentComment(cfg.name, args.containerID, args.ifname));
  }
}
