// An in-memory Store with the same semantics as SqliteStore: one global revision, resourceVersion = the
// revision of the last write, watches from a revision with a bounded history. It is the fast fake for
// tests of code that sits on a Store, and the model the SQLite store is checked against (both pass
// store.case.ts). Nothing survives close().
import type { LogEntry } from './codec.js';
import { IndexedStore } from './indexed-store.js';

export interface MemoryStoreOptions {
  /** How many of the latest revisions a watch can start from; older ones are 'expired'. Default 10,000. */
  historySize?: number;
}

export class MemoryStore extends IndexedStore {
  /** History, oldest first; entries before logStart are compacted and only wait to be sliced off. */
  private log: LogEntry[] = [];
  private logStart = 0;
  private readonly historySize: number;

  constructor(options: MemoryStoreOptions = {}) {
    super();
    this.historySize = options.historySize ?? 10_000;
    if (!Number.isSafeInteger(this.historySize) || this.historySize < 1) {
      throw new TypeError(`MemoryStore: historySize must be a positive integer, got ${options.historySize}`);
    }
  }

  protected get description(): string {
    return '(in memory)';
  }

  protected persist(entry: LogEntry): void {
    this.log.push(entry);
    const kept = this.log.length - this.logStart;
    if (kept > this.historySize) {
      this.logStart += kept - this.historySize;
      this.compacted = this.log[this.logStart - 1]!.revision;
      // Slice the dead prefix off only now and then, so trimming stays O(1) amortised per write.
      if (this.logStart >= 1024 && this.logStart * 2 >= this.log.length) {
        this.log = this.log.slice(this.logStart);
        this.logStart = 0;
      }
    }
  }

  protected history(prefix: string, fromRevision: number): LogEntry[] {
    // The log is dense (one entry per revision from compacted + 1), so the start is found by index.
    const out: LogEntry[] = [];
    for (let i = this.logStart + (fromRevision - this.compacted); i < this.log.length; i++) {
      const entry = this.log[i]!;
      if (entry.key.startsWith(prefix)) out.push(entry);
    }
    return out;
  }

  protected release(): void {
    this.log = [];
  }
}
