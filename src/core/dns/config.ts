// A Corefile read into the servers it describes: for each server block its zones, port, bind addresses
// and plugin settings, validated as CoreDNS's setup functions validate them. Whatever the order of the
// directives in a block, the plugins run in the fixed order of CoreDNS's plugin.cfg (PLUGIN_ORDER).
import { CorefileError, parseCorefile, type Directive, type ServerBlock } from './corefile.js';
import {
  addressConfig, bindConfig, cacheConfig, errorsConfig, forwardConfig, healthConfig, kubernetesConfig,
  loadbalanceConfig, logConfig, reloadConfig, simple, zoneArgs,
  type CacheConfig, type ForwardConfig, type HealthConfig, type KubernetesConfig, type LogConfig, type ReloadConfig,
} from './plugin-config.js';
import { inZone } from './names.js';

/** CoreDNS's plugin.cfg order, restricted to the plugins podnet has. Queries pass through them in this order. */
export const PLUGIN_ORDER = [
  'reload', 'bind', 'ready', 'health', 'prometheus', 'errors', 'log', 'loadbalance', 'cache', 'kubernetes', 'loop',
  'forward', 'whoami',
] as const;

export type PluginName = typeof PLUGIN_ORDER[number];

export interface ServerConfig {
  /** Canonical zones of the block ('.' for the root). */
  zones: string[];
  port: number;
  /** Addresses to listen on (default: all IPv4 addresses). */
  bind: string[];
  /** Plugins present in the block, in PLUGIN_ORDER. */
  plugins: PluginName[];
  errors?: { stacktrace: boolean };
  log?: LogConfig;
  health?: HealthConfig;
  ready?: { address: string };
  prometheus?: { address: string };
  kubernetes?: KubernetesConfig;
  forward?: ForwardConfig;
  cache?: CacheConfig;
  reload?: ReloadConfig;
  loop?: true;
  loadbalance?: true;
  whoami?: true;
}

export interface ConfigOptions {
  /** Port of blocks whose address has none (CoreDNS's -dns.port, default 53). */
  defaultPort?: number;
  env?: Record<string, string | undefined>;
}

/** `dns://zone:port` / `zone:port` / `zone` / `10.0.0.0/24:53` → zones and port. */
export function parseServerKey(key: string, line: number, defaultPort: number): { zones: string[]; port: number } {
  let k = key;
  const scheme = /^([a-z]+):\/\//.exec(k);
  if (scheme) {
    if (scheme[1] !== 'dns') throw new CorefileError(`${key}: podnet serves plain DNS only (dns://), not ${scheme[1]}://`, line);
    k = k.slice(scheme[0].length);
  }
  let port = defaultPort;
  const m = /^(.*?)(?::([0-9]*))?$/.exec(k)!;
  // A CIDR key keeps its slash; anything after the last ':' that is all digits is the port.
  if (m[2] !== undefined) {
    if (m[2] === '' || Number(m[2]) > 65535) throw new CorefileError(`${key}: the port must be a number from 0 to 65535`, line);
    port = Number(m[2]);
    k = m[1];
  }
  if (!k) throw new CorefileError(`${key}: missing zone in front of the port (use . for every name)`, line);
  const zones = zoneArgs({ name: 'server block', args: [], line }, [k]);
  return { zones, port };
}

function once<T>(cfg: ServerConfig, d: Directive, key: keyof ServerConfig, value: T): void {
  if (cfg[key] !== undefined) throw new CorefileError(`${d.name}: appears twice in the same server block; keep one`, d.line);
  (cfg as unknown as Record<string, unknown>)[key] = value;
}

function serverConfig(block: ServerBlock, keyIndex: number, defaultPort: number): ServerConfig {
  const { zones, port } = parseServerKey(block.keys[keyIndex], block.line, defaultPort);
  const cfg: ServerConfig = { zones, port, bind: ['0.0.0.0'], plugins: [] };
  const present = new Set<PluginName>();
  for (const d of block.directives) {
    switch (d.name) {
      case 'errors': errorsConfig(d); once(cfg, d, 'errors', { stacktrace: !!d.block?.some((s) => s.name === 'stacktrace') }); break;
      case 'log': once(cfg, d, 'log', logConfig(d)); break;
      case 'health': once(cfg, d, 'health', healthConfig(d)); break;
      case 'ready': once(cfg, d, 'ready', { address: addressConfig(d, ':8181') }); break;
      case 'prometheus': once(cfg, d, 'prometheus', { address: addressConfig(d, 'localhost:9153') }); break;
      case 'kubernetes': once(cfg, d, 'kubernetes', kubernetesConfig(d, zones)); break;
      case 'forward': once(cfg, d, 'forward', forwardConfig(d)); break;
      case 'cache': once(cfg, d, 'cache', cacheConfig(d, zones)); break;
      case 'reload': once(cfg, d, 'reload', reloadConfig(d)); break;
      case 'loop': simple(d, 'loop'); once(cfg, d, 'loop', true); break;
      case 'loadbalance': loadbalanceConfig(d); once(cfg, d, 'loadbalance', true); break;
      case 'whoami': simple(d, 'whoami'); once(cfg, d, 'whoami', true); break;
      case 'bind': cfg.bind = bindConfig(d); break;
      default:
        throw new CorefileError(`unknown directive ${JSON.stringify(d.name)}; podnet's DNS server has ${PLUGIN_ORDER.join(', ')}`, d.line);
    }
    present.add(d.name as PluginName);
  }
  cfg.plugins = PLUGIN_ORDER.filter((p) => present.has(p));
  if (cfg.kubernetes) {
    for (const z of cfg.kubernetes.zones) {
      if (!zones.some((bz) => inZone(z, bz))) throw new CorefileError(`kubernetes: zone ${z} is outside the server block's zones (${zones.join(' ')})`, block.line);
    }
  }
  return cfg;
}

/** Reads a Corefile into one ServerConfig per (server block, address). Throws CorefileError naming the line. */
export function loadCorefile(text: string, opts: ConfigOptions = {}): ServerConfig[] {
  const blocks = parseCorefile(text, opts.env ?? process.env);
  const out: ServerConfig[] = [];
  const seen = new Map<string, number>();
  for (const b of blocks) {
    for (let i = 0; i < b.keys.length; i++) {
      const cfg = serverConfig(b, i, opts.defaultPort ?? 53);
      for (const z of cfg.zones) {
        const id = `${z}:${cfg.port}`;
        if (seen.has(id)) throw new CorefileError(`zone ${z} on port ${cfg.port} is served by two server blocks (lines ${seen.get(id)} and ${b.line}); merge them`, b.line);
        seen.set(id, b.line);
      }
      out.push(cfg);
    }
  }
  // Process-wide listeners must agree across blocks, as in CoreDNS.
  for (const key of ['health', 'ready', 'prometheus'] as const) {
    const addrs = new Set(out.map((c) => (c[key] as { address?: string } | undefined)?.address).filter(Boolean));
    if (key !== 'prometheus' && addrs.size > 1) throw new CorefileError(`${key} is configured with different addresses (${[...addrs].join(', ')}); use one`);
  }
  return out;
}

/** kubeadm's default Corefile (cmd/kubeadm/app/phases/addons/dns/manifests.go), with the cluster's domain. */
export function kubeadmCorefile(clusterDomain = 'cluster.local'): string {
  return `.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes ${clusterDomain} in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30 {
       disable success ${clusterDomain}
       disable denial ${clusterDomain}
    }
    loop
    reload
    loadbalance
}
`;
}
