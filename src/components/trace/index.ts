// podnet trace as a component: read the cluster through its API, kernel facts through src/linux, run
// the model, and (--prove) check it against the kernel.
import { planTrace, podKey, type ClusterSnapshot, type TraceOptions, type TraceResult, parseFrom } from '../../core/trace/index.js';
import { openCluster, type ClusterHandle } from './cluster.js';
import { gatherFacts } from './facts.js';
import { armProve, proveTrace } from './prove.js';
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
  // --prove's tracing depends only on the path's shape: set it up while the kernel facts are read.
  const arming = o.prove ? armProve(h.config, snap, first).catch(() => undefined) : undefined;
  const facts = await gatherFacts(h.config, snap, src.kind === 'pod' ? podKey(src.pod) : undefined, first);
  const t3 = performance.now();
  const result = planTrace(snap, from, to, { ...base, facts });
  const t4 = performance.now();
  const ms = (x: number) => Math.round(x * 10) / 10;
  result.timings = { snapshotMs: ms(t1 - t0), factsMs: ms(t3 - t2), modelMs: ms(t2 - t1 + t4 - t3) };
  if (o.prove) {
    let armed = await arming;
    // The facts changed the path (the pod's own resolv.conf answered another name): set up again.
    if (armed && pathShape(first) !== pathShape(result)) { await armed.abort(); armed = undefined; }
    await proveTrace(h.config, snap, result, {}, armed);
    result.timings.proveMs = ms(performance.now() - t4);
  }
  return result;
}

/** What --prove's set-up depends on: the addresses sent to, the endpoints, the namespaces crossed. */
function pathShape(t: TraceResult): string {
  const ns = [...t.hops, ...t.branches.flatMap((b) => b.hops)].map((h) => JSON.stringify(h.ns ?? null));
  return JSON.stringify([t.proto, t.dstIP, t.dstPort, t.branches.map((b) => [b.endpoint, b.pod]), [...new Set(ns)].sort(),
    [...t.hops, ...t.branches.flatMap((b) => b.hops)].some((h) => h.expect?.kind === 'policy' && !h.expect.allowed)]);
}
