// The DNS benchmark's cluster: BENCH_DNS_SERVICES ClusterIP Services (svc-N.bench, 10.96.x.y) in
// memory. A module of its own so that the DNS server's worker processes build the same data.
import { ClusterIndex } from '../../src/core/dns/cluster-index.js';
import { memorySource, type ClusterSource } from '../../src/components/dns/index.js';

export const ipOf = (i: number) => `10.96.${(i >> 8) & 255}.${i & 255}`;
export const nameOf = (i: number) => `svc-${i}.bench.svc.cluster.local`;

export function sourceFor(): ClusterSource {
  const services = Number(process.env.BENCH_DNS_SERVICES ?? 1000);
  const index = new ClusterIndex();
  index.upsertNamespace({ metadata: { name: 'bench' } });
  for (let i = 1; i <= services; i++) index.upsertService({ metadata: { namespace: 'bench', name: `svc-${i}` }, spec: { clusterIP: ipOf(i), ports: [{ name: 'http', port: 80 }] } });
  return memorySource(index);
}
