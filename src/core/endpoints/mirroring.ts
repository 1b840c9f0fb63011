// EndpointSlice mirroring (kube-controller-manager's endpointslicemirroring-controller), as a pure
// function: the v1 Endpoints of a Service without a selector — the hand-written kind that puts an
// outside database behind a Service — become EndpointSlices, so proxies that read only slices (podnet's,
// kube-proxy) send traffic to them. Each subset's ports become one slice group per address family;
// addresses are ready endpoints, notReadyAddresses not-ready ones; at most 1000 addresses of a subset are
// mirrored (addresses first), as upstream's --mirroring-max-endpoints-per-subset; a group is packed into
// slices of at most 1000 endpoints. Slices carry the Endpoints' labels (minus the reserved ones),
// `kubernetes.io/service-name` and `endpointslice.kubernetes.io/managed-by:
// endpointslicemirroring-controller.k8s.io`, and are owned by the Endpoints object.
import type { JsonObject, KubeObject } from '../api/object.js';
import { LABEL_MANAGED_BY, LABEL_SERVICE_NAME } from './slice-reconciler.js';
import { isIPv4, isIPv6 } from '../net/index.js';

export const MIRRORING_CONTROLLER_NAME = 'endpointslicemirroring-controller.k8s.io';
export const LABEL_SKIP_MIRROR = 'endpointslice.kubernetes.io/skip-mirror';
export const LEADER_ANNOTATION = 'control-plane.alpha.kubernetes.io/leader';
export const MAX_MIRRORED_ENDPOINTS_PER_SUBSET = 1000;
const MAX_ENDPOINTS_PER_MIRRORED_SLICE = 1000;

/** Annotations upstream does not copy from Endpoints to their slices. */
const DROPPED_ANNOTATIONS = new Set(['endpoints.kubernetes.io/last-change-trigger-time', 'kubectl.kubernetes.io/last-applied-configuration']);

/** Endpoints the controller mirrors at all: not skip-mirror labelled, not a leader-election lock. */
export function shouldMirror(endpoints: JsonObject): boolean {
  if (endpoints.metadata?.labels?.[LABEL_SKIP_MIRROR] === 'true') return false;
  return endpoints.metadata?.annotations?.[LEADER_ANNOTATION] === undefined;
}

/** The slices this controller made for an Endpoints object (by label, as upstream's lister selects them). */
export function isMirroredSliceOf(slice: JsonObject, namespace: string, name: string): boolean {
  const l = slice.metadata?.labels ?? {};
  return slice.metadata?.namespace === namespace && l[LABEL_MANAGED_BY] === MIRRORING_CONTROLLER_NAME && l[LABEL_SERVICE_NAME] === name;
}

function addressType(ip: string): 'IPv4' | 'IPv6' | undefined {
  return isIPv4(ip) ? 'IPv4' : isIPv6(ip) ? 'IPv6' : undefined;
}

function toEndpoint(a: JsonObject, ready: boolean): JsonObject {
  const ep: JsonObject = { addresses: [a.ip], conditions: { ready } };
  if (a.hostname) ep.hostname = a.hostname;
  if (a.nodeName) ep.nodeName = a.nodeName;
  if (a.targetRef) ep.targetRef = a.targetRef;
  return ep;
}

interface Group { addressType: string; ports: JsonObject[]; endpoints: JsonObject[] }

/** The slice groups an Endpoints object asks for: per subset and address family, truncated as upstream. */
export function mirroredGroups(endpoints: JsonObject, maxPerSubset = MAX_MIRRORED_ENDPOINTS_PER_SUBSET): Group[] {
  const groups = new Map<string, Group>();
  for (const subset of Array.isArray(endpoints.subsets) ? endpoints.subsets : []) {
    const ports = (Array.isArray(subset.ports) ? subset.ports : []).map((p: JsonObject) => {
      const out: JsonObject = { name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' };
      if (p.appProtocol) out.appProtocol = p.appProtocol;
      return out;
    });
    const all: Array<readonly [JsonObject, boolean]> = [
      ...(subset.addresses ?? []).map((a: JsonObject) => [a, true] as const),
      ...(subset.notReadyAddresses ?? []).map((a: JsonObject) => [a, false] as const),
    ].slice(0, maxPerSubset);
    for (const [a, ready] of all) {
      const type = addressType(String(a.ip ?? ''));
      if (!type) continue; // upstream skips addresses that are not IPs
      const key = `${type}|${JSON.stringify(ports)}`;
      const g: Group = groups.get(key) ?? { addressType: type, ports, endpoints: [] as JsonObject[] };
      groups.set(key, g);
      if (!g.endpoints.some((e) => e.addresses[0] === a.ip && e.conditions.ready === ready)) g.endpoints.push(toEndpoint(a, ready));
    }
  }
  return [...groups.values()];
}

export interface MirrorPlan { create: KubeObject[]; update: KubeObject[]; delete: KubeObject[] }

function sliceKey(s: JsonObject): string {
  return `${s.addressType}|${JSON.stringify(s.ports ?? [])}`;
}

/**
 * What to create, update and delete so that `existing` (this Endpoints' mirrored slices) mirror it.
 * Pass `endpoints` undefined (gone, skipped, or its Service has a selector or is gone) to delete them all.
 */
export function planMirroredSlices(endpoints: JsonObject | undefined, existing: JsonObject[]): MirrorPlan {
  const plan: MirrorPlan = { create: [], update: [], delete: [] };
  if (!endpoints) { plan.delete.push(...existing as KubeObject[]); return plan; }
  const m = endpoints.metadata;
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.labels ?? {})) if (k !== LABEL_MANAGED_BY && k !== LABEL_SERVICE_NAME) labels[k] = v as string;
  labels[LABEL_SERVICE_NAME] = m.name;
  labels[LABEL_MANAGED_BY] = MIRRORING_CONTROLLER_NAME;
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.annotations ?? {})) if (!DROPPED_ANNOTATIONS.has(k)) annotations[k] = v as string;
  const owner = { apiVersion: 'v1', kind: 'Endpoints', name: m.name, uid: m.uid, controller: true, blockOwnerDeletion: true };

  const unused = new Map<string, JsonObject[]>();
  for (const s of existing) unused.set(sliceKey(s), [...(unused.get(sliceKey(s)) ?? []), s]);
  for (const g of mirroredGroups(endpoints)) {
    for (let i = 0; i < g.endpoints.length; i += MAX_ENDPOINTS_PER_MIRRORED_SLICE) {
      const body = { addressType: g.addressType, ports: g.ports, endpoints: g.endpoints.slice(i, i + MAX_ENDPOINTS_PER_MIRRORED_SLICE) };
      const key = sliceKey(body);
      const reuse = unused.get(key)?.shift();
      if (reuse) {
        const next = { ...reuse, ...body, metadata: { ...reuse.metadata, labels, annotations } } as JsonObject;
        if (Object.keys(annotations).length === 0) delete next.metadata.annotations;
        if (JSON.stringify(canonical(next)) !== JSON.stringify(canonical(reuse))) plan.update.push(next as KubeObject);
      } else {
        const metadata: JsonObject = { generateName: `${m.name}-`, namespace: m.namespace, labels, ownerReferences: [owner] };
        if (Object.keys(annotations).length) metadata.annotations = annotations;
        plan.create.push({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata, ...body } as KubeObject);
      }
    }
  }
  for (const left of unused.values()) plan.delete.push(...left as KubeObject[]);
  return plan;
}

/** The parts of a slice mirroring decides, in a stable order, to tell whether an update is needed. */
function canonical(s: JsonObject): unknown {
  const sortObj = (o: Record<string, string> | undefined) => Object.fromEntries(Object.entries(o ?? {}).sort());
  return {
    labels: sortObj(s.metadata?.labels), annotations: sortObj(s.metadata?.annotations), addressType: s.addressType,
    ports: s.ports ?? [], endpoints: (s.endpoints ?? []).map((e: JsonObject) => ({
      addresses: e.addresses, ready: e.conditions?.ready ?? null, hostname: e.hostname ?? null, nodeName: e.nodeName ?? null,
      targetRef: e.targetRef ? { kind: e.targetRef.kind, namespace: e.targetRef.namespace, name: e.targetRef.name, uid: e.targetRef.uid } : null,
    })),
  };
}
