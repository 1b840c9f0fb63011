// The metrics CoreDNS exports on :9153/metrics, with its names, labels and buckets (plugin/metrics/vars,
// plugin/cache/metrics.go, plugin/forward/metrics.go, plugin/kubernetes/metrics.go, plugin/reload), so
// that dashboards and alerts written for CoreDNS work unchanged. One registry per DNS server process;
// it outlives reloads, as CoreDNS's does. With worker processes (workers.ts) /metrics sums the
// processes' registries; what every process counts alike (build info, enabled plugins, reload failures,
// programming durations) is taken from the first, the primary.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { FastCounter, FastHistogram } from './fast-metrics.js';

const SIZE_BUCKETS = [0, 100, 200, 300, 400, 511, 1023, 2047, 4095, 8291, 16e3, 32e3, 48e3, 64e3];
const DURATION_BUCKETS = Array.from({ length: 16 }, (_, i) => 0.00025 * 2 ** i);

export const VERSION = '1.12.0-podnet';

export class DnsMetrics {
  readonly registry = new Registry();
  // Counted on every query: fast-metrics.ts.
  readonly requests: FastCounter;
  readonly responses: FastCounter;
  readonly duration: FastHistogram;
  readonly requestSize: FastHistogram;
  readonly responseSize: FastHistogram;
  readonly panics: Counter<string>;
  readonly pluginEnabled: Gauge<string>;
  readonly cacheEntries: Gauge<string>;
  readonly cacheHits: Counter<string>;
  readonly cacheMisses: Counter<string>;
  readonly cacheRequests: Counter<string>;
  readonly forwardRequests: Counter<string>;
  readonly forwardResponses: Counter<string>;
  readonly forwardDuration: Histogram<string>;
  readonly forwardHealthcheckFailures: Counter<string>;
  readonly forwardMaxConcurrentRejects: Counter<string>;
  readonly programmingDuration: Histogram<string>;
  readonly reloadFailed: Counter<string>;
  readonly health: Histogram<string>;

  constructor() {
    const r = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    new Gauge({ name: 'coredns_build_info', help: 'A metric with a constant \'1\' value labeled by version, revision, and goversion from which CoreDNS was built.', labelNames: ['version', 'revision', 'goversion'], registers: r, aggregator: 'first' })
      .set({ version: VERSION, revision: 'podnet', goversion: process.version }, 1);
    this.requests = new FastCounter({ name: 'coredns_dns_requests_total', help: 'Counter of DNS requests made per zone, protocol and family.', labelNames: ['server', 'zone', 'view', 'proto', 'family', 'type'], registers: r });
    this.responses = new FastCounter({ name: 'coredns_dns_responses_total', help: 'Counter of response status codes.', labelNames: ['server', 'zone', 'view', 'rcode', 'plugin'], registers: r });
    this.duration = new FastHistogram({ name: 'coredns_dns_request_duration_seconds', help: 'Histogram of the time (in seconds) each request took per zone.', labelNames: ['server', 'zone', 'view', 'type'], buckets: DURATION_BUCKETS, registers: r });
    this.requestSize = new FastHistogram({ name: 'coredns_dns_request_size_bytes', help: 'Size of the EDNS0 UDP buffer in bytes (64K for TCP) per zone and protocol.', labelNames: ['server', 'zone', 'view', 'proto'], buckets: SIZE_BUCKETS, registers: r });
    this.responseSize = new FastHistogram({ name: 'coredns_dns_response_size_bytes', help: 'Size of the returned response in bytes.', labelNames: ['server', 'zone', 'view', 'proto'], buckets: SIZE_BUCKETS, registers: r });
    this.panics = new Counter({ name: 'coredns_panics_total', help: 'A metrics that counts the number of panics.', registers: r });
    this.pluginEnabled = new Gauge({ name: 'coredns_plugin_enabled', help: 'A metric that indicates whether a plugin is enabled on per server and zone basis.', labelNames: ['server', 'zone', 'view', 'name'], registers: r, aggregator: 'first' });
    this.cacheEntries = new Gauge({ name: 'coredns_cache_entries', help: 'The number of elements in the cache.', labelNames: ['server', 'type', 'zones', 'view'], registers: r });
    this.cacheHits = new Counter({ name: 'coredns_cache_hits_total', help: 'The count of cache hits.', labelNames: ['server', 'type', 'zones', 'view'], registers: r });
    this.cacheMisses = new Counter({ name: 'coredns_cache_misses_total', help: 'The count of cache misses. Deprecated, derive misses from cache hits/requests counters.', labelNames: ['server', 'zones', 'view'], registers: r });
    this.cacheRequests = new Counter({ name: 'coredns_cache_requests_total', help: 'The count of cache requests.', labelNames: ['server', 'zones', 'view'], registers: r });
    this.forwardRequests = new Counter({ name: 'coredns_forward_requests_total', help: 'Counter of requests made per upstream.', labelNames: ['to'], registers: r });
    this.forwardResponses = new Counter({ name: 'coredns_forward_responses_total', help: 'Counter of responses received per upstream.', labelNames: ['to', 'rcode'], registers: r });
    this.forwardDuration = new Histogram({ name: 'coredns_forward_request_duration_seconds', help: 'Histogram of the time each request took.', labelNames: ['to', 'rcode'], buckets: DURATION_BUCKETS, registers: r });
    this.forwardHealthcheckFailures = new Counter({ name: 'coredns_forward_healthcheck_failures_total', help: 'Counter of the number of failed healthchecks.', labelNames: ['to'], registers: r });
    this.forwardMaxConcurrentRejects = new Counter({ name: 'coredns_forward_max_concurrent_rejects_total', help: 'Counter of the number of queries rejected because the concurrent queries were at maximum.', registers: r });
    this.programmingDuration = new Histogram({
      name: 'coredns_kubernetes_dns_programming_duration_seconds', help: 'Histogram of the time (in seconds) it took to program a dns instance.', labelNames: ['service_kind'],
      buckets: [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192, 16.384, 32.768, 65.536, 131.072, 262.144, 524.288], registers: r,
      // Every process programs the same objects: the primary's account is the server's.
      aggregator: 'first',
    });
    this.reloadFailed = new Counter({ name: 'coredns_reload_failed_total', help: 'Counter of the number of failed reload attempts.', registers: r, aggregator: 'first' });
    this.health = new Histogram({ name: 'coredns_health_request_duration_seconds', help: 'Histogram of the time (in seconds) each request took.', buckets: [0.00025, 0.0025, 0.05, 0.1, 0.2, 0.4, 0.8, 1, 1.5, 3], registers: r });
  }
}
