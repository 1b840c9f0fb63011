// LoadBalancer addresses on bare metal (the part of a cloud's service controller that podnet can do
// for real, as MetalLB or k3s ServiceLB do): every Service of type LoadBalancer without a
// loadBalancerClass gets one free address of the pool (loadbalancer-pool.ts) in
// status.loadBalancer.ingress[0] (`ipMode: VIP`: proxies capture it), spec.loadBalancerIP is honoured
// when it is in the pool and free, and the address goes back to the pool when the Service is deleted or
// stops being a LoadBalancer. When the pool is exhausted the Service stays `<pending>` with a Warning
// event saying how to make room; it gets an address as soon as one is released. One node per address is
// chosen to announce it (loadbalancer-announcer.ts), in the `podnet.io/announcing-node` annotation.
//
// Assignments live in memory and are rebuilt at start from the Services' status, oldest Service first,
// so a restart keeps every address where it was. One worker: allocation decisions never race.
import { isDeepStrictEqual } from 'node:util';
import { isApiError } from '../../core/api/errors.js';
import { type JsonObject, type KubeObject, objectKey } from '../../core/api/object.js';
import type { ClusterConfig } from '../../core/cluster/config.js';
import { type Controller, type ControllerContext, recorderFor, splitKey } from './context.js';
import type { EventRecorder } from '../kube/events.js';
import type { Informer } from '../kube/informer.js';
import { WorkQueue } from './workqueue.js';
import { LoadBalancerAllocator, LoadBalancerPool } from './loadbalancer-pool.js';
import { ANNOTATION_ANNOUNCING_NODE, chooseAnnouncingNode, isNodeEligible, LABEL_EXCLUDE_FROM_LB } from './loadbalancer-announcer.js';

const BY_SERVICE = 'loadbalancer-controller/service';

export type LoadBalancerConfig = Pick<ClusterConfig, 'underlayCIDR' | 'hostIP' | 'nodes' | 'loadBalancerPool' | 'stateDir'>;

/** Services this controller serves: type LoadBalancer and no loadBalancerClass (another implementation's). */
export function isOurLoadBalancer(svc: JsonObject): boolean {
  return svc.spec?.type === 'LoadBalancer' && (svc.spec.loadBalancerClass === undefined || svc.spec.loadBalancerClass === null);
}

function ingressIPs(svc: JsonObject): string[] {
  return (svc.status?.loadBalancer?.ingress ?? []).map((i: JsonObject) => i.ip).filter(Boolean);
}

function created(svc: KubeObject): number {
  return Date.parse(svc.metadata.creationTimestamp ?? '') || 0;
}

export class LoadBalancerController implements Controller {
  readonly name = 'loadbalancer-controller';
  private readonly services: Informer;
  private readonly nodes: Informer;
  private readonly slices: Informer;
  private readonly queue: WorkQueue;
  private readonly recorder: EventRecorder;
  private readonly allocator: LoadBalancerAllocator | undefined;
  /** Why the pool could not be built (a bad loadBalancerPool); every LoadBalancer Service reports it. */
  private readonly poolError: string | undefined;
  /** Services waiting for an address, with the warning they last got. */
  private readonly pending = new Map<string, string>();

  constructor(private readonly ctx: ControllerContext, private readonly config: LoadBalancerConfig) {
    this.recorder = recorderFor(ctx, this.name);
    try {
      this.allocator = new LoadBalancerAllocator(LoadBalancerPool.forCluster(config));
    } catch (e) {
      // Said on every LoadBalancer Service (an event each), not in the log of clusters that have none.
      this.poolError = (e as Error).message;
    }
    this.queue = new WorkQueue(this.name, (key) => this.sync(key), { log: ctx.log });
    this.services = ctx.informers.informer('services');
    this.nodes = ctx.informers.informer('nodes');
    this.slices = ctx.informers.informer('endpointslices.discovery.k8s.io');
    this.slices.addIndex(BY_SERVICE, (s) => {
      const svc = s.metadata.labels?.['kubernetes.io/service-name'];
      return svc ? [`${s.metadata.namespace}/${svc}`] : [];
    });
    const queue = (s: KubeObject) => this.queue.add(objectKey(s));
    this.services.on({ add: queue, update: (_o, s) => queue(s), delete: queue });
    const nodeChanged = (a: KubeObject | undefined, b: KubeObject | undefined) => {
      const state = (n: KubeObject | undefined) => n && [isNodeEligible(n as JsonObject), n.metadata.labels?.[LABEL_EXCLUDE_FROM_LB]];
      if (!isDeepStrictEqual(state(a), state(b))) this.queueAllLoadBalancers();
    };
    this.nodes.on({ add: (n) => nodeChanged(undefined, n), update: nodeChanged, delete: (n) => nodeChanged(n, undefined) });
    // Ready endpoints moving between nodes matter to externalTrafficPolicy: Local.
    const sliceChanged = (s: KubeObject) => {
      const svc = s.metadata.labels?.['kubernetes.io/service-name'];
      const cached = svc ? this.services.get(s.metadata.namespace, svc) as JsonObject | undefined : undefined;
      if (cached && isOurLoadBalancer(cached)) this.queue.add(objectKey(cached as KubeObject));
    };
    this.slices.on({ add: sliceChanged, update: (_o, s) => sliceChanged(s), delete: sliceChanged });
  }

  /** Rebuilds the assignments from the cached Services (oldest first keeps a disputed address), then syncs all. */
  start(): void {
    const all = this.services.list().sort((a, b) => created(a) - created(b));
    if (this.allocator) {
      for (const svc of all) {
        const s = svc as JsonObject;
        if (!isOurLoadBalancer(s)) continue;
        const ip = ingressIPs(s)[0];
        if (ip) this.allocator.allocate(objectKey(svc), ip);
      }
    }
    for (const svc of all) this.queue.add(objectKey(svc));
    this.queue.start();
  }

  async stop(): Promise<void> { await this.queue.stop(); }

  idle(): Promise<void> { return this.queue.idle(); }

  /** The pool, as configured (for status lines and messages). */
  get pool(): string { return this.allocator?.pool.toString() ?? `invalid (${this.poolError})`; }

  private queueAllLoadBalancers(): void {
    for (const svc of this.services.list()) if (isOurLoadBalancer(svc as JsonObject)) this.queue.add(objectKey(svc));
  }

  /** An address came free: the Services waiting for one try again (oldest first, as they queue in order). */
  private retryPending(): void {
    for (const key of [...this.pending.keys()]) this.queue.add(key);
  }

  private async sync(key: string): Promise<void> {
    const [namespace, name] = splitKey(key);
    const svc = this.services.get(namespace, name) as JsonObject | undefined;
    if (!svc || !isOurLoadBalancer(svc)) {
      this.pending.delete(key);
      if (this.allocator?.release(key)) this.retryPending();
      // No longer a LoadBalancer (upstream's service controller does the same): the address goes.
      // A Service with a loadBalancerClass belongs to another implementation, status included.
      if (svc && svc.spec?.type !== 'LoadBalancer') await this.cleanUp(svc);
      return;
    }
    if (!this.allocator) {
      await this.fail(svc, key, `Failed to allocate IP for "${key}": ${this.poolError}`);
      return;
    }
    const requested: string | undefined = svc.spec.loadBalancerIP || undefined;
    const before = this.allocator.ipOf(key);
    let ip: string | undefined;
    if (requested) {
      if (!this.allocator.pool.contains(requested)) {
        await this.fail(svc, key, `Failed to allocate IP for "${key}": spec.loadBalancerIP ${requested} is not in the LoadBalancer pool ` +
          `${this.allocator.pool}: choose an address of the pool, or leave loadBalancerIP empty to get the next free one`);
        return;
      }
      const holder = this.allocator.ownerOf(requested);
      if (holder && holder !== key) {
        await this.fail(svc, key, `Failed to allocate IP for "${key}": spec.loadBalancerIP ${requested} is already assigned to Service ` +
          `${holder}: choose another address of the pool ${this.allocator.pool}, or leave loadBalancerIP empty`);
        return;
      }
      this.allocator.allocate(key, requested);
      ip = requested;
      // Moving to the requested address frees the one held so far.
      if (before && before !== ip) this.retryPending();
    } else {
      ip = this.allocator.allocateNext(key);
      if (!ip) {
        const pool = this.allocator.pool;
        await this.fail(svc, key, `Failed to allocate IP for "${key}": no available IPs: the LoadBalancer pool ${pool} ` +
          `(${pool.size} addresses) is fully assigned. Delete a LoadBalancer Service you no longer need, or enlarge the pool: ` +
          `set "loadBalancerPool" in ${this.config.stateDir}/cluster.json (e.g. a wider range of the underlay) and restart podnet server`);
        return;
      }
    }
    const wasPending = this.pending.delete(key);
    const had = ingressIPs(svc);
    const want = { ingress: [{ ip, ipMode: 'VIP' }] };
    if (!isDeepStrictEqual(svc.status?.loadBalancer ?? {}, want)) {
      await this.writeStatus(svc, want);
      if (!had.includes(ip) || wasPending) this.recorder.event(svc as KubeObject, 'Normal', 'IPAllocated', `Assigned IP ["${ip}"]`);
    }
    await this.announce(svc, ip);
  }

  private async fail(svc: JsonObject, key: string, message: string): Promise<void> {
    if (this.allocator?.release(key)) this.retryPending();
    if (this.pending.get(key) !== message) {
      this.pending.set(key, message);
      this.recorder.event(svc as KubeObject, 'Warning', 'AllocationFailed', message);
    }
    await this.cleanUp(svc);
  }

  /** Empties status.loadBalancer (kubectl shows `<pending>`) and drops the announcing node. */
  private async cleanUp(svc: JsonObject): Promise<void> {
    if (ingressIPs(svc).length) await this.writeStatus(svc, {});
    if (svc.metadata.annotations?.[ANNOTATION_ANNOUNCING_NODE] !== undefined) await this.setAnnouncer(svc, null);
  }

  private async writeStatus(svc: JsonObject, loadBalancer: JsonObject): Promise<void> {
    const next = structuredClone(svc);
    next.status = { ...(next.status ?? {}), loadBalancer };
    try {
      await this.ctx.client.update('services', next as KubeObject, 'status');
    } catch (e) {
      if (isApiError(e, 'NotFound')) return;
      throw e;
    }
  }

  private async announce(svc: JsonObject, ip: string): Promise<void> {
    const current = svc.metadata.annotations?.[ANNOTATION_ANNOUNCING_NODE];
    const node = chooseAnnouncingNode({
      service: svc, ip, current, nodes: this.nodes.list() as JsonObject[],
      slices: this.slices.byIndex(BY_SERVICE, objectKey(svc as KubeObject)) as JsonObject[],
    });
    if (node === current) return;
    await this.setAnnouncer(svc, node ?? null);
    if (node) this.recorder.event(svc as KubeObject, 'Normal', 'nodeAssigned', `announcing from node "${node}" with protocol "layer2"`);
    else this.recorder.event(svc as KubeObject, 'Warning', 'NoAnnouncingNode', `no Ready node can announce ${ip}: nothing answers ARP for it until a node is Ready`);
  }

  private async setAnnouncer(svc: JsonObject, node: string | null): Promise<void> {
    try {
      await this.ctx.client.patch('services', svc.metadata.namespace, svc.metadata.name,
        { metadata: { annotations: { [ANNOTATION_ANNOUNCING_NODE]: node } } }, 'merge');
    } catch (e) {
      if (isApiError(e, 'NotFound')) return;
      throw e;
    }
  }
}
