// The node's NetworkPolicy enforcement: what `podnet agent` starts beside the service proxy.
//   const policy = await startPolicyProgrammer(kc, nodeName, { log, registry: services.metrics.registry });
//   pods get policy.admit as their network-ready gate;   ...   await policy.stop();
// It watches NetworkPolicies, Pods and Namespaces, programs table `ip podnet-policy` in the node's
// namespace (see core/policy/nft.ts for the layout) and adds its metrics to the agent's /metrics.
// When the agent dies the table stays in the kernel: policies hold; a restarted agent replaces it in one
// transaction with what the API says now.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import { nftListCounters } from '../../../linux/nft.js';
import { PolicyMetrics } from './metrics.js';
import { PolicyProgrammer, type PolicySyncResult } from './programmer.js';
import { kubePolicySources, type PolicySources } from './sources.js';
import type { Pod } from '../../../core/policy/index.js';

export { PolicyProgrammer, type PolicySyncResult, type PolicyState } from './programmer.js';
export { PolicyMetrics, type DropSample } from './metrics.js';
export { kubePolicySources, type PolicySources } from './sources.js';

export interface PolicyProgrammerStartOptions {
  log?: (line: string) => void;
  netns?: string;
  table?: string;
  /** Where the metrics go (the agent's :10256 registry); none: not exported. */
  registry?: Registry;
  sources?: PolicySources;
}

export interface RunningPolicyProgrammer {
  readonly programmer: PolicyProgrammer;
  /** The pod runtime's gate before containers start (see programmer.ts). */
  admit(pod: Pod, ips: string[]): Promise<void>;
  /** Resolves once everything seen so far is programmed. */
  flush(): Promise<void>;
  stop(opts?: { cleanup?: boolean }): Promise<void>;
}

export async function startPolicyProgrammer(kc: KubeConfig, nodeName: string, opts: PolicyProgrammerStartOptions = {}): Promise<RunningPolicyProgrammer> {
  const log = opts.log ?? ((line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`));
  const sources = opts.sources ?? kubePolicySources(kc, log);
  let metrics: PolicyMetrics | undefined;
  let lastError = '';
  let lastIsolated = '';
  const programmer = new PolicyProgrammer({
    nodeName, state: sources, netns: opts.netns, table: opts.table,
    onSync: (r: PolicySyncResult) => {
      metrics?.syncDuration.observe((r.planMs + r.nftMs) / 1000);
      metrics?.lastSyncTimestamp.set(Date.now() / 1000);
      metrics?.isolatedPods.set({ direction: 'ingress' }, r.isolated.ingress);
      metrics?.isolatedPods.set({ direction: 'egress' }, r.isolated.egress);
      const sig = `${r.isolated.ingress}/${r.isolated.egress}`;
      if (r.full || lastError || sig !== lastIsolated) {
        log(`network policy: ${r.full ? 'programmed' : 'updated'} table ip ${programmer.table}: ${r.isolated.ingress} pods isolated for ingress, `
          + `${r.isolated.egress} for egress (${r.replanned} pods planned, ${r.lines} lines, plan ${r.planMs.toFixed(1)} ms, nft ${r.nftMs.toFixed(1)} ms)`);
      }
      lastError = '';
      lastIsolated = sig;
    },
    onError: (e) => {
      metrics?.syncFailures.inc();
      if (e.message !== lastError) log(`network policy: sync failed, retrying: ${e.message}`);
      lastError = e.message;
      // The programmer's runner tries again shortly; the NftProgrammer then replaces the whole table.
    },
  });
  if (opts.registry) metrics = new PolicyMetrics(opts.registry, () => programmer.drops((t) => nftListCounters('ip', t, { netns: opts.netns })));

  // Every informer event asks for a sync; the programmer's runner coalesces them. Not before all three
  // informers have listed: a sync from a partial picture (policies, but not yet the pods they select)
  // would open what the table left by the previous agent still closes.
  let listed = false;
  await sources.start(() => { if (listed) programmer.changed(); });
  listed = true;
  // A failure is logged and retried (onError); pods wait at admit() until the table is in place.
  await programmer.sync().catch(() => {});
  log(`network policy of ${nodeName}: following ${sources.policies().length} NetworkPolicies over ${sources.pods().length} pods`);

  return {
    programmer,
    admit: (pod, ips) => programmer.admit(pod, ips),
    flush: () => programmer.sync(),
    async stop(stopOpts = {}) {
      await sources.stop();
      await programmer.stop(stopOpts);
      log(`network policy of ${nodeName} stopped${stopOpts.cleanup ? ' (table removed)' : ''}`);
    },
  };
}
