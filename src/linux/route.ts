// IPv4 routes (`ip route`): a node's default route to the host, host-gw routes to other nodes' podCIDRs,
// the routes a pod gets from CNI. `listRoutes` is also how `podnet up` learns the host's routes so the
// topology planner can avoid them.
import { run, runJson, CommandError } from './exec.js';
import { ipIn } from './netns.js';
import { validateIfName, type InNetns } from './link.js';

export interface RouteSpec {
  /** Destination: a CIDR like 10.244.2.0/24, a host address, or `default`. */
  dst: string;
  /** Next hop (`via`). */
  via?: string;
  /** Output device (`dev`). */
  dev?: string;
  /** Preferred source address (`src`). */
  src?: string;
  /** Next hop is on the link even if no address of ours covers it (`onlink`), as flannel host-gw and ptp do. */
  onlink?: boolean;
  metric?: number;
  /** Routing table (name or number); the main table when absent. */
  table?: string | number;
  /** `link` for routes to directly reachable destinations without a gateway. */
  scope?: 'global' | 'link' | 'host';
  /** `proto` tag, so routes podnet made can be told from others (a name from /etc/iproute2/rt_protos or a number). */
  proto?: string;
}

/** One entry of `ip -j route show`; the fields podnet reads. */
export interface RouteInfo {
  /** `default`, a CIDR, or a bare address (a /32 in the local table). */
  dst: string;
  gateway?: string;
  dev?: string;
  prefsrc?: string;
  protocol?: string;
  scope?: string;
  /** `unicast` when absent; `local`, `broadcast`, `multicast`, ... otherwise. */
  type?: string;
  table?: string;
  metric?: number;
  flags: string[];
}

const DST = /^(default|\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?)$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** The words after `ip route add|replace|del` for a route; validates every part first. */
export function routeArgs(spec: RouteSpec, needNextHop = true): string[] {
  if (!DST.test(spec.dst)) throw new Error(`invalid route destination ${JSON.stringify(spec.dst)}: use "default", an IPv4 address or a CIDR like 10.244.2.0/24`);
  const argv = [spec.dst];
  if (spec.via !== undefined) {
    if (!IPV4.test(spec.via)) throw new Error(`invalid next hop ${JSON.stringify(spec.via)}: use an IPv4 address`);
    argv.push('via', spec.via);
  }
  if (spec.dev !== undefined) { validateIfName(spec.dev); argv.push('dev', spec.dev); }
  if (spec.src !== undefined) {
    if (!IPV4.test(spec.src)) throw new Error(`invalid route source ${JSON.stringify(spec.src)}: use an IPv4 address`);
    argv.push('src', spec.src);
  }
  if (spec.scope) argv.push('scope', spec.scope);
  if (spec.proto) argv.push('proto', spec.proto);
  if (spec.metric !== undefined) argv.push('metric', String(spec.metric));
  if (spec.table !== undefined) argv.push('table', String(spec.table));
  if (spec.onlink) argv.push('onlink');
  if (needNextHop && spec.via === undefined && spec.dev === undefined) throw new Error(`route to ${spec.dst} needs a next hop (via) or a device (dev)`);
  return argv;
}

/** Adds a route; fails (CommandError "File exists") if an equal route is there. */
export async function addRoute(spec: RouteSpec, opts: InNetns = {}): Promise<void> {
  await run([...ipIn(opts.netns), 'route', 'add', ...routeArgs(spec)]);
}

/** Adds or replaces the route to `spec.dst`: idempotent, what reconcilers use. */
export async function replaceRoute(spec: RouteSpec, opts: InNetns = {}): Promise<void> {
  await run([...ipIn(opts.netns), 'route', 'replace', ...routeArgs(spec)]);
}

/** Deletes a route (matching the given fields; only `dst` is required); returns false when no such route existed. */
export async function deleteRoute(spec: RouteSpec, opts: InNetns = {}): Promise<boolean> {
  try {
    await run([...ipIn(opts.netns), 'route', 'del', ...routeArgs(spec, false)]);
    return true;
  } catch (e) {
    if (e instanceof CommandError && /No such process/.test(e.stderr)) return false;
    throw e;
  }
}

/**
 * IPv4 routes of a namespace (`ip -j -4 route show [table T]`). `table: 'all'` includes the local table,
 * whose entries are the addresses configured on the host's own interfaces.
 */
export async function listRoutes(opts: InNetns & { table?: string | number } = {}): Promise<RouteInfo[]> {
  const table = opts.table !== undefined ? ['table', String(opts.table)] : [];
  return runJson<RouteInfo[]>([...ipIn(opts.netns), '-j', '-4', 'route', 'show', ...table]);
}

/** The route the kernel picks for `dst` (`ip -j -4 route get DST`): its device, source address and gateway if any. */
export async function routeGet(dst: string, opts: InNetns = {}): Promise<RouteInfo> {
  if (!IPV4.test(dst)) throw new Error(`route get needs an IPv4 address, got ${JSON.stringify(dst)}`);
  const [route] = await runJson<RouteInfo[]>([...ipIn(opts.netns), '-j', '-4', 'route', 'get', dst]);
  return route;
}
