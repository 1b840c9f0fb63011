// The policy programmer's metrics, in the registry the agent serves on :10256/metrics (the service
// proxy's). Drop counters live in the kernel (named nft counters, one per isolated pod and direction,
// kept across incremental updates) and are read when /metrics is scraped:
//   podnet_networkpolicy_pod_dropped_packets_total{namespace,pod,direction}
//   podnet_networkpolicy_dropped_packets_total{namespace,policy,direction}
// A packet is dropped because no policy selecting the pod allowed it, so every policy isolating the pod
// in that direction counts it (the per-policy sum can exceed the per-pod total when several isolate it).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { SYNC_BUCKETS } from '../services/metrics.js';

export interface DropSample { namespace: string; pod: string; direction: string; policies: string[]; packets: number }

export class PolicyMetrics {
  readonly syncDuration: Histogram;
  readonly syncFailures: Counter;
  readonly lastSyncTimestamp: Gauge;
  readonly isolatedPods: Gauge<'direction'>;

  constructor(registry: Registry, readDrops: () => Promise<DropSample[]>) {
    const registers = [registry];
    this.syncDuration = new Histogram({ name: 'podnet_networkpolicy_sync_duration_seconds', help: 'Time to plan and program the node\'s NetworkPolicy table', buckets: SYNC_BUCKETS, registers });
    this.syncFailures = new Counter({ name: 'podnet_networkpolicy_sync_failures_total', help: 'NetworkPolicy table syncs that failed', registers });
    this.lastSyncTimestamp = new Gauge({ name: 'podnet_networkpolicy_last_sync_timestamp_seconds', help: 'The last time the NetworkPolicy table was synced', registers });
    this.isolatedPods = new Gauge({ name: 'podnet_networkpolicy_isolated_pods', help: 'Local pods isolated by NetworkPolicy, per direction', labelNames: ['direction'], registers });
    let samples: Promise<DropSample[]> | undefined;
    // One nft read per scrape for both metrics.
    const read = () => (samples ??= readDrops().finally(() => setTimeout(() => { samples = undefined; }, 0)));
    new Counter({
      name: 'podnet_networkpolicy_pod_dropped_packets_total', help: 'Packets dropped because no NetworkPolicy allowed them, per isolated pod',
      labelNames: ['namespace', 'pod', 'direction'], registers,
      async collect() {
        this.reset();
        for (const s of await read()) this.inc({ namespace: s.namespace, pod: s.pod, direction: s.direction }, s.packets);
      },
    });
    new Counter({
      name: 'podnet_networkpolicy_dropped_packets_total', help: 'Packets dropped at pods this NetworkPolicy isolates, with no policy allowing them',
      labelNames: ['namespace', 'policy', 'direction'], registers,
      async collect() {
        this.reset();
        for (const s of await read()) {
          for (const p of s.policies) {
            const [namespace, policy] = p.split('/');
            this.inc({ namespace, policy, direction: s.direction }, s.packets);
          }
        }
      },
    });
  }
}
