// The registry: generic REST storage for every resource (create, get, list, update, patch, delete,
// watch), shared by the HTTP handlers and by the controllers running in `podnet server` (it implements
// ApiClient). Each write goes decode → prepare → default → validate → admit → store, and either
// happens whole or not at all.
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type {
  ApiClient, DeleteOptions, ListOptions, ListResponse, PatchType, WatchEvent, WatchOptions,
} from '../../core/api/client.js';
import {
  ApiError, alreadyExistsError, badRequestError, conflictError, expiredError, invalidError, invalid,
  notFoundError,
} from '../../core/api/errors.js';
import type { KubeObject, JsonObject } from '../../core/api/object.js';
import {
  type ResourceInfo, apiVersionOf, mustResource, qualifiedResource, resourceByName, storeKey, storePrefix,
} from '../../core/api/resources.js';
import { fromLabelSelector, matches, parseSelector, selectorString, SelectorParseError } from '../../core/api/labels.js';
import { matchesFields, parseFieldSelector } from '../../core/api/field-selectors.js';
import { defaultObject, type DefaultOptions } from '../../core/api/defaults/index.js';
import { validateCreate, validateUpdate } from '../../core/api/validation/index.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from '../../core/patch/index.js';
import { StoreError, type Store, type StoreEvent } from '../../components/store/store.js';
import { checkUnknownFields, type FieldValidation } from './decode.js';
import { applyConfig, checkApplyConfig, IN_PROCESS_MANAGER, recordChange, recordCreate } from './field-manager.js';
import type { AdmissionAttributes, AdmissionPlugin, Operation } from './admission.js';
import {
  gracePeriodFor, nowTimestamp, prepareForCreate, prepareForFinalize, prepareForStatusUpdate,
  prepareForUpdate, readyToRemove,
} from './strategy.js';

export interface WriteOptions {
  dryRun?: boolean;
  /** For patches: how to treat fields the kind does not have in the patched object. */
  fieldValidation?: FieldValidation;
  /** Collected `Warning:` texts for the HTTP response. */
  warnings?: string[];
  /** Who writes, for managedFields (`?fieldManager=` or the user agent); in-process writers by default. */
  fieldManager?: string;
  /** Server-side apply: take over fields other managers own instead of failing with a conflict. */
  force?: boolean;
  /** The subresource managedFields record the write under when it differs from the one validated (scale). */
  managedSubresource?: string;
}

/** Set by applyPatch: the change function already recorded managed fields. */
const APPLIED = Symbol('applied');

const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const UPDATE_RETRIES = 8;

function randomSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += NAME_ALPHABET[Math.floor(Math.random() * NAME_ALPHABET.length)];
  return s;
}

export class Registry implements ApiClient {
  private readonly admission: AdmissionPlugin[] = [];

  constructor(private readonly store: Store, private readonly defaults: Pick<DefaultOptions, 'tolerationSeconds'> = {}) {}

  use(plugin: AdmissionPlugin): void {
    this.admission.push(plugin);
  }

  info(resource: string): ResourceInfo {
    const info = resourceByName(resource);
    if (!info) throw badRequestError(`the server doesn't have a resource type "${resource}"`);
    return info;
  }

  private key(info: ResourceInfo, namespace: string | undefined, name: string): string {
    return storeKey(info, info.namespaced ? namespace : undefined, name);
  }

  private async read(info: ResourceInfo, namespace: string | undefined, name: string): Promise<KubeObject> {
    const obj = await this.store.get(this.key(info, namespace, name));
    if (!obj) throw notFoundError(info, name);
    return obj;
  }

  async get(resource: string, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    return this.store.get(this.key(this.info(resource), namespace, name));
  }

  async getOrThrow(resource: string, namespace: string | undefined, name: string): Promise<KubeObject> {
    return this.read(this.info(resource), namespace, name);
  }

  async list(resource: string, opts: ListOptions = {}): Promise<ListResponse> {
    const info = this.info(resource);
    const filter = this.filter(info, opts);
    const { items, revision } = await this.store.list(storePrefix(info, info.namespaced ? opts.namespace : undefined));
    return { items: items.filter(filter), resourceVersion: String(revision) };
  }

  /** A predicate for label and field selectors; bad selectors are a 400. */
  filter(info: ResourceInfo, opts: ListOptions): (o: KubeObject) => boolean {
    let labels;
    try { labels = parseSelector(opts.labelSelector); } catch (e) {
      if (e instanceof SelectorParseError) throw badRequestError(`unable to parse requirement: ${e.message}`);
      throw e;
    }
    const fields = parseFieldSelector(info.kind, opts.fieldSelector);
    return (o) => matches(labels, o.metadata.labels) && matchesFields(info.kind, fields, o);
  }

  // ---- create ---------------------------------------------------------------------------------

  async create(resource: string, obj: KubeObject, subresource?: 'binding', opts: WriteOptions = {}): Promise<KubeObject> {
    const info = this.info(resource);
    if (subresource === 'binding') return this.bind(info, obj, opts);
    const o = structuredClone(obj);
    this.checkKind(info, o);
    if (!info.namespaced) delete o.metadata.namespace;
    else if (!o.metadata.namespace) o.metadata.namespace = 'default';
    if (!o.metadata.name && o.metadata.generateName) o.metadata.name = o.metadata.generateName + randomSuffix();
    delete o.metadata.resourceVersion;
    delete o.metadata.deletionTimestamp;
    delete o.metadata.deletionGracePeriodSeconds;
    o.metadata.uid = randomUUID();
    o.metadata.creationTimestamp = nowTimestamp();
    prepareForCreate(info, o);
    defaultObject(o, { ...this.defaults, create: true });
    if (!(opts as { [APPLIED]?: boolean })[APPLIED]) o.metadata.managedFields = recordCreate(info, o, opts.fieldManager ?? IN_PROCESS_MANAGER).metadata.managedFields;
    const errs = validateCreate(o);
    if (errs.length) throw invalidError(info, o.metadata.name ?? '', errs);
    return this.admitAndWrite('CREATE', info, o, undefined, opts, undefined, async () => {
      try {
        return await this.store.create(this.key(info, o.metadata.namespace, o.metadata.name!), o);
      } catch (e) {
        if (e instanceof StoreError && e.code === 'exists') throw alreadyExistsError(info, o.metadata.name!);
        throw e;
      }
    });
  }

  private checkKind(info: ResourceInfo, o: KubeObject): void {
    const want = apiVersionOf(info);
    if (!o.apiVersion) o.apiVersion = want;
    if (!o.kind) o.kind = info.kind;
    if (o.apiVersion !== want || o.kind !== info.kind) {
      throw badRequestError(`the API version in the data (${o.apiVersion}) does not match the expected API version (${want})`);
    }
    if (!o.metadata || typeof o.metadata !== 'object') o.metadata = {};
  }

  /** Runs admission, the write, then tells every plugin whether it happened. */
  private async admitAndWrite(
    operation: Operation, info: ResourceInfo, object: KubeObject, oldObject: KubeObject | undefined,
    opts: WriteOptions, subresource: string | undefined, write: () => Promise<KubeObject>, removes = false,
  ): Promise<KubeObject> {
    const attrs: AdmissionAttributes = { operation, info, subresource, object, oldObject, dryRun: !!opts.dryRun, removes };
    const admitted: AdmissionPlugin[] = [];
    try {
      for (const p of this.admission) { await p.admit(attrs); admitted.push(p); }
      if (operation !== 'DELETE') {
        // Admission may have mutated the object (allocations); it must still be valid.
        const errs = oldObject && operation === 'UPDATE' ? updateErrors(object, oldObject, subresource) : validateCreate(object);
        if (errs.length) throw invalidError(info, object.metadata.name ?? '', errs);
      }
      const stored = opts.dryRun ? { ...object, metadata: { ...object.metadata } } : await write();
      // The write happened: a plugin that cannot release an old reservation now leaks it (as upstream's
      // allocators do until their repair loop runs); the client still gets its object.
      for (const p of admitted) {
        const done = p.committed?.(attrs);
        if (done) await done.catch(() => undefined);
      }
      return stored;
    } catch (e) {
      // A plugin's own failure to release must not hide why the write failed.
      for (const p of admitted) {
        const done = p.abort?.(attrs);
        if (done) await done.catch(() => undefined);
      }
      throw e;
    }
  }

  /** pods/binding: sets spec.nodeName once, as the scheduler's bind does. */
  private async bind(info: ResourceInfo, binding: KubeObject, opts: WriteOptions): Promise<KubeObject> {
    const b = binding as JsonObject;
    const name = binding.metadata?.name ?? '';
    const node = b.target?.name;
    if (!node) throw invalidError(mustResource('pods'), name, [invalid('target.name', node ?? '', 'must be a node name')]);
    await this.mutate(info, binding.metadata.namespace, name, opts, (pod) => {
      const p = pod as JsonObject;
      if (p.metadata.deletionTimestamp) throw conflictError(info, name, 'pod is being deleted, cannot be assigned to a host');
      if (p.spec.nodeName) throw conflictError(info, name, `pod ${name} is already assigned to node "${p.spec.nodeName}"`);
      p.spec.nodeName = node;
      const conditions: JsonObject[] = (p.status.conditions ?? []).filter((c: JsonObject) => c.type !== 'PodScheduled');
      conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: nowTimestamp() });
      p.status.conditions = conditions;
      return pod;
    }, 'binding');
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } as unknown as KubeObject;
  }

  // ---- update ---------------------------------------------------------------------------------

  async update(resource: string, obj: KubeObject, subresource?: 'status' | 'scale' | 'finalize', opts: WriteOptions = {}): Promise<KubeObject> {
    const info = this.info(resource);
    if (subresource === 'scale') throw badRequestError('use updateScale for the scale subresource');
    const next = structuredClone(obj);
    this.checkKind(info, next);
    const ns = info.namespaced ? next.metadata.namespace ?? 'default' : undefined;
    const name = next.metadata.name ?? '';
    const rv = next.metadata.resourceVersion;
    return this.mutate(info, ns, name, opts, (current) => {
      if (rv && rv !== current.metadata.resourceVersion) throw conflictError(info, name);
      const n = structuredClone(next);
      n.metadata.resourceVersion = current.metadata.resourceVersion;
      return n;
    }, subresource);
  }

  /**
   * Reads the current object, lets `change` produce the desired one, prepares/defaults/validates/admits it
   * and writes it with compare-and-swap, retrying when another writer got in between.
   */
  async mutate(
    info: ResourceInfo, namespace: string | undefined, name: string, opts: WriteOptions,
    change: (current: KubeObject) => KubeObject | Promise<KubeObject>, subresource?: string,
  ): Promise<KubeObject> {
    for (let attempt = 0; ; attempt++) {
      const current = await this.read(info, namespace, name);
      let next = await change(structuredClone(current));
      if (next.metadata?.name !== undefined && next.metadata.name !== name) {
        throw badRequestError(`the name of the object (${next.metadata.name}) does not match the name on the URL (${name})`);
      }
      if (info.namespaced && next.metadata.namespace && next.metadata.namespace !== namespace) {
        throw badRequestError('the namespace of the provided object does not match the namespace sent on the request');
      }
      next.metadata.name = name;
      if (info.namespaced) next.metadata.namespace = namespace;
      const applied = (opts as { [APPLIED]?: boolean })[APPLIED];
      // A subresource write keeps the object's metadata; an apply's managedFields are its own result.
      const appliedManaged = applied ? next.metadata.managedFields : undefined;
      if (subresource === 'status') next = prepareForStatusUpdate(next, current);
      else if (subresource === 'finalize') next = prepareForFinalize(next, current);
      else if (subresource !== 'binding') {
        // Defaulted first, as a decoded request is upstream, so that generation (and a DaemonSet's
        // template generation) move only for real spec changes.
        defaultObject(next, this.defaults);
        next = prepareForUpdate(info, next, current);
      }
      defaultObject(next, this.defaults);
      if (!applied) {
        next = recordChange(info, current, next, opts.fieldManager ?? IN_PROCESS_MANAGER, opts.managedSubresource ?? subresource);
      } else if (appliedManaged) next.metadata.managedFields = appliedManaged;
      else delete next.metadata.managedFields;
      const errs = updateErrors(next, current, subresource);
      if (errs.length) throw invalidError(info, name, errs);
      const key = this.key(info, namespace, name);
      const expected = Number(current.metadata.resourceVersion);
      try {
        return await this.admitAndWrite('UPDATE', info, next, current, opts, subresource, async () => {
          if (readyToRemove(next)) return this.store.delete(key, expected);
          if (isDeepStrictEqual(stripRv(next), stripRv(current))) return current; // a no-op writes nothing
          return this.store.update(key, next, expected);
        }, readyToRemove(next));
      } catch (e) {
        if (e instanceof StoreError && e.code === 'conflict' && attempt < UPDATE_RETRIES) continue;
        if (e instanceof StoreError && e.code === 'conflict') throw conflictError(info, name);
        if (e instanceof StoreError && e.code === 'notfound') throw notFoundError(info, name);
        throw e;
      }
    }
  }

  // ---- patch ----------------------------------------------------------------------------------

  async patch(
    resource: string, namespace: string | undefined, name: string, patch: unknown, type: PatchType,
    subresource?: 'status' | 'scale', opts: WriteOptions = {},
  ): Promise<KubeObject> {
    const info = this.info(resource);
    if (type === 'apply') return this.applyPatch(info, namespace, name, patch, subresource, opts);
    if (subresource === 'scale') return this.patchScale(info, namespace, name, patch, type, opts);
    return this.mutate(info, namespace, name, opts, (current) => {
      const patched = applyPatch(current, patch, type);
      if (opts.fieldValidation) checkUnknownFields(patched, opts.fieldValidation, opts.warnings ?? []);
      const prv = (patch as JsonObject)?.metadata?.resourceVersion;
      if (type !== 'json' && prv && prv !== current.metadata.resourceVersion) throw conflictError(info, name);
      // The patch was computed against `current`: keep its resourceVersion so a concurrent write retries.
      patched.metadata = { ...(patched.metadata ?? {}), resourceVersion: current.metadata.resourceVersion };
      return patched;
    }, subresource);
  }

  /**
   * Server-side apply: merges the configuration into the live object under the field manager's rules
   * (conflicts, ownership, removal of fields the manager stopped applying), or creates the object.
   */
  private async applyPatch(info: ResourceInfo, namespace: string | undefined, name: string, patch: unknown,
    subresource: 'status' | 'scale' | undefined, opts: WriteOptions): Promise<KubeObject> {
    if (subresource === 'scale') throw badRequestError('server-side apply is not supported on the scale subresource');
    const config = checkApplyConfig(info, patch, namespace, name);
    if (config.metadata.name !== undefined && config.metadata.name !== name) {
      throw badRequestError(`the name of the object (${config.metadata.name}) does not match the name on the URL (${name})`);
    }
    if (info.namespaced && config.metadata.namespace && config.metadata.namespace !== namespace) {
      throw badRequestError('the namespace of the provided object does not match the namespace sent on the request');
    }
    const manager = opts.fieldManager ?? IN_PROCESS_MANAGER;
    const applied = { ...opts, [APPLIED]: true } as WriteOptions;
    if (!(await this.get(qualifiedResource(info), namespace, name))) {
      if (subresource) throw notFoundError(info, name);
      const created = applyConfig(info, undefined, config, manager, !!opts.force).object;
      created.metadata.name = name;
      if (info.namespaced) created.metadata.namespace = namespace;
      try {
        return await this.create(qualifiedResource(info), created, undefined, applied);
      } catch (e) {
        // Someone created it meanwhile: apply to theirs.
        if (!(e instanceof ApiError && e.reason === 'AlreadyExists')) throw e;
      }
    }
    return this.mutate(info, namespace, name, applied, (current) => {
      // A resourceVersion in the configuration is a precondition, as for any other write.
      const rv = config.metadata.resourceVersion;
      if (rv && rv !== current.metadata.resourceVersion) throw conflictError(info, name);
      const { object } = applyConfig(info, current, config, manager, !!opts.force, subresource);
      object.metadata.resourceVersion = current.metadata.resourceVersion;
      return object;
    }, subresource);
  }

  // ---- scale subresource ----------------------------------------------------------------------

  async getScale(resource: string, namespace: string | undefined, name: string): Promise<KubeObject> {
    const info = this.info(resource);
    return toScale(await this.read(info, namespace, name));
  }

  async updateScale(resource: string, namespace: string | undefined, name: string, scale: KubeObject, opts: WriteOptions = {}): Promise<KubeObject> {
    const info = this.info(resource);
    const replicas = (scale as JsonObject).spec?.replicas;
    checkReplicas(info, name, replicas);
    const rv = scale.metadata?.resourceVersion;
    const updated = await this.mutate(info, namespace, name, { ...opts, managedSubresource: 'scale' }, (current) => {
      if (rv && rv !== current.metadata.resourceVersion) throw conflictError(info, name);
      (current as JsonObject).spec.replicas = replicas;
      return current;
    });
    return toScale(updated);
  }

  private async patchScale(info: ResourceInfo, namespace: string | undefined, name: string, patch: unknown,
    type: PatchType, opts: WriteOptions): Promise<KubeObject> {
    const updated = await this.mutate(info, namespace, name, { ...opts, managedSubresource: 'scale' }, (current) => {
      const scale = applyPatch(toScale(current), patch, type === 'strategic' ? 'merge' : type) as JsonObject;
      checkReplicas(info, name, scale.spec?.replicas);
      (current as JsonObject).spec.replicas = scale.spec.replicas;
      return current;
    });
    return toScale(updated);
  }

  // ---- delete ---------------------------------------------------------------------------------

  async delete(resource: string, namespace: string | undefined, name: string, opts: DeleteOptions = {}, wopts: WriteOptions = {}): Promise<KubeObject | undefined> {
    const info = this.info(resource);
    for (let attempt = 0; ; attempt++) {
      const current = await this.read(info, namespace, name);
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== current.metadata.uid) {
        throw conflictError(info, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
        throw conflictError(info, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`);
      }
      const key = this.key(info, namespace, name);
      const expected = Number(current.metadata.resourceVersion);
      const next = this.deletionState(info, current, opts);
      try {
        const left = await this.admitAndWrite('DELETE', info, next ?? current, current, wopts, undefined, async () => {
          if (!next) return this.store.delete(key, expected);
          if (isDeepStrictEqual(next, current)) return current;
          return this.store.update(key, next, expected);
        }, !next);
        // As ApiClient promises: the object while its deletion is in progress, undefined once it is gone.
        return next ? left : undefined;
      } catch (e) {
        if (e instanceof StoreError && e.code === 'conflict' && attempt < UPDATE_RETRIES) continue;
        if (e instanceof StoreError && e.code === 'notfound') throw notFoundError(info, name);
        throw e;
      }
    }
  }

  /**
   * The object a delete leaves behind while something still has to happen (graceful pod termination,
   * finalizers, namespace content removal), or undefined when it can be removed now.
   */
  private deletionState(info: ResourceInfo, current: KubeObject, opts: DeleteOptions): KubeObject | undefined {
    const next = structuredClone(current) as JsonObject;
    const meta = next.metadata;
    const finalizers: string[] = [...(meta.finalizers ?? [])];
    const policy = opts.propagationPolicy;
    if (!meta.deletionTimestamp) {
      if (policy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
      if (policy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
    }
    if (finalizers.length) meta.finalizers = finalizers;
    const grace = gracePeriodFor(info, current, opts.gracePeriodSeconds);
    const held = finalizers.length > 0 || grace !== undefined ||
      (info.kind === 'Namespace' && (next.spec?.finalizers ?? []).length > 0);
    if (!held) return undefined;
    if (grace !== undefined) {
      meta.deletionGracePeriodSeconds = grace;
      meta.deletionTimestamp = new Date(Date.now() + grace * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    } else if (!meta.deletionTimestamp) {
      meta.deletionTimestamp = nowTimestamp();
      meta.deletionGracePeriodSeconds = 0;
    } else if (info.kind === 'Pod') {
      // The node's final delete (grace 0) of a pod that finalizers still hold: termination is over.
      meta.deletionGracePeriodSeconds = 0;
    }
    if (info.kind === 'Namespace') next.status = { ...(next.status ?? {}), phase: 'Terminating' };
    return next as KubeObject;
  }

  // ---- watch ----------------------------------------------------------------------------------

  async watch(resource: string, opts: WatchOptions, onEvent: (e: WatchEvent) => void, onClose?: (err?: Error) => void): Promise<{ stop(): void }> {
    const info = this.info(resource);
    const filter = this.filter(info, opts);
    const prefix = storePrefix(info, info.namespaced ? opts.namespace : undefined);
    let from: number;
    const rv = opts.resourceVersion;
    if (!rv || rv === '0') {
      const { items, revision } = await this.store.list(prefix);
      for (const item of items) if (filter(item)) onEvent({ type: 'ADDED', object: item });
      from = revision;
    } else {
      from = Number(rv);
      if (!Number.isSafeInteger(from) || from < 0) {
        throw invalidError(info, '', [invalid('resourceVersion', rv, 'must be a non-negative integer')]);
      }
    }
    let lastRevision = from;
    let bookmarkTimer: NodeJS.Timeout | undefined;
    let stopped = false;
    const stop = () => { stopped = true; if (bookmarkTimer) clearInterval(bookmarkTimer); watcher?.stop(); };
    let watcher: { stop(): void } | undefined;
    // Translate store events for this watch's selectors: an object that starts or stops matching is
    // ADDED or DELETED for this watcher, as kube-apiserver's watch cache does.
    const deliver = (e: StoreEvent) => {
      lastRevision = e.revision;
      const now = filter(e.object);
      const before = e.prevObject ? filter(e.prevObject) : false;
      if (e.type === 'ADDED') { if (now) onEvent({ type: 'ADDED', object: e.object }); }
      else if (e.type === 'DELETED') { if (before || now) onEvent({ type: 'DELETED', object: e.object }); }
      else if (now && before) onEvent({ type: 'MODIFIED', object: e.object });
      else if (now) onEvent({ type: 'ADDED', object: e.object });
      else if (before) onEvent({ type: 'DELETED', object: e.object });
    };
    try {
      watcher = await this.store.watch(prefix, from, (e) => {
        if (stopped) return;
        try { deliver(e); } catch (err) { stop(); onClose?.(err as Error); }
      }, (err) => {
        // The datastore ended the watch (etcd compacted past it while it reconnected): the client
        // lists again, as after kube-apiserver's in-stream 410.
        if (stopped) return;
        stop();
        if (err.code === 'expired') onEvent({ type: 'ERROR', object: expiredError(`too old resource version: ${lastRevision} (${err.currentRevision ?? lastRevision})`).status });
        onClose?.(err);
      });
    } catch (e) {
      if (e instanceof StoreError && e.code === 'expired') {
        const current = e.currentRevision ?? await this.store.currentRevision();
        onEvent({ type: 'ERROR', object: expiredError(`too old resource version: ${from} (${current})`).status });
        onClose?.(e);
        return { stop() { /* already closed */ } };
      }
      throw e;
    }
    if (opts.allowWatchBookmarks) {
      bookmarkTimer = setInterval(() => {
        onEvent({ type: 'BOOKMARK', object: { kind: info.kind, apiVersion: apiVersionOf(info), metadata: { resourceVersion: String(lastRevision) } } });
      }, 30_000);
      bookmarkTimer.unref();
    }
    return { stop };
  }
}

/**
 * Update validation by subresource: a binding is not a spec update (it may only set nodeName once, which
 * bind() checks, as upstream's BindingREST does), everything else is validated as an update.
 */
function updateErrors(next: KubeObject, current: KubeObject, subresource: string | undefined) {
  return subresource === 'binding' ? [] : validateUpdate(next, current);
}

function stripRv(o: KubeObject): KubeObject {
  return { ...o, metadata: { ...o.metadata, resourceVersion: undefined } };
}

function applyPatch(current: KubeObject, patch: unknown, type: PatchType): KubeObject {
  if (type === 'json') {
    if (!Array.isArray(patch)) throw badRequestError('json patch must be a JSON array of operations');
    return applyJsonPatch(current, patch) as KubeObject;
  }
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    throw badRequestError('the patch must be a JSON object');
  }
  if (type === 'merge') return applyMergePatch(current, patch as JsonObject) as KubeObject;
  return applyStrategicMergePatch(current, patch as JsonObject, current.apiVersion, current.kind) as KubeObject;
}

function checkReplicas(info: ResourceInfo, name: string, replicas: unknown): void {
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw invalidError({ ...mustResource(qualifiedResource(info)), kind: 'Scale', group: 'autoscaling' }, name,
      [invalid('spec.replicas', replicas ?? null, 'must be greater than or equal to 0')]);
  }
}

/** The autoscaling/v1 Scale view of a Deployment or ReplicaSet. */
export function toScale(obj: KubeObject): KubeObject {
  const o = obj as JsonObject;
  const sel = o.spec?.selector;
  const selector = sel ? selectorText(sel) : '';
  return {
    kind: 'Scale', apiVersion: 'autoscaling/v1',
    metadata: {
      name: obj.metadata.name, namespace: obj.metadata.namespace, uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion, creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas: o.spec?.replicas ?? 0 },
    status: { replicas: o.status?.replicas ?? 0, selector },
  };
}

function selectorText(sel: JsonObject): string {
  return selectorString(fromLabelSelector(sel) ?? []);
}

