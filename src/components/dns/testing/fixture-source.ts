// The test cluster (core/dns/testing/fixtures.ts) as a module worker processes can load (workers.test.ts).
import { fixtureIndex } from '../../../core/dns/testing/fixtures.js';
import { memorySource, type ClusterSource } from '../cluster-source.js';

export function sourceFor(): ClusterSource {
  return memorySource(fixtureIndex());
}
