// MemoryStore against the shared Store conformance suite.
import { MemoryStore } from './memory.js';
import { CONFORMANCE_HISTORY, runStoreConformance } from './store.case.js';

runStoreConformance('MemoryStore', async () => {
  const store = new MemoryStore({ historySize: CONFORMANCE_HISTORY });
  return { store, cleanup: () => store.close() };
});
