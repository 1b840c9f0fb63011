// The cluster planner: from `podnet up`'s options and the host's routes to a ClusterConfig. It picks an
// underlay subnet that overlaps nothing the host routes, and refuses user-given ranges that overlap each
// other or a host route, naming the route and the flag to change. Pure: the caller reads the routes
// (`ip -j -4 route show table all`) and probes the API server port.
import { parseDuration } from '../dns/names.js';
import { parsePortRange as parseIpamPortRange } from '../ipam/port-allocator.js';
import { join } from 'node:path';
import { DEFAULTS, type ClusterConfig, type OverlayMode } from '../cluster/config.js';
import { CIDR, IPParseError, parseCIDR } from '../net/index.js';
import { DEFAULT_CLUSTER_NAME, MAX_NODES, bridgeName, nodeName, validateClusterName } from './names.js';

export interface PlanOptions {
  name?: string;
  nodes?: number;
  overlay?: OverlayMode;
  underlayCIDR?: string;
  clusterCIDR?: string;
  serviceCIDR?: string;
  nodePortRange?: string;
  /** --event-ttl: a Go duration (1h, 30m, 90s); absent keeps the 1h default out of the config file. */
  eventTTL?: string;
  /** Chosen by the caller (6443 when free). */
  apiServerPort?: number;
  /** Parent of the state directory; /var/lib/podnet unless PODNET_STATE_ROOT says otherwise. */
  stateRoot?: string;
}

/** The fields of an `ip -j route` entry the planner reads. */
export interface HostRoute {
  dst: string;
  dev?: string;
  gateway?: string;
  type?: string;
  table?: string;
}

export const DEFAULT_UNDERLAY = '172.31.250.0/24';
/** Where the planner looks for a free underlay /24 when the default is taken: the private 172.16.0.0/12. */
const UNDERLAY_SEARCH = parseRange('172.16.0.0/12');

/**
 * An IPv4 range given by the user or read from the host: a bare address is a /32 (as `ip -j route`
 * prints host routes), and host bits are refused, since a range like 10.244.1.0/16 is almost always a typo.
 */
function parseRange(text: string, what = 'CIDR'): CIDR {
  const c = parseCIDR(text, { strict: true, bareIP: true, what });
  if (c.family !== 4) throw new IPParseError(`invalid ${what} ${JSON.stringify(text)}: expected an IPv4 range like 10.244.0.0/16`);
  return c;
}
/** Host IP is .1; nodes are .11, .12, ... (the addresses between are left for the user). */
export const HOST_OFFSET = 1;
export const FIRST_NODE_OFFSET = 11;

interface Range { cidr: CIDR; text: string; flag: string; what: string; given: boolean }

function describeRoute(r: HostRoute): string {
  const parts = [r.type && r.type !== 'unicast' ? `${r.type} ${r.dst}` : r.dst];
  if (r.gateway) parts.push(`via ${r.gateway}`);
  if (r.dev) parts.push(`dev ${r.dev}`);
  if (r.table && r.table !== 'main') parts.push(`table ${r.table}`);
  return parts.join(' ');
}

/** Host routes as ranges; the default route covers everything and says nothing about what is in use. */
function routeRanges(routes: readonly HostRoute[]): Array<{ cidr: CIDR; route: HostRoute }> {
  const out: Array<{ cidr: CIDR; route: HostRoute }> = [];
  for (const route of routes) {
    if (route.dst === 'default') continue;
    let cidr: CIDR;
    try { cidr = parseRange(route.dst); } catch { continue; } // IPv6 or unparsable: not ours to judge
    if (cidr.prefix === 0) continue;
    out.push({ cidr, route });
  }
  return out;
}

function firstFreeUnderlay(taken: readonly CIDR[], size: number): CIDR | undefined {
  const prefix = 32 - Math.log2(size);
  const count = Number(UNDERLAY_SEARCH.size) / size;
  const start = Number((parseRange(DEFAULT_UNDERLAY).base - UNDERLAY_SEARCH.base) / BigInt(size));
  // Start at the default and walk forward through 172.16.0.0/12, wrapping around.
  for (let i = 0; i < count; i++) {
    const candidate = UNDERLAY_SEARCH.subnet(prefix, (start + i) % count);
    if (!taken.some((t) => t.overlaps(candidate))) return candidate;
  }
  return undefined;
}

/**
 * The NodePort range as the API server will read it (ipam's parser: `A-B`, `A+N` or `A`); an error says
 * which flag sets it.
 */
function parsePortRange(text: string): [number, number] {
  try {
    const r = parseIpamPortRange(text);
    return [r.base, r.base + r.size - 1];
  } catch (e) {
    throw new Error(`invalid NodePort range: ${(e as Error).message}; set it with --service-node-port-range`);
  }
}

/**
 * Plans a cluster. Throws an Error whose message says what was wrong and which option to change;
 * pushes to `warnings` what is allowed but worth telling (a default range overlapping a host route).
 */
export function planCluster(opts: PlanOptions, hostRoutes: readonly HostRoute[], warnings?: string[]): ClusterConfig {
  const name = opts.name ?? DEFAULT_CLUSTER_NAME;
  validateClusterName(name);
  const nodes = opts.nodes ?? DEFAULTS.nodes;
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > MAX_NODES) {
    throw new Error(`invalid node count ${opts.nodes}: use --nodes with a whole number from 1 to ${MAX_NODES}`);
  }
  const overlay = opts.overlay ?? DEFAULTS.overlay;
  if (overlay !== 'vxlan' && overlay !== 'host-gw') {
    throw new Error(`invalid overlay ${JSON.stringify(overlay)}: use --overlay vxlan or --overlay host-gw`);
  }
  const nodePortRange = opts.nodePortRange ?? DEFAULTS.nodePortRange;
  parsePortRange(nodePortRange);
  if (opts.eventTTL !== undefined) {
    const ms = parseDuration(opts.eventTTL);
    if (ms === undefined || ms < 1000) throw new Error(`invalid event TTL ${JSON.stringify(opts.eventTTL)}: use --event-ttl with a duration of at least 1s, such as 1h, 30m or 90s`);
  }

  const cluster: Range = {
    text: opts.clusterCIDR ?? DEFAULTS.clusterCIDR, flag: '--cluster-cidr', what: 'cluster CIDR', given: !!opts.clusterCIDR,
    cidr: parseRange(opts.clusterCIDR ?? DEFAULTS.clusterCIDR, 'cluster CIDR (--cluster-cidr)'),
  };
  const service: Range = {
    text: opts.serviceCIDR ?? DEFAULTS.serviceCIDR, flag: '--service-cidr', what: 'service CIDR', given: !!opts.serviceCIDR,
    cidr: parseRange(opts.serviceCIDR ?? DEFAULTS.serviceCIDR, 'service CIDR (--service-cidr)'),
  };
  const maskSize = DEFAULTS.nodeCIDRMaskSize;
  if (cluster.cidr.prefix > maskSize || 2 ** (maskSize - cluster.cidr.prefix) < nodes) {
    throw new Error(`cluster CIDR ${cluster.text} is too small for ${nodes} nodes with a /${maskSize} podCIDR each: choose a larger range with --cluster-cidr (e.g. 10.244.0.0/16)`);
  }
  if (service.cidr.prefix < 12 || service.cidr.prefix > 28) {
    throw new Error(`service CIDR ${service.text} must be between a /12 and a /28 (as kube-apiserver requires at most a /12): choose another with --service-cidr`);
  }

  const routes = routeRanges(hostRoutes);
  const checkAgainstRoutes = (r: Range) => {
    const hit = routes.find((x) => x.cidr.overlaps(r.cidr));
    if (!hit) return;
    if (r.given) {
      throw new Error(
        `${r.flag} ${r.text} overlaps the host route "${describeRoute(hit.route)}": podnet will not shadow a network this host uses; ` +
        `choose a range that overlaps no route in \`ip route show table all\` and pass it with ${r.flag}`,
      );
    }
    // A default pod or service range lives only inside the node namespaces, so a host route over part
    // of it breaks nothing podnet does; it only makes that part of the host's network unreachable from
    // pods. Say so rather than refuse a plain `podnet up`.
    warnings?.push(
      `the default ${r.what} ${r.text} overlaps the host route "${describeRoute(hit.route)}": pods cannot reach that network; ` +
      `pass another range with ${r.flag} to avoid it`,
    );
  };
  const checkPair = (a: Range, b: Range) => {
    if (a.cidr.overlaps(b.cidr)) {
      throw new Error(`the ${a.what} ${a.text} and the ${b.what} ${b.text} overlap: each range must be separate; change one with ${a.flag} or ${b.flag}`);
    }
  };
  checkPair(cluster, service);
  checkAgainstRoutes(cluster);
  checkAgainstRoutes(service);

  const needed = FIRST_NODE_OFFSET + nodes + 1; // network .. nodes .. broadcast
  let underlay: Range;
  if (opts.underlayCIDR) {
    underlay = { text: opts.underlayCIDR, flag: '--underlay-cidr', what: 'underlay CIDR', given: true, cidr: parseRange(opts.underlayCIDR, 'underlay CIDR (--underlay-cidr)') };
    if (Number(underlay.cidr.size) < needed) {
      throw new Error(`underlay CIDR ${underlay.text} has room for ${Math.max(0, Number(underlay.cidr.size) - FIRST_NODE_OFFSET - 1)} nodes (the host is .1, nodes start at .${FIRST_NODE_OFFSET}); use a larger range with --underlay-cidr, e.g. a /24`);
    }
    checkPair(underlay, cluster);
    checkPair(underlay, service);
    checkAgainstRoutes(underlay);
  } else {
    const size = 256;
    const free = firstFreeUnderlay([...routes.map((r) => r.cidr), cluster.cidr, service.cidr], size);
    if (!free) throw new Error('no free /24 for the underlay in 172.16.0.0/12: every one overlaps a host route; give one with --underlay-cidr');
    underlay = { text: free.toString(), flag: '--underlay-cidr', what: 'underlay CIDR', given: false, cidr: free };
  }

  const stateDir = join(opts.stateRoot ?? DEFAULTS.stateRoot, name);
  const serviceBase = service.cidr;
  return {
    name,
    stateDir,
    underlayCIDR: underlay.text,
    hostIP: underlay.cidr.nth(HOST_OFFSET),
    bridge: bridgeName(name),
    apiServerPort: opts.apiServerPort ?? DEFAULTS.apiServerPort,
    clusterCIDR: cluster.text,
    nodeCIDRMaskSize: maskSize,
    serviceCIDR: service.text,
    nodePortRange,
    ...(opts.eventTTL !== undefined ? { eventTTL: opts.eventTTL } : {}),
    clusterDomain: DEFAULTS.clusterDomain,
    // kube-dns is the tenth address of the service range, as kubeadm does (10.96.0.10 by default).
    dnsServiceIP: serviceBase.nth(10),
    overlay,
    nodes: Array.from({ length: nodes }, (_, i) => ({
      name: nodeName(name, i + 1),
      ip: underlay.cidr.nth(FIRST_NODE_OFFSET + i),
    })),
    paths: clusterPaths(stateDir),
  };
}

/** Where a cluster's files live inside its state directory (the same for `podnet up` and `podnet join`). */
export function clusterPaths(stateDir: string): ClusterConfig['paths'] {
  const pki = (file: string) => join(stateDir, 'pki', file);
  return {
    caCert: pki('ca.crt'),
    caKey: pki('ca.key'),
    serverCert: pki('server.crt'),
    serverKey: pki('server.key'),
    token: pki('token'),
    kubeconfig: join(stateDir, 'kubeconfig'),
    store: join(stateDir, 'store.db'),
    logs: join(stateDir, 'logs'),
  };
}

/** The first address of the service range: the `kubernetes` Service's ClusterIP (10.96.0.1), a SAN of the serving cert. */
export function apiServiceIP(config: Pick<ClusterConfig, 'serviceCIDR'>): string {
  return parseRange(config.serviceCIDR).nth(1);
}
