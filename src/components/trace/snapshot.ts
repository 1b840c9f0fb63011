// One consistent-enough read of what the trace model needs, through the Kubernetes API: Nodes, Pods,
// Services, EndpointSlices, Namespaces (their labels), NetworkPolicies, Ingresses and IngressClasses, and the
// cluster DNS Corefile (ConfigMap kube-system/coredns).
import { CoreV1Api, DiscoveryV1Api, NetworkingV1Api } from '@kubernetes/client-node';
import type { ClusterSnapshot } from '../../core/trace/index.js';
import type { ClusterHandle } from './cluster.js';
import { apiShape } from '../agent/policy/sources.js';

export async function loadSnapshot({ config, kc }: ClusterHandle): Promise<ClusterSnapshot> {
  const core = kc.makeApiClient(CoreV1Api);
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  const networking = kc.makeApiClient(NetworkingV1Api);
  const [nodes, pods, services, slices, namespaces, corefile, ingresses, ingressClasses, networkPolicies] = await Promise.all([
    core.listNode(), core.listPodForAllNamespaces(), core.listServiceForAllNamespaces(),
    discovery.listEndpointSliceForAllNamespaces(), core.listNamespace(),
    core.readNamespacedConfigMap({ namespace: 'kube-system', name: 'coredns' }).then((c) => c.data?.Corefile, () => undefined),
    networking.listIngressForAllNamespaces().then((l) => l.items, () => []),
    networking.listIngressClass().then((l) => l.items, () => []),
    networking.listNetworkPolicyForAllNamespaces().then((l) => l.items, () => []),
  ]);
  return {
    clusterCIDR: config.clusterCIDR, serviceCIDR: config.serviceCIDR, clusterDomain: config.clusterDomain,
    dnsServiceIP: config.dnsServiceIP, overlay: config.overlay, hostIP: config.hostIP,
    nodes: nodes.items as never, pods: pods.items as never, services: services.items as never,
    endpointSlices: slices.items as never, namespaces: namespaces.items as never,
    // Listed NetworkPolicies are client-node models (an ingress rule's `from` is `_from`): the API's shape.
    corefile, ingresses, ingressClasses, networkPolicies: networkPolicies.map(apiShape),
  };
}
