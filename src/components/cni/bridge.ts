// The bridge plugin: ADD and DEL, behaving like the reference `bridge` (same configuration, same
// result shape, same kernel state) but with three tool runs per ADD instead of dozens of netlink
// round trips in a fresh process: read the bridge, wire the pod side (one nsenter + ip -batch),
// wire the host side (one ip -batch). Anything ADD did is undone if a later step fails.
import { randomBytes } from 'node:crypto';
import { type BridgeConfig, checkBridgeAddOptions, loadBridgeConfig } from '../../core/cni/bridge-config.js';
import {
  type BridgeState, type IpLinkJson, calcGateways, hostLines, hostVethName, parseBridgeState, planBridgeAddresses,
  podConfigLines, podCreateLines, podSysctls, randomMac,
} from '../../core/cni/bridge-plan.js';
import { CniError, ErrorCode } from '../../core/cni/errors.js';
import { loadHostLocalConfig, rangeFor } from '../../core/cni/host-local-config.js';
import { type CIDR, type IP, parseCIDR } from '../../core/cni/ip.js';
import { attachmentComment } from '../../core/cni/masq-plan.js';
import { type Request, parseCniArgs } from '../../core/cni/request.js';
import { type Result, parseResult } from '../../core/cni/result.js';
import { shQuote, shellRun } from '../../linux/cni-shell.js';
import { isOwnNetns, netnsProblem } from '../../linux/cni-netns.js';
import { setSysctl } from '../../linux/cni-sysctl.js';
import { deleteLinkIn, setupPodVeth } from '../../linux/cni-veth.js';
import { runBatch } from '../../linux/ipbatch.js';
import { IN_PROCESS_IPAM, ipamAdd, ipamDel } from './ipam.js';
import { masqAdd, masqDel } from './masq.js';

const VETH_NAME_ATTEMPTS = 10;
const OPERSTATE_WAITS_MS = [50, 500, 1000, 1000];

/** The bridge as it is now, or null when there is no link with its name. */
export async function readBridge(name: string): Promise<BridgeState | null> {
  const r = await shellRun(`ip -j -d addr show dev ${shQuote(name)}`);
  if (r.status !== 0) {
    if (/does not exist/.test(r.stderr)) return null;
    throw new CniError(ErrorCode.Internal, `could not lookup ${JSON.stringify(name)}: ${r.stderr.trim()}`);
  }
  return parseBridgeState(JSON.parse(r.stdout));
}

/** ADD: the netns must exist and must not be our own (code 8, unless CNI_NETNS_OVERRIDE=1). */
export function checkAddNetns(netns: string, env: Record<string, string | undefined>): void {
  const p = netnsProblem(netns);
  if (p) throw new CniError(ErrorCode.Internal, p.message);
  if (env.CNI_NETNS_OVERRIDE !== '1' && isOwnNetns(netns)) {
    throw new CniError(ErrorCode.InvalidNetNS, 'invalid network namespace', `${netns} is the plugin's own network namespace; give the container's namespace`);
  }
}

async function waitPortUp(veth: string, first: IpLinkJson | undefined): Promise<IpLinkJson> {
  let link = first;
  for (const ms of [0, ...OPERSTATE_WAITS_MS]) {
    if (ms) {
      await new Promise((r) => setTimeout(r, ms));
      const r = await shellRun(`ip -j link show dev ${shQuote(veth)}`);
      if (r.status !== 0) throw new CniError(ErrorCode.Internal, `failed to lookup ${JSON.stringify(veth)}: ${r.stderr.trim()}`);
      link = (JSON.parse(r.stdout) as IpLinkJson[])[0];
    }
    if (link?.operstate === 'UP') return link;
  }
  throw new CniError(ErrorCode.Internal, `bridge port in error state: ${link?.operstate ?? 'unknown'}`);
}

function first(x: unknown): IpLinkJson | undefined {
  return Array.isArray(x) ? (x[0] as IpLinkJson) : undefined;
}

export async function bridgeAdd(req: Request, env: Record<string, string | undefined>): Promise<Result> {
  const { args, conf } = req;
  const cfg = loadBridgeConfig(conf, parseCniArgs(args.args));
  checkBridgeAddOptions(cfg);
  checkAddNetns(args.netns, env);

  const undo: (() => Promise<unknown>)[] = [];
  try {
    // The bridge read and the address allocation are independent: run them together.
    const [stateR, ipamR] = await Promise.allSettled([readBridge(cfg.bridge), cfg.ipamType ? ipamAdd(cfg.ipamType, conf, args) : null]);
    if (ipamR.status === 'fulfilled' && ipamR.value) undo.push(() => ipamDel(cfg.ipamType, conf, args));
    if (ipamR.status === 'rejected') {
      // A failed external delegate gets a DEL so that it can release anything half-allocated (spec).
      if (!IN_PROCESS_IPAM.has(cfg.ipamType)) await ipamDel(cfg.ipamType, conf, args).catch(() => undefined);
      throw ipamR.reason;
    }
    if (stateR.status === 'rejected') throw stateR.reason;
    const state = stateR.value;
    const ipamResult = ipamR.value;
    if (state && !state.isBridge) {
      throw new CniError(ErrorCode.Internal, `failed to create bridge ${JSON.stringify(cfg.bridge)}: ${JSON.stringify(cfg.bridge)} already exists but is not a bridge`);
    }
    const result: Result = { cniVersion: req.cniVersion, interfaces: [], ips: ipamResult?.ips ?? [], routes: ipamResult?.routes ?? [], dns: ipamResult?.dns ?? {} };
    if (ipamResult && !result.ips!.length) throw new CniError(ErrorCode.Internal, 'IPAM plugin returned missing IP config');
    const gws = calcGateways(result, cfg);
    const addrPlan = planBridgeAddresses(cfg.bridge, state, gws, cfg.forceAddress);
    const hasV6 = result.ips!.some((i) => parseCIDR(i.address)?.ip.family === 6);

    // Pod side: create the pair (retrying the host name on a collision), sysctls, addresses, routes.
    let hostVeth = '';
    let pod: Awaited<ReturnType<typeof setupPodVeth>> | null = null;
    for (let attempt = 0; attempt < VETH_NAME_ATTEMPTS; attempt++) {
      hostVeth = hostVethName(args.containerID, args.ifname, attempt);
      const configLines = ipamResult ? podConfigLines(args.ifname, result.ips!, result.routes!) : [{ cmd: `link set dev ${args.ifname} up` }, { cmd: `link show dev ${args.ifname}` }];
      pod = await setupPodVeth(args.netns, args.ifname, podCreateLines(args.ifname, hostVeth, process.pid, cfg.mtu, cfg.mac)[0],
        podSysctls(args.ifname, cfg.enableDad, hasV6), configLines);
      if (pod.kind !== 'host-name-taken') break;
    }
    if (!pod || pod.kind === 'host-name-taken') throw new CniError(ErrorCode.Internal, `failed to find a free host veth name after ${VETH_NAME_ATTEMPTS} attempts`);
    if (pod.kind === 'ifname-exists') throw new CniError(ErrorCode.Internal, `container veth name provided (${args.ifname}) already exists`);
    if (pod.kind === 'create-failed') throw new CniError(ErrorCode.Internal, `failed to create veth pair ${args.ifname}/${hostVeth}: ${pod.message}`);
    const vethName = hostVeth;
    undo.push(() => shellRun(`ip link del dev ${shQuote(vethName)}`));
    if (pod.config.errors.length) throw new CniError(ErrorCode.Internal, `failed to configure ${args.ifname}: ${pod.config.errors.join('; ')}`);
    const contLink = first(pod.config.shows[pod.config.shows.length - 1]);

    // Host side: bridge, port, gateway addresses; then the host-namespace sysctls.
    setSysctl(`net/ipv6/conf/${hostVeth}/accept_ra`, '0');
    const host = await runBatch(hostLines(cfg, state, hostVeth, addrPlan, randomMac(randomBytes(6))));
    if (host.errors.length) throw new CniError(ErrorCode.Internal, `failed to attach ${hostVeth} to bridge ${cfg.bridge}: ${host.errors.join('; ')}`);
    setSysctl(`net/ipv6/conf/${cfg.bridge}/accept_ra`, '0');
    if (gws.v4.length && !setSysctl('net/ipv4/ip_forward', '1')) throw new CniError(ErrorCode.Internal, 'failed to enable forwarding: cannot write net.ipv4.ip_forward');
    if (gws.v6.length && !setSysctl('net/ipv6/conf/all/forwarding', '1')) throw new CniError(ErrorCode.Internal, 'failed to enable forwarding: cannot write net.ipv6.conf.all.forwarding');

    if (cfg.ipMasq && ipamResult) {
      const addrs = result.ips!.map((i) => parseCIDR(i.address)!);
      const comment = attachmentComment(cfg.name, args.containerID, args.ifname);
      await masqAdd(cfg.ipMasqTable, addrs, comment);
      undo.push(() => masqDel(cfg.ipMasqTable, addrs, comment));
    }

    const vethLink = await waitPortUp(hostVeth, first(host.shows[host.shows.length - 2]));
    const brLink = first(host.shows[host.shows.length - 1]);
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
function addressesFor(cfg: BridgeConfig, req: Request, released: IP[]): CIDR[] {
  const out: CIDR[] = [];
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
      for (const i of parseResult(req.conf.prevResult).ips ?? []) { const c = parseCIDR(i.address); if (c) out.push(c); }
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
