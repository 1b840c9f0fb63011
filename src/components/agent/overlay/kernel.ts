// The overlay's kernel side: read what a node namespace holds (as the planner's OverlayState, limited
// to what the overlay owns) and apply a diff to it. What the overlay owns: the VTEP and everything on
// it, routes of the main table to subnets of the cluster CIDR other than the node's own podCIDR, and
// the masquerade table. The order follows flannel: ARP entry, then FDB entry, then the route (a route
// first would make the kernel ARP for the gateway); routes go first on removal.
import { parseCIDR } from '../../../core/net/index.js';
import {
  MASQUERADE_FAMILY, MASQUERADE_TABLE, parseMasquerade, renderMasquerade,
  type OverlayChanges, type OverlayState, type RouteState, type VxlanLinkState,
} from '../../../core/overlay/index.js';
import { addVxlan, deleteLink, getLink, setLinkAddress, setLinkMtu, setLinkUp, type LinkInfo } from '../../../linux/link.js';
import { addAddress, deleteAddress, listAddresses } from '../../../linux/addr.js';
import { listRoutes } from '../../../linux/route.js';
import { listNeigh, neighDeleteArgs, neighReplaceArgs } from '../../../linux/neigh.js';
import { fdbDeleteArgs, fdbReplaceArgs, listFdb } from '../../../linux/fdb.js';
import { routeBatchArgs, runBridgeBatch, runIpBatch } from '../../../linux/batch.js';
import { nftApply, nftDeleteTable, nftListTable } from '../../../linux/nft.js';
import { setSysctl } from '../../../linux/sysctl.js';
import { CommandError } from '../../../linux/exec.js';

export interface KernelScope {
  /** The node namespace; undefined for the namespace this process runs in (the agent's own node). */
  netns?: string;
  /** The VTEP's name (flannel.1). */
  device: string;
  clusterCIDR: string;
  /** This node's podCIDR: its route (to cni0) is the CNI's, not the overlay's. */
  podCIDR: string;
}

function vxlanStateOf(link: LinkInfo): VxlanLinkState | undefined {
  if (link.linkinfo?.info_kind !== 'vxlan') return undefined;
  const d = (link.linkinfo.info_data ?? {}) as { id?: number; port?: number; local?: string; link?: string; learning?: boolean };
  return {
    name: link.ifname, vni: d.id ?? -1, port: d.port ?? -1, local: d.local ?? '', dev: d.link ?? '',
    learning: d.learning ?? true, mtu: link.mtu, address: link.address, up: link.flags.includes('UP'),
  };
}

/** The overlay's part of the kernel state of a node namespace. */
export async function readOverlayState(scope: KernelScope): Promise<OverlayState> {
  const where = { netns: scope.netns };
  const cluster = parseCIDR(scope.clusterCIDR);
  const own = parseCIDR(scope.podCIDR).toString();
  const [link, routes, table] = await Promise.all([
    getLink(scope.device, where), listRoutes(where), nftListTable(MASQUERADE_FAMILY, MASQUERADE_TABLE, where),
  ]);
  // A link with the VTEP's name that is not a vxlan device (someone made a bridge called flannel.1) is
  // reported as a VTEP that matches nothing, so the differ deletes and recreates it.
  const vxlan = link ? (vxlanStateOf(link) ?? { name: link.ifname, vni: -1, port: -1, local: '', dev: '', learning: true, mtu: link.mtu }) : undefined;
  const [addrs, neigh, fdb] = link
    ? await Promise.all([listAddresses({ ...where, dev: scope.device, family: 'inet' }), listNeigh(scope.device, where), listFdb(scope.device, where)])
    : [[], [], []];
  const overlayRoutes: RouteState[] = [];
  for (const r of routes) {
    if (r.dst === 'default' || (r.type && r.type !== 'unicast') || r.protocol === 'kernel') continue;
    let dst;
    try { dst = parseCIDR(r.dst.includes('/') ? r.dst : `${r.dst}/32`); } catch { continue; }
    if (!cluster.containsCIDR(dst) || dst.toString() === own) continue;
    overlayRoutes.push({ dst: r.dst.includes('/') ? r.dst : `${r.dst}/32`, via: r.gateway ?? '', dev: r.dev ?? '', onlink: r.flags.includes('onlink') });
  }
  return {
    ...(vxlan ? { vxlan } : {}),
    addresses: addrs.map((a) => `${a.local}/${a.prefixlen}`),
    neighbours: neigh.map((n) => ({ ip: n.dst, lladdr: n.lladdr ?? '', dev: scope.device, permanent: n.state.includes('PERMANENT') })),
    fdb: fdb.filter((f) => f.dst).map((f) => ({ mac: f.mac, dst: f.dst!, dev: scope.device })),
    routes: overlayRoutes,
    ...(table ? { masquerade: parseMasquerade(table) } : {}),
  };
}

async function createVtep(v: VxlanLinkState, netns: string | undefined): Promise<void> {
  const where = { netns };
  await addVxlan(v.name, { ...where, id: v.vni, local: v.local, dev: v.dev, dstport: v.port, learning: v.learning, mtu: v.mtu });
  if (v.address) await setLinkAddress(v.name, v.address, where);
  // As flannel: no router advertisements on the tunnel. The key uses slashes because the name has a dot.
  await setSysctl(`net/ipv6/conf/${v.name}/accept_ra`, 0, where).catch((e) => {
    if (!(e instanceof CommandError && /No such file or directory|cannot stat/.test(e.stderr))) throw e; // IPv6 disabled here
  });
  await setLinkUp(v.name, where);
}

/** Applies `changes` to the namespace in flannel's order. Throws on the first step that fails. */
export async function applyOverlayChanges(changes: OverlayChanges, scope: Pick<KernelScope, 'netns'>): Promise<void> {
  const netns = scope.netns;
  const where = { netns };
  const { link } = changes;
  if (link.delete) await deleteLink(link.delete, where);
  if (link.create) await createVtep(link.create, netns);
  const dev = link.create?.name ?? changes.addresses.dev;
  if (dev) {
    if (link.setMtu) await setLinkMtu(dev, link.setMtu, where);
    if (link.setAddress) await setLinkAddress(dev, link.setAddress, where);
    if (link.setUp) await setLinkUp(dev, where);
    for (const a of changes.addresses.del) await deleteAddress(dev, a, where);
    for (const a of changes.addresses.add) await addAddress(dev, a, where);
  }
  // -force: an entry that vanished meanwhile must not stop the rest; the next sync re-reads anyway.
  await runIpBatch([
    ...changes.routes.del.map((r) => routeBatchArgs('del', { dst: r.dst, ...(r.via ? { via: r.via } : {}), ...(r.dev ? { dev: r.dev } : {}) })),
    ...changes.neighbours.del.map((n) => neighDeleteArgs(n.ip, n.dev)),
    ...changes.neighbours.replace.map((n) => neighReplaceArgs(n)),
  ], { ...where, force: true });
  await runBridgeBatch([
    ...changes.fdb.del.map((f) => fdbDeleteArgs(f)),
    ...changes.fdb.replace.map((f) => fdbReplaceArgs(f)),
  ], { ...where, force: true });
  await runIpBatch(changes.routes.replace.map((r) => routeBatchArgs('replace', r)), { ...where, force: true });
  if (changes.masquerade) {
    if ('write' in changes.masquerade) await nftApply(renderMasquerade(changes.masquerade.write), where);
    else await nftDeleteTable(MASQUERADE_FAMILY, MASQUERADE_TABLE, where);
  }
}

/** The MTU of the node's uplink, which the VTEP and pod MTUs derive from. */
export async function uplinkMTU(uplink: string, netns?: string): Promise<number> {
  const link = await getLink(uplink, { netns });
  if (!link) throw new Error(`the node has no ${uplink} link${netns ? ` in namespace ${netns}` : ''}: the overlay tunnels and routes through it; podnet up creates it`);
  return link.mtu;
}
