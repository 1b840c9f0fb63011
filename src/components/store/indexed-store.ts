// What the SQLite and in-memory stores share: the revision counter, the current state in memory (reads),
// compare-and-swap, and the watch fan-out. A subclass supplies only where history lives and how a write
// is made durable. Each method does all its work synchronously before its promise settles, so writes
// commit, and reach watchers, in call order.
import type { KubeObject } from '../../core/api/object.js';
import { Broadcaster } from './broadcaster.js';
import { checkKey, checkRevision, encodeObject, expiredError, exportObject, type LogEntry } from './codec.js';
import { CurrentIndex, type CurrentEntry } from './current.js';
import { StoreError, type ListResult, type Store, type StoreEvent, type Watcher } from './store.js';

export abstract class IndexedStore implements Store {
  protected readonly current = new CurrentIndex();
  private readonly broadcaster = new Broadcaster();
  /** The newest revision written. */
  protected revision = 0;
  /** Every revision up to this one has left the history: a watch must start at or after it. */
  protected compacted = 0;
  protected closed = false;

  /**
   * Records a write in the history (and, for a durable store, on disk) before it becomes visible.
   * Throwing refuses the write: nothing changes and no watcher hears of it. json is the object's text
   * (null for DELETED); createRevision is the key's first revision.
   */
  protected abstract persist(entry: LogEntry, json: string | null, createRevision: number): void;

  /** History entries after fromRevision (never older than `compacted`) under prefix, in revision order. */
  protected abstract history(prefix: string, fromRevision: number): LogEntry[];

  /** Frees what the subclass holds; called once, by close(). */
  protected abstract release(): void;

  /** Names the store in messages (e.g. its file). */
  protected abstract get description(): string;

  async currentRevision(): Promise<number> {
    this.checkOpen();
    return this.revision;
  }

  async get(key: string): Promise<KubeObject | undefined> {
    this.checkOpen();
    checkKey(key);
    const e = this.current.get(key);
    return e && exportObject(e.object, e.modRevision);
  }

  async list(prefix: string): Promise<ListResult> {
    this.checkOpen();
    const entries = this.current.list(prefix);
    const items = new Array<KubeObject>(entries.length);
    for (let i = 0; i < entries.length; i++) items[i] = exportObject(entries[i]!.object, entries[i]!.modRevision);
    return { items, revision: this.revision };
  }

  async create(key: string, object: KubeObject): Promise<KubeObject> {
    this.checkOpen();
    const { json, stored } = encodeObject(key, object);
    const existing = this.current.get(key);
    if (existing) {
      throw new StoreError('exists', `${key} already exists (written at revision ${existing.modRevision})`, this.revision);
    }
    const revision = this.revision + 1;
    this.commit({ revision, key, type: 'ADDED', object: stored, prev: null, prevRevision: null }, json, revision);
    return exportObject(stored, revision);
  }

  async update(key: string, object: KubeObject, expectedRevision?: number): Promise<KubeObject> {
    this.checkOpen();
    const { json, stored } = encodeObject(key, object);
    const existing = this.mustGet(key, 'update', expectedRevision);
    const revision = this.revision + 1;
    this.commit({
      revision, key, type: 'MODIFIED', object: stored, prev: existing.object, prevRevision: existing.modRevision,
    }, json, existing.createRevision);
    return exportObject(stored, revision);
  }

  async delete(key: string, expectedRevision?: number): Promise<KubeObject> {
    this.checkOpen();
    checkKey(key);
    const existing = this.mustGet(key, 'delete', expectedRevision);
    const revision = this.revision + 1;
    this.commit({
      revision, key, type: 'DELETED', object: null, prev: existing.object, prevRevision: existing.modRevision,
    }, null, existing.createRevision);
    return exportObject(existing.object, revision);
  }

  async watch(prefix: string, fromRevision: number, onEvent: (e: StoreEvent) => void): Promise<Watcher> {
    this.checkOpen();
    if (typeof prefix !== 'string') throw new TypeError(`store: a watch prefix must be a string, got ${typeof prefix}`);
    checkRevision('fromRevision', fromRevision);
    if (fromRevision < this.compacted) throw expiredError(fromRevision, this.compacted, this.revision);
    const replay = fromRevision < this.revision ? this.history(prefix, fromRevision) : [];
    // Reading the replay and subscribing happen in one synchronous step: no write can come between.
    return this.broadcaster.subscribe(prefix, Math.max(fromRevision, this.revision), replay, onEvent);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.broadcaster.stopAll();
    this.current.clear();
    this.release();
  }

  private commit(entry: LogEntry, json: string | null, createRevision: number): void {
    this.persist(entry, json, createRevision);
    if (entry.object) {
      this.current.set({ key: entry.key, object: entry.object, modRevision: entry.revision, createRevision });
    } else {
      this.current.delete(entry.key);
    }
    this.revision = entry.revision;
    this.broadcaster.publish(entry);
  }

  private mustGet(key: string, verb: string, expectedRevision: number | undefined): CurrentEntry {
    if (expectedRevision !== undefined) checkRevision('expectedRevision', expectedRevision);
    const existing = this.current.get(key);
    if (!existing) throw new StoreError('notfound', `cannot ${verb} ${key}: it does not exist`, this.revision);
    if (expectedRevision !== undefined && existing.modRevision !== expectedRevision) {
      throw new StoreError('conflict',
        `cannot ${verb} ${key}: it is at revision ${existing.modRevision}, not the expected ${expectedRevision}; read it again and retry`,
        this.revision);
    }
    return existing;
  }

  protected checkOpen(): void {
    if (this.closed) throw new StoreError('closed', `the store ${this.description} is closed; open it again`, this.revision);
  }
}
