// SqliteStore against the shared Store conformance suite, on a temporary database file; plus what only
// the SQLite store has: its file, its lock and its compaction policy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore, type SqliteStoreOptions } from './sqlite.js';
import { CONFORMANCE_HISTORY, pod, runStoreConformance } from './store.case.js';
import type { Store } from './store.js';

/** A temporary database for one test; cleanup closes every store opened on it and removes the directory. */
function tempDatabase(options: SqliteStoreOptions) {
  const dir = mkdtempSync(join(tmpdir(), 'podnet-store-'));
  const path = join(dir, 'store.db');
  const opened: Store[] = [];
  const openOne = () => { const s = new SqliteStore(path, options); opened.push(s); return s; };
  const cleanup = async () => {
    for (const s of opened) await s.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { path, openOne, cleanup };
}

runStoreConformance('SqliteStore', async () => {
  const db = tempDatabase({ historyRevisions: CONFORMANCE_HISTORY, historyMs: 0 });
  return { store: db.openOne(), reopen: async () => db.openOne(), cleanup: db.cleanup };
});
