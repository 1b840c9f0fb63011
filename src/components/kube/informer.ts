// The one informer of podnet (controllers, agent, cluster DNS, Ingress, UI), over ApiClient, as client-go's: list, then watch from the list's resourceVersion,
// keep a local cache by namespace/name, and tell handlers what changed. When the watch ends (server
// restart, timeout) it watches again from the last resourceVersion it saw; when that is too old (410
// Expired) it relists and reports the difference as adds, updates and deletes, so handlers never miss a
// deletion. Handlers run synchronously, in order, after the cache is updated: they should only queue
// keys (see workqueue.ts) and read the cache, never write to the API.
//
// Usage:
//   const factory = new InformerFactory(client);
//   const pods = factory.informer('pods');
//   pods.on({ add: (p) => q.add(objectKey(p)), update: (old, p) => ..., delete: (p) => ... });
//   pods.addIndex('byNode', (p) => [p.spec?.nodeName ?? '']);
//   await factory.start();          // resolves once every informer listed (hasSynced)
//   pods.get('default', 'web-1'); pods.list('default'); pods.byIndex('byNode', 'node-1');
//   await factory.stop();
//
// Objects handed out are the cached ones: treat them as read-only and deep-copy before changing.
import type { ApiClient, ListOptions, WatchEvent } from '../../core/api/client.js';
import { isApiError, type Status } from '../../core/api/errors.js';
import type { KubeObject } from '../../core/api/object.js';

export interface EventHandlers<T extends KubeObject = KubeObject> {
  add?(obj: T): void;
  update?(oldObj: T, newObj: T): void;
  /** The last state the informer saw (from the DELETED event, or from the cache when a relist noticed it). */
  delete?(obj: T): void;
}

export interface InformerOptions extends ListOptions {
  /** Calls update(obj, obj) for every cached object this often, as client-go's resync period. */
  resyncMs?: number;
  log?: (line: string) => void;
}

export type IndexFunc<T> = (obj: T) => string[];

function keyOf(obj: KubeObject): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : `${obj.metadata.name}`;
}

const MIN_BACKOFF_MS = 200;
const MAX_BACKOFF_MS = 30_000;

export class Informer<T extends KubeObject = KubeObject> {
  private readonly cache = new Map<string, T>();
  private readonly handlers: EventHandlers<T>[] = [];
  private readonly indexers = new Map<string, IndexFunc<T>>();
  private readonly indices = new Map<string, Map<string, Set<string>>>();
  private readonly byNamespace = new Map<string, Set<string>>();
  private lastRV = '';
  private synced = false;
  private running = false;
  private watchHandle: { stop(): void } | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private backoffMs = MIN_BACKOFF_MS;
  private syncWaiters: Array<() => void> = [];
  /** Incremented on every (re)watch so events of an abandoned watch are ignored. */
  private generation = 0;

  constructor(private readonly client: ApiClient, readonly resource: string, private readonly opts: InformerOptions = {}) {}

  /** Adds handlers. Handlers added after start are replayed an add for every cached object. */
  on(h: EventHandlers<T>): void {
    this.handlers.push(h);
    if (this.synced) for (const o of this.cache.values()) h.add?.(o);
  }

  /** An index: fn maps an object to the values it is found under with byIndex(name, value). */
  addIndex(name: string, fn: IndexFunc<T>): void {
    this.indexers.set(name, fn);
    const idx = new Map<string, Set<string>>();
    this.indices.set(name, idx);
    for (const [k, o] of this.cache) for (const v of fn(o)) addTo(idx, v, k);
  }

  hasSynced(): boolean { return this.synced; }

  /** Resolves once the first list is in the cache. */
  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.cache.get(namespace ? `${namespace}/${name}` : name);
  }

  getByKey(key: string): T | undefined { return this.cache.get(key); }

  /** Cached objects, all or those of one namespace (indexed: cheap with many namespaces). */
  list(namespace?: string): T[] {
    if (namespace === undefined) return [...this.cache.values()];
    return [...(this.byNamespace.get(namespace) ?? [])].map((k) => this.cache.get(k)!);
  }

  keys(): string[] { return [...this.cache.keys()]; }

  byIndex(name: string, value: string): T[] {
    const idx = this.indices.get(name);
    if (!idx) throw new Error(`informer ${this.resource} has no index ${name}`);
    return [...(idx.get(value) ?? [])].map((k) => this.cache.get(k)!).filter(Boolean);
  }

  /** The resourceVersion of the last list or event seen. */
  get resourceVersion(): string { return this.lastRV; }

  async start(): Promise<void> {
    if (this.running) return this.waitForSync();
    this.running = true;
    void this.listAndWatch();
    if (this.opts.resyncMs) {
      this.resyncTimer = setInterval(() => { for (const o of this.cache.values()) this.emitUpdate(o, o); }, this.opts.resyncMs);
      this.resyncTimer.unref?.();
    }
    return this.waitForSync();
  }

  stop(): void {
    this.running = false;
    this.generation++;
    this.watchHandle?.stop();
    this.watchHandle = undefined;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    // Anyone still waiting for a sync that will not come is released rather than left hanging.
    const waiters = this.syncWaiters; this.syncWaiters = [];
    for (const w of waiters) w();
  }

  private log(line: string): void { this.opts.log?.(`informer ${this.resource}: ${line}`); }

  private retryLater(what: () => void): void {
    if (!this.running) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2);
    this.retryTimer = setTimeout(what, delay);
    this.retryTimer.unref?.();
  }

  private listOptions(): ListOptions {
    const { namespace, labelSelector, fieldSelector } = this.opts;
    return { namespace, labelSelector, fieldSelector };
  }

  /** Lists, replaces the cache (reporting the differences), then watches from the list's resourceVersion. */
  private async listAndWatch(): Promise<void> {
    if (!this.running) return;
    let list;
    try {
      list = await this.client.list(this.resource, this.listOptions());
    } catch (e) {
      this.log(`list failed: ${(e as Error).message}; retrying`);
      this.retryLater(() => void this.listAndWatch());
      return;
    }
    if (!this.running) return;
    this.replace(list.items as T[], list.resourceVersion);
    await this.watchFrom(list.resourceVersion);
  }

  private replace(items: T[], rv: string): void {
    const seen = new Set<string>();
    for (const o of items) {
      const k = keyOf(o);
      seen.add(k);
      const old = this.cache.get(k);
      // An object the relist shows unchanged keeps its cached instance, so consumers that memoize by
      // object (the proxy's planner) do not redo their work after every relist.
      if (old && old.metadata.resourceVersion === o.metadata.resourceVersion && old.metadata.uid === o.metadata.uid) continue;
      this.put(k, o);
      if (!old) this.emitAdd(o);
      else if (old.metadata.resourceVersion !== o.metadata.resourceVersion || old.metadata.uid !== o.metadata.uid) {
        // A different uid means the object was deleted and recreated while we were not watching.
        if (old.metadata.uid !== o.metadata.uid) { this.emitDelete(old); this.emitAdd(o); } else this.emitUpdate(old, o);
      }
    }
    for (const [k, old] of [...this.cache]) {
      if (!seen.has(k)) { this.drop(k); this.emitDelete(old); }
    }
    this.lastRV = rv;
    if (!this.synced) {
      this.synced = true;
      const waiters = this.syncWaiters; this.syncWaiters = [];
      for (const w of waiters) w();
    }
  }

  private async watchFrom(rv: string): Promise<void> {
    if (!this.running) return;
    const gen = ++this.generation;
    let expired = false;
    const onEvent = (e: WatchEvent) => {
      if (gen !== this.generation) return;
      this.backoffMs = MIN_BACKOFF_MS;
      if (e.type === 'ERROR') {
        const status = e.object as Status;
        if (status.code === 410) expired = true;
        else this.log(`watch error: ${status.message}`);
        return;
      }
      const obj = e.object as T;
      if (obj.metadata?.resourceVersion) this.lastRV = obj.metadata.resourceVersion;
      if (e.type === 'BOOKMARK') return;
      this.apply(e.type, obj);
    };
    const startedAt = Date.now();
    const onClose = () => {
      if (gen !== this.generation || !this.running) return;
      this.generation++;
      // A watch that ran a while and then ended (server timeout) is resumed at once; one that keeps
      // failing right away backs off.
      if (Date.now() - startedAt > 5_000) this.backoffMs = MIN_BACKOFF_MS;
      // A closed watch resumes from where it was; an expired one must relist.
      if (expired) this.retryLater(() => void this.listAndWatch());
      else this.retryLater(() => void this.watchFrom(this.lastRV));
    };
    try {
      // As client-go's reflector: the server ends each watch after 5-10 minutes and it is resumed, so a
      // connection that silently died is not followed forever.
      const timeoutSeconds = 300 + Math.floor(Math.random() * 300);
      this.watchHandle = await this.client.watch(this.resource, { ...this.listOptions(), resourceVersion: rv, allowWatchBookmarks: true, timeoutSeconds }, onEvent, onClose);
      if (gen !== this.generation) this.watchHandle.stop();
    } catch (e) {
      if (gen !== this.generation) return;
      this.generation++;
      if (isApiError(e) && e.code === 410) { this.retryLater(() => void this.listAndWatch()); return; }
      this.log(`watch failed: ${(e as Error).message}; relisting`);
      this.retryLater(() => void this.listAndWatch());
    }
  }

  private apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T): void {
    const k = keyOf(obj);
    const old = this.cache.get(k);
    if (type === 'DELETED') {
      if (!old) return;
      this.drop(k);
      this.emitDelete(obj);
      return;
    }
    this.put(k, obj);
    if (old && old.metadata.uid !== obj.metadata.uid) { this.emitDelete(old); this.emitAdd(obj); }
    else if (old) this.emitUpdate(old, obj);
    else this.emitAdd(obj);
  }

  private put(k: string, o: T): void {
    const old = this.cache.get(k);
    this.cache.set(k, o);
    if (!old) addTo(this.byNamespace, o.metadata.namespace ?? '', k);
    for (const [name, fn] of this.indexers) {
      const idx = this.indices.get(name)!;
      if (old) for (const v of fn(old)) removeFrom(idx, v, k);
      for (const v of fn(o)) addTo(idx, v, k);
    }
  }

  private drop(k: string): void {
    const old = this.cache.get(k);
    if (!old) return;
    this.cache.delete(k);
    removeFrom(this.byNamespace, old.metadata.namespace ?? '', k);
    for (const [name, fn] of this.indexers) for (const v of fn(old)) removeFrom(this.indices.get(name)!, v, k);
  }

  private emitAdd(o: T): void { for (const h of this.handlers) this.safely(() => h.add?.(o)); }
  private emitUpdate(a: T, b: T): void { for (const h of this.handlers) this.safely(() => h.update?.(a, b)); }
  private emitDelete(o: T): void { for (const h of this.handlers) this.safely(() => h.delete?.(o)); }

  private safely(f: () => void): void {
    try { f(); } catch (e) { this.log(`event handler threw: ${(e as Error)?.stack ?? e}`); }
  }
}

function addTo(idx: Map<string, Set<string>>, v: string, k: string): void {
  let s = idx.get(v);
  if (!s) idx.set(v, s = new Set());
  s.add(k);
}

function removeFrom(idx: Map<string, Set<string>>, v: string, k: string): void {
  const s = idx.get(v);
  if (!s) return;
  s.delete(k);
  if (s.size === 0) idx.delete(v);
}

/**
 * One informer per resource (and options), shared by every controller in the process, so that pods are
 * listed and watched once however many controllers look at them.
 */
export class InformerFactory {
  private readonly informers = new Map<string, Informer<any>>();
  private started = false;

  constructor(private readonly client: ApiClient, private readonly opts: { log?: (line: string) => void } = {}) {}

  informer<T extends KubeObject = KubeObject>(resource: string, opts: Omit<InformerOptions, 'log'> = {}): Informer<T> {
    const id = `${resource}?${opts.namespace ?? ''}&${opts.labelSelector ?? ''}&${opts.fieldSelector ?? ''}&${opts.resyncMs ?? ''}`;
    let inf = this.informers.get(id);
    if (!inf) {
      inf = new Informer<T>(this.client, resource, { ...opts, log: this.opts.log });
      this.informers.set(id, inf);
      if (this.started) void inf.start();
    }
    return inf as Informer<T>;
  }

  /** Starts every informer made so far (and any made later); resolves when all have synced. */
  async start(): Promise<void> {
    this.started = true;
    await Promise.all([...this.informers.values()].map((i) => i.start()));
  }

  hasSynced(): boolean {
    return [...this.informers.values()].every((i) => i.hasSynced());
  }

  stop(): void {
    for (const i of this.informers.values()) i.stop();
  }
}
