// kube-proxy's metrics (pkg/proxy/metrics), same names, help texts and buckets, so that dashboards and
// clusterloader2's NetworkProgrammingLatency measurement read podnet's proxy as they read kube-proxy.
// One Registry per proxy (not prom-client's global one): tests run several proxies in one process.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ProxySyncResult } from '../../proxy/index.js';

const exponential = (start: number, factor: number, count: number) =>
  Array.from({ length: count }, (_, i) => start * factor ** i);
const linear = (start: number, width: number, count: number) =>
  Array.from({ length: count }, (_, i) => start + width * i);

/** network_programming_duration_seconds buckets: 0, 0.25, 0.5, 1..59, 60..115 by 5, 120..300 by 30. */
export const PROGRAMMING_BUCKETS = [0, ...linear(0.25, 0.25, 2), ...linear(1, 1, 59), ...linear(60, 5, 12), ...linear(120, 30, 7)];
/** sync_proxy_rules_duration_seconds buckets: 1 ms doubling 15 times. */
export const SYNC_BUCKETS = exponential(0.001, 2, 15);

export class ProxyMetrics {
  readonly registry = new Registry();
  readonly syncDuration: Histogram;
  readonly fullSyncDuration: Histogram;
  readonly partialSyncDuration: Histogram;
  readonly lastSyncTimestamp: Gauge;
  readonly lastQueuedTimestamp: Gauge;
  readonly programmingDuration: Histogram;
  readonly syncFailures: Counter;
  readonly serviceChanges: Counter;
  readonly endpointChanges: Counter;
  readonly healthz: Counter<'code'>;
  readonly livez: Counter<'code'>;
  readonly conntrackDeleted: Counter;

  constructor() {
    const registers = [this.registry];
    this.syncDuration = new Histogram({ name: 'kubeproxy_sync_proxy_rules_duration_seconds', help: 'SyncProxyRules latency in seconds', buckets: SYNC_BUCKETS, registers });
    this.fullSyncDuration = new Histogram({ name: 'kubeproxy_sync_full_proxy_rules_duration_seconds', help: 'SyncProxyRules latency in seconds for full resyncs', buckets: SYNC_BUCKETS, registers });
    this.partialSyncDuration = new Histogram({ name: 'kubeproxy_sync_partial_proxy_rules_duration_seconds', help: 'SyncProxyRules latency in seconds for partial resyncs', buckets: SYNC_BUCKETS, registers });
    this.lastSyncTimestamp = new Gauge({ name: 'kubeproxy_sync_proxy_rules_last_timestamp_seconds', help: 'The last time proxy rules were successfully synced', registers });
    this.lastQueuedTimestamp = new Gauge({ name: 'kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds', help: 'The last time a sync of proxy rules was queued', registers });
    this.programmingDuration = new Histogram({ name: 'kubeproxy_network_programming_duration_seconds', help: 'In Cluster Network Programming Latency in seconds', buckets: PROGRAMMING_BUCKETS, registers });
    this.syncFailures = new Counter({ name: 'kubeproxy_sync_proxy_rules_nftables_sync_failures_total', help: 'Cumulative proxy nftables sync failures', registers });
    this.serviceChanges = new Counter({ name: 'kubeproxy_sync_proxy_rules_service_changes_total', help: 'Cumulative proxy rules Service changes', registers });
    this.endpointChanges = new Counter({ name: 'kubeproxy_sync_proxy_rules_endpoint_changes_total', help: 'Cumulative proxy rules Endpoint changes', registers });
    this.healthz = new Counter({ name: 'kubeproxy_proxy_healthz_total', help: 'Cumulative proxy healthz HTTP status', labelNames: ['code'], registers });
    this.livez = new Counter({ name: 'kubeproxy_proxy_livez_total', help: 'Cumulative proxy livez HTTP status', labelNames: ['code'], registers });
    this.conntrackDeleted = new Counter({ name: 'kubeproxy_conntrack_reconciler_deleted_entries_total', help: 'Cumulative conntrack flows deleted by conntrack reconciler', registers });
  }

  /** Records one successful sync (its time is planning plus nft, as kube-proxy times syncProxyRules). */
  observeSync(r: ProxySyncResult, at = Date.now()): void {
    const seconds = (r.planMs + r.nftMs) / 1000;
    this.syncDuration.observe(seconds);
    (r.full ? this.fullSyncDuration : this.partialSyncDuration).observe(seconds);
    this.lastSyncTimestamp.set(at / 1000);
    for (const s of r.programmingLatencySeconds) this.programmingDuration.observe(s);
  }

  /** Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
