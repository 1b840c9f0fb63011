// One loaded Corefile: for every server block its plugins, built in plugin.cfg order and joined into a
// chain. A reload builds a new instance next to the running one and swaps it in only when every part
// started; a broken Corefile never replaces a working one.
import type { ServerConfig } from '../../core/dns/config.js';
import type { ClusterSource, ClusterSourceFactory } from './cluster-source.js';
import { sourceKey } from './cluster-source.js';
import type { DnsMetrics } from './metrics.js';
import { chain, type Next, type Plugin } from './plugin.js';
import { CachePlugin } from './plugins/cache.js';
import { ErrorsPlugin } from './plugins/errors.js';
import { ForwardPlugin, resolveUpstreams } from './plugins/forward.js';
import { KubernetesPlugin, type Lookup } from './plugins/kubernetes.js';
import { LoadbalancePlugin } from './plugins/loadbalance.js';
import { LogPlugin } from './plugins/log.js';
import { LoopPlugin, type LoopDetected } from './plugins/loop.js';
import { PrometheusPlugin } from './plugins/prometheus.js';
import { WhoamiPlugin } from './plugins/whoami.js';

export interface Block {
  cfg: ServerConfig;
  /** `dns://:53` — CoreDNS's server label. */
  server: string;
  plugins: Plugin[];
  next: Next;
  loop?: LoopPlugin;
}

export interface InstanceDeps {
  metrics: DnsMetrics;
  log: (line: string) => void;
  lookup: Lookup;
  onLoop: (e: LoopDetected) => void;
  localIPs: string[];
  /** Sources already running (from the previous instance), by sourceKey: reused, not restarted. */
  sources: Map<string, ClusterSource>;
  sourceFor?: ClusterSourceFactory;
  readFile?: (path: string) => string;
}

export function serverLabel(cfg: ServerConfig): string {
  return `dns://:${cfg.port}`;
}

function buildBlock(cfg: ServerConfig, deps: InstanceDeps, used: Map<string, ClusterSource>): Block {
  const server = serverLabel(cfg);
  const plugins: Plugin[] = [];
  let loop: LoopPlugin | undefined;
  for (const name of cfg.plugins) {
    switch (name) {
      case 'prometheus': plugins.push(new PrometheusPlugin(deps.metrics)); break;
      case 'errors': plugins.push(new ErrorsPlugin(deps.log, cfg.errors?.stacktrace)); break;
      case 'log': plugins.push(new LogPlugin(cfg.log!, deps.log)); break;
      case 'loadbalance': plugins.push(new LoadbalancePlugin()); break;
      case 'cache': plugins.push(new CachePlugin(cfg.cache!, deps.metrics, server)); break;
      case 'kubernetes': {
        const k = cfg.kubernetes!;
        if (!deps.sourceFor) throw new Error('kubernetes: this server has no connection to a Kubernetes API (start it with one, or remove the kubernetes directive)');
        const key = sourceKey(k);
        let source = used.get(key) ?? deps.sources.get(key);
        if (!source) source = deps.sourceFor(k);
        used.set(key, source);
        plugins.push(new KubernetesPlugin(k, source, deps.localIPs, deps.lookup));
        break;
      }
      case 'loop': loop = new LoopPlugin(cfg.zones[0], deps.onLoop); plugins.push(loop); break;
      case 'forward': plugins.push(new ForwardPlugin(cfg.forward!, resolveUpstreams(cfg.forward!.to, deps.readFile), deps.metrics, deps.log)); break;
      case 'whoami': plugins.push(new WhoamiPlugin()); break;
      // reload, bind, ready, health: process-wide or listener settings, not part of the query chain.
      default: break;
    }
  }
  for (const p of cfg.plugins) for (const z of cfg.zones) deps.metrics.pluginEnabled.set({ server, zone: z === '.' ? '.' : `${z}.`, view: '', name: p }, 1);
  return { cfg, server, plugins, next: chain(plugins), loop };
}

export class Instance {
  readonly blocks: Block[];
  /** Sources this instance uses, by key. */
  readonly sources = new Map<string, ClusterSource>();

  constructor(readonly configs: ServerConfig[], deps: InstanceDeps) {
    this.blocks = configs.map((c) => buildBlock(c, deps, this.sources));
  }

  /** Starts new sources (waiting for their first sync up to startup_timeout) and the plugins' timers. */
  async start(previous: Map<string, ClusterSource>): Promise<void> {
    const timeout = Math.max(0, ...this.configs.map((c) => c.kubernetes?.startupTimeoutMs ?? 0));
    await Promise.all([...this.sources].filter(([k]) => !previous.has(k)).map(([, s]) => s.start(timeout)));
    for (const b of this.blocks) for (const p of b.plugins) await p.start?.();
  }

  /** Stops plugins, and the sources that `next` (the instance replacing this one) does not use. */
  async stop(next?: Instance): Promise<void> {
    for (const b of this.blocks) for (const p of b.plugins) await p.stop?.();
    for (const [k, s] of this.sources) if (!next?.sources.has(k)) await s.stop();
  }

  /** Plugins that report readiness and are not ready yet. */
  notReady(): string[] {
    const out = new Set<string>();
    for (const b of this.blocks) for (const p of b.plugins) if (p.ready && !p.ready()) out.add(p.name);
    return [...out];
  }
}
