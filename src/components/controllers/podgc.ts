// Pod garbage collection (kube-controller-manager's pod-garbage-collector): pods bound to a node that
// no longer exists would otherwise stay forever (no kubelet will ever end them), holding their
// namespace's deletion and their ReplicaSet's count. Such a pod is force-deleted once its node has been
// missing for a quarantine period (a node may be re-registering), as are terminating pods that were
// never bound.
import { isApiError } from '../../core/api/errors.js';
import type { JsonObject, KubeObject } from '../../core/api/object.js';
import { type Controller, type ControllerContext, splitKey } from './context.js';
import type { Informer } from '../kube/informer.js';
import { WorkQueue } from './workqueue.js';

/** Upstream's quarantine before a missing node's pods are collected. */
export const ORPHAN_QUARANTINE_MS = 40_000;
const CHECK_PERIOD_MS = 20_000;

export class PodGarbageCollector implements Controller {
  readonly name = 'pod-garbage-collector';
  private readonly pods: Informer;
  private readonly nodes: Informer;
  private readonly queue: WorkQueue;
  /** node name → when we first saw it missing. */
  private readonly missingSince = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly ctx: ControllerContext, private readonly quarantineMs = ORPHAN_QUARANTINE_MS) {
    this.pods = ctx.informers.informer('pods');
    this.nodes = ctx.informers.informer('nodes');
    this.queue = new WorkQueue(this.name, (k) => this.collect(k), { log: ctx.log });
    this.nodes.on({ delete: () => this.queue.addAfter('check', this.quarantineMs + 100) });
    this.pods.on({
      add: (p) => this.podSeen(p),
      update: (_o, p) => this.podSeen(p),
    });
  }

  private podSeen(p: KubeObject): void {
    if (p.metadata.deletionTimestamp && !(p as JsonObject).spec?.nodeName) this.queue.add(`pod\t${p.metadata.namespace}/${p.metadata.name}`);
  }

  start(): void {
    this.queue.start();
    this.queue.add('check');
    this.timer = setInterval(() => this.queue.add('check'), CHECK_PERIOD_MS);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.queue.stop();
  }

  idle(): Promise<void> { return this.queue.idle(); }

  private async collect(item: string): Promise<void> {
    if (item === 'check') { await this.checkOrphans(); return; }
    const [ns, name] = splitKey(item.split('\t')[1]);
    const pod = this.pods.get(ns, name);
    if (pod && pod.metadata.deletionTimestamp && !(pod as JsonObject).spec?.nodeName) await this.forceDelete(pod);
  }

  private async checkOrphans(): Promise<void> {
    const now = Date.now();
    const missing = new Set<string>();
    for (const pod of this.pods.list()) {
      const node = (pod as JsonObject).spec?.nodeName;
      if (node && !this.nodes.get(undefined, node)) missing.add(node);
    }
    for (const node of [...this.missingSince.keys()]) if (!missing.has(node)) this.missingSince.delete(node);
    let soonest = Infinity;
    for (const node of missing) {
      const since = this.missingSince.get(node) ?? now;
      this.missingSince.set(node, since);
      if (now - since < this.quarantineMs) { soonest = Math.min(soonest, since + this.quarantineMs - now); continue; }
      // The cache may lag behind a node that just registered: ask the API.
      if (await this.ctx.client.get('nodes', undefined, node)) { this.missingSince.delete(node); continue; }
      for (const pod of this.pods.list().filter((p) => (p as JsonObject).spec?.nodeName === node)) {
        this.ctx.log(`${this.name}: force-deleting pod ${pod.metadata.namespace}/${pod.metadata.name}: its node ${node} no longer exists`);
        await this.forceDelete(pod);
      }
      this.missingSince.delete(node);
    }
    if (soonest !== Infinity) this.queue.addAfter('check', soonest + 100);
  }

  private async forceDelete(pod: KubeObject): Promise<void> {
    try {
      await this.ctx.client.delete('pods', pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
    } catch (e) {
      if (!isApiError(e, 'NotFound') && !isApiError(e, 'Conflict')) throw e;
    }
  }
}
