// One consistent-enough read of what the trace model needs, through the Kubernetes API: Nodes, Pods,
// Services, EndpointSlices, Namespaces (their labels), NetworkPolicies, Ingresses and IngressClasses, and the
// cluster DNS Corefile (ConfigMap kube-system/coredns). Plain JSON lists (KubeApiClient): the objects are
// read as the API writes them, without @kubernetes/client-node's per-field model conversion, which took
// a large share of the answer's time with 1,000 Services and their EndpointSlices.
import type { ClusterSnapshot } from '../../core/trace/index.js';
import type { KubeObject } from '../../core/api/object.js';
import type { ClusterHandle } from './cluster.js';
import { KubeApiClient } from '../kube/client.js';

export async function loadSnapshot({ config, kc }: ClusterHandle): Promise<ClusterSnapshot> {
  const api = new KubeApiClient(kc);
  const list = (resource: string) => api.list(resource).then((l) => l.items);
  // Optional kinds (a server without Ingress or NetworkPolicy) read as none.
  const maybe = (resource: string) => list(resource).catch((): KubeObject[] => []);
  const [nodes, pods, services, slices, namespaces, coredns, ingresses, ingressClasses, networkPolicies] = await Promise.all([
    list('nodes'), list('pods'), list('services'), list('endpointslices.discovery.k8s.io'), list('namespaces'),
    api.get('configmaps', 'kube-system', 'coredns').catch(() => undefined),
    maybe('ingresses.networking.k8s.io'), maybe('ingressclasses.networking.k8s.io'), maybe('networkpolicies.networking.k8s.io'),
  ]);
  return {
    clusterCIDR: config.clusterCIDR, serviceCIDR: config.serviceCIDR, clusterDomain: config.clusterDomain,
    dnsServiceIP: config.dnsServiceIP, overlay: config.overlay, hostIP: config.hostIP,
    nodes: nodes as never, pods: pods as never, services: services as never, endpointSlices: slices as never,
    namespaces: namespaces as never, corefile: (coredns as { data?: Record<string, string> } | undefined)?.data?.Corefile,
    ingresses, ingressClasses, networkPolicies: networkPolicies as never,
  };
}
