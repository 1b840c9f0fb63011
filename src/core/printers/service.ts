// Service columns as `kubectl get services` shows them: the type, the ClusterIP ("None" for headless),
// what answers from outside (external IPs, load-balancer ingress, `<pending>`, the external name), and
// the ports with their NodePorts (`80:30080/TCP`).

import type { KindPrinter, TableCell } from './table.js';
import { ageColumn, ageOf, column, formatLabels, nameColumn, nameOf, sortedSet } from './common.js';
import type { JsonObject } from '../api/object.js';

const columns = [
  nameColumn(),
  column('Type', 'string', 'type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer.'),
  column('Cluster-IP', 'string', 'clusterIP is the IP address of the service and is usually assigned randomly. Setting this to "None" makes a "headless service" (no virtual IP).'),
  column('External-IP', 'string', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
  column('Port(s)', 'string', 'The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies'),
  ageColumn(),
  column('Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify.', 1),
];

/**
 * The load-balancer ingress points, distinct and sorted: IPs, or hostnames where there is no IP.
 * The apiserver prints wide, so the list is never clipped to 16 characters.
 */
export function loadBalancerIngress(status: JsonObject | undefined): string {
  const points: string[] = [];
  for (const ing of status?.ingress ?? []) {
    if (ing.ip) points.push(ing.ip);
    else if (ing.hostname) points.push(ing.hostname);
  }
  return sortedSet(points).join(',');
}

function externalIP(svc: JsonObject): string {
  const spec = svc.spec ?? {};
  const externalIPs: string[] = spec.externalIPs ?? [];
  switch (spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerIngress(svc.status?.loadBalancer);
      if (externalIPs.length > 0) return [...(lb ? lb.split(',') : []), ...externalIPs].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

/** `80/TCP,443:30443/TCP`: port, NodePort when allocated, protocol (TCP when unset, as defaulting makes it). */
export function servicePorts(ports: JsonObject[] | undefined): string {
  const text = (ports ?? []).map((p) => {
    const protocol = p.protocol ?? 'TCP';
    return p.nodePort > 0 ? `${p.port}:${p.nodePort}/${protocol}` : `${p.port}/${protocol}`;
  }).join(',');
  return text || '<none>';
}

/** The ClusterIP after v1 conversion: spec.clusterIP wins, else the first of spec.clusterIPs. */
function clusterIP(svc: JsonObject): string {
  return svc.spec?.clusterIP || svc.spec?.clusterIPs?.[0] || '<none>';
}

export const servicePrinter: KindPrinter = {
  columns,
  cells: (svc: JsonObject, now: Date): TableCell[] => [
    nameOf(svc), svc.spec?.type ?? '', clusterIP(svc), externalIP(svc), servicePorts(svc.spec?.ports), ageOf(svc, now),
    formatLabels(svc.spec?.selector),
  ],
};
