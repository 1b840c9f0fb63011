// Node IPAM (kube-controller-manager's range allocator): gives every Node without one a podCIDR from the
// cluster CIDR (10.244.0.0/16, /24 per node → 10.244.0.0/24, 10.244.1.0/24, ...), recorded in
// spec.podCIDR and spec.podCIDRs, where the node's agent (host-local IPAM, routes, overlay) reads it.
// Assignments that nodes already carry are occupied first, so a restart of `podnet server` never hands
// a taken range to another node; a deleted node's range is released. When the cluster CIDR is
// exhausted the node gets a `CIDRNotAvailable` event and is tried again when a node goes away.
import { isApiError } from '../../core/api/errors.js';
import type { JsonObject, KubeObject } from '../../core/api/object.js';
import type { ClusterConfig } from '../../core/cluster/config.js';
import { AllocationError, CIDRAllocator } from '../../core/ipam/index.js';
import { type Controller, type ControllerContext, recorderFor } from './context.js';
import type { EventRecorder } from '../kube/events.js';
import type { Informer } from '../kube/informer.js';
import { WorkQueue } from './workqueue.js';

/** Retry interval for nodes waiting on an exhausted range, besides node deletions. */
const RETRY_FULL_MS = 30_000;

function podCIDRsOf(node: KubeObject): string[] {
  const spec = (node as JsonObject).spec ?? {};
  return spec.podCIDRs?.length ? spec.podCIDRs : spec.podCIDR ? [spec.podCIDR] : [];
}

export class NodeIpamController implements Controller {
  readonly name = 'node-ipam-controller';
  readonly allocator: CIDRAllocator;
  private readonly nodes: Informer;
  private readonly queue: WorkQueue;
  private readonly recorder: EventRecorder;
  private readonly waiting = new Set<string>();

  constructor(private readonly ctx: ControllerContext, config: Pick<ClusterConfig, 'clusterCIDR' | 'nodeCIDRMaskSize'>) {
    this.allocator = new CIDRAllocator(config.clusterCIDR, config.nodeCIDRMaskSize);
    this.nodes = ctx.informers.informer('nodes');
    this.queue = new WorkQueue(this.name, (n) => this.sync(n), { log: ctx.log });
    this.recorder = recorderFor(ctx, 'cidrAllocator');
    // Occupying happens in the handlers, which run for the whole initial list before the queue starts.
    this.nodes.on({
      add: (n) => this.seen(n),
      update: (_o, n) => this.seen(n),
      delete: (n) => {
        for (const cidr of podCIDRsOf(n)) this.allocator.release(cidr);
        this.waiting.delete(n.metadata.name!);
        // Room may have been made for nodes that found the range full.
        for (const name of this.nodes.keys()) if (!podCIDRsOf(this.nodes.getByKey(name)!).length) this.queue.add(name);
      },
    });
  }

  private seen(node: KubeObject): void {
    const cidrs = podCIDRsOf(node);
    if (cidrs.length === 0) { this.queue.add(node.metadata.name!); return; }
    for (const cidr of cidrs) {
      if (!this.allocator.inRange(cidr)) continue; // another family, or assigned outside our range: not ours to track
      if (!this.allocator.has(cidr)) this.allocator.occupy(cidr);
    }
  }

  start(): void { this.queue.start(); }

  async stop(): Promise<void> { await this.queue.stop(); }

  idle(): Promise<void> { return this.queue.idle(); }

  private async sync(name: string): Promise<void> {
    const cached = this.nodes.get(undefined, name);
    if (!cached || podCIDRsOf(cached).length) return;
    let cidr: string;
    try {
      cidr = this.allocator.allocateNext();
    } catch (e) {
      if (!(e instanceof AllocationError) || e.kind !== 'Full') throw e;
      if (!this.waiting.has(name)) {
        this.waiting.add(name);
        this.recorder.event(cached, 'Normal', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`);
        this.ctx.log(`${this.name}: no podCIDR left for node ${name}: ${e.message}`);
      }
      this.queue.addAfter(name, RETRY_FULL_MS);
      return;
    }
    try {
      const live = await this.ctx.client.get('nodes', undefined, name) as JsonObject | undefined;
      if (!live) { this.allocator.release(cidr); return; }
      if (podCIDRsOf(live as KubeObject).length) {
        // Assigned meanwhile (by hand or an earlier attempt that we did not see yet): keep theirs.
        this.allocator.release(cidr);
        this.seen(live as KubeObject);
        return;
      }
      live.spec = { ...(live.spec ?? {}), podCIDR: cidr, podCIDRs: [cidr] };
      await this.ctx.client.update('nodes', live as KubeObject);
      this.waiting.delete(name);
    } catch (e) {
      this.allocator.release(cidr);
      if (isApiError(e, 'NotFound')) return;
      this.recorder.event(cached, 'Warning', 'CIDRAssignmentFailed', `Node ${name} status is now: CIDRAssignmentFailed`);
      throw e;
    }
  }
}
