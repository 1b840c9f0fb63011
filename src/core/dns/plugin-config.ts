// The meaning of each directive podnet's DNS server understands, read from the Corefile's syntax into
// typed settings with CoreDNS's defaults (each plugin's README in coredns/coredns plugin/*/README.md).
// Anything CoreDNS has but podnet does not do is refused with a message saying so, never ignored.
import { CorefileError, type Directive } from './corefile.js';
import { canonical, parseDuration, reverseZonesOfCidr } from './names.js';
import { isIP } from '../net/index.js';

export type PodsMode = 'disabled' | 'insecure' | 'verified';

export interface KubernetesConfig {
  zones: string[];
  endpoint?: string;
  kubeconfig?: { file: string; context?: string };
  tls?: { cert: string; key: string; ca: string };
  /** Only these namespaces are exposed (undefined: all). */
  namespaces?: string[];
  labels?: string;
  namespaceLabels?: string;
  pods: PodsMode;
  endpointPodNames: boolean;
  ttl: number;
  noEndpoints: boolean;
  /** Zones where a name error goes to the next plugin; undefined: no fallthrough. */
  fallthrough?: string[];
  ignoreEmptyService: boolean;
  startupTimeoutMs: number;
}

export interface ForwardConfig {
  from: string;
  /** Upstreams as written: `host[:port]`, `dns://host[:port]`, or a resolv.conf path read at start-up. */
  to: string[];
  except: string[];
  forceTcp: boolean;
  preferUdp: boolean;
  expireMs: number;
  maxFails: number;
  policy: 'random' | 'round_robin' | 'sequential';
  healthCheckMs: number;
  maxConcurrent?: number;
}

export interface CacheSettings { capacity: number; maxTtl: number; minTtl: number }

export interface CacheConfig {
  zones: string[];
  success: CacheSettings;
  denial: CacheSettings;
  /** Longest time a SERVFAIL is cached (0: never). */
  servfailTtl: number;
  disableSuccess?: string[];
  disableDenial?: string[];
  keepTtl: boolean;
}

export interface HealthConfig { address: string; lameduckMs: number }
export interface ReloadConfig { intervalMs: number; jitterMs: number }
export interface LogConfig { classes: Set<'success' | 'denial' | 'error'> }

const fail = (d: Directive, msg: string): never => { throw new CorefileError(`${d.name}: ${msg}`, d.line); };

function noBlock(d: Directive): void {
  if (d.block?.length) fail(d, `does not take a block here (found ${d.block[0].name})`);
}

function count(d: Directive, min: number, max: number, usage: string): void {
  if (d.args.length < min || d.args.length > max) fail(d, `wrong number of arguments (${d.args.length}); usage: ${usage}`);
}

function int(d: Directive, s: string, what: string, min: number, max: number): number {
  if (!/^[0-9]+$/.test(s) || Number(s) < min || Number(s) > max) fail(d, `${what} must be an integer between ${min} and ${max}, not ${JSON.stringify(s)}`);
  return Number(s);
}

function duration(d: Directive, s: string, what: string): number {
  const ms = parseDuration(s);
  if (ms === undefined) fail(d, `${what} must be a duration like 5s, 500ms or 1m, not ${JSON.stringify(s)}`);
  return ms!;
}

/** Zone arguments: names become canonical; CIDRs become their reverse zones (10.0.0.0/8 → 10.in-addr.arpa). */
export function zoneArgs(d: Directive, args: string[]): string[] {
  const out: string[] = [];
  for (const a of args) {
    if (a.includes('/')) {
      try { out.push(...reverseZonesOfCidr(a)); } catch { fail(d, `${JSON.stringify(a)} is neither a zone nor a CIDR`); }
    } else out.push(canonical(a));
  }
  return out;
}

/** Zones of a plugin: its own arguments when given (must sit inside the server block's zones), else the block's. */
function pluginZones(d: Directive, args: string[], blockZones: string[]): string[] {
  return args.length ? zoneArgs(d, args) : blockZones;
}

export function kubernetesConfig(d: Directive, blockZones: string[]): KubernetesConfig {
  const c: KubernetesConfig = {
    zones: pluginZones(d, d.args, blockZones), pods: 'disabled', endpointPodNames: false, ttl: 5,
    noEndpoints: false, ignoreEmptyService: false, startupTimeoutMs: 5000,
  };
  for (const s of d.block ?? []) {
    switch (s.name) {
      case 'endpoint':
        count(s, 1, 1, 'endpoint URL');
        c.endpoint = s.args[0];
        break;
      case 'tls':
        count(s, 3, 3, 'tls CERT KEY CACERT');
        c.tls = { cert: s.args[0], key: s.args[1], ca: s.args[2] };
        break;
      case 'kubeconfig':
        count(s, 1, 2, 'kubeconfig KUBECONFIG [CONTEXT]');
        c.kubeconfig = { file: s.args[0], context: s.args[1] };
        break;
      case 'namespaces':
        count(s, 1, 1000, 'namespaces NAMESPACE...');
        c.namespaces = s.args.map((n) => n.toLowerCase());
        break;
      case 'labels':
        count(s, 1, 1000, 'labels EXPRESSION');
        c.labels = s.args.join(' ');
        break;
      case 'namespace_labels':
        count(s, 1, 1000, 'namespace_labels EXPRESSION');
        c.namespaceLabels = s.args.join(' ');
        break;
      case 'pods':
        count(s, 1, 1, 'pods disabled|insecure|verified');
        if (!['disabled', 'insecure', 'verified'].includes(s.args[0])) fail(s, `mode must be disabled, insecure or verified, not ${JSON.stringify(s.args[0])}`);
        c.pods = s.args[0] as PodsMode;
        break;
      case 'endpoint_pod_names':
        count(s, 0, 0, 'endpoint_pod_names');
        c.endpointPodNames = true;
        break;
      case 'ttl':
        count(s, 1, 1, 'ttl SECONDS');
        c.ttl = int(s, s.args[0], 'ttl', 0, 3600);
        break;
      case 'noendpoints':
        count(s, 0, 0, 'noendpoints');
        c.noEndpoints = true;
        break;
      case 'fallthrough':
        c.fallthrough = s.args.length ? zoneArgs(s, s.args) : ['.'];
        break;
      case 'ignore':
        count(s, 1, 1, 'ignore empty_service');
        if (s.args[0] !== 'empty_service') fail(s, `only "ignore empty_service" exists, not ${JSON.stringify(s.args[0])}`);
        c.ignoreEmptyService = true;
        break;
      case 'startup_timeout':
        count(s, 1, 1, 'startup_timeout DURATION');
        c.startupTimeoutMs = duration(s, s.args[0], 'startup_timeout');
        break;
      default:
        fail(s, `unknown option ${JSON.stringify(s.name)}; podnet's kubernetes plugin knows endpoint, tls, kubeconfig, namespaces, labels, namespace_labels, pods, endpoint_pod_names, ttl, noendpoints, fallthrough, ignore empty_service, startup_timeout`);
    }
  }
  return c;
}

function upstreamOk(d: Directive, to: string): void {
  if (to.startsWith('/')) return;
  if (/^(tls|https|grpc):\/\//.test(to)) fail(d, `${to}: podnet forwards over plain DNS (udp/tcp) only; use an address like 10.0.0.2:53`);
  const hostPort = to.replace(/^dns:\/\//, '');
  const m = /^\[([^\]]+)\](?::([0-9]+))?$/.exec(hostPort) ?? /^([^:]+)(?::([0-9]+))?$/.exec(hostPort);
  const host = m ? m[1] : hostPort;
  if (!isIP(host)) fail(d, `${JSON.stringify(to)} is not an IP address, [IPv6]:port, IP:port or the path of a resolv.conf file`);
  if (m?.[2] !== undefined) int(d, m[2], 'port', 1, 65535);
}

export function forwardConfig(d: Directive): ForwardConfig {
  if (d.args.length < 2) fail(d, 'usage: forward FROM TO... (e.g. forward . /etc/resolv.conf)');
  const c: ForwardConfig = {
    from: canonical(d.args[0]), to: d.args.slice(1), except: [], forceTcp: false, preferUdp: false, expireMs: 10_000,
    maxFails: 2, policy: 'random', healthCheckMs: 500,
  };
  if (c.to.length > 15) fail(d, `at most 15 upstreams, not ${c.to.length}`);
  for (const t of c.to) upstreamOk(d, t);
  for (const s of d.block ?? []) {
    switch (s.name) {
      case 'except': c.except.push(...s.args.map(canonical)); break;
      case 'force_tcp': count(s, 0, 0, 'force_tcp'); c.forceTcp = true; break;
      case 'prefer_udp': count(s, 0, 0, 'prefer_udp'); c.preferUdp = true; break;
      case 'expire': count(s, 1, 1, 'expire DURATION'); c.expireMs = duration(s, s.args[0], 'expire'); break;
      case 'max_fails': count(s, 1, 1, 'max_fails N'); c.maxFails = int(s, s.args[0], 'max_fails', 0, 1000); break;
      case 'policy':
        count(s, 1, 1, 'policy random|round_robin|sequential');
        if (!['random', 'round_robin', 'sequential'].includes(s.args[0])) fail(s, `policy must be random, round_robin or sequential, not ${JSON.stringify(s.args[0])}`);
        c.policy = s.args[0] as ForwardConfig['policy'];
        break;
      case 'health_check':
        count(s, 1, 4, 'health_check DURATION');
        c.healthCheckMs = duration(s, s.args[0], 'health_check');
        break;
      case 'max_concurrent': count(s, 1, 1, 'max_concurrent N'); c.maxConcurrent = int(s, s.args[0], 'max_concurrent', 1, 1_000_000); break;
      default:
        fail(s, `unknown option ${JSON.stringify(s.name)}; podnet's forward knows except, force_tcp, prefer_udp, expire, max_fails, policy, health_check, max_concurrent (no TLS upstreams)`);
    }
  }
  if (c.forceTcp && c.preferUdp) fail(d, 'force_tcp and prefer_udp exclude each other: keep one');
  return c;
}

export function cacheConfig(d: Directive, blockZones: string[]): CacheConfig {
  const c: CacheConfig = {
    zones: blockZones, success: { capacity: 9984, maxTtl: 3600, minTtl: 5 }, denial: { capacity: 9984, maxTtl: 1800, minTtl: 5 },
    servfailTtl: 5, keepTtl: false,
  };
  if (d.args.length) {
    if (/^[0-9]+$/.test(d.args[0])) {
      const ttl = int(d, d.args[0], 'TTL', 0, 2 ** 31);
      c.success.maxTtl = ttl;
      c.denial.maxTtl = ttl;
      if (ttl < c.success.minTtl) c.success.minTtl = ttl;
      if (ttl < c.denial.minTtl) c.denial.minTtl = ttl;
      c.zones = pluginZones(d, d.args.slice(1), blockZones);
    } else c.zones = pluginZones(d, d.args, blockZones);
  }
  const settings = (s: Directive, target: CacheSettings) => {
    count(s, 1, 3, `${s.name} CAPACITY [TTL] [MINTTL]`);
    target.capacity = int(s, s.args[0], 'capacity', 0, 100_000_000);
    if (s.args[1] !== undefined) target.maxTtl = int(s, s.args[1], 'TTL', 0, 2 ** 31);
    if (s.args[2] !== undefined) target.minTtl = int(s, s.args[2], 'MINTTL', 0, 2 ** 31);
  };
  for (const s of d.block ?? []) {
    switch (s.name) {
      case 'success': settings(s, c.success); break;
      case 'denial': settings(s, c.denial); break;
      case 'servfail': {
        count(s, 1, 1, 'servfail DURATION');
        const ms = duration(s, s.args[0], 'servfail');
        if (ms > 300_000) fail(s, 'servfail may be at most 5m');
        c.servfailTtl = Math.round(ms / 1000);
        break;
      }
      case 'disable': {
        count(s, 1, 1000, 'disable success|denial [ZONES...]');
        const zones = s.args.length > 1 ? zoneArgs(s, s.args.slice(1)) : c.zones;
        if (s.args[0] === 'success') c.disableSuccess = zones;
        else if (s.args[0] === 'denial') c.disableDenial = zones;
        else fail(s, `disable takes success or denial, not ${JSON.stringify(s.args[0])}`);
        break;
      }
      case 'keepttl': count(s, 0, 0, 'keepttl'); c.keepTtl = true; break;
      default:
        fail(s, `unknown option ${JSON.stringify(s.name)}; podnet's cache knows success, denial, servfail, disable, keepttl (not prefetch or serve_stale)`);
    }
  }
  return c;
}

export function healthConfig(d: Directive): HealthConfig {
  count(d, 0, 1, 'health [ADDRESS]');
  const c: HealthConfig = { address: d.args[0] ?? ':8080', lameduckMs: 0 };
  for (const s of d.block ?? []) {
    if (s.name !== 'lameduck') fail(s, `unknown option ${JSON.stringify(s.name)}; health knows lameduck DURATION`);
    count(s, 1, 1, 'lameduck DURATION');
    c.lameduckMs = duration(s, s.args[0], 'lameduck');
  }
  return c;
}

/** Directives that take at most one address argument and no block: ready, prometheus. */
export function addressConfig(d: Directive, fallback: string): string {
  noBlock(d);
  count(d, 0, 1, `${d.name} [ADDRESS]`);
  return d.args[0] ?? fallback;
}

export function reloadConfig(d: Directive): ReloadConfig {
  noBlock(d);
  count(d, 0, 2, 'reload [INTERVAL] [JITTER]');
  const intervalMs = d.args[0] ? duration(d, d.args[0], 'interval') : 30_000;
  const jitterMs = d.args[1] ? duration(d, d.args[1], 'jitter') : 15_000;
  if (intervalMs < 2000) fail(d, 'interval must be at least 2s');
  if (jitterMs < 1000) fail(d, 'jitter must be at least 1s');
  return { intervalMs, jitterMs: Math.min(jitterMs, intervalMs / 2) };
}

export function logConfig(d: Directive): LogConfig {
  if (d.args.length > 1 || (d.args.length === 1 && d.args[0] !== '.')) fail(d, 'podnet logs every name: use log or log . (no name filter or custom format)');
  const classes = new Set<'success' | 'denial' | 'error'>(['success', 'denial', 'error']);
  for (const s of d.block ?? []) {
    if (s.name !== 'class') fail(s, `unknown option ${JSON.stringify(s.name)}; log knows class`);
    classes.clear();
    for (const a of s.args) {
      if (a === 'all') { classes.add('success'); classes.add('denial'); classes.add('error'); } else if (a === 'success' || a === 'denial' || a === 'error') classes.add(a);
      else fail(s, `class must be all, success, denial or error, not ${JSON.stringify(a)}`);
    }
  }
  return { classes };
}

export function simple(d: Directive, usage: string): void {
  noBlock(d);
  count(d, 0, 0, usage);
}

export function loadbalanceConfig(d: Directive): void {
  noBlock(d);
  count(d, 0, 1, 'loadbalance [round_robin]');
  if (d.args[0] && d.args[0] !== 'round_robin') fail(d, `podnet's loadbalance does round_robin only, not ${JSON.stringify(d.args[0])}`);
}

export function errorsConfig(d: Directive): void {
  count(d, 0, 1, 'errors [FILE]');
  if (d.args[0] && d.args[0] !== 'stdout') fail(d, 'errors writes to stdout only');
  for (const s of d.block ?? []) {
    if (s.name !== 'stacktrace') fail(s, `unknown option ${JSON.stringify(s.name)}; podnet's errors knows stacktrace (not consolidate)`);
  }
}

export function bindConfig(d: Directive): string[] {
  noBlock(d);
  count(d, 1, 100, 'bind ADDRESS...');
  for (const a of d.args) if (!isIP(a)) fail(d, `${JSON.stringify(a)} is not an IP address (podnet binds addresses, not interface names)`);
  return d.args;
}
