// An in-memory Store with the same semantics as SqliteStore: one global revision, resourceVersion = the
// revision of the last write, watches from a revision with a bounded history. It is the fast fake for
// tests of code that sits on a Store, and the model the SQLite store is checked against (both pass
// store.case.ts).
import type { KubeObject } from '../../core/api/object.js';
import { Broadcaster } from './broadcaster.js';
import { checkKey, checkRevision, decodeObject, encodeObject, expiredError, type LogEntry } from './codec.js';
import { StoreError, type ListResult, type Store, type StoreEvent, type Watcher } from './store.js';

export interface MemoryStoreOptions {
  /** How many of the latest revisions a watch can start from; older ones are 'expired'. Default 10,000. */
  historySize?: number;
}

interface Stored {
  value: string;
  modRevision: number;
  createRevision: number;
}

export class MemoryStore implements Store {
  private readonly objects = new Map<string, Stored>();
  /** Every key, sorted, so a list by prefix is a binary search plus a slice. */
  private readonly keys: string[] = [];
  /** History, oldest first; entries before logStart are compacted and only wait to be spliced off. */
  private log: LogEntry[] = [];
  private logStart = 0;
  private revision = 0;
  /** Every revision up to this one has left the history. */
  private compacted = 0;
  private closed = false;
  private readonly historySize: number;
  private readonly broadcaster = new Broadcaster();

  constructor(options: MemoryStoreOptions = {}) {
    this.historySize = options.historySize ?? 10_000;
    if (!Number.isSafeInteger(this.historySize) || this.historySize < 1) {
      throw new TypeError(`MemoryStore: historySize must be a positive integer, got ${options.historySize}`);
    }
  }

  async currentRevision(): Promise<number> {
    this.checkOpen();
    return this.revision;
  }

  async get(key: string): Promise<KubeObject | undefined> {
    this.checkOpen();
    checkKey(key);
    const s = this.objects.get(key);
    return s && decodeObject(s.value, s.modRevision);
  }

  async list(prefix: string): Promise<ListResult> {
    this.checkOpen();
    const items: KubeObject[] = [];
    for (let i = lowerBound(this.keys, prefix); i < this.keys.length; i++) {
      const key = this.keys[i]!;
      if (!key.startsWith(prefix)) break;
      const s = this.objects.get(key)!;
      items.push(decodeObject(s.value, s.modRevision));
    }
    return { items, revision: this.revision };
  }

  async create(key: string, object: KubeObject): Promise<KubeObject> {
    this.checkOpen();
    const value = encodeObject(key, object);
    const existing = this.objects.get(key);
    if (existing) {
      throw new StoreError('exists', `${key} already exists (written at revision ${existing.modRevision})`, this.revision);
    }
    const revision = this.revision + 1;
    this.objects.set(key, { value, modRevision: revision, createRevision: revision });
    this.keys.splice(lowerBound(this.keys, key), 0, key);
    this.commit({ revision, key, type: 'ADDED', value, prevValue: null, prevRevision: null });
    return decodeObject(value, revision);
  }

  async update(key: string, object: KubeObject, expectedRevision?: number): Promise<KubeObject> {
    this.checkOpen();
    const value = encodeObject(key, object);
    const existing = this.mustGet(key, 'update', expectedRevision);
    const revision = this.revision + 1;
    this.objects.set(key, { value, modRevision: revision, createRevision: existing.createRevision });
    this.commit({ revision, key, type: 'MODIFIED', value, prevValue: existing.value, prevRevision: existing.modRevision });
    return decodeObject(value, revision);
  }

  async delete(key: string, expectedRevision?: number): Promise<KubeObject> {
    this.checkOpen();
    checkKey(key);
    const existing = this.mustGet(key, 'delete', expectedRevision);
    const revision = this.revision + 1;
    this.objects.delete(key);
    this.keys.splice(lowerBound(this.keys, key), 1);
    this.commit({ revision, key, type: 'DELETED', value: null, prevValue: existing.value, prevRevision: existing.modRevision });
    return decodeObject(existing.value, revision);
  }

  async watch(prefix: string, fromRevision: number, onEvent: (e: StoreEvent) => void): Promise<Watcher> {
    this.checkOpen();
    checkRevision('fromRevision', fromRevision);
    if (fromRevision < this.compacted) throw expiredError(fromRevision, this.compacted, this.revision);
    const replay: LogEntry[] = [];
    if (fromRevision < this.revision) {
      // The log is dense (one entry per revision), so the first entry after fromRevision is found by index.
      const firstKept = this.compacted + 1;
      for (let i = this.logStart + Math.max(0, fromRevision + 1 - firstKept); i < this.log.length; i++) {
        const entry = this.log[i]!;
        if (entry.key.startsWith(prefix)) replay.push(entry);
      }
    }
    return this.broadcaster.subscribe(prefix, fromRevision, replay, onEvent);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.broadcaster.stopAll();
    this.objects.clear();
    this.keys.length = 0;
    this.log = [];
  }

  private mustGet(key: string, verb: string, expectedRevision: number | undefined): Stored {
    if (expectedRevision !== undefined) checkRevision('expectedRevision', expectedRevision);
    const existing = this.objects.get(key);
    if (!existing) throw new StoreError('notfound', `cannot ${verb} ${key}: it does not exist`, this.revision);
    if (expectedRevision !== undefined && existing.modRevision !== expectedRevision) {
      throw new StoreError('conflict',
        `cannot ${verb} ${key}: it is at revision ${existing.modRevision}, not the expected ${expectedRevision}; read it again and retry`,
        this.revision);
    }
    return existing;
  }

  private commit(entry: LogEntry): void {
    this.revision = entry.revision;
    this.log.push(entry);
    const kept = this.log.length - this.logStart;
    if (kept > this.historySize) {
      const drop = kept - this.historySize;
      this.logStart += drop;
      this.compacted = this.log[this.logStart - 1]!.revision;
      // Splice the dead prefix off only now and then, so trimming stays O(1) amortised per write.
      if (this.logStart >= 1024 && this.logStart * 2 >= this.log.length) {
        this.log = this.log.slice(this.logStart);
        this.logStart = 0;
      }
    }
    this.broadcaster.publish(entry);
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreError('closed', 'the store is closed; open a new one', this.revision);
  }
}

/** Index of the first key >= target in a sorted array. */
function lowerBound(keys: string[], target: string): number {
  let lo = 0, hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < target) lo = mid + 1; else hi = mid;
  }
  return lo;
}
