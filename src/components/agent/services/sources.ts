// What the node's service proxy watches through the Kubernetes API, as kube-proxy does: all Services,
// all EndpointSlices, and its own Node (field selector metadata.name=<node>, for the podCIDR, the
// addresses and deletion). The one informer (components/kube): its caches keep an object until its
// resourceVersion changes, which is what lets the proxy's planner re-plan only what changed; a watch
// that ends is resumed, one that expired (410) is relisted, failures back off, as client-go's reflector.
import type { KubeConfig } from '@kubernetes/client-node';
import type { EndpointSlice, Service } from '../../../core/proxy/index.js';
import type { NodeLike } from './node.js';
import { KubeApiClient } from '../../kube/client.js';
import { Informer } from '../../kube/informer.js';

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
  const client = new KubeApiClient(kc);
  const prefixed = (line: string) => log(`service proxy: ${line}`);
  const services = new Informer(client, 'services', { log: prefixed });
  const slices = new Informer(client, 'endpointslices.discovery.k8s.io', { log: prefixed });
  const nodes = new Informer(client, 'nodes', { fieldSelector: `metadata.name=${nodeName}`, log: prefixed });
  const all: Array<[SourceKind, Informer]> = [['services', services], ['endpointslices', slices], ['node', nodes]];

  return {
    async start(onChange) {
      for (const [kind, inf] of all) inf.on({ add: () => onChange(kind), update: () => onChange(kind), delete: () => onChange(kind) });
      // Resolves once every cache holds a real list (a list that fails, API server not up yet, is
      // retried): the proxy must not program anything from a partial picture.
      await Promise.all(all.map(([, inf]) => inf.start()));
    },
    services: () => services.list() as unknown as Service[],
    endpointSlices: () => slices.list() as unknown as EndpointSlice[],
    node: () => nodes.get(undefined, nodeName) as NodeLike | undefined,
    async stop() {
      for (const [, inf] of all) inf.stop();
    },
  };
}
