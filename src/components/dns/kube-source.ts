// The kubernetes plugin's view of the cluster through the Kubernetes API: list+watch informers
// (@kubernetes/client-node) on Services, EndpointSlices, Namespaces and, for `pods verified`, Pods,
// applied one event at a time to a ClusterIndex. A watch that fails is listed and watched again after a
// pause, as client-go's reflector does. When an EndpointSlice change is applied, the time since its
// `endpoints.kubernetes.io/last-change-trigger-time` goes into the DNS programming latency histogram
// (coredns_kubernetes_dns_programming_duration_seconds).
//
// Connection, as CoreDNS's kubernetes plugin: `kubeconfig FILE [CONTEXT]`, else `endpoint URL` (with
// `tls CERT KEY CACERT`), else $KUBECONFIG, else the in-cluster service account
// (KUBERNETES_SERVICE_HOST/PORT and /var/run/secrets/kubernetes.io/serviceaccount/{token,ca.crt}).
import { existsSync } from 'node:fs';
import {
  CoreV1Api, DiscoveryV1Api, KubeConfig, makeInformer,
  type KubernetesObject, type V1EndpointSlice, type V1Namespace, type V1Pod, type V1Service,
} from '@kubernetes/client-node';
import { ClusterIndex, SERVICE_NAME_LABEL } from '../../core/dns/cluster-index.js';
import type { KubernetesConfig } from '../../core/dns/plugin-config.js';
import type { ClusterSource } from './cluster-source.js';
import type { DnsMetrics } from './metrics.js';

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const RESTART_AFTER_ERROR_MS = 2_000;
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
  const core = kc.makeApiClient(CoreV1Api);
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  let stopped = false;
  const timers = new Set<NodeJS.Timeout>();
  const informers: Array<{ start(): Promise<void>; stop(): Promise<void> }> = [];
  const starters: Array<() => Promise<void>> = [];

  function follow<T extends KubernetesObject>(what: string, path: string, list: () => Promise<any>, labelSelector: string | undefined, h: Handlers<T>): void {
    const inf = makeInformer<T>(kc, path, list, labelSelector);
    inf.on('add', (o) => h.add(o));
    inf.on('update', (o) => h.update(o));
    inf.on('delete', (o) => h.delete(o));
    inf.on('error', (err: unknown) => {
      if (stopped) return;
      log(`[ERROR] plugin/kubernetes: ${what} watch failed (${(err as Error)?.message ?? err}); listing and watching again in ${RESTART_AFTER_ERROR_MS} ms`);
      const t = setTimeout(() => { timers.delete(t); if (!stopped) inf.start().catch(() => {}); }, RESTART_AFTER_ERROR_MS);
      timers.add(t);
    });
    informers.push(inf);
    // The first list may fail (API server not reachable yet): keep trying until it succeeds.
    starters.push(async () => {
      for (;;) {
        try { await inf.start(); return; } catch (e) {
          if (stopped) return;
          log(`[ERROR] plugin/kubernetes: listing ${what} failed (${(e as Error).message}); retrying`);
          await new Promise((r) => { const t = setTimeout(r, RESTART_AFTER_ERROR_MS); timers.add(t); });
          if (stopped) return;
        }
      }
    });
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

  follow<V1Service>('services', '/api/v1/services', () => core.listServiceForAllNamespaces({ labelSelector: cfg.labels }), cfg.labels, {
    add: (o) => index.upsertService(o), update: (o) => index.upsertService(o), delete: (o) => index.deleteService(o),
  });
  if (!cfg.noEndpoints) {
    follow<V1EndpointSlice>('endpointslices', '/apis/discovery.k8s.io/v1/endpointslices', () => discovery.listEndpointSliceForAllNamespaces({ labelSelector: cfg.labels }), cfg.labels, {
      add: (o) => { index.upsertEndpointSlice(o); observeSlice(o); },
      update: (o) => { index.upsertEndpointSlice(o); observeSlice(o); },
      delete: (o) => index.deleteEndpointSlice(o),
    });
  }
  follow<V1Namespace>('namespaces', '/api/v1/namespaces', () => core.listNamespace({ labelSelector: cfg.namespaceLabels }), cfg.namespaceLabels, {
    add: (o) => index.upsertNamespace(o), update: (o) => index.upsertNamespace(o), delete: (o) => index.deleteNamespace(o),
  });
  if (cfg.pods === 'verified') {
    follow<V1Pod>('pods', '/api/v1/pods', () => core.listPodForAllNamespaces(), undefined, {
      add: (o) => index.upsertPod(o), update: (o) => index.upsertPod(o), delete: (o) => index.deletePod(o),
    });
  }

  return {
    index,
    async start(timeoutMs) {
      const all = Promise.all(starters.map((f) => f())).then(() => {
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
      for (const t of timers) clearTimeout(t);
      await Promise.all(informers.map((i) => i.stop().catch(() => {})));
    },
  };
}
