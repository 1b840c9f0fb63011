// The overlay differ: the changes that turn the current kernel state into the desired one, touching
// nothing that is already right (a resync of an unchanged cluster changes nothing). When the VTEP is
// created, recreated or deleted, whatever hung on it (addresses, neighbours, FDB entries, routes through
// it) goes with it in the kernel, so the differ plans those as if they were absent.
import type { FdbState, MasqueradeState, NeighbourState, OverlayState, RouteState, VxlanLinkState } from './state.js';

export interface LinkChanges {
  /** Delete this link first (mode switched to host-gw, or the VTEP's VNI/port/local/dev/learning is wrong). */
  delete?: string;
  /** Create the VTEP (after a delete when recreating). */
  create?: VxlanLinkState;
  setMtu?: number;
  /** Set the VTEP MAC to the one the Node publishes, so peers' FDB entries stay valid. */
  setAddress?: string;
  setUp?: boolean;
}

export interface OverlayChanges {
  link: LinkChanges;
  /** Addresses on the VTEP. */
  addresses: { add: string[]; del: string[]; dev?: string };
  neighbours: { replace: NeighbourState[]; del: NeighbourState[] };
  fdb: { replace: FdbState[]; del: FdbState[] };
  routes: { replace: RouteState[]; del: RouteState[] };
  /** Write the masquerade table (atomically replacing any), or remove it. */
  masquerade?: { write: MasqueradeState } | { remove: true };
}

/** True when the VTEP must be deleted and created again: properties `ip link set` cannot change. */
function needsRecreate(want: VxlanLinkState, have: VxlanLinkState): boolean {
  return want.vni !== have.vni || want.port !== have.port || want.local !== have.local || want.dev !== have.dev || want.learning !== have.learning;
}

const routeEqual = (a: RouteState, b: RouteState) => a.via === b.via && a.dev === b.dev && a.onlink === b.onlink;

export function diffOverlay(desired: OverlayState, current: OverlayState): OverlayChanges {
  const link: LinkChanges = {};
  let vtepGone: string | undefined; // name of a VTEP whose dependants the kernel drops
  const want = desired.vxlan;
  const have = current.vxlan;
  if (have && (!want || want.name !== have.name || needsRecreate(want, have))) {
    link.delete = have.name;
    vtepGone = have.name;
  }
  if (want && (!have || link.delete)) {
    link.create = want;
  } else if (want && have) {
    if (want.mtu !== have.mtu) link.setMtu = want.mtu;
    if (want.address && want.address.toLowerCase() !== have.address?.toLowerCase()) link.setAddress = want.address;
    if (!have.up) link.setUp = true;
  }
  const fresh = link.create?.name; // a new VTEP holds nothing yet
  const gone = (dev: string) => dev === vtepGone || dev === fresh;

  const haveAddrs = gone(want?.name ?? '') ? [] : current.addresses;
  const addresses = {
    add: desired.addresses.filter((a) => !haveAddrs.includes(a)),
    del: want ? haveAddrs.filter((a) => !desired.addresses.includes(a)) : [],
    ...(want ? { dev: want.name } : {}),
  };

  const neighHave = current.neighbours.filter((n) => !gone(n.dev));
  const neighKey = (n: NeighbourState) => `${n.dev} ${n.ip}`;
  const neighByKey = new Map(neighHave.map((n) => [neighKey(n), n]));
  const neighWant = new Set(desired.neighbours.map(neighKey));
  const neighbours = {
    replace: desired.neighbours.filter((n) => {
      const h = neighByKey.get(neighKey(n));
      return !h || h.lladdr.toLowerCase() !== n.lladdr.toLowerCase() || h.permanent === false;
    }),
    del: neighHave.filter((n) => !neighWant.has(neighKey(n))),
  };

  const fdbHave = current.fdb.filter((f) => !gone(f.dev));
  const fdbKey = (f: FdbState) => `${f.dev} ${f.mac.toLowerCase()} ${f.dst}`;
  const fdbHaveKeys = new Set(fdbHave.map(fdbKey));
  const fdbWantKeys = new Set(desired.fdb.map(fdbKey));
  const fdb = {
    replace: desired.fdb.filter((f) => !fdbHaveKeys.has(fdbKey(f))),
    del: fdbHave.filter((f) => !fdbWantKeys.has(fdbKey(f))),
  };

  const routesHave = current.routes.filter((r) => !gone(r.dev));
  const routeByDst = new Map(routesHave.map((r) => [r.dst, r]));
  const routeWant = new Set(desired.routes.map((r) => r.dst));
  const routes = {
    replace: desired.routes.filter((r) => { const h = routeByDst.get(r.dst); return !h || !routeEqual(h, r); }),
    del: routesHave.filter((r) => !routeWant.has(r.dst)),
  };

  let masquerade: OverlayChanges['masquerade'];
  const m = desired.masquerade;
  const cm = current.masquerade;
  if (m && m !== 'unrecognised') {
    if (!cm || cm === 'unrecognised' || cm.podCIDR !== m.podCIDR || cm.clusterCIDR !== m.clusterCIDR) masquerade = { write: m };
  } else if (cm) {
    masquerade = { remove: true };
  }

  return { link, addresses, neighbours, fdb, routes, ...(masquerade ? { masquerade } : {}) };
}

/** Whether applying `changes` would do nothing. */
export function isNoop(c: OverlayChanges): boolean {
  return Object.keys(c.link).length === 0 && !c.masquerade
    && c.addresses.add.length + c.addresses.del.length + c.neighbours.replace.length + c.neighbours.del.length
      + c.fdb.replace.length + c.fdb.del.length + c.routes.replace.length + c.routes.del.length === 0;
}

/** A one-line account of `changes` for the agent's log, e.g. "create flannel.1, +2 routes, -1 neighbour". */
export function describeChanges(c: OverlayChanges): string {
  const parts: string[] = [];
  if (c.link.delete) parts.push(`delete ${c.link.delete}`);
  if (c.link.create) parts.push(`create ${c.link.create.name}`);
  if (c.link.setMtu) parts.push(`mtu ${c.link.setMtu}`);
  if (c.link.setAddress) parts.push(`VTEP MAC ${c.link.setAddress}`);
  if (c.link.setUp) parts.push('link up');
  const count = (n: number, sign: string, one: string, many: string) => { if (n) parts.push(`${sign}${n} ${n === 1 ? one : many}`); };
  count(c.addresses.add.length, '+', 'address', 'addresses'); count(c.addresses.del.length, '-', 'address', 'addresses');
  count(c.neighbours.replace.length, '+', 'neighbour', 'neighbours'); count(c.neighbours.del.length, '-', 'neighbour', 'neighbours');
  count(c.fdb.replace.length, '+', 'FDB entry', 'FDB entries'); count(c.fdb.del.length, '-', 'FDB entry', 'FDB entries');
  count(c.routes.replace.length, '+', 'route', 'routes'); count(c.routes.del.length, '-', 'route', 'routes');
  if (c.masquerade) parts.push('write' in c.masquerade ? 'write masquerade table' : 'remove masquerade table');
  return parts.length ? parts.join(', ') : 'nothing to change';
}
