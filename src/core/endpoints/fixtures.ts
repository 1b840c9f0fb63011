// Objects shaped as the registry stores them, for the endpoint tests: Services, pods in any state,
// nodes with zones, and an applier that plays a slice plan against a fake set of stored slices.
import type { JsonObject, KubeObject } from '../api/object.js';
import type { SlicePlan } from './slice-reconciler.js';

export function service(name: string, opts: JsonObject = {}): JsonObject {
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: '2025-01-01T00:00:00Z', ...(opts.metadata ?? {}) },
    spec: {
      type: 'ClusterIP', clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack',
      selector: { app: name }, ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }],
      ...(opts.spec ?? {}),
    },
  };
}

export interface PodOpts {
  ready?: boolean;
  ip?: string | null;
  node?: string;
  terminating?: boolean;
  phase?: string;
  labels?: Record<string, string>;
  ports?: JsonObject[];
  hostname?: string;
  subdomain?: string;
  readySince?: string;
}

export function pod(name: string, i: number, opts: PodOpts = {}): JsonObject {
  const ip = opts.ip === undefined ? `10.244.${1 + Math.floor(i / 250)}.${1 + (i % 250)}` : opts.ip;
  const p: JsonObject = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: opts.labels ?? { app: 'web' } },
    spec: { nodeName: opts.node ?? 'node-1', containers: [{ name: 'c', image: 'nginx', ports: opts.ports ?? [] }] },
    status: {
      phase: opts.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True', lastTransitionTime: opts.readySince ?? '2025-01-01T00:01:00Z' }],
    },
  };
  if (ip) { p.status.podIP = ip; p.status.podIPs = [{ ip }]; }
  if (opts.terminating) { p.metadata.deletionTimestamp = '2025-01-01T00:02:00Z'; p.metadata.deletionGracePeriodSeconds = 30; }
  if (opts.hostname) p.spec.hostname = opts.hostname;
  if (opts.subdomain) p.spec.subdomain = opts.subdomain;
  return p;
}

export function pods(n: number, opts: PodOpts = {}, prefix = 'web'): JsonObject[] {
  return Array.from({ length: n }, (_, i) => pod(`${prefix}-${String(i).padStart(4, '0')}`, i, opts));
}

export function nodeLookup(zones: Record<string, string> = {}): (name: string) => JsonObject | undefined {
  return (name) => (name.startsWith('node-')
    ? { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: zones[name] ? { 'topology.kubernetes.io/zone': zones[name] } : {} } }
    : undefined);
}

/** Stored slices, as an API server would keep them: creates get names and resourceVersions. */
export class SliceStore {
  readonly slices = new Map<string, JsonObject>();
  private n = 0;
  writes = { create: 0, update: 0, delete: 0 };

  apply(plan: SlicePlan): void {
    for (const s of plan.delete) { this.slices.delete(s.metadata.name!); this.writes.delete++; }
    for (const s of plan.update) {
      const next = structuredClone(s) as JsonObject;
      next.metadata.resourceVersion = String(++this.n);
      this.slices.set(next.metadata.name, next);
      this.writes.update++;
    }
    for (const s of plan.create) {
      const next = structuredClone(s) as JsonObject;
      next.metadata.name = `${next.metadata.generateName}${(++this.n).toString(36).padStart(5, 'x')}`;
      delete next.metadata.generateName;
      next.metadata.resourceVersion = String(this.n);
      this.slices.set(next.metadata.name, next);
      this.writes.create++;
    }
  }

  list(): KubeObject[] {
    return [...this.slices.values()].map((s) => structuredClone(s) as KubeObject);
  }

  sizes(): number[] {
    return [...this.slices.values()].map((s) => s.endpoints.length).sort((a, b) => b - a);
  }

  resetWrites(): void {
    this.writes = { create: 0, update: 0, delete: 0 };
  }
}
