// The portmap plugin (chained after the bridge): hostPort DNAT in nftables, planned by
// core/cni/portmap-plan.ts. ADD is one nft transaction (+ route_localnet written directly, + a UDP
// conntrack flush when UDP ports are mapped); DEL is one transaction that needs neither the netns
// nor the prevResult; GC and CHECK list the table.
import { CniError, ErrorCode } from '../../core/cni/errors.js';
import type { IPFamily } from '../../core/net/index.js';
import { attachmentComment } from '../../core/cni/masq-plan.js';
import {
  chainsByComment, containerAddresses, loadPortmapConfig, portmapAddScript, portmapChains, portmapDelScript,
} from '../../core/cni/portmap-plan.js';
import type { Request } from '../../core/cni/request.js';
import { type Result, parseResult } from '../../core/cni/result.js';
import { nftApply, nftListJson } from '../../linux/nft.js';
import { routeInterfaceV4 } from '../../linux/cni-route.js';
import { deleteConntrackUdpToPorts } from '../../linux/conntrack.js';
import { setSysctl } from '../../linux/sysctl.js';

function prevResultOf(req: Request, required: boolean): Result | null {
  if (req.conf.prevResult === undefined || req.conf.prevResult === null) {
    if (required) throw new CniError(ErrorCode.Internal, 'must be called as chained plugin', 'put portmap after the bridge plugin in a .conflist; the runtime passes the bridge result as prevResult');
    return null;
  }
  return parseResult(req.conf.prevResult);
}

export async function portmapAdd(req: Request): Promise<Result> {
  const cfg = loadPortmapConfig(req.conf);
  const prev = prevResultOf(req, true)!;
  const out: Result = { ...prev, cniVersion: req.cniVersion };
  if (!cfg.mappings.length) return out;
  const pods = containerAddresses(prev);
  if (!pods.length) throw new CniError(ErrorCode.Internal, 'got no container IPs', 'the prevResult has no address on an interface inside the sandbox');
  const comment = attachmentComment(cfg.name, req.args.containerID, req.args.ifname);
  await nftApply(portmapAddScript(cfg, comment, pods));
  // 127.0.0.1 -> pod needs route_localnet on the interface that leads to the pod (reference behaviour).
  const v4 = pods.find((p) => p.ip.family === 4);
  if (cfg.snat && v4) {
    const iface = routeInterfaceV4(v4.ip);
    if (iface) await setSysctl(`net/ipv4/conf/${iface}/route_localnet`, '1').catch(() => undefined);
  }
  // Stale UDP flows to these host ports would keep going to a previous pod (kubernetes#59033).
  const udp = cfg.mappings.filter((m) => m.protocol === 'udp').map((m) => m.hostPort);
  if (udp.length) {
    await deleteConntrackUdpToPorts(udp);
  }
  return out;
}

async function tableFamilies(table: string): Promise<IPFamily[]> {
  const json = await nftListJson(['tables']);
  const fams: IPFamily[] = [];
  for (const it of (json as { nftables?: { table?: { family?: string; name?: string } }[] })?.nftables ?? []) {
    if (it.table?.name !== table) continue;
    if (it.table.family === 'ip') fams.push(4);
    if (it.table.family === 'ip6') fams.push(6);
  }
  return fams;
}

export async function portmapDel(req: Request): Promise<void> {
  const cfg = loadPortmapConfig(req.conf);
  const comment = attachmentComment(cfg.name, req.args.containerID, req.args.ifname);
  let fams: IPFamily[] | null = null;
  try {
    const prev = prevResultOf(req, false);
    if (prev) fams = containerAddresses(prev).map((p) => p.ip.family);
  } catch { /* unreadable prevResult: look at the tables instead */ }
  // Without a prevResult, clean every family that has the table (never create a table on DEL).
  const existing = await tableFamilies(cfg.table);
  const targets = (fams ?? existing).filter((f) => existing.includes(f));
  await nftApply(portmapDelScript(cfg.table, comment, targets));
}

export async function portmapCheck(req: Request): Promise<void> {
  const cfg = loadPortmapConfig(req.conf);
  const prev = prevResultOf(req, true)!;
  if (!cfg.mappings.length) return;
  const comment = attachmentComment(cfg.name, req.args.containerID, req.args.ifname);
  const chains = portmapChains(comment);
  for (const pod of containerAddresses(prev)) {
    const f = pod.ip.family === 4 ? 'ip' : 'ip6';
    const json = await nftListJson(['chain', f, cfg.table, chains.pre]);
    if (!json) {
      throw new CniError(ErrorCode.Internal, `portmap: the hostPort rules of ${req.args.containerID}/${req.args.ifname} are missing from nftables table ${f} ${cfg.table}`,
        'run DEL and ADD for this attachment again');
    }
  }
}

export async function portmapGc(conf: Record<string, unknown>, validComments: Set<string>): Promise<void> {
  const cfg = loadPortmapConfig(conf);
  for (const fam of await tableFamilies(cfg.table)) {
    const f = fam === 4 ? 'ip' : 'ip6';
    const json = await nftListJson(['table', f, cfg.table]);
    const stale = new Set<string>();
    for (const [, comment] of chainsByComment(json)) {
      if (comment.startsWith(`${cfg.name}/`) && !validComments.has(comment)) stale.add(comment);
    }
    if (stale.size) await nftApply([...stale].map((c) => portmapDelScript(cfg.table, c, [fam])).join('\n'));
  }
}
