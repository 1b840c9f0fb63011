// The datastore behind the API server: the Store interface, its SQLite implementation (the default, as
// kine's SQLite driver is k3s's) and the in-memory one used as a fake in tests.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SqliteStore, type SqliteStoreOptions } from './sqlite.js';
import type { Store } from './store.js';
import { EtcdStore } from './etcd.js';
import type { DatastoreConfig } from '../../core/cluster/etcd-plan.js';

export * from './store.js';
export { SqliteStore, type SqliteStoreOptions } from './sqlite.js';
export { MemoryStore, type MemoryStoreOptions } from './memory.js';
export { EtcdStore, type EtcdStoreOptions } from './etcd.js';

/** Opens the SQLite store at path, creating the file and its directory if needed. */
export async function openStore(path: string, options?: SqliteStoreOptions): Promise<Store> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  return new SqliteStore(path, options);
}

/** Opens the cluster's datastore: etcd when the configuration names one, else SQLite at sqlitePath. */
export async function openDatastore(datastore: DatastoreConfig | undefined, sqlitePath: string): Promise<Store> {
  if (datastore?.type === 'etcd') {
    const store = new EtcdStore({ endpoints: datastore.endpoints });
    await store.currentRevision(); // fail here, with the endpoints named, when etcd does not answer
    return store;
  }
  return openStore(sqlitePath);
}
