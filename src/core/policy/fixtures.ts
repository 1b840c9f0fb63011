// The Cyclonus / upstream netpol model for tests: namespaces x, y, z (label ns=<name>), pods a, b, c in
// each (label pod=<name>), each serving TCP 80, TCP 81 and UDP 80 with upstream's port names
// (serve-80-tcp, serve-81-tcp, serve-80-udp). Pods of x are on node-1, y on node-2, z on node-3.
import type { NetworkPolicy, Namespace, Pod, PolicyInput } from './types.js';

export const NAMESPACES = ['x', 'y', 'z'] as const;
export const PODS = ['a', 'b', 'c'] as const;

export function modelIP(ns: string, pod: string): string {
  return `10.244.${NAMESPACES.indexOf(ns as 'x') + 1}.${10 + PODS.indexOf(pod as 'a')}`;
}

export function modelPod(ns: string, name: string, ip = modelIP(ns, name), extra: Partial<Pod['spec']> = {}): Pod {
  const node = `node-${ip.split('.')[2]}`;
  return {
    metadata: { namespace: ns, name, labels: { pod: name } },
    spec: {
      nodeName: node,
      containers: [
        { ports: [{ name: 'serve-80-tcp', containerPort: 80, protocol: 'TCP' }] },
        { ports: [{ name: 'serve-81-tcp', containerPort: 81, protocol: 'TCP' }] },
        { ports: [{ name: 'serve-80-udp', containerPort: 80, protocol: 'UDP' }] },
      ],
      ...extra,
    },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], hostIP: `172.31.250.${10 + Number(ip.split('.')[2])}` },
  };
}

export function modelNamespace(name: string, labels: Record<string, string> = { ns: name }): Namespace {
  return { metadata: { name, labels: { ...labels, 'kubernetes.io/metadata.name': name } } };
}

export function model(policies: NetworkPolicy[], more: { pods?: Pod[]; namespaces?: Namespace[] } = {}): PolicyInput {
  return {
    policies,
    namespaces: [...NAMESPACES.map((n) => modelNamespace(n)), ...(more.namespaces ?? [])],
    pods: [...NAMESPACES.flatMap((ns) => PODS.map((p) => modelPod(ns, p))), ...(more.pods ?? [])],
  };
}

export function policy(namespace: string, name: string, spec: NetworkPolicy['spec']): NetworkPolicy {
  return { metadata: { namespace, name }, spec };
}
