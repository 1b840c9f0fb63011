// The current state of every key, in memory and in key order: what get and list read. Both stores keep
// one (the SQLite store loads it from its `current` table at open and keeps it in step with every
// commit), because a list of 10,000 objects from memory is several times faster than from SQLite: a
// query plus JSON.parse of every row costs ~120 ms there, copying stored forms ~30 ms (bench/store.ts).
// kube-apiserver's watch cache makes the same trade.
import type { KubeObject } from '../../core/api/object.js';

export interface CurrentEntry {
  key: string;
  /** Stored form (see codec.ts): shared, never handed out. */
  object: KubeObject;
  modRevision: number;
  createRevision: number;
}

export class CurrentIndex {
  private readonly entries = new Map<string, CurrentEntry>();
  /**
   * Every key, sorted by UTF-16 code unit, so a list by prefix is a binary search plus a scan. For keys
   * below U+D800 (Kubernetes names are ASCII) that is also SQLite's BINARY (UTF-8 byte) order.
   */
  private readonly keys: string[] = [];

  get size(): number {
    return this.entries.size;
  }

  get(key: string): CurrentEntry | undefined {
    return this.entries.get(key);
  }

  set(entry: CurrentEntry): void {
    if (!this.entries.has(entry.key)) this.keys.splice(lowerBound(this.keys, entry.key), 0, entry.key);
    this.entries.set(entry.key, entry);
  }

  delete(key: string): void {
    if (!this.entries.delete(key)) return;
    this.keys.splice(lowerBound(this.keys, key), 1);
  }

  /** The entries whose key starts with prefix, in key order. */
  list(prefix: string): CurrentEntry[] {
    const out: CurrentEntry[] = [];
    for (let i = lowerBound(this.keys, prefix); i < this.keys.length; i++) {
      const key = this.keys[i]!;
      if (!key.startsWith(prefix)) break;
      out.push(this.entries.get(key)!);
    }
    return out;
  }

  clear(): void {
    this.entries.clear();
    this.keys.length = 0;
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
