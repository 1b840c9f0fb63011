// The garbage collector (upstream pkg/controller/garbagecollector), over ownerReferences:
//
//  - Background (kubectl delete's default): the owner goes at once; every dependent whose owners are
//    all gone is deleted (Deployment → ReplicaSets → Pods, Service → EndpointSlices);
//  - Orphan (`--cascade=orphan`): the registry holds the owner with the `orphan` finalizer; the GC
//    removes the owner's reference from every dependent, then the finalizer;
//  - Foreground (`--cascade=foreground`): the registry holds the owner with the `foregroundDeletion`
//    finalizer; the GC deletes the dependents (foreground too, when they have dependents of their own)
//    and removes the finalizer once no dependent that blocks owner deletion is left.
//
// A dependent with another owner still present only loses the reference to the one that is gone.
// Owners are looked up in the informer caches by uid and, when not found there, with a live GET (a
// cache can lag behind a just-created owner; only a confirmed absence makes a dependent garbage).
import { isApiError } from '../../core/api/errors.js';
import { type KubeObject, type OwnerReference, objectKey } from '../../core/api/object.js';
import { RESOURCES, qualifiedResource, resourceByKind } from '../../core/api/resources.js';
import { type Controller, type ControllerContext, splitKey } from './context.js';
import type { Informer } from '../kube/informer.js';
import { WorkQueue } from './workqueue.js';

const ORPHAN = 'orphan';
const FOREGROUND = 'foregroundDeletion';

/** Every resource but events: objects of any of them can own or be owned. */
const WATCHED = RESOURCES.filter((i) => i.kind !== 'Event').map(qualifiedResource);

interface Ref { resource: string; key: string }

const refId = (r: Ref) => `${r.resource}\t${r.key}`;

function fromId(id: string): Ref {
  const [resource, key] = id.split('\t');
  return { resource, key };
}

const hasFinalizer = (o: KubeObject, f: string) => (o.metadata.finalizers ?? []).includes(f);

type OwnerState = 'solid' | 'dangling' | 'waiting';

export class GarbageCollector implements Controller {
  readonly name = 'garbage-collector';
  private readonly informers = new Map<string, Informer>();
  /** uid → where the object lives. */
  private readonly byUid = new Map<string, Ref>();
  /** owner uid → ids of objects that reference it. */
  private readonly dependents = new Map<string, Set<string>>();
  private readonly queue: WorkQueue;

  constructor(private readonly ctx: ControllerContext) {
    this.queue = new WorkQueue(this.name, (k) => this.process(k), { log: ctx.log });
    for (const resource of WATCHED) {
      const inf = ctx.informers.informer(resource);
      this.informers.set(resource, inf);
      inf.on({
        add: (o) => this.observe(resource, undefined, o),
        update: (old, o) => this.observe(resource, old, o),
        delete: (o) => this.removed(resource, o),
      });
    }
  }

  start(): void { this.queue.start(); }

  async stop(): Promise<void> { await this.queue.stop(); }

  idle(): Promise<void> { return this.queue.idle(); }

  private cached(r: Ref): KubeObject | undefined {
    return this.informers.get(r.resource)?.getByKey(r.key);
  }

  // ---- graph upkeep ----------------------------------------------------------------------------

  private observe(resource: string, old: KubeObject | undefined, o: KubeObject): void {
    const ref: Ref = { resource, key: objectKey(o) };
    const id = refId(ref);
    if (old && old.metadata.uid !== o.metadata.uid) this.forgetObject(id, old);
    this.byUid.set(o.metadata.uid!, ref);
    const before = new Set((old?.metadata.ownerReferences ?? []).map((r) => r.uid));
    const after = new Set((o.metadata.ownerReferences ?? []).map((r) => r.uid));
    for (const uid of before) if (!after.has(uid)) this.unlink(uid, id);
    for (const uid of after) {
      let s = this.dependents.get(uid);
      if (!s) this.dependents.set(uid, s = new Set());
      s.add(id);
    }
    if (o.metadata.deletionTimestamp) {
      if (hasFinalizer(o, ORPHAN)) this.queue.add(`orphan\t${id}`);
      if (hasFinalizer(o, FOREGROUND)) this.queue.add(`foreground\t${id}`);
    }
    // A dependent whose owner is not known yet (or no longer) may be garbage.
    if ((o.metadata.ownerReferences ?? []).some((r) => !this.byUid.has(r.uid))) this.queue.add(`dependent\t${id}`);
  }

  private unlink(ownerUid: string, id: string): void {
    const s = this.dependents.get(ownerUid);
    if (!s) return;
    s.delete(id);
    if (s.size === 0) this.dependents.delete(ownerUid);
  }

  private forgetObject(id: string, o: KubeObject): void {
    if (this.byUid.get(o.metadata.uid!) && refId(this.byUid.get(o.metadata.uid!)!) === id) this.byUid.delete(o.metadata.uid!);
    for (const r of o.metadata.ownerReferences ?? []) this.unlink(r.uid, id);
  }

  private removed(resource: string, o: KubeObject): void {
    const id = refId({ resource, key: objectKey(o) });
    this.forgetObject(id, o);
    // Its dependents may now be garbage.
    for (const dep of this.dependents.get(o.metadata.uid!) ?? []) this.queue.add(`dependent\t${dep}`);
    // An owner waiting in foreground deletion may now be free to go.
    for (const r of o.metadata.ownerReferences ?? []) {
      const owner = this.byUid.get(r.uid);
      if (owner) this.queue.add(`foreground\t${refId(owner)}`);
    }
  }

  // ---- processing ------------------------------------------------------------------------------

  private async process(item: string): Promise<void> {
    const [kind, resource, key] = item.split('\t');
    const ref: Ref = { resource, key };
    if (kind === 'dependent') await this.attemptToDelete(ref);
    else if (kind === 'orphan') await this.orphanDependents(ref);
    else if (kind === 'foreground') await this.processForeground(ref);
  }

  /** Is the owner there (solid), gone (dangling), or deleting its dependents first (waiting)? */
  private async ownerState(ref: OwnerReference, dependentNamespace: string | undefined): Promise<OwnerState> {
    const at = this.byUid.get(ref.uid);
    let owner = at ? this.cached(at) : undefined;
    if (!owner) {
      const info = resourceByKind(ref.apiVersion, ref.kind);
      // A kind this server does not serve cannot be checked; leave the dependent alone.
      if (!info) return 'solid';
      owner = await this.ctx.client.get(qualifiedResource(info), info.namespaced ? dependentNamespace : undefined, ref.name);
      if (!owner || owner.metadata.uid !== ref.uid) return 'dangling';
    }
    return owner.metadata.deletionTimestamp && hasFinalizer(owner, FOREGROUND) ? 'waiting' : 'solid';
  }

  private async attemptToDelete(ref: Ref): Promise<void> {
    const obj = this.cached(ref);
    if (!obj) return;
    const refs = obj.metadata.ownerReferences ?? [];
    if (refs.length === 0) return;
    // Already on its way out, unless it is waiting for its own dependents (handled as foreground).
    if (obj.metadata.deletionTimestamp && !hasFinalizer(obj, FOREGROUND)) return;
    const states = await Promise.all(refs.map((r) => this.ownerState(r, obj.metadata.namespace)));
    const solid = refs.filter((_, i) => states[i] === 'solid');
    const gone = refs.filter((_, i) => states[i] !== 'solid');
    if (gone.length === 0) return;
    if (solid.length > 0) {
      // Still owned by someone: drop only the references to owners that are gone or going.
      const drop = new Set(gone.map((r) => r.uid));
      await this.editObject(ref, obj.metadata.uid!, (o) => {
        o.metadata.ownerReferences = (o.metadata.ownerReferences ?? []).filter((r) => !drop.has(r.uid));
      });
      return;
    }
    if (obj.metadata.deletionTimestamp) return;
    const waiting = states.includes('waiting');
    const hasDependents = (this.dependents.get(obj.metadata.uid!)?.size ?? 0) > 0;
    let policy: 'Orphan' | 'Foreground' | 'Background' = 'Background';
    if (waiting && hasDependents) policy = 'Foreground';
    else if (hasFinalizer(obj, ORPHAN)) policy = 'Orphan';
    else if (hasFinalizer(obj, FOREGROUND)) policy = 'Foreground';
    const [ns, name] = splitKey(ref.key);
    try {
      await this.ctx.client.delete(ref.resource, ns, name, { propagationPolicy: policy, preconditions: { uid: obj.metadata.uid } });
    } catch (e) {
      if (isApiError(e, 'NotFound') || isApiError(e, 'Conflict')) return;
      throw e;
    }
  }

  /** Orphan finalizer: remove the owner's reference from every dependent, then the finalizer. */
  private async orphanDependents(ref: Ref): Promise<void> {
    const owner = this.cached(ref);
    if (!owner || !owner.metadata.deletionTimestamp || !hasFinalizer(owner, ORPHAN)) return;
    const uid = owner.metadata.uid!;
    for (const dep of [...(this.dependents.get(uid) ?? [])]) {
      const d = fromId(dep);
      const obj = this.cached(d);
      if (!obj) continue;
      await this.editObject(d, obj.metadata.uid!, (o) => {
        o.metadata.ownerReferences = (o.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
      });
    }
    await this.removeFinalizer(ref, uid, ORPHAN);
  }

  /** foregroundDeletion finalizer: delete the dependents; drop the finalizer when none blocks any more. */
  private async processForeground(ref: Ref): Promise<void> {
    const owner = this.cached(ref);
    if (!owner || !owner.metadata.deletionTimestamp || !hasFinalizer(owner, FOREGROUND)) return;
    const uid = owner.metadata.uid!;
    const blocking: Ref[] = [];
    for (const dep of this.dependents.get(uid) ?? []) {
      const d = fromId(dep);
      const obj = this.cached(d);
      const r = obj?.metadata.ownerReferences?.find((x) => x.uid === uid);
      if (obj && r?.blockOwnerDeletion) blocking.push(d);
      else if (obj) this.queue.add(`dependent\t${dep}`);
    }
    if (blocking.length === 0) {
      await this.removeFinalizer(ref, uid, FOREGROUND);
      return;
    }
    for (const d of blocking) {
      const obj = this.cached(d)!;
      if (!obj.metadata.deletionTimestamp) this.queue.add(`dependent\t${refId(d)}`);
    }
  }

  /** Read-modify-write of the live object (never a stale cached copy), if it is still the same object. */
  private async editObject(ref: Ref, uid: string, change: (o: KubeObject) => void): Promise<void> {
    const [ns, name] = splitKey(ref.key);
    const live = await this.ctx.client.get(ref.resource, ns, name);
    if (!live || live.metadata.uid !== uid) return;
    const before = JSON.stringify(live.metadata);
    change(live);
    if ((live.metadata.ownerReferences ?? []).length === 0) delete live.metadata.ownerReferences;
    if ((live.metadata.finalizers ?? []).length === 0) delete live.metadata.finalizers;
    if (JSON.stringify(live.metadata) === before) return;
    try {
      await this.ctx.client.update(ref.resource, live);
    } catch (e) {
      if (isApiError(e, 'NotFound')) return;
      throw e;
    }
  }

  private removeFinalizer(ref: Ref, uid: string, finalizer: string): Promise<void> {
    return this.editObject(ref, uid, (o) => {
      o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    });
  }
}
