// The datastore behind the API server: the Store interface, its SQLite implementation (the default, as
// kine's SQLite driver is k3s's) and the in-memory one used as a fake in tests.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SqliteStore, type SqliteStoreOptions } from './sqlite.js';
import type { Store } from './store.js';

export * from './store.js';
export { SqliteStore, type SqliteStoreOptions } from './sqlite.js';
export { MemoryStore, type MemoryStoreOptions } from './memory.js';

/** Opens the SQLite store at path, creating the file and its directory if needed. */
export async function openStore(path: string, options?: SqliteStoreOptions): Promise<Store> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  return new SqliteStore(path, options);
}
