// The EndpointSlice reconciler (upstream staging/src/k8s.io/endpointslice/reconciler.go), as a pure
// function from a Service, the pods it selects, the nodes and the slices that exist to the slices to
// create, update and delete. Every slice change goes to every node's proxy, so it minimises writes:
//
//  1. endpoints are grouped by address type and by resolved port set (pods may resolve a named
//     targetPort to different numbers: each port set gets its own slices);
//  2. in each group, existing slices keep the endpoints still wanted (updated in place when their
//     conditions changed), lose the others, and are deleted when nothing is left;
//  3. new endpoints first fill the slices that are being updated anyway (fullest first);
//  4. what is left goes into one new slice per 100 endpoints, except that a remainder that fits into
//     an unchanged slice goes into the one it fills most closely (one update beats a create);
//  5. a create and a delete in the same sync become one update of the slice that would be deleted;
//  6. a Service with no endpoints at all keeps (or gets) one empty placeholder slice.
import type { JsonObject, KubeObject } from '../api/object.js';
import { type EndpointPort, type UnresolvedPort, endpointPortsFor, portSetKey } from './ports.js';
import {
  type SliceEndpoint, addressTypesFor, endpointKey, endpointsEqual, isServiceIPSet, podToEndpoint, shouldPodBeInEndpoints,
} from './pod-endpoint.js';

export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
export const LABEL_MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
export const LABEL_HEADLESS = 'service.kubernetes.io/headless';
export const ENDPOINTSLICE_CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
export const ANNOTATION_LAST_CHANGE_TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';
/** kube-controller-manager's --max-endpoints-per-slice default. */
export const MAX_ENDPOINTS_PER_SLICE = 100;

const RESERVED_LABELS = new Set([LABEL_SERVICE_NAME, LABEL_MANAGED_BY, LABEL_HEADLESS]);

export interface SliceReconcileInput {
  service: JsonObject;
  /** The pods the Service's selector selects (any state: the reconciler filters). */
  pods: JsonObject[];
  /** Node lookup in the cache (for zones, and to skip pods of unknown nodes as upstream does). */
  node: (name: string) => JsonObject | undefined;
  /** The slices labelled as this Service's and managed by this controller, not being deleted. */
  existing: JsonObject[];
  /** RFC 3339; undefined removes the annotation from the slices this sync writes. */
  triggerTime?: string;
  maxEndpointsPerSlice?: number;
}

export interface SlicePlan {
  create: KubeObject[];
  update: KubeObject[];
  delete: KubeObject[];
  /** Named targetPorts some selected pods do not define, with those pods' names. */
  unresolved: Array<{ port: UnresolvedPort; pods: string[] }>;
  /** Pods left out because their node is not (yet) in the cache. */
  skippedPods: string[];
  /** How many pods became endpoints (the denominator for `unresolved`). */
  endpointPods: number;
}

interface Group { ports: EndpointPort[]; endpoints: Map<string, SliceEndpoint> }

export function ownedBy(slice: JsonObject, service: JsonObject): boolean {
  return (slice.metadata?.ownerReferences ?? []).some((r: JsonObject) =>
    r.uid === service.metadata?.uid && r.kind === 'Service' && r.apiVersion === 'v1');
}

/** The labels a managed slice carries: the Service's own (minus reserved keys) and the reserved ones. */
export function sliceLabels(service: JsonObject, controllerName = ENDPOINTSLICE_CONTROLLER_NAME): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries<string>(service.metadata?.labels ?? {})) if (!RESERVED_LABELS.has(k)) labels[k] = v;
  if (!isServiceIPSet(service)) labels[LABEL_HEADLESS] = '';
  labels[LABEL_SERVICE_NAME] = service.metadata.name;
  labels[LABEL_MANAGED_BY] = controllerName;
  return labels;
}

function sameLabels(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  const x = a ?? {};
  const ka = Object.keys(x), kb = Object.keys(b);
  return ka.length === kb.length && kb.every((k) => x[k] === b[k]);
}

export function newSlice(service: JsonObject, addressType: string, ports: EndpointPort[], controllerName = ENDPOINTSLICE_CONTROLLER_NAME): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: {
      generateName: `${service.metadata.name}-`,
      namespace: service.metadata.namespace,
      labels: sliceLabels(service, controllerName),
      ownerReferences: [{
        apiVersion: 'v1', kind: 'Service', name: service.metadata.name, uid: service.metadata.uid,
        controller: true, blockOwnerDeletion: true,
      }],
    },
    addressType,
    endpoints: [],
    ports: ports.map((p) => ({ ...p })),
  };
}

function isPlaceholder(slice: JsonObject, service: JsonObject, addressType: string, controllerName: string): boolean {
  return slice.addressType === addressType && (slice.endpoints ?? []).length === 0 && (slice.ports ?? []).length === 0 &&
    ownedBy(slice, service) && sameLabels(slice.metadata?.labels, sliceLabels(service, controllerName));
}

/** The slice with the least room left that still fits n more endpoints (upstream getSliceToFill). */
function sliceToFill(slices: JsonObject[], n: number, max: number): JsonObject | undefined {
  let closestDiff = max;
  let closest: JsonObject | undefined;
  for (const s of slices) {
    const diff = max - (n + s.endpoints.length);
    if (diff >= 0 && diff < closestDiff) {
      closestDiff = diff;
      closest = s;
      if (diff === 0) break;
    }
  }
  return closest;
}

function popFirst(m: Map<string, SliceEndpoint>): SliceEndpoint {
  const [k, v] = m.entries().next().value as [string, SliceEndpoint];
  m.delete(k);
  return v;
}

interface Changes { create: KubeObject[]; update: KubeObject[]; delete: KubeObject[] }

/** Steps 2-4 for one port-set group of one address type. */
function reconcileGroup(service: JsonObject, existing: JsonObject[], group: Group, addressType: string, max: number, controllerName: string): Changes {
  const desired = new Map(group.endpoints);
  const labels = sliceLabels(service, controllerName);
  const byName = new Map<string, JsonObject>();
  const toUpdate = new Set<string>(), unchanged = new Set<string>(), toDelete = new Set<string>();

  for (const slice of existing) {
    byName.set(slice.metadata.name, slice);
    const kept: SliceEndpoint[] = [];
    let changed = false;
    for (const ep of slice.endpoints ?? []) {
      const k = endpointKey(ep);
      const want = desired.get(k);
      if (!want) continue;
      kept.push(want);
      if (!endpointsEqual(want, ep)) changed = true;
      desired.delete(k);
    }
    const labelsChanged = !sameLabels(slice.metadata?.labels, labels);
    if (changed || kept.length !== (slice.endpoints ?? []).length) {
      if (kept.length === 0) { toDelete.add(slice.metadata.name); continue; }
      const next = structuredClone(slice);
      next.endpoints = kept;
      next.metadata.labels = labels;
      byName.set(slice.metadata.name, next);
      toUpdate.add(slice.metadata.name);
    } else if (labelsChanged) {
      const next = structuredClone(slice);
      next.metadata.labels = labels;
      byName.set(slice.metadata.name, next);
      toUpdate.add(slice.metadata.name);
    } else {
      unchanged.add(slice.metadata.name);
    }
  }

  // Slices being written anyway take new endpoints first, fullest first.
  if (desired.size > 0 && toUpdate.size > 0) {
    const slices = [...toUpdate].map((n) => byName.get(n)!).sort((a, b) => b.endpoints.length - a.endpoints.length);
    for (const s of slices) while (desired.size > 0 && s.endpoints.length < max) s.endpoints.push(popFirst(desired));
  }

  const create: KubeObject[] = [];
  while (desired.size > 0) {
    let fill: JsonObject | undefined;
    if (desired.size < max && unchanged.size > 0) {
      const found = sliceToFill([...unchanged].map((n) => byName.get(n)!), desired.size, max);
      if (found) { fill = structuredClone(found); byName.set(found.metadata.name, fill); }
    }
    fill ??= newSlice(service, addressType, group.ports, controllerName) as JsonObject;
    while (desired.size > 0 && fill.endpoints.length < max) fill.endpoints.push(popFirst(desired));
    if (fill.metadata.name) { toUpdate.add(fill.metadata.name); unchanged.delete(fill.metadata.name); } else create.push(fill as KubeObject);
  }
  return {
    create,
    update: [...toUpdate].map((n) => byName.get(n)! as KubeObject),
    delete: [...toDelete].map((n) => byName.get(n)! as KubeObject),
  };
}

/** Everything the EndpointSlice controller should write for one Service. */
export function reconcileEndpointSlices(input: SliceReconcileInput, controllerName = ENDPOINTSLICE_CONTROLLER_NAME): SlicePlan {
  const { service, existing } = input;
  const max = input.maxEndpointsPerSlice ?? MAX_ENDPOINTS_PER_SLICE;
  const publishNotReady = service.spec?.publishNotReadyAddresses === true;
  const addressTypes = addressTypesFor(service);
  const plan: SlicePlan = { create: [], update: [], delete: [], unresolved: [], skippedPods: [], endpointPods: 0 };
  const unresolved = new Map<string, { port: UnresolvedPort; pods: string[] }>();

  const byType = new Map<string, JsonObject[]>();
  for (const slice of existing) {
    if (!addressTypes.includes(slice.addressType)) { plan.delete.push(slice as KubeObject); continue; }
    const list = byType.get(slice.addressType) ?? [];
    list.push(slice);
    byType.set(slice.addressType, list);
  }

  const pods = [...input.pods].sort((a, b) => String(a.metadata.name).localeCompare(String(b.metadata.name)));
  addressTypes.forEach((addressType, typeIndex) => {
    const groups = new Map<string, Group>();
    for (const pod of pods) {
      if (!shouldPodBeInEndpoints(pod, true)) continue;
      const node = input.node(pod.spec?.nodeName ?? '');
      if (!node && !publishNotReady) {
        if (typeIndex === 0) plan.skippedPods.push(pod.metadata.name);
        continue;
      }
      const { ports, unresolved: missing } = endpointPortsFor(service, pod);
      if (typeIndex === 0) {
        plan.endpointPods++;
        for (const m of missing) {
          const k = JSON.stringify([m.name, m.protocol]);
          const u = unresolved.get(k) ?? { port: m, pods: [] };
          u.pods.push(pod.metadata.name);
          unresolved.set(k, u);
        }
      }
      const ep = podToEndpoint(pod, node, service, addressType);
      if (ep.addresses.length === 0) continue;
      const key = portSetKey(ports);
      let g = groups.get(key);
      if (!g) groups.set(key, g = { ports, endpoints: new Map() });
      g.endpoints.set(endpointKey(ep), ep);
    }

    const slices = byType.get(addressType) ?? [];
    const byPorts = new Map<string, JsonObject[]>();
    const changes: Changes = { create: [], update: [], delete: [] };
    for (const s of slices) {
      if (!ownedBy(s, service)) { changes.delete.push(s as KubeObject); continue; }
      const k = portSetKey(s.ports);
      byPorts.set(k, [...(byPorts.get(k) ?? []), s]);
    }
    for (const [key, group] of groups) {
      const c = reconcileGroup(service, byPorts.get(key) ?? [], group, addressType, max, controllerName);
      changes.create.push(...c.create); changes.update.push(...c.update); changes.delete.push(...c.delete);
    }
    for (const [key, list] of byPorts) if (!groups.has(key)) changes.delete.push(...(list as KubeObject[]));
    // No endpoints anywhere: one empty slice says "this Service has none" (kept if it already exists).
    if (slices.length === changes.delete.length && changes.create.length === 0) {
      if (changes.delete.length === 1 && isPlaceholder(changes.delete[0], service, addressType, controllerName)) changes.delete = [];
      else changes.create.push(newSlice(service, addressType, [], controllerName));
    }
    plan.create.push(...changes.create); plan.update.push(...changes.update); plan.delete.push(...changes.delete);
  });

  // A create and a delete become one update of the slice that would have gone (fewer watch events).
  for (let i = 0; i < plan.delete.length && plan.create.length > 0;) {
    const gone = plan.delete[i] as JsonObject;
    const slice = plan.create[plan.create.length - 1] as JsonObject;
    if (gone.addressType === slice.addressType && ownedBy(gone, service)) {
      slice.metadata.name = gone.metadata.name;
      slice.metadata.resourceVersion = gone.metadata.resourceVersion;
      if (gone.metadata.annotations) slice.metadata.annotations = { ...gone.metadata.annotations };
      delete slice.metadata.generateName;
      plan.create.pop();
      plan.update.push(slice as KubeObject);
      plan.delete.splice(i, 1);
    } else i++;
  }
  // A Service on its way out gets no new slices.
  if (service.metadata?.deletionTimestamp) plan.create = [];
  for (const s of [...plan.create, ...plan.update]) setTriggerTime(s, input.triggerTime);
  plan.unresolved = [...unresolved.values()];
  return plan;
}

function setTriggerTime(slice: KubeObject, triggerTime: string | undefined): void {
  const annotations = { ...(slice.metadata.annotations ?? {}) };
  if (triggerTime) annotations[ANNOTATION_LAST_CHANGE_TRIGGER_TIME] = triggerTime;
  else delete annotations[ANNOTATION_LAST_CHANGE_TRIGGER_TIME];
  if (Object.keys(annotations).length) slice.metadata.annotations = annotations;
  else delete slice.metadata.annotations;
}
