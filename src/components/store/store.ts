// The datastore interface behind the API server. Like etcd (and kine over SQLite) it is a key-value store
// with one global, monotonically increasing revision: every write gets the next revision, and an object's
// resourceVersion is the revision that last wrote it. Watches deliver every change after a revision.
import type { KubeObject } from '../../core/api/object.js';

export type StoreEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: StoreEventType;
  key: string;
  /** The object after the change; for DELETED the last state, with resourceVersion = the deletion's revision. */
  object: KubeObject;
  /** The object before the change (MODIFIED and DELETED). */
  prevObject?: KubeObject;
  revision: number;
}

export type StoreErrorCode = 'exists' | 'notfound' | 'conflict' | 'expired' | 'closed';

export class StoreError extends Error {
  constructor(readonly code: StoreErrorCode, message: string, readonly currentRevision?: number) {
    super(message);
    this.name = 'StoreError';
  }
}

export interface ListResult {
  items: KubeObject[];
  /** The store revision the list reflects: a watch from it misses nothing. */
  revision: number;
}

export interface Watcher {
  /** Stops delivery; idempotent. */
  stop(): void;
}

export interface Store {
  /** The newest revision written. */
  currentRevision(): Promise<number>;

  /** The object at key, with metadata.resourceVersion set, or undefined. */
  get(key: string): Promise<KubeObject | undefined>;

  /** Every object whose key starts with prefix, in key order. */
  list(prefix: string): Promise<ListResult>;

  /** Stores a new object; StoreError 'exists' if the key is taken. Returns it with its resourceVersion. */
  create(key: string, object: KubeObject): Promise<KubeObject>;

  /**
   * Replaces the object at key. With expectedRevision, fails with 'conflict' unless the stored object's
   * revision is that number (compare-and-swap). 'notfound' if there is nothing at key.
   */
  update(key: string, object: KubeObject, expectedRevision?: number): Promise<KubeObject>;

  /** Removes the object at key and returns its last state; 'notfound' / 'conflict' as update. */
  delete(key: string, expectedRevision?: number): Promise<KubeObject>;

  /**
   * Delivers, in revision order, every change with revision > fromRevision to keys under prefix, then
   * every later change until stopped. Rejects with StoreError 'expired' when fromRevision is older than
   * the history the store keeps (the API server turns that into 410 Gone). A store whose watches can
   * end on their own (etcd's, when its history was compacted while a watch reconnected) calls onError
   * once with 'expired' or 'closed' and delivers nothing more.
   */
  watch(prefix: string, fromRevision: number, onEvent: (e: StoreEvent) => void, onError?: (e: StoreError) => void): Promise<Watcher>;

  /** Releases the database; later calls fail with 'closed'. */
  close(): Promise<void>;
}
