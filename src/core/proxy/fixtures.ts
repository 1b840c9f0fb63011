// Builders for Service and EndpointSlice objects as the API returns them, for tests and benchmarks of
// the proxy (packet-flow tests, kernel tests, the 10,000-service benchmark).
import type { Endpoint, EndpointPort, EndpointSlice, Service } from './types.js';
import { LABEL_SERVICE_NAME } from './types.js';

export function service(ns: string, name: string, spec: Service['spec'], status?: Service['status'], labels?: Record<string, string>): Service {
  return { metadata: { namespace: ns, name, labels }, spec, status };
}

export function endpointSlice(ns: string, serviceName: string, ports: EndpointPort[], endpoints: Endpoint[], suffix = 'abcde'): EndpointSlice {
  return {
    metadata: { namespace: ns, name: `${serviceName}-${suffix}`, labels: { [LABEL_SERVICE_NAME]: serviceName } },
    addressType: 'IPv4',
    ports,
    endpoints,
  };
}

export function endpoint(ip: string, nodeName: string, conditions?: Endpoint['conditions']): Endpoint {
  return { addresses: [ip], nodeName, conditions: conditions ?? { ready: true, serving: true, terminating: false } };
}

/** Address `base + i` in a /8 or /16 given as its first octets, e.g. offsetIP('10.96', 300) = 10.96.1.44. */
export function offsetIP(prefix: string, i: number): string {
  const octets = prefix.split('.').map(Number);
  const free = 4 - octets.length;
  const tail: number[] = [];
  for (let k = 0, v = i; k < free; k++, v = Math.floor(v / 256)) tail.unshift(v % 256);
  return [...octets, ...tail].join('.');
}

/**
 * `services` ClusterIP services in namespace `bench` with one TCP port 80 → 8080 and `endpointsPerService`
 * endpoints spread over `nodes` nodes (node-0 is the programmed node). ClusterIPs from 10.96.0.0/12,
 * endpoint IPs from 10.244.0.0/16 (distinct per endpoint).
 */
export function syntheticCluster(services: number, endpointsPerService: number, nodes = 3): { services: Service[]; endpointSlices: EndpointSlice[] } {
  const svcs: Service[] = [];
  const slices: EndpointSlice[] = [];
  let ep = 0;
  for (let i = 0; i < services; i++) {
    const name = `svc-${i}`;
    svcs.push(service('bench', name, { type: 'ClusterIP', clusterIP: offsetIP('10.96', i + 100), ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] }));
    const eps: Endpoint[] = [];
    for (let e = 0; e < endpointsPerService; e++, ep++) {
      // Skip .0 and .255 host parts so addresses look like real pod IPs.
      const host = ep % 254 + 1;
      const subnet = Math.floor(ep / 254);
      eps.push(endpoint(`10.244.${subnet % 256}.${host}`, `node-${subnet % nodes}`));
    }
    slices.push(endpointSlice('bench', name, [{ name: 'http', port: 8080, protocol: 'TCP' }], eps));
  }
  return { services: svcs, endpointSlices: slices };
}
