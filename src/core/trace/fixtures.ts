// A small cluster as API objects, shaped like the seeds' examples (3 nodes, vxlan, web in my-app), and a
// synthetic large one, for the trace's unit tests and benchmark.
import { endpoint, endpointSlice, offsetIP, service } from '../proxy/fixtures.js';
import type { EndpointSlice } from '../proxy/index.js';
import type { ClusterSnapshot, NodeLike, PodLike, ServiceLike } from './types.js';

export function node(i: number): NodeLike {
  return {
    metadata: { name: `node-${i}`, annotations: {
      'flannel.alpha.coreos.com/backend-type': 'vxlan',
      'flannel.alpha.coreos.com/backend-data': JSON.stringify({ VNI: 1, VtepMAC: `02:00:00:00:00:0${i}` }),
      'flannel.alpha.coreos.com/public-ip': `172.31.250.${10 + i}`,
    } },
    spec: { podCIDR: `10.244.${i}.0/24` },
    status: { addresses: [{ type: 'InternalIP', address: `172.31.250.${10 + i}` }] },
  };
}

export function pod(ns: string, name: string, nodeIdx: number, host: number, labels: Record<string, string>, ports: number[] = [80], ready = true): PodLike {
  return {
    metadata: { namespace: ns, name, labels, uid: `${ns}-${name}` },
    spec: { nodeName: `node-${nodeIdx}`, containers: [{ name: 'c', ports: ports.map((p) => ({ containerPort: p, protocol: 'TCP' })) }] },
    status: { phase: 'Running', podIP: `10.244.${nodeIdx}.${host}`, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

/** Service + its EndpointSlice from the pods its selector picks (as the EndpointSlice controller would). */
export function serviceFor(ns: string, name: string, clusterIP: string, selector: Record<string, string>, pods: PodLike[], port: number, targetPort: number, extra: Partial<NonNullable<ServiceLike['spec']>> = {}, status?: ServiceLike['status']): [ServiceLike, EndpointSlice] {
  const svc = service(ns, name, { type: 'ClusterIP', clusterIP, ports: [{ name: 'http', port, targetPort, protocol: 'TCP' }], ...extra }, status) as ServiceLike;
  svc.spec!.selector = selector;
  const picked = pods.filter((p) => p.metadata.namespace === ns && Object.entries(selector).every(([k, v]) => p.metadata.labels?.[k] === v));
  const slice = endpointSlice(ns, name, [{ name: 'http', port: targetPort, protocol: 'TCP' }],
    picked.map((p) => endpoint(p.status!.podIP!, p.spec!.nodeName!, { ready: p.status?.conditions?.[0]?.status === 'True', serving: true, terminating: false })));
  return [svc, slice];
}

export function seedCluster(): ClusterSnapshot {
  const pods = [
    pod('default', 'client', 1, 5, { app: 'client' }, []),
    pod('my-app', 'web-1', 1, 6, { app: 'web' }),
    pod('my-app', 'web-2', 2, 7, { app: 'web' }),
    pod('default', 'api-1', 2, 8, { app: 'api' }, [8080]),
  ];
  const [web, webSlice] = serviceFor('my-app', 'web', '10.96.0.50', { app: 'web' }, pods, 80, 80);
  const [lonely, lonelySlice] = serviceFor('default', 'lonely', '10.96.0.51', { app: 'nobody' }, pods, 80, 80);
  const [api, apiSlice] = serviceFor('default', 'api', '10.96.0.52', { app: 'api' }, pods, 80, 8080, { type: 'NodePort', ports: [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30080, protocol: 'TCP' }] });
  const [lb, lbSlice] = serviceFor('my-app', 'web-lb', '10.96.0.53', { app: 'web' }, pods, 80, 80,
    { type: 'LoadBalancer', ports: [{ name: 'http', port: 80, targetPort: 80, nodePort: 30081, protocol: 'TCP' }] },
    { loadBalancer: { ingress: [{ ip: '172.31.250.200', ipMode: 'VIP' }] } });
  lb.metadata.annotations = { 'podnet.io/announcing-node': 'node-2' };
  return {
    clusterCIDR: '10.244.0.0/16', serviceCIDR: '10.96.0.0/12', clusterDomain: 'cluster.local', dnsServiceIP: '10.96.0.10',
    overlay: 'vxlan', hostIP: '172.31.250.1',
    nodes: [node(1), node(2), node(3)], pods, services: [web, lonely, api, lb], endpointSlices: [webSlice, lonelySlice, apiSlice, lbSlice],
    namespaces: ['default', 'my-app', 'kube-system'].map((name) => ({ metadata: { name, labels: { 'kubernetes.io/metadata.name': name } } })),
  };
}

/** `n` Services with one endpoint each and `n` pods spread over 3 nodes, plus the seed cluster. */
export function largeCluster(n: number): ClusterSnapshot {
  const snap = seedCluster();
  for (let i = 0; i < n; i++) {
    const nodeIdx = 1 + (i % 3);
    const p = pod('bench', `p-${i}`, nodeIdx, 0, { app: `a-${i}` });
    p.status!.podIP = `10.244.${nodeIdx}.${10 + Math.floor(i / 3) % 240}`;
    snap.pods.push(p);
    const [s, sl] = serviceFor('bench', `s-${i}`, offsetIP('10.96', 1000 + i), { app: `a-${i}` }, [p], 80, 80);
    snap.services.push(s);
    snap.endpointSlices.push(sl);
  }
  snap.namespaces.push({ metadata: { name: 'bench', labels: { 'kubernetes.io/metadata.name': 'bench' } } });
  return snap;
}
