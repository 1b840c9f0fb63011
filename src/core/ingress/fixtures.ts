// Objects for planner tests and benchmarks: Ingresses, Services, EndpointSlices and TLS Secrets.
import type { JsonObject, KubeObject } from '../api/object.js';

let seq = 0;
const ts = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString().replace('.000', '');

export interface PathSpec { path?: string; pathType?: string; service?: string; port?: number | string; resource?: JsonObject }

export function backend(service: string, port: number | string = 80): JsonObject {
  return { service: { name: service, port: typeof port === 'number' ? { number: port } : { name: port } } };
}

export function ingress(name: string, opts: {
  namespace?: string; rules?: Array<{ host?: string; paths: PathSpec[] }>; defaultBackend?: JsonObject;
  tls?: Array<{ hosts?: string[]; secretName?: string }>; annotations?: Record<string, string>; age?: number; className?: string;
}): KubeObject {
  const rules = (opts.rules ?? []).map((r) => ({
    ...(r.host ? { host: r.host } : {}),
    http: { paths: r.paths.map((p) => ({
      path: p.path ?? '/', pathType: p.pathType ?? 'Prefix',
      backend: p.resource ? { resource: p.resource } : backend(p.service ?? 'svc', p.port ?? 80),
    })) },
  }));
  return {
    apiVersion: 'networking.k8s.io/v1', kind: 'Ingress',
    metadata: {
      name, namespace: opts.namespace ?? 'default', uid: `uid-${name}`, creationTimestamp: ts(opts.age ?? ++seq),
      ...(opts.annotations ? { annotations: opts.annotations } : {}),
    },
    spec: {
      ...(opts.className ? { ingressClassName: opts.className } : {}),
      ...(rules.length ? { rules } : {}),
      ...(opts.defaultBackend ? { defaultBackend: opts.defaultBackend } : {}),
      ...(opts.tls ? { tls: opts.tls } : {}),
    },
  } as KubeObject;
}

export function service(name: string, ports: Array<{ port: number; name?: string; targetPort?: number }>, namespace = 'default'): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Service', metadata: { name, namespace },
    spec: { type: 'ClusterIP', ports: ports.map((p) => ({ protocol: 'TCP', targetPort: p.targetPort ?? p.port, ...p })) },
  } as KubeObject;
}

export function slice(svc: string, ips: string[], opts: { port?: number; portName?: string; notReady?: string[]; namespace?: string; name?: string } = {}): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: opts.name ?? `${svc}-abc`, namespace: opts.namespace ?? 'default', labels: { 'kubernetes.io/service-name': svc } },
    addressType: 'IPv4',
    ports: [{ name: opts.portName ?? '', port: opts.port ?? 8080, protocol: 'TCP' }],
    endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: !(opts.notReady ?? []).includes(ip) } })),
  } as unknown as KubeObject;
}

export function tlsSecret(name: string, crt: string, key: string, namespace = 'default'): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name, namespace },
    data: { 'tls.crt': Buffer.from(crt).toString('base64'), 'tls.key': Buffer.from(key).toString('base64') },
  } as unknown as KubeObject;
}

export const FAKE_CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
export const FAKE_KEY = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';
