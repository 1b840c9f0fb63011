// The bridge plugin's CHECK, STATUS and GC. CHECK follows the reference: the IPAM must still hold
// the attachment, and the bridge, the container veth, its host peer on the bridge, the addresses
// and the routes listed in prevResult must all be there (two reads: one in the host namespace,
// one in the pod namespace).
import { loadBridgeConfig } from '../../core/cni/bridge-config.js';
import { type IpLinkJson, isBatchSafeWord } from '../../core/cni/bridge-plan.js';
import { isValidLinkName } from '../../core/cni/netconf.js';
import { CniError, ErrorCode } from '../../core/cni/errors.js';
import { formatIPPrefix, isIPPrefix, networkOf, parseIPPrefix } from '../../core/net/index.js';
import { attachmentComment } from '../../core/cni/masq-plan.js';
import { type Request, parseCniArgs } from '../../core/cni/request.js';
import { type Interface, parseResult } from '../../core/cni/result.js';
import { netnsProblem } from '../../linux/cni-netns.js';
import { readIn } from '../../linux/cni-veth.js';
import { ipBatch } from '../../linux/batch.js';
import { missingTools } from '../../linux/tools.js';
import type { Attachment } from './host-local.js';
import { ipamCheck, ipamGc, ipamStatus } from './ipam.js';
import { masqGc } from './masq.js';

const fail = (msg: string): never => { throw new CniError(ErrorCode.Internal, msg); };

interface LinkJson extends IpLinkJson {
  linkinfo?: { info_kind?: string };
}
interface RouteJson { dst?: string; gateway?: string; dev?: string }

function normRouteDst(dst: string | undefined, v6: boolean): string {
  if (!dst || dst === 'default') return v6 ? '::/0' : '0.0.0.0/0';
  const text = dst.includes('/') ? dst : `${dst}/${v6 ? 128 : 32}`;
  return isIPPrefix(text) ? formatIPPrefix(networkOf(parseIPPrefix(text))) : dst;
}

export async function bridgeCheck(req: Request): Promise<void> {
  const { args, conf } = req;
  const cfg = loadBridgeConfig(conf, parseCniArgs(args.args));
  const p = netnsProblem(args.netns);
  if (p) fail(p.message);
  if (cfg.ipamType) await ipamCheck(cfg.ipamType, conf, args);
  if (conf.prevResult === undefined || conf.prevResult === null) fail('Required prevResult missing');
  const prev = parseResult(conf.prevResult);

  let brMap: Interface | undefined;
  let contMap: Interface | undefined;
  for (const itf of prev.interfaces ?? []) {
    if (itf.name === cfg.bridge) brMap = itf;
    else if (itf.name === args.ifname && itf.sandbox === args.netns) contMap = itf;
  }
  if (!brMap?.name) fail('Interface name missing ');
  if ((contMap?.sandbox ?? '') !== args.netns) fail(`Sandbox in prevResult ${contMap?.sandbox ?? ''} doesn't match configured netns: ${args.netns}`);
  // Names from prevResult go into an ip batch: only plain interface names (no blanks, quotes, "#").
  const others = (prev.interfaces ?? []).filter((i) => i !== brMap && i !== contMap && i.name && !i.sandbox && isValidLinkName(i.name) && isBatchSafeWord(i.name));
  if (!isBatchSafeWord(args.ifname)) fail(`Interface name ${args.ifname} not found`);

  const [host, pod] = await Promise.all([
    ipBatch([{ argv: ['link', 'show', 'dev', cfg.bridge] }, ...others.map((i) => ({ argv: ['link', 'show', 'dev', i.name!] }))], { details: true }),
    // Only `addr show` (it carries the link too): in one `ip -batch`, an `addr show` after a
    // `link show` prints links only (iproute2 keeps a global "link mode" flag).
    readIn(args.netns, [{ argv: ['addr', 'show', 'dev', args.ifname] }, { argv: ['route', 'show', 'table', 'main'] }], true),
  ]);

  // The bridge.
  if (host.failed.has(1)) fail(`Interface name ${cfg.bridge} not found`);
  const br = (host.shows[0] as LinkJson[])[0];
  if (br.linkinfo?.info_kind !== 'bridge') fail(`Interface ${cfg.bridge} does not have link type of bridge`);
  if (brMap!.mac && brMap!.mac !== br.address) fail(`Bridge interface ${cfg.bridge} Mac doesn't match: ${brMap!.mac}`);
  const promisc = (br.flags ?? []).includes('PROMISC');
  if (promisc !== cfg.promiscMode) {
    fail(`Bridge interface ${cfg.bridge} configured Promisc Mode ${cfg.promiscMode} doesn't match current state: ${promisc} `);
  }

  // The container interface.
  const [addrShow, v4routes] = pod.batch.shows as [LinkJson[] | undefined, RouteJson[] | undefined];
  const cont = pod.batch.failed.has(1) ? undefined : addrShow?.[0];
  if (!cont) fail(`Interface name ${args.ifname} not found`);
  if (cont!.link_index === undefined) fail(`Error: Container interface ${args.ifname} not of type veth`);
  if (contMap!.mac && contMap!.mac !== cont!.address) {
    fail(`Interface ${args.ifname} Mac ${contMap!.mac} doesn't match container Mac: ${cont!.address}`);
  }

  // Its host peer, enslaved to the bridge.
  const peers = host.shows.slice(1).map((s) => (s as LinkJson[])[0]).filter(Boolean);
  const veth = peers.find((l) => l.ifindex === cont!.link_index && l.link_index === cont!.ifindex && l.master === cfg.bridge);
  if (!veth) fail(`CNI veth created for bridge ${cfg.bridge} was not found`);
  const vethMap = others.find((i) => i.name === veth!.ifname);
  if (vethMap?.mac && vethMap.mac !== veth!.address) fail(`Interface ${veth!.ifname} Mac doesn't match: ${vethMap.mac} not found`);

  // Addresses and routes from prevResult.
  const have = new Set((addrShow?.[0]?.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`));
  for (const ipc of prev.ips ?? []) {
    if (ipc.interface === undefined || prev.interfaces?.[ipc.interface]?.name !== args.ifname) continue;
    if (!isIPPrefix(ipc.address) || !have.has(formatIPPrefix(parseIPPrefix(ipc.address)))) fail(`Failed to match addr ${ipc.address} on interface ${args.ifname}`);
  }
  const routes = [
    ...(v4routes ?? []).map((r) => ({ dst: normRouteDst(r.dst, false), gw: r.gateway })),
    ...((pod.v6routes as RouteJson[]) ?? []).map((r) => ({ dst: normRouteDst(r.dst, true), gw: r.gateway })),
  ];
  for (const r of prev.routes ?? []) {
    const want = isIPPrefix(r.dst) ? formatIPPrefix(networkOf(parseIPPrefix(r.dst))) : r.dst;
    if (!routes.some((x) => x.dst === want && (!r.gw || x.gw === r.gw))) {
      fail(`Failed to find a route for ${r.dst}${r.gw ? ` via ${r.gw}` : ''} in the routing table of ${args.netns}`);
    }
  }
}

/** STATUS: the tools the plugin runs exist, and the IPAM can allocate (code 50 otherwise). */
export async function bridgeStatus(req: Request): Promise<void> {
  const cfg = loadBridgeConfig(req.conf, parseCniArgs(req.args.args));
  const tools = ['ip', 'nsenter', ...(cfg.ipMasq ? ['nft'] : [])];
  const missing = missingTools(tools);
  if (missing.length) {
    throw new CniError(ErrorCode.PluginNotAvailable, `required tools not found: ${missing.join(', ')}`, 'install iproute2, util-linux (nsenter) and nftables');
  }
  if (cfg.ipamType) await ipamStatus(cfg.ipamType, req.conf, req.args);
}

/** GC: forwards to the IPAM and drops stale masquerade elements; continues past errors and reports them all. */
export async function bridgeGc(req: Request, valid: Attachment[]): Promise<void> {
  const cfg = loadBridgeConfig(req.conf, parseCniArgs(req.args.args));
  const errors: string[] = [];
  if (cfg.ipamType) await ipamGc(cfg.ipamType, req.conf, req.args, valid).catch((e: Error) => errors.push(e.message));
  if (cfg.ipMasq) {
    const keep = new Set(valid.map((a) => attachmentComment(cfg.name, a.containerID, a.ifname)));
    await masqGc(cfg.ipMasqTable, cfg.name, keep).catch((e: Error) => errors.push(e.message));
  }
  if (errors.length) throw new CniError(ErrorCode.Internal, `GC failed: ${errors.join('; ')}`);
}
