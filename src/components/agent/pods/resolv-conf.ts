// A pod's /etc/resolv.conf, formed as kubelet's GetPodDNS does (pkg/kubelet/network/dns/dns.go): a base
// per dnsPolicy (ClusterFirst → the cluster DNS IP with `<ns>.svc.<zone> svc.<zone> <zone>` + the node's
// search list and `ndots:5`; Default → the node's resolv.conf; None → nothing), then spec.dnsConfig
// merged in, then kubelet's limits (3 nameservers, 32 search entries / 2048 characters) with a warning
// that becomes a DNSConfigForming event.
import type { V1Pod } from '@kubernetes/client-node';

export interface DnsConfig {
  servers: string[];
  searches: string[];
  options: string[];
}

/** kubelet's MaxDNSNameservers. */
export const MAX_NAMESERVERS = 3;
/** ExpandedDNSConfig limits (GA since 1.28). */
export const MAX_SEARCHES = 32;
export const MAX_SEARCH_LINE_CHARS = 2048;
/** glibc aborts on a search entry longer than this. */
const MAX_SEARCH_ENTRY_CHARS = 253;

/**
 * Parses a resolv.conf as kubelet's parseResolvConf: nameserver lines accumulate, the last search and
 * the last options line win, trailing dots are stripped from search entries, comments are ignored.
 */
export function parseResolvConf(text: string): DnsConfig {
  const out: DnsConfig = { servers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    if (!line) continue;
    const [key, ...fields] = line.split(/\s+/);
    if (key === 'nameserver' && fields[0]) out.servers.push(fields[0]);
    else if (key === 'search') out.searches = fields.map((s) => s.replace(/\.$/, '')).filter((s) => s !== '');
    else if (key === 'options') out.options = fields;
  }
  return out;
}

export interface ResolvInputs {
  /** The cluster DNS Service IP(s) (kubelet --cluster-dns); empty: ClusterFirst falls back to Default. */
  clusterDNS: string[];
  /** kubelet --cluster-domain, e.g. cluster.local. */
  clusterDomain: string;
  /** The node's own resolv.conf, parsed (kubelet --resolv-conf). */
  host: DnsConfig;
}

export type EffectivePolicy = 'ClusterFirst' | 'Default' | 'None';

/** The policy kubelet applies: ClusterFirst on a hostNetwork pod, or without cluster DNS, means Default. */
export function effectiveDnsPolicy(pod: V1Pod, clusterDNS: string[]): EffectivePolicy {
  const policy = pod.spec?.dnsPolicy ?? 'ClusterFirst';
  if (policy === 'None') return 'None';
  if (policy === 'Default') return 'Default';
  if (policy === 'ClusterFirst' && pod.spec?.hostNetwork) return 'Default';
  return clusterDNS.length > 0 ? 'ClusterFirst' : 'Default';
}

const dedupe = (xs: string[]) => [...new Set(xs)];

export interface FormedDns { config: DnsConfig; warnings: string[] }

/** The pod's DNS configuration, with the warnings kubelet reports as DNSConfigForming events. */
export function podDnsConfig(pod: V1Pod, inputs: ResolvInputs): FormedDns {
  const policy = effectiveDnsPolicy(pod, inputs.clusterDNS);
  const warnings: string[] = [];
  let base: DnsConfig;
  if (policy === 'None') {
    base = { servers: [], searches: [], options: [] };
  } else if (policy === 'Default') {
    base = { servers: [...inputs.host.servers], searches: [...inputs.host.searches], options: [...inputs.host.options] };
  } else {
    const ns = pod.metadata?.namespace ?? 'default';
    const zone = inputs.clusterDomain;
    const own = zone ? [`${ns}.svc.${zone}`, `svc.${zone}`, zone] : [];
    base = { servers: [...inputs.clusterDNS], searches: dedupe([...own, ...inputs.host.searches]), options: ['ndots:5'] };
  }
  const extra = pod.spec?.dnsConfig;
  let servers = dedupe([...base.servers, ...(extra?.nameservers ?? [])]);
  let searches = dedupe([...base.searches, ...(extra?.searches ?? []).map((s) => s.replace(/\.$/, ''))]);
  const options = mergeOptions(base.options, extra?.options ?? []);

  if (servers.length > MAX_NAMESERVERS) {
    const applied = servers.slice(0, MAX_NAMESERVERS);
    warnings.push(`Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: ${applied.join(' ')}`);
    servers = applied;
  }
  const fitted = fitSearches(searches);
  if (fitted.length !== searches.length) {
    warnings.push(`Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${fitted.join(' ')}`);
    searches = fitted;
  }
  return { config: { servers, searches, options }, warnings };
}

/** dnsConfig.options override base options of the same name; rendered `name:value` or `name`. */
function mergeOptions(base: string[], extra: Array<{ name?: string; value?: string }>): string[] {
  const merged = new Map<string, string | undefined>();
  for (const o of base) {
    const i = o.indexOf(':');
    merged.set(i < 0 ? o : o.slice(0, i), i < 0 ? undefined : o.slice(i + 1));
  }
  for (const o of extra) if (o.name) merged.set(o.name, o.value);
  return [...merged].map(([k, v]) => (v === undefined ? k : `${k}:${v}`));
}

/** Drops over-long entries, keeps at most 32 entries and a joined line of at most 2048 characters. */
function fitSearches(searches: string[]): string[] {
  let out = searches.filter((s) => s.length <= MAX_SEARCH_ENTRY_CHARS).slice(0, MAX_SEARCHES);
  while (out.length > 0 && out.join(' ').length > MAX_SEARCH_LINE_CHARS) out = out.slice(0, -1);
  return out;
}

/** The file the runtime writes: search, nameserver and options lines, as containerd formats them. */
export function renderResolvConf(c: DnsConfig): string {
  const lines: string[] = [];
  if (c.searches.length) lines.push(`search ${c.searches.join(' ')}`);
  for (const s of c.servers) lines.push(`nameserver ${s}`);
  if (c.options.length) lines.push(`options ${c.options.join(' ')}`);
  return lines.join('\n') + '\n';
}
