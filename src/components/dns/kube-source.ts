// The kubernetes plugin's view of the cluster through the Kubernetes API: list+watch informers
// (the one informer, components/kube) on Services, EndpointSlices, Namespaces and, for `pods verified`,
// Pods, applied one event at a time to a ClusterIndex. A watch that ends is resumed, an expired one
// relisted, and failures back off, as client-go's reflector does. When an EndpointSlice change is applied, the time since its
// `endpoints.kubernetes.io/last-change-trigger-time` goes into the DNS programming latency histogram
// (coredns_kubernetes_dns_programming_duration_seconds).
//
// Connection, as CoreDNS's kubernetes plugin: `kubeconfig FILE [CONTEXT]`, else `endpoint URL` (with
// `tls CERT KEY CACERT`), else $KUBECONFIG, else the in-cluster service account
// (KUBERNETES_SERVICE_HOST/PORT and /var/run/secrets/kubernetes.io/serviceaccount/{token,ca.crt}).
import { existsSync } from 'node:fs';
import {
  KubeConfig, type KubernetesObject, type V1EndpointSlice, type V1Namespace, type V1Pod, type V1Service,
} from '@kubernetes/client-node';
import type { KubeObject } from '../../core/api/object.js';
import { KubeApiClient } from '../kube/client.js';
import { Informer } from '../kube/informer.js';
import { ClusterIndex, SERVICE_NAME_LABEL } from '../../core/dns/cluster-index.js';
import type { KubernetesConfig } from '../../core/dns/plugin-config.js';
import type { ClusterSource } from './cluster-source.js';
import type { DnsMetrics } from './metrics.js';

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
export const TRIGGER_TIME_ANNOTATION = 'endpoints.kubernetes.io/last-change-trigger-time';

/** The KubeConfig the plugin's settings call for; throws saying what is missing. */
export function kubeConfigFor(cfg: Pick<KubernetesConfig, 'kubeconfig' | 'endpoint' | 'tls'>, env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const kc = new KubeConfig();
  if (cfg.kubeconfig) {
    kc.loadFromFile(cfg.kubeconfig.file);
    if (cfg.kubeconfig.context) kc.setCurrentContext(cfg.kubeconfig.context);
    return kc;
  }
  if (cfg.endpoint) {
    kc.loadFromOptions({
      clusters: [{ name: 'endpoint', server: cfg.endpoint, caFile: cfg.tls?.ca, skipTLSVerify: false }],
      users: [{ name: 'endpoint', certFile: cfg.tls?.cert, keyFile: cfg.tls?.key, authProvider: undefined }],
      contexts: [{ name: 'endpoint', cluster: 'endpoint', user: 'endpoint' }],
      currentContext: 'endpoint',
    });
    return kc;
  }
  if (env.KUBECONFIG) {
    kc.loadFromFile(env.KUBECONFIG.split(':')[0]);
    return kc;
  }
  if (env.KUBERNETES_SERVICE_HOST && existsSync(`${SA_DIR}/token`)) {
    kc.loadFromCluster();
    return kc;
  }
  throw new Error('kubernetes: no way to reach the Kubernetes API: give the pod KUBECONFIG, or KUBERNETES_SERVICE_HOST/PORT with a service account token in ' +
    `${SA_DIR}, or set "kubeconfig FILE" or "endpoint URL" in the Corefile's kubernetes block`);
}

type Handlers<T> = { add(o: T): void; update(o: T): void; delete(o: T): void };

export interface KubeSourceOptions {
  metrics?: DnsMetrics;
  log?: (line: string) => void;
  now?: () => number;
}

/** A ClusterSource fed by informers on the API server `kc` points at. */
export function kubeClusterSource(kc: KubeConfig, cfg: KubernetesConfig, opts: KubeSourceOptions = {}): ClusterSource {
  const log = opts.log ?? (() => {});
  const now = opts.now ?? Date.now;
  const index = new ClusterIndex(now);
  const client = new KubeApiClient(kc);
  let stopped = false;
  const informers: Informer[] = [];

  function follow<T extends KubernetesObject>(resource: string, labelSelector: string | undefined, h: Handlers<T>): void {
    const inf = new Informer<KubeObject>(client, resource, { labelSelector, log: (line) => log(`[ERROR] plugin/kubernetes: ${line}`) });
    const typed = (o: KubeObject) => o as unknown as T;
    inf.on({ add: (o) => h.add(typed(o)), update: (_old, o) => h.update(typed(o)), delete: (o) => h.delete(typed(o)) });
    informers.push(inf);
  }

  const observeSlice = (s: V1EndpointSlice) => {
    const at = s.metadata?.annotations?.[TRIGGER_TIME_ANNOTATION];
    const svcName = s.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (!at || !svcName || !opts.metrics) return;
    const t = Date.parse(at);
    if (Number.isNaN(t)) return;
    const svc = index.service(s.metadata?.namespace ?? 'default', svcName);
    const kind = svc?.headless ? 'headless_with_selector' : 'cluster_ip';
    opts.metrics.programmingDuration.observe({ service_kind: kind }, Math.max(0, now() - t) / 1000);
  };

  follow<V1Service>('services', cfg.labels, {
    add: (o) => index.upsertService(o), update: (o) => index.upsertService(o), delete: (o) => index.deleteService(o),
  });
  if (!cfg.noEndpoints) {
    follow<V1EndpointSlice>('endpointslices.discovery.k8s.io', cfg.labels, {
      add: (o) => { index.upsertEndpointSlice(o); observeSlice(o); },
      update: (o) => { index.upsertEndpointSlice(o); observeSlice(o); },
      delete: (o) => index.deleteEndpointSlice(o),
    });
  }
  follow<V1Namespace>('namespaces', cfg.namespaceLabels, {
    add: (o) => index.upsertNamespace(o), update: (o) => index.upsertNamespace(o), delete: (o) => index.deleteNamespace(o),
  });
  if (cfg.pods === 'verified') {
    follow<V1Pod>('pods', undefined, {
      add: (o) => index.upsertPod(o), update: (o) => index.upsertPod(o), delete: (o) => index.deletePod(o),
    });
  }

  return {
    index,
    async start(timeoutMs) {
      // Each informer lists until it succeeds (API server not reachable yet: backing off).
      const all = Promise.all(informers.map((i) => i.start())).then(() => {
        if (stopped) return;
        index.synced = true;
        log('[INFO] plugin/kubernetes: synced with the Kubernetes API');
      });
      // CoreDNS serves after startup_timeout even if not synced (answering SERVFAIL for unknown names meanwhile).
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([all, new Promise<void>((r) => { timer = setTimeout(r, timeoutMs); })]);
      clearTimeout(timer);
      if (!index.synced) log(`[WARNING] plugin/kubernetes: starting server with unsynced Kubernetes API after ${timeoutMs / 1000}s`);
    },
    async stop() {
      stopped = true;
      for (const i of informers) i.stop();
    },
  };
}
