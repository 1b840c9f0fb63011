// Where the kubernetes plugin's ClusterIndex gets its objects. The real source lists and watches the
// API (kube-source.ts); tests fill the index directly (memorySource). Both mark `index.synced` once the
// first lists are in, which is when /ready turns 200 and NXDOMAIN stops being SERVFAIL.
import { ClusterIndex } from '../../core/dns/cluster-index.js';
import type { KubernetesConfig } from '../../core/dns/plugin-config.js';

export interface ClusterSource {
  readonly index: ClusterIndex;
  /** Starts following the cluster; resolves once synced or after timeoutMs (whichever comes first). */
  start(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

/** Makes the source for a kubernetes plugin's settings (connection, label selectors, pods mode). */
export type ClusterSourceFactory = (cfg: KubernetesConfig) => ClusterSource;

/** The settings that decide what a source watches: plugins that agree share one source. */
export function sourceKey(cfg: KubernetesConfig): string {
  return JSON.stringify([cfg.endpoint, cfg.kubeconfig, cfg.tls, cfg.labels, cfg.namespaceLabels, cfg.pods === 'verified', cfg.noEndpoints]);
}

/** A source over an index the caller fills (tests, benchmarks): synced from the start. */
export function memorySource(index: ClusterIndex = new ClusterIndex()): ClusterSource {
  index.synced = true;
  return { index, start: async () => {}, stop: async () => {} };
}
