// The Store over SQLite (better-sqlite3), shaped after kine: the row id of the `log` table is the global
// revision, every write appends one row and updates `current` in the same transaction, and watches are
// served from the log (history) plus an in-process broadcaster (live events). better-sqlite3 is
// synchronous, so each method does all its work before its promise settles and writes commit in call
// order; the interface is async so an etcd store can sit behind it later. Reads (get, list) are served
// from the in-memory copy of `current` that IndexedStore keeps, loaded here at open.
//
// Durability: WAL journal with synchronous=NORMAL. A commit appends the transaction to the WAL with
// write(2) before the call returns; only the fsync is deferred to checkpoints. Data in the kernel's page
// cache survives the death of the process (kill -9), so every acknowledged write survives a crash of the
// server (sqlite-durability.test.ts checks this with SIGKILL); only a power loss or kernel crash can take
// the last transactions. `synchronous: 'FULL'` fsyncs every commit for that case, at a large cost per write
// (bench/store.ts measures both).
import Database from 'better-sqlite3';
import type { KubeObject } from '../../core/api/object.js';
import { prefixEnd, type LogEntry } from './codec.js';
import { IndexedStore } from './indexed-store.js';

export interface SqliteStoreOptions {
  /** Keep at least this many of the latest revisions for watches. Default 10,000. */
  historyRevisions?: number;
  /** Also keep every revision written in this many milliseconds (whichever keeps more). Default 5 minutes. */
  historyMs?: number;
  /** How often the background compaction looks for history past both limits. Default 30 s. */
  compactIntervalMs?: number;
  /** NORMAL (default) survives process death; FULL also survives power loss, with an fsync per write. */
  synchronous?: 'NORMAL' | 'FULL';
}

const SCHEMA_VERSION = 1;
/** Rows deleted per compaction transaction, so compaction never blocks the event loop for long. */
const COMPACT_BATCH = 5_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS log (
  revision      INTEGER PRIMARY KEY,  -- the global revision; an object's resourceVersion
  key           TEXT NOT NULL,
  type          TEXT NOT NULL,        -- ADDED | MODIFIED | DELETED
  value         TEXT,                 -- the object after the write; NULL for DELETED
  prev_value    TEXT,                 -- the object before the write
  prev_revision INTEGER,              -- the revision that wrote prev_value
  created_ms    INTEGER NOT NULL      -- wall clock, for the time-based part of compaction
);
CREATE TABLE IF NOT EXISTS current (
  key             TEXT PRIMARY KEY,
  value           TEXT NOT NULL,
  mod_revision    INTEGER NOT NULL,
  create_revision INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
  name  TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
`;

interface CurrentRow { key: string; value: string; mod_revision: number; create_revision: number }
interface LogRow {
  revision: number; key: string; type: LogEntry['type']; value: string | null;
  prev_value: string | null; prev_revision: number | null;
}

export class SqliteStore extends IndexedStore {
  private readonly db: Database.Database;
  private readonly historyRevisions: number;
  private readonly historyMs: number;
  /** The revision at which a write next checks whether the log has outgrown historyRevisions. */
  private nextCompactCheck: number;
  private compactScheduled = false;
  private readonly timer: NodeJS.Timeout;
  private readonly stmt;
  private readonly writeTx;

  /** Opens (creating if needed) the database at path; ':memory:' gives a throwaway one. */
  constructor(readonly path: string, options: SqliteStoreOptions = {}) {
    super();
    this.historyRevisions = positive('historyRevisions', options.historyRevisions ?? 10_000);
    this.historyMs = nonNegative('historyMs', options.historyMs ?? 5 * 60_000);
    const interval = positive('compactIntervalMs', options.compactIntervalMs ?? 30_000);
    const synchronous = options.synchronous ?? 'NORMAL';
    if (synchronous !== 'NORMAL' && synchronous !== 'FULL') {
      throw new TypeError(`SqliteStore: synchronous must be 'NORMAL' or 'FULL', got ${String(synchronous)}`);
    }

    this.db = openDatabase(path, synchronous);
    const stmt = {
      allCurrent: this.db.prepare<[], CurrentRow>('SELECT key, value, mod_revision, create_revision FROM current ORDER BY key'),
      putCurrent: this.db.prepare<[string, string, number, number]>(
        'INSERT OR REPLACE INTO current (key, value, mod_revision, create_revision) VALUES (?, ?, ?, ?)'),
      deleteCurrent: this.db.prepare<[string]>('DELETE FROM current WHERE key = ?'),
      appendLog: this.db.prepare<[number, string, string, string | null, string | null, number | null, number]>(
        'INSERT INTO log (revision, key, type, value, prev_value, prev_revision, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      logAfter: this.db.prepare<[number], LogRow>(
        'SELECT revision, key, type, value, prev_value, prev_revision FROM log WHERE revision > ? ORDER BY revision'),
      logAfterRange: this.db.prepare<[number, string, string], LogRow>(
        'SELECT revision, key, type, value, prev_value, prev_revision FROM log WHERE revision > ? AND key >= ? AND key < ? ORDER BY revision'),
      maxRevision: this.db.prepare<[], { r: number | null }>('SELECT max(revision) AS r FROM log'),
      firstSince: this.db.prepare<[number, number], { revision: number }>(
        'SELECT revision FROM log WHERE revision > ? AND created_ms >= ? ORDER BY revision LIMIT 1'),
      deleteLog: this.db.prepare<[number]>('DELETE FROM log WHERE revision <= ?'),
      getMeta: this.db.prepare<[string], { value: number }>('SELECT value FROM meta WHERE name = ?'),
      setMeta: this.db.prepare<[string, number]>('INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)'),
    };
    this.stmt = stmt;
    // One transaction per write: the history row and the current row commit together or not at all.
    this.writeTx = this.db.transaction((entry: LogEntry, json: string | null, prevJson: string | null, createRevision: number) => {
      stmt.appendLog.run(entry.revision, entry.key, entry.type, json, prevJson, entry.prevRevision, Date.now());
      if (json === null) stmt.deleteCurrent.run(entry.key);
      else stmt.putCurrent.run(entry.key, json, entry.revision, createRevision);
    });

    this.compacted = stmt.getMeta.get('compacted')?.value ?? 0;
    // After a compaction that emptied the log the newest revision is the compacted one; never reuse it.
    this.revision = Math.max(stmt.maxRevision.get()?.r ?? 0, this.compacted);
    for (const row of stmt.allCurrent.iterate()) {
      this.current.set({
        key: row.key, object: JSON.parse(row.value) as KubeObject, modRevision: row.mod_revision, createRevision: row.create_revision,
      });
    }
    this.nextCompactCheck = this.revision + this.slack();
    this.timer = setInterval(() => this.compactInBackground(), interval);
    this.timer.unref();
  }

  protected get description(): string {
    return this.path;
  }

  protected persist(entry: LogEntry, json: string | null, createRevision: number): void {
    // The previous state's text is in the current table; re-serialising the stored form gives the same.
    const prevJson = entry.prev ? JSON.stringify(entry.prev) : null;
    this.writeTx(entry, json, prevJson, createRevision);
    if (entry.revision >= this.nextCompactCheck) {
      this.nextCompactCheck = entry.revision + this.slack();
      this.compactInBackground();
    }
  }

  protected history(prefix: string, fromRevision: number): LogEntry[] {
    const end = prefixEnd(prefix);
    const rows = end === undefined
      ? this.stmt.logAfter.all(fromRevision).filter((r) => r.key.startsWith(prefix))
      : this.stmt.logAfterRange.all(fromRevision, prefix, end);
    return rows.map((r) => ({
      revision: r.revision, key: r.key, type: r.type,
      object: r.value === null ? null : JSON.parse(r.value) as KubeObject,
      prev: r.prev_value === null ? null : JSON.parse(r.prev_value) as KubeObject,
      prevRevision: r.prev_revision,
    }));
  }

  protected release(): void {
    clearInterval(this.timer);
    this.db.close();
  }

  /**
   * Removes history past both retention limits (the last historyRevisions revisions and the last
   * historyMs milliseconds are kept), at most `batch` rows; returns how many rows it removed. Runs in
   * the background on its own; public so tools and tests can force it.
   */
  compact(batch = COMPACT_BATCH): number {
    this.checkOpen();
    let target = this.revision - this.historyRevisions;
    if (target <= this.compacted) return 0;
    const firstRecent = this.stmt.firstSince.get(this.compacted, Date.now() - this.historyMs);
    target = Math.min(target, firstRecent ? firstRecent.revision - 1 : this.revision, this.compacted + batch);
    if (target <= this.compacted) return 0;
    const removed = this.db.transaction(() => {
      const n = this.stmt.deleteLog.run(target).changes;
      this.stmt.setMeta.run('compacted', target);
      return n;
    })();
    this.compacted = target;
    return removed;
  }

  /** The compacted revision: a watch must start at or after it. */
  compactedRevision(): number {
    return this.compacted;
  }

  /** Compacts in batches, yielding to the event loop between them. */
  private compactInBackground(): void {
    if (this.compactScheduled || this.closed) return;
    this.compactScheduled = true;
    const step = () => {
      if (this.closed) return;
      if (this.compact() > 0) { setImmediate(step); return; }
      this.compactScheduled = false;
    };
    setImmediate(step);
  }

  /** How far past historyRevisions the log may grow before a write triggers compaction. */
  private slack(): number {
    return Math.max(1, Math.floor(this.historyRevisions / 10));
  }
}

/**
 * Opens the database, sets it up and takes it for this process alone: the revision counter and the
 * watch fan-out live in this process, so a second writer would corrupt both. locking_mode=EXCLUSIVE
 * makes the first write hold the lock until close, and the schema write below is that first write.
 */
function openDatabase(path: string, synchronous: 'NORMAL' | 'FULL'): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(path, { timeout: 1000 });
  } catch (e) {
    throw new Error(`cannot open the store database ${path}: ${(e as Error).message}; check that its directory exists and is writable`);
  }
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (path !== ':memory:' && mode !== 'wal') throw new Error(`the database refused WAL mode (journal_mode is ${String(mode)})`);
    db.pragma(`synchronous = ${synchronous}`);
    // After a burst of writes the WAL is checkpointed but keeps its size; cap what it keeps on disk.
    db.pragma('journal_size_limit = 67108864');
    db.transaction(() => {
      db.exec(SCHEMA);
      const row = db.prepare<[], { value: number }>("SELECT value FROM meta WHERE name = 'schema'").get();
      if (row && row.value !== SCHEMA_VERSION) {
        throw new Error(`it has schema version ${row.value}, and this podnet reads version ${SCHEMA_VERSION}; use the podnet that wrote it or a new path`);
      }
      db.prepare("INSERT OR REPLACE INTO meta (name, value) VALUES ('schema', ?)").run(SCHEMA_VERSION);
    }).immediate();
  } catch (e) {
    db.close();
    const code = (e as { code?: string }).code;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      throw new Error(`the store database ${path} is open elsewhere (another podnet server, or another store in this process); stop that one, or give this one another path`);
    }
    throw new Error(`cannot use the store database ${path}: ${(e as Error).message}`);
  }
  return db;
}

function positive(name: string, v: number): number {
  if (!Number.isSafeInteger(v) || v < 1) throw new TypeError(`SqliteStore: ${name} must be a positive integer, got ${v}`);
  return v;
}

function nonNegative(name: string, v: number): number {
  if (!Number.isSafeInteger(v) || v < 0) throw new TypeError(`SqliteStore: ${name} must be a non-negative integer, got ${v}`);
  return v;
}
