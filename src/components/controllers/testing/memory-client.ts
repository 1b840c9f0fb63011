// An in-memory ApiClient for controller tests. It keeps the API semantics controllers depend on: one
// global resourceVersion, compare-and-swap updates (409 Conflict), generateName, uid and
// creationTimestamp, metadata.generation on spec changes, status and finalize subresources, pods/binding,
// finalizers and propagationPolicy on delete, namespaces held by spec.finalizers, optional graceful pod
// deletion, label/field selectors, and watches that replay from a resourceVersion (410 once compacted).
// It does no defaulting or validation beyond that: tests pass objects shaped as the registry would store them.
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import jsonpatch from 'fast-json-patch';
import type {
  ApiClient, DeleteOptions, ListOptions, ListResponse, PatchType, WatchEvent, WatchOptions,
} from '../../../core/api/client.js';
import {
  ApiError, alreadyExistsError, badRequestError, conflictError, expiredError, invalid, invalidError, notFoundError,
} from '../../../core/api/errors.js';
import type { JsonObject, KubeObject } from '../../../core/api/object.js';
import { type ResourceInfo, apiVersionOf, resourceByName } from '../../../core/api/resources.js';
import { matches, parseSelector } from '../../../core/api/labels.js';
import { matchesFields, parseFieldSelector } from '../../../core/api/field-selectors.js';

interface Change { rv: number; resource: string; type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubeObject; prev?: KubeObject }

interface Watcher {
  resource: string;
  info: ResourceInfo;
  opts: WatchOptions;
  onEvent: (e: WatchEvent) => void;
  onClose?: (err?: Error) => void;
  stopped: boolean;
}

export interface MemoryClientOptions {
  /** Bound, running pods get a deletionTimestamp and stay until deleted again with gracePeriodSeconds 0 (as with a kubelet). */
  gracefulPodDeletion?: boolean;
  /** How many changes watches can replay; older resourceVersions get 410 Expired. */
  historyLimit?: number;
}

const GENERATION_KINDS = new Set(['Deployment', 'ReplicaSet', 'Pod', 'Ingress', 'NetworkPolicy']);
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return structuredClone(patch);
  const out: JsonObject = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export class MemoryClient implements ApiClient {
  private readonly data = new Map<string, Map<string, KubeObject>>();
  private readonly history: Change[] = [];
  private readonly watchers = new Set<Watcher>();
  private revision = 1;
  private compactedTo = 0;
  /** Every write call made, for tests that check what a controller did: `create pods default/web-x`. */
  readonly writes: string[] = [];

  constructor(readonly options: MemoryClientOptions = {}) {}

  private info(resource: string): ResourceInfo {
    const info = resourceByName(resource);
    if (!info) throw badRequestError(`the server doesn't have a resource type "${resource}"`);
    return info;
  }

  private bucket(resource: string): Map<string, KubeObject> {
    let b = this.data.get(resource);
    if (!b) this.data.set(resource, b = new Map());
    return b;
  }

  private keyOf(info: ResourceInfo, ns: string | undefined, name: string): string {
    return info.namespaced ? `${ns ?? 'default'}/${name}` : name;
  }

  // ---- reads ------------------------------------------------------------------------------------

  async get(resource: string, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    const info = this.info(resource);
    const o = this.bucket(resource).get(this.keyOf(info, namespace, name));
    return o ? structuredClone(o) : undefined;
  }

  private filter(info: ResourceInfo, opts: ListOptions): (o: KubeObject) => boolean {
    const labels = parseSelector(opts.labelSelector);
    const fields = parseFieldSelector(info.kind, opts.fieldSelector);
    return (o) => (!info.namespaced || !opts.namespace || o.metadata.namespace === opts.namespace) &&
      matches(labels, o.metadata.labels) && matchesFields(info.kind, fields, o);
  }

  async list(resource: string, opts: ListOptions = {}): Promise<ListResponse> {
    const info = this.info(resource);
    const f = this.filter(info, opts);
    const items = [...this.bucket(resource).values()].filter(f).map((o) => structuredClone(o));
    items.sort((a, b) => this.keyOf(info, a.metadata.namespace, a.metadata.name!).localeCompare(this.keyOf(info, b.metadata.namespace, b.metadata.name!)));
    return { items, resourceVersion: String(this.revision) };
  }

  // ---- writes -----------------------------------------------------------------------------------

  private record(resource: string, type: Change['type'], object: KubeObject, prev?: KubeObject): void {
    const change: Change = { rv: Number(object.metadata.resourceVersion), resource, type, object: structuredClone(object), prev };
    this.history.push(change);
    const limit = this.options.historyLimit ?? 100_000;
    while (this.history.length > limit) this.compactedTo = this.history.shift()!.rv;
    for (const w of this.watchers) if (w.resource === resource) this.deliver(w, change);
  }

  private deliver(w: Watcher, c: Change): void {
    const f = this.filter(w.info, w.opts);
    const now = f(c.object), before = c.prev ? f(c.prev) : false;
    let type: WatchEvent['type'] | undefined;
    if (c.type === 'ADDED') type = now ? 'ADDED' : undefined;
    else if (c.type === 'DELETED') type = now || before ? 'DELETED' : undefined;
    else type = now && before ? 'MODIFIED' : now ? 'ADDED' : before ? 'DELETED' : undefined;
    if (!type) return;
    const event: WatchEvent = { type, object: structuredClone(c.object) };
    // Watch events arrive asynchronously, after the write returned, as over HTTP.
    setImmediate(() => { if (!w.stopped) w.onEvent(event); });
  }

  private store(resource: string, obj: KubeObject, prev?: KubeObject): KubeObject {
    const info = this.info(resource);
    obj.metadata.resourceVersion = String(++this.revision);
    this.bucket(resource).set(this.keyOf(info, obj.metadata.namespace, obj.metadata.name!), obj);
    this.record(resource, prev ? 'MODIFIED' : 'ADDED', obj, prev);
    return structuredClone(obj);
  }

  private remove(resource: string, obj: KubeObject): undefined {
    const info = this.info(resource);
    this.bucket(resource).delete(this.keyOf(info, obj.metadata.namespace, obj.metadata.name!));
    const last = structuredClone(obj);
    last.metadata.resourceVersion = String(++this.revision);
    this.record(resource, 'DELETED', last, obj);
    return undefined;
  }

  async create(resource: string, obj: KubeObject, subresource?: 'binding'): Promise<KubeObject> {
    const info = this.info(resource);
    if (subresource === 'binding') return this.bind(obj);
    const o = structuredClone(obj) as JsonObject;
    o.apiVersion ??= apiVersionOf(info);
    o.kind ??= info.kind;
    o.metadata ??= {};
    if (info.namespaced) o.metadata.namespace ??= 'default'; else delete o.metadata.namespace;
    if (!o.metadata.name && o.metadata.generateName) {
      let s = '';
      for (let i = 0; i < 5; i++) s += NAME_ALPHABET[Math.floor(Math.random() * NAME_ALPHABET.length)];
      o.metadata.name = o.metadata.generateName + s;
    }
    if (!o.metadata.name) throw invalidError(info, '', [invalid('metadata.name', '', 'name or generateName is required')]);
    if (info.namespaced && o.metadata.namespace !== undefined && info.kind !== 'Namespace') {
      const ns = this.bucket('namespaces').get(o.metadata.namespace);
      if (ns?.metadata.deletionTimestamp && info.kind !== 'Event') {
        throw new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 403, reason: 'Forbidden',
          message: `${info.resource} "${o.metadata.name}" is forbidden: unable to create new content in namespace ${o.metadata.namespace} because it is being terminated` });
      }
    }
    const key = this.keyOf(info, o.metadata.namespace, o.metadata.name);
    if (this.bucket(resource).has(key)) throw alreadyExistsError(info, o.metadata.name);
    o.metadata.uid = randomUUID();
    o.metadata.creationTimestamp = now();
    delete o.metadata.deletionTimestamp;
    if (GENERATION_KINDS.has(info.kind)) o.metadata.generation = 1;
    if (info.kind === 'Pod') o.status = { phase: 'Pending', ...(o.status ?? {}) };
    if (info.kind === 'Namespace') {
      o.spec = { finalizers: ['kubernetes'], ...(o.spec ?? {}) };
      o.status = { phase: 'Active' };
    }
    if (info.kind === 'Deployment' || info.kind === 'ReplicaSet') o.status ??= {};
    this.writes.push(`create ${resource} ${key}`);
    return this.store(resource, o as KubeObject);
  }

  private async bind(binding: KubeObject): Promise<KubeObject> {
    const info = this.info('pods');
    const name = binding.metadata.name!;
    const ns = binding.metadata.namespace ?? 'default';
    const pod = this.bucket('pods').get(`${ns}/${name}`) as JsonObject | undefined;
    if (!pod) throw notFoundError(info, name);
    if (pod.metadata.deletionTimestamp) throw conflictError(info, name, 'pod is being deleted, cannot be assigned to a host');
    if (pod.spec.nodeName) throw conflictError(info, name, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
    const next = structuredClone(pod);
    next.spec.nodeName = (binding as JsonObject).target.name;
    next.status.conditions = [...(next.status.conditions ?? []).filter((c: JsonObject) => c.type !== 'PodScheduled'),
      { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now() }];
    this.writes.push(`bind pods ${ns}/${name} ${next.spec.nodeName}`);
    this.store('pods', next as KubeObject, pod as KubeObject);
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } as unknown as KubeObject;
  }

  async update(resource: string, obj: KubeObject, subresource?: 'status' | 'scale' | 'finalize'): Promise<KubeObject> {
    const info = this.info(resource);
    const name = obj.metadata.name!;
    const key = this.keyOf(info, obj.metadata.namespace, name);
    const cur = this.bucket(resource).get(key);
    if (!cur) throw notFoundError(info, name);
    if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== cur.metadata.resourceVersion) throw conflictError(info, name);
    let next: JsonObject;
    if (subresource === 'status') {
      next = structuredClone(cur); next.status = structuredClone((obj as JsonObject).status);
    } else if (subresource === 'finalize') {
      next = structuredClone(cur); next.spec = { ...(next.spec ?? {}), finalizers: (obj as JsonObject).spec?.finalizers ?? [] };
    } else if (subresource === 'scale') {
      next = structuredClone(cur); next.spec.replicas = (obj as JsonObject).spec.replicas;
    } else {
      next = structuredClone(obj);
      for (const k of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'namespace']) {
        if (cur.metadata[k] === undefined) delete next.metadata[k]; else next.metadata[k] = cur.metadata[k];
      }
      if (info.subresources.includes('status')) next.status = structuredClone((cur as JsonObject).status);
      if (info.kind === 'Namespace') next.spec = structuredClone((cur as JsonObject).spec);
    }
    if (subresource !== 'status' && GENERATION_KINDS.has(info.kind) && !isDeepStrictEqual(next.spec, (cur as JsonObject).spec)) {
      next.metadata.generation = (cur.metadata.generation ?? 1) + 1;
    }
    next.metadata.resourceVersion = cur.metadata.resourceVersion;
    this.writes.push(`update${subresource ? '/' + subresource : ''} ${resource} ${key}`);
    if (this.readyToRemove(next as KubeObject)) return this.remove(resource, next as KubeObject) as unknown as KubeObject;
    if (isDeepStrictEqual(next, cur)) return structuredClone(cur);
    return this.store(resource, next as KubeObject, cur);
  }

  async patch(resource: string, namespace: string | undefined, name: string, patch: unknown, type: PatchType,
    subresource?: 'status' | 'scale'): Promise<KubeObject> {
    const info = this.info(resource);
    const cur = this.bucket(resource).get(this.keyOf(info, namespace, name));
    if (!cur) throw notFoundError(info, name);
    let patched: KubeObject;
    if (type === 'json') patched = jsonpatch.applyPatch(structuredClone(cur), patch as jsonpatch.Operation[], false, false).newDocument;
    else if (type === 'merge') patched = mergePatch(cur, patch) as KubeObject;
    else throw badRequestError('the memory client does not implement strategic merge patch; use a merge or json patch');
    patched.metadata.resourceVersion ??= cur.metadata.resourceVersion;
    return this.update(resource, patched, subresource);
  }

  private readyToRemove(o: KubeObject): boolean {
    if (!o.metadata.deletionTimestamp) return false;
    if ((o.metadata.finalizers ?? []).length) return false;
    if (o.kind === 'Namespace' && ((o as JsonObject).spec?.finalizers ?? []).length) return false;
    if (o.kind === 'Pod' && o.metadata.deletionGracePeriodSeconds) return false;
    return true;
  }

  async delete(resource: string, namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<KubeObject | undefined> {
    const info = this.info(resource);
    const key = this.keyOf(info, namespace, name);
    const cur = this.bucket(resource).get(key);
    if (!cur) throw notFoundError(info, name);
    if (opts.preconditions?.uid && opts.preconditions.uid !== cur.metadata.uid) {
      throw conflictError(info, name, `Precondition failed: UID in precondition: ${opts.preconditions.uid}, UID in object meta: ${cur.metadata.uid}`);
    }
    if (opts.preconditions?.resourceVersion && opts.preconditions.resourceVersion !== cur.metadata.resourceVersion) {
      throw conflictError(info, name);
    }
    this.writes.push(`delete ${resource} ${key}${opts.propagationPolicy ? ' ' + opts.propagationPolicy : ''}`);
    const next = structuredClone(cur) as JsonObject;
    const finalizers: string[] = [...(next.metadata.finalizers ?? [])];
    if (!next.metadata.deletionTimestamp) {
      if (opts.propagationPolicy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
      if (opts.propagationPolicy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
    }
    if (finalizers.length) next.metadata.finalizers = finalizers;
    let grace: number | undefined;
    if (info.kind === 'Pod' && this.options.gracefulPodDeletion && next.spec?.nodeName &&
      next.status?.phase !== 'Succeeded' && next.status?.phase !== 'Failed') {
      const g = opts.gracePeriodSeconds ?? next.spec.terminationGracePeriodSeconds ?? 30;
      if (g > 0) grace = Math.min(g, next.metadata.deletionGracePeriodSeconds ?? g);
    }
    const held = finalizers.length > 0 || grace !== undefined || (info.kind === 'Namespace' && (next.spec?.finalizers ?? []).length > 0);
    if (!held) return this.remove(resource, cur);
    if (grace !== undefined) {
      next.metadata.deletionGracePeriodSeconds = grace;
      next.metadata.deletionTimestamp = new Date(Date.now() + grace * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    } else if (!next.metadata.deletionTimestamp) {
      next.metadata.deletionTimestamp = now();
      next.metadata.deletionGracePeriodSeconds = 0;
    } else if (info.kind === 'Pod') {
      next.metadata.deletionGracePeriodSeconds = 0;
    }
    if (info.kind === 'Namespace') next.status = { ...(next.status ?? {}), phase: 'Terminating' };
    if (this.readyToRemove(next as KubeObject)) return this.remove(resource, cur);
    if (isDeepStrictEqual(next, cur)) return structuredClone(cur);
    return this.store(resource, next as KubeObject, cur);
  }

  // ---- watch ------------------------------------------------------------------------------------

  async watch(resource: string, opts: WatchOptions, onEvent: (e: WatchEvent) => void, onClose?: (err?: Error) => void): Promise<{ stop(): void }> {
    const info = this.info(resource);
    const w: Watcher = { resource, info, opts, onEvent, onClose, stopped: false };
    const rv = opts.resourceVersion;
    if (!rv || rv === '0') {
      const { items } = await this.list(resource, opts);
      for (const o of items) setImmediate(() => { if (!w.stopped) onEvent({ type: 'ADDED', object: o }); });
    } else {
      const from = Number(rv);
      if (from < this.compactedTo) {
        setImmediate(() => {
          onEvent({ type: 'ERROR', object: expiredError(`too old resource version: ${from} (${this.revision})`).status });
          onClose?.(new Error('expired'));
        });
        return { stop() { /* closed */ } };
      }
      for (const c of this.history) if (c.rv > from && c.resource === resource) this.deliver(w, c);
    }
    this.watchers.add(w);
    return { stop: () => { w.stopped = true; this.watchers.delete(w); } };
  }

  // ---- test helpers -----------------------------------------------------------------------------

  /** Ends every open watch as a server restart or timeout would; informers must relist or rewatch. */
  closeWatches(): void {
    for (const w of [...this.watchers]) {
      this.watchers.delete(w);
      w.stopped = true;
      setImmediate(() => w.onClose?.());
    }
  }

  /** Forgets history, so watches from an older resourceVersion get 410 Expired. */
  compact(): void {
    this.compactedTo = this.revision;
    this.history.length = 0;
  }

  /** Number of open watches (tests check that stop() closes them). */
  openWatches(): number {
    return this.watchers.size;
  }

  /** All objects of a resource, without copying semantics of list (synchronous, for assertions). */
  all(resource: string, namespace?: string): KubeObject[] {
    return [...this.bucket(resource).values()].filter((o) => !namespace || o.metadata.namespace === namespace).map((o) => structuredClone(o));
  }
}
