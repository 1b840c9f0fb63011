// Kernel facts for the model, read through src/linux: a pod's network namespace (from its node's
// sandbox record), its resolv.conf as bind-mounted into it, and the sockets listening in it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NodePaths } from '../agent/pods/paths.js';
import { readRecord } from '../agent/pods/pod-record.js';
import { listeningSockets, netnsExists } from '../../linux/index.js';
import type { ClusterConfig } from '../../core/cluster/config.js';
import { parseResolvConf } from '../agent/pods/resolv-conf.js';
import type { ClusterSnapshot, KernelFacts, NsRef, PodLike, TraceResult } from '../../core/trace/index.js';
import { podKey } from '../../core/trace/index.js';

/** The named netns of a pod, or undefined (hostNetwork, not on this host, gone). */
export function podNetns(config: ClusterConfig, pod: PodLike): string | undefined {
  const node = pod.spec?.nodeName;
  const uid = pod.metadata.uid;
  if (!node || !uid) return undefined;
  const rec = readRecord(new NodePaths(config.stateDir, node), uid);
  return rec?.netns && netnsExists(rec.netns) ? rec.netns : undefined;
}

/** The kernel netns of a topology namespace; undefined for the host (the root namespace). */
export function netnsOf(config: ClusterConfig, snap: ClusterSnapshot, ns: NsRef): string | undefined | null {
  if (ns.kind === 'host') return undefined;
  if (ns.kind === 'node') return netnsExists(ns.node) ? ns.node : null;
  const pod = snap.pods.find((p) => podKey(p) === ns.key);
  return (pod && podNetns(config, pod)) ?? null;
}

/** resolv.conf of the source pod and listeners of every destination pod the model reached. */
export async function gatherFacts(config: ClusterConfig, snap: ClusterSnapshot, fromKey: string | undefined, first: TraceResult): Promise<KernelFacts> {
  const facts: KernelFacts = { resolvConf: new Map(), listeners: new Map() };
  const pod = (key: string) => snap.pods.find((p) => podKey(p) === key);
  const src = fromKey ? pod(fromKey) : undefined;
  if (src?.spec?.nodeName && src.metadata.uid) {
    try {
      const text = readFileSync(join(new NodePaths(config.stateDir, src.spec.nodeName).etcDir(src.metadata.uid), 'resolv.conf'), 'utf8');
      facts.resolvConf!.set(fromKey!, parseResolvConf(text));
    } catch { /* not on this host: the model forms it as kubelet does */ }
  }
  const dests = new Set([...first.branches, ...(first.next?.branches ?? [])].map((b) => b.pod).filter((k): k is string => !!k));
  await Promise.all([...dests].map(async (k) => {
    const p = pod(k);
    const ns = p && podNetns(config, p);
    // Without root (or with the pod gone meanwhile) the sockets stay unknown: the model says so.
    if (ns) await listeningSockets(ns).then((l) => facts.listeners!.set(k, l), () => undefined);
  }));
  return facts;
}
