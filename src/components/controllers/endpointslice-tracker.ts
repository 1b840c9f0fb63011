// What the EndpointSlice controller last wrote, per Service (upstream EndpointSliceTracker). Two uses:
//
//  - the informer echoes every write back; an event for a slice at the version we wrote is our own and
//    needs no sync (shouldSync), while anything else (a user edit, an unexpected delete) does;
//  - before a sync, the cache must already show our previous writes (created slices present, deleted
//    ones gone, updated ones at least at the version we wrote), or the reconciler would act on stale
//    slices and, for example, create a second set (stale).
//
// resourceVersions are compared as numbers when both are numeric (podnet's stores and etcd use the
// store revision); otherwise only equality is known. Entries expire so that a lost event cannot wedge a
// Service forever.
import type { KubeObject } from '../../core/api/object.js';
import { LABEL_MANAGED_BY, LABEL_SERVICE_NAME } from '../../core/endpoints/index.js';

/**
 * `namespace/name` of the Service (or Endpoints) a slice written by controller `managedBy` belongs to;
 * undefined for slices another controller or a user manages.
 */
export function managedSliceKey(slice: KubeObject, managedBy: string): string | undefined {
  const labels = slice.metadata.labels ?? {};
  if (labels[LABEL_MANAGED_BY] !== managedBy || !labels[LABEL_SERVICE_NAME]) return undefined;
  return `${slice.metadata.namespace}/${labels[LABEL_SERVICE_NAME]}`;
}

const DELETED = Symbol('deleted');
const TTL_MS = 60_000;

interface Entry { rv: string | typeof DELETED; at: number }

function isNewer(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return BigInt(a) > BigInt(b);
  return a !== b;
}

export class EndpointSliceTracker {
  private readonly byService = new Map<string, Map<string, Entry>>();

  constructor(private readonly ttlMs = TTL_MS) {}

  private entries(serviceKey: string): Map<string, Entry> {
    let m = this.byService.get(serviceKey);
    if (!m) this.byService.set(serviceKey, m = new Map());
    return m;
  }

  /** After a create or update: the slice as the API returned it. */
  written(serviceKey: string, slice: KubeObject): void {
    this.entries(serviceKey).set(slice.metadata.name!, { rv: slice.metadata.resourceVersion ?? '', at: Date.now() });
  }

  /** Before a delete. */
  deleting(serviceKey: string, name: string): void {
    this.entries(serviceKey).set(name, { rv: DELETED, at: Date.now() });
  }

  /** Not our own write coming back: the Service should be synced. */
  shouldSync(serviceKey: string, slice: KubeObject): boolean {
    const e = this.live(serviceKey, slice.metadata.name!);
    if (!e || e.rv === DELETED) return true;
    return isNewer(slice.metadata.resourceVersion, e.rv);
  }

  /** A delete event: true when it was our own delete (and forgets the slice). */
  deleted(serviceKey: string, name: string): boolean {
    const m = this.byService.get(serviceKey);
    const e = m?.get(name);
    m?.delete(name);
    return e?.rv === DELETED;
  }

  /** True when the cached slices do not yet reflect what this controller wrote. */
  stale(serviceKey: string, cached: KubeObject[]): boolean {
    const m = this.byService.get(serviceKey);
    if (!m) return false;
    const present = new Set<string>();
    for (const s of cached) {
      present.add(s.metadata.name!);
      const e = this.live(serviceKey, s.metadata.name!);
      if (!e) continue;
      if (e.rv === DELETED) return true;
      if (isNewer(e.rv, s.metadata.resourceVersion ?? '')) return true;
    }
    for (const [name] of m) {
      const e = this.live(serviceKey, name);
      if (e && e.rv !== DELETED && !present.has(name)) return true;
    }
    return false;
  }

  deleteService(serviceKey: string): void {
    this.byService.delete(serviceKey);
  }

  private live(serviceKey: string, name: string): Entry | undefined {
    const m = this.byService.get(serviceKey);
    const e = m?.get(name);
    if (e && Date.now() - e.at > this.ttlMs) { m!.delete(name); return undefined; }
    return e;
  }
}
