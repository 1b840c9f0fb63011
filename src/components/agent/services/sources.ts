// What the node's service proxy watches through the Kubernetes API, as kube-proxy does: all Services,
// all EndpointSlices, and its own Node (field selector metadata.name=<node>, for the podCIDR, the
// addresses and deletion). List+watch informers from @kubernetes/client-node; their caches keep an
// object until its resourceVersion changes, which is what lets the proxy's planner re-plan only what
// changed. A watch that fails (API server restarting) is listed and watched again, as client-go's
// reflector does.
import {
  CoreV1Api, DiscoveryV1Api, KubeConfig, ListWatch, Watch, type KubernetesObject, type V1EndpointSlice,
  type V1Node, type V1Service,
} from '@kubernetes/client-node';
import type { EndpointSlice, Service } from '../../../core/proxy/index.js';
import type { NodeLike } from './node.js';
import { ListWatchFollower } from '../list-watch-follower.js';


export type SourceKind = 'services' | 'endpointslices' | 'node';

export interface ProxySources {
  /** Starts the informers; `onChange` after every add/update/delete. Resolves once all three have listed. */
  start(onChange: (kind: SourceKind) => void): Promise<void>;
  services(): Service[];
  endpointSlices(): EndpointSlice[];
  node(): NodeLike | undefined;
  stop(): Promise<void>;
}

export function kubeProxySources(kc: KubeConfig, nodeName: string, log: (line: string) => void = () => {}): ProxySources {
  const core = kc.makeApiClient(CoreV1Api);
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  const watch = new Watch(kc);
  const services = new ListWatch<V1Service>('/api/v1/services', watch, () => core.listServiceForAllNamespaces(), false);
  const slices = new ListWatch<V1EndpointSlice>('/apis/discovery.k8s.io/v1/endpointslices', watch,
    () => discovery.listEndpointSliceForAllNamespaces(), false);
  const fieldSelector = `metadata.name=${nodeName}`;
  const nodes = new ListWatch<V1Node>('/api/v1/nodes', watch, () => core.listNode({ fieldSelector }), false, undefined, fieldSelector);
  const follower = new ListWatchFollower('service proxy', log);

  return {
    async start(onChange) {
      follower.follow('services', services, onChange);
      follower.follow('endpointslices', slices, onChange);
      follower.follow('node', nodes, onChange);
      await Promise.all([services.start(), slices.start(), nodes.start()]);
      // A list that failed (API server not up yet) resolves start() too; the error handler above lists
      // again, and the proxy must not program anything before all three caches hold a real list.
      const listed = () => [services, slices, nodes].every((i) => i.latestResourceVersion() !== '');
      while (!listed() && !follower.stopped) await new Promise((r) => setTimeout(r, 100));
    },
    // Typed objects from the list and plain JSON from the watch both carry the fields the proxy reads.
    services: () => services.list() as unknown as Service[],
    endpointSlices: () => slices.list() as unknown as EndpointSlice[],
    node: () => nodes.get(nodeName) as NodeLike | undefined,
    async stop() {
      follower.stop();
      await Promise.all([services.stop(), slices.stop(), nodes.stop()]);
    },
  };
}
