// How objects are kept inside a store and turned back into API objects. Both stores keep each object as
// its JSON text without metadata.resourceVersion: the revision lives beside it (as in etcd, where the
// resourceVersion is the key's mod_revision, never part of the value), and every read path parses a fresh
// copy and stamps the revision in. Parsing per read also means no caller can change what another caller,
// or the store itself, holds.
import type { KubeObject } from '../../core/api/object.js';
import { StoreError, type StoreEvent, type StoreEventType } from './store.js';

/** One write as the history (etcd's log, kine's table rows) records it. */
export interface LogEntry {
  revision: number;
  key: string;
  type: StoreEventType;
  /** The object after the write; null for DELETED, whose last state is prevValue. */
  value: string | null;
  /** The object before the write (MODIFIED and DELETED). */
  prevValue: string | null;
  /** The revision that wrote prevValue. */
  prevRevision: number | null;
}

/** Serialises an object for storage, dropping metadata.resourceVersion (the store owns that field). */
export function encodeObject(key: string, object: KubeObject): string {
  checkKey(key);
  if (typeof object !== 'object' || object === null || Array.isArray(object)) {
    throw new TypeError(`store: the value for ${key} must be a Kubernetes object, got ${describe(object)}`);
  }
  const metadata = object.metadata;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new TypeError(`store: the object for ${key} has no metadata object; give it metadata.name (and namespace)`);
  }
  // Only the top-level metadata.resourceVersion is the store's: nested fields of the same name (an
  // ObjectReference's resourceVersion in an Event, say) are user data and stay.
  const { resourceVersion: _dropped, ...rest } = metadata;
  return JSON.stringify({ ...object, metadata: rest });
}

/** Parses a stored object and sets metadata.resourceVersion to the revision, as a decimal string. */
export function decodeObject(value: string, revision: number): KubeObject {
  const object = JSON.parse(value) as KubeObject;
  object.metadata.resourceVersion = String(revision);
  return object;
}

/** The event a watcher receives for a history entry, with its own freshly parsed objects. */
export function toEvent(entry: LogEntry): StoreEvent {
  const prevObject = entry.prevValue === null ? undefined : decodeObject(entry.prevValue, entry.prevRevision ?? 0);
  // A DELETED event carries the last state, stamped with the deletion's revision (etcd reports a delete
  // at its own revision; kube-apiserver's watch cache does the same).
  const object = entry.value === null
    ? decodeObject(entry.prevValue ?? 'null', entry.revision)
    : decodeObject(entry.value, entry.revision);
  const event: StoreEvent = { type: entry.type, key: entry.key, object, revision: entry.revision };
  if (prevObject) event.prevObject = prevObject;
  return event;
}

/** A watch from a revision the history no longer holds (the API server answers 410 Gone). */
export function expiredError(fromRevision: number, compacted: number, current: number): StoreError {
  return new StoreError('expired',
    `revision ${fromRevision} has been compacted: history starts after revision ${compacted} (current ${current}); list again and watch from the list's revision`,
    current);
}

export function checkKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) {
    throw new TypeError(`store: a key must be a non-empty string such as /registry/pods/default/web, got ${describe(key)}`);
  }
}

export function checkRevision(what: string, revision: number): void {
  if (!Number.isSafeInteger(revision) || revision < 0) {
    throw new TypeError(`store: ${what} must be a non-negative integer revision, got ${describe(revision)}`);
  }
}

/**
 * The smallest string greater than every string that starts with prefix, for a range scan
 * `prefix <= key < end`; undefined when there is none that is simple to compute (then scan to the end
 * and stop at the first key without the prefix). Incrementing a character below the surrogates keeps
 * the same order in UTF-16 (JavaScript) and UTF-8 (SQLite's BINARY collation), so both stores agree.
 */
export function prefixEnd(prefix: string): string | undefined {
  if (prefix.length === 0) return undefined;
  const last = prefix.charCodeAt(prefix.length - 1);
  if (last >= 0xd7ff) return undefined;
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v);
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}
