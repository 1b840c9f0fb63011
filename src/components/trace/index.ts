// podnet trace as a component: read the cluster through its API, kernel facts through src/linux, run
// the model, and (--prove) check it against the kernel.
import { planTrace, podKey, type ClusterSnapshot, type TraceOptions, type TraceResult, parseFrom } from '../../core/trace/index.js';
import { openCluster, type ClusterHandle } from './cluster.js';
import { gatherFacts } from './facts.js';
import { proveTrace } from './prove.js';
import { loadSnapshot } from './snapshot.js';
import { tracePlugins } from './plugins.js';

export { openCluster, loadSnapshot, proveTrace, type ClusterHandle };

export interface RunTraceOptions { proto?: 'tcp' | 'udp'; prove?: boolean; snapshot?: ClusterSnapshot }

export async function runTrace(h: ClusterHandle, from: string, to: string, o: RunTraceOptions = {}): Promise<TraceResult> {
  const t0 = performance.now();
  const snap = o.snapshot ?? await loadSnapshot(h);
  const t1 = performance.now();
  const base: TraceOptions = { proto: o.proto, plugins: tracePlugins() };
  const src = parseFrom(snap, from);
  // First pass finds the pods involved; the second knows their resolv.conf and sockets.
  const first = planTrace(snap, from, to, base);
  const t2 = performance.now();
  const facts = await gatherFacts(h.config, snap, src.kind === 'pod' ? podKey(src.pod) : undefined, first);
  const t3 = performance.now();
  const result = planTrace(snap, from, to, { ...base, facts });
  const t4 = performance.now();
  const ms = (x: number) => Math.round(x * 10) / 10;
  result.timings = { snapshotMs: ms(t1 - t0), factsMs: ms(t3 - t2), modelMs: ms(t2 - t1 + t4 - t3) };
  if (o.prove) {
    await proveTrace(h.config, snap, result);
    result.timings.proveMs = ms(performance.now() - t4);
  }
  return result;
}
