// The UI server's view of the cluster: list+watch informers (@kubernetes/client-node's ListWatch, as the
// agent's service proxy uses) on Nodes, Pods, Services, EndpointSlices, Namespaces and Ingresses, kept as
// a ClusterSnapshot that the page and the trace read. `onChange` fires after every event.
import {
  CoreV1Api, DiscoveryV1Api, ListWatch, NetworkingV1Api, Watch, type KubernetesObject,
} from '@kubernetes/client-node';
import type { ClusterSnapshot } from '../../core/trace/index.js';
import type { ClusterHandle } from '../trace/index.js';

const RESTART_AFTER_ERROR_MS = 2_000;

export interface LiveCluster {
  start(onChange: () => void): Promise<void>;
  snapshot(): ClusterSnapshot;
  stop(): Promise<void>;
}

export function liveCluster(h: ClusterHandle, corefile?: string): LiveCluster {
  const { kc, config } = h;
  const core = kc.makeApiClient(CoreV1Api);
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  const networking = kc.makeApiClient(NetworkingV1Api);
  const watch = new Watch(kc);
  const informers = {
    nodes: new ListWatch('/api/v1/nodes', watch, () => core.listNode(), false),
    pods: new ListWatch('/api/v1/pods', watch, () => core.listPodForAllNamespaces(), false),
    services: new ListWatch('/api/v1/services', watch, () => core.listServiceForAllNamespaces(), false),
    slices: new ListWatch('/apis/discovery.k8s.io/v1/endpointslices', watch, () => discovery.listEndpointSliceForAllNamespaces(), false),
    namespaces: new ListWatch('/api/v1/namespaces', watch, () => core.listNamespace(), false),
    ingresses: new ListWatch('/apis/networking.k8s.io/v1/ingresses', watch, () => networking.listIngressForAllNamespaces(), false),
  };
  let stopped = false;
  const timers = new Set<NodeJS.Timeout>();
  let cached: ClusterSnapshot | undefined;
  const list = <T>(i: ListWatch<KubernetesObject>) => i.list() as unknown as T;
  return {
    async start(onChange) {
      for (const [kind, inf] of Object.entries(informers) as Array<[string, ListWatch<KubernetesObject>]>) {
        for (const ev of ['add', 'update', 'delete'] as const) inf.on(ev, () => { cached = undefined; onChange(); });
        inf.on('error', () => {
          if (stopped) return;
          // A failed watch (API server restarting) lists and watches again, as client-go's reflector.
          const t = setTimeout(() => { timers.delete(t); if (!stopped) inf.start().catch(() => undefined); }, RESTART_AFTER_ERROR_MS);
          timers.add(t);
          void kind;
        });
      }
      await Promise.all(Object.values(informers).map((i) => (i as ListWatch<KubernetesObject>).start()));
    },
    snapshot() {
      cached ??= {
        clusterCIDR: config.clusterCIDR, serviceCIDR: config.serviceCIDR, clusterDomain: config.clusterDomain,
        dnsServiceIP: config.dnsServiceIP, overlay: config.overlay, hostIP: config.hostIP,
        nodes: list(informers.nodes), pods: list(informers.pods), services: list(informers.services),
        endpointSlices: list(informers.slices),
        namespaces: informers.namespaces.list().map((n) => n.metadata?.name ?? ''),
        ingresses: [...informers.ingresses.list()], corefile,
      };
      return cached!;
    },
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      await Promise.all(Object.values(informers).map((i) => (i as ListWatch<KubernetesObject>).stop()));
    },
  };
}
