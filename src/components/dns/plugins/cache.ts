// The cache plugin in the chain: a hit answers at once; a miss goes down the chain and the reply is
// kept if the cache rules allow (core/dns/cache.ts). Hits, misses and entries are exported with
// CoreDNS's metric names.
import { DnsCache } from '../../../core/dns/cache.js';
import type { CacheConfig } from '../../../core/dns/plugin-config.js';
import type { Message } from '../../../core/dns/types.js';
import type { DnsMetrics } from '../metrics.js';
import type { DnsRequest, Next, Plugin } from '../plugin.js';

export class CachePlugin implements Plugin {
  readonly name = 'cache' as const;
  readonly cache: DnsCache;
  private readonly zones: string;

  constructor(cfg: CacheConfig, private readonly metrics: DnsMetrics, private readonly server: string) {
    this.cache = new DnsCache(cfg);
    this.zones = cfg.zones.map((z) => (z === '.' ? '.' : `${z}.`)).join(',');
  }

  async serve(req: DnsRequest, next: Next): Promise<Message> {
    const q = req.msg.question[0];
    if (!this.cache.covers(q.name)) return next(req);
    const labels = { server: req.server, zones: this.zones, view: '' };
    this.metrics.cacheRequests.inc(labels);
    const before = { ...this.cache.stats.hits };
    const hit = this.cache.get(req.msg);
    if (hit) {
      const kind = this.cache.stats.hits.success > before.success ? 'success' : 'denial';
      this.metrics.cacheHits.inc({ ...labels, type: kind });
      // A hit answers with the TTLs left, which fall every second: never reused.
      req.volatile = true;
      req.answeredBy = this.name;
      return hit;
    }
    this.metrics.cacheMisses.inc(labels);
    const reply = await next(req);
    // Kept: the same question is a hit from now on, so this reply must not be reused either. Not kept
    // (kubeadm's `disable success/denial cluster.local`): the reply is whatever the chain made of it.
    if (this.cache.put(req.msg, reply)) req.volatile = true;
    for (const type of ['success', 'denial'] as const) this.metrics.cacheEntries.set({ ...labels, type }, this.cache.size(type));
    return reply;
  }

  /** A reused reply (reply-cache.ts) was a miss the cache did not keep: counted as serve() counted it. */
  replayed(req: DnsRequest): void {
    if (!this.cache.covers(req.msg.question[0].name)) return;
    const labels = { server: req.server, zones: this.zones, view: '' };
    this.metrics.cacheRequests.inc(labels);
    this.metrics.cacheMisses.inc(labels);
    this.cache.stats.misses++;
  }
}
