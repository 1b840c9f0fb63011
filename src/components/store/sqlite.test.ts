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
import { openStore } from './index.js';

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

test('a second store on the same database is refused while the first is open', async () => {
  const db = tempDatabase({});
  try {
    const first = db.openOne();
    await first.create('/registry/pods/default/a', pod('a'));
    assert.throws(() => db.openOne(), /open elsewhere .*stop that one, or give this one another path/);
    await first.close();
    const again = db.openOne();
    assert.equal((await again.get('/registry/pods/default/a'))?.metadata.resourceVersion, '1');
  } finally {
    await db.cleanup();
  }
});

test('compaction keeps the last historyRevisions or the last historyMs, whichever keeps more', async () => {
  const recent = tempDatabase({ historyRevisions: 10, historyMs: 60 * 60_000 });
  const old = tempDatabase({ historyRevisions: 10, historyMs: 0 });
  try {
    const byTime = recent.openOne();
    const byCount = old.openOne();
    for (let i = 0; i < 100; i++) {
      await byTime.create(`/registry/pods/default/p${i}`, pod(`p${i}`));
      await byCount.create(`/registry/pods/default/p${i}`, pod(`p${i}`));
    }
    assert.equal(byTime.compact(), 0, 'everything was written within historyMs: nothing to remove');
    (await byTime.watch('/registry/pods/', 0, () => undefined)).stop();

    byCount.compact();
    assert.equal(byCount.compactedRevision(), 90, 'the last 10 revisions stay');
    assert.equal(byCount.compact(), 0, 'a second compaction finds nothing more');
    await assert.rejects(byCount.watch('/registry/pods/', 89, () => undefined), /compacted/);
    (await byCount.watch('/registry/pods/', 90, () => undefined)).stop();
  } finally {
    await recent.cleanup();
    await old.cleanup();
  }
});

test('compaction removes history in bounded batches', async () => {
  const db = tempDatabase({ historyRevisions: 10, historyMs: 0, compactIntervalMs: 3_600_000 });
  try {
    // Writes trigger compaction in the background too; compact by hand here to see the batches.
    const s = db.openOne();
    for (let i = 0; i < 50; i++) await s.create(`/registry/pods/default/p${i}`, pod(`p${i}`));
    await new Promise((r) => setImmediate(r));
    const start = s.compactedRevision();
    for (let i = 50; i < 80; i++) await s.create(`/registry/pods/default/p${i}`, pod(`p${i}`));
    const removed = s.compact(7);
    assert.ok(removed <= 7, `a batch of 7 removed ${removed} rows`);
    assert.equal(s.compactedRevision(), start + removed);
  } finally {
    await db.cleanup();
  }
});

test('openStore creates the database directory', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'podnet-store-'));
  try {
    const store = await openStore(join(dir, 'nested', 'deeper', 'store.db'));
    await store.create('/registry/namespaces/default', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
    assert.equal(await store.currentRevision(), 1);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
