// The UI server's view of the cluster: the one informer (components/kube, as the agent's service proxy
// uses) on Nodes, Pods, Services, EndpointSlices, Namespaces (labels), NetworkPolicies, Ingresses and IngressClasses, kept as a ClusterSnapshot
// that the page and the trace read. `onChange` fires after every event.
import type { ClusterSnapshot } from '../../core/trace/index.js';
import { KubeApiClient } from '../kube/client.js';
import { Informer } from '../kube/informer.js';
import type { ClusterHandle } from '../trace/index.js';

export interface LiveCluster {
  start(onChange: () => void): Promise<void>;
  snapshot(): ClusterSnapshot;
  stop(): Promise<void>;
}

export function liveCluster(h: ClusterHandle, corefile?: string): LiveCluster {
  const { kc, config } = h;
  const client = new KubeApiClient(kc);
  const informers = {
    nodes: new Informer(client, 'nodes'),
    pods: new Informer(client, 'pods'),
    services: new Informer(client, 'services'),
    slices: new Informer(client, 'endpointslices.discovery.k8s.io'),
    namespaces: new Informer(client, 'namespaces'),
    ingresses: new Informer(client, 'ingresses.networking.k8s.io'),
    ingressClasses: new Informer(client, 'ingressclasses.networking.k8s.io'),
    networkPolicies: new Informer(client, 'networkpolicies.networking.k8s.io'),
  };
  let cached: ClusterSnapshot | undefined;
  const list = <T>(i: Informer) => i.list() as unknown as T;
  return {
    async start(onChange) {
      const changed = () => { cached = undefined; onChange(); };
      for (const inf of Object.values(informers)) inf.on({ add: changed, update: changed, delete: changed });
      await Promise.all(Object.values(informers).map((i) => i.start()));
    },
    snapshot() {
      cached ??= {
        clusterCIDR: config.clusterCIDR, serviceCIDR: config.serviceCIDR, clusterDomain: config.clusterDomain,
        dnsServiceIP: config.dnsServiceIP, overlay: config.overlay, hostIP: config.hostIP,
        nodes: list(informers.nodes), pods: list(informers.pods), services: list(informers.services),
        endpointSlices: list(informers.slices),
        namespaces: list(informers.namespaces),
        ingresses: list(informers.ingresses), ingressClasses: list(informers.ingressClasses),
        networkPolicies: list(informers.networkPolicies), corefile,
      };
      return cached!;
    },
    async stop() {
      for (const i of Object.values(informers)) i.stop();
    },
  };
}
