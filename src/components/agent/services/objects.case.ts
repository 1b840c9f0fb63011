// Test builders for the Services, EndpointSlices and Nodes the node's service proxy reads.
import { LABEL_SERVICE_NAME, type Endpoint, type EndpointPort, type EndpointSlice, type Service, type ServicePort } from '../../../core/proxy/index.js';

export function service(ns: string, name: string, clusterIP: string, ports: ServicePort[], spec: NonNullable<Service['spec']> = {}): Service {
  return { metadata: { namespace: ns, name, resourceVersion: '1' }, spec: { type: 'ClusterIP', clusterIP, clusterIPs: [clusterIP], ports, ...spec } };
}

export function endpointSlice(ns: string, svc: string, endpoints: Endpoint[], ports: EndpointPort[], suffix = 'x1'): EndpointSlice {
  return { metadata: { namespace: ns, name: `${svc}-${suffix}`, labels: { [LABEL_SERVICE_NAME]: svc }, resourceVersion: '1' }, addressType: 'IPv4', endpoints, ports };
}

export function endpoint(ip: string, opts: { nodeName?: string; ready?: boolean; serving?: boolean; terminating?: boolean } = {}): Endpoint {
  const { nodeName, ...conditions } = opts;
  return { addresses: [ip], nodeName, conditions: { ready: true, ...conditions } };
}
