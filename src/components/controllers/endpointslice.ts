// The EndpointSlice controller (kube-controller-manager's endpointslice-controller): for every Service
// with a selector, EndpointSlices listing the selected pods, labelled kubernetes.io/service-name and
// managed-by endpointslice-controller.k8s.io, owned by the Service (so the garbage collector removes
// them with it). The packing, conditions and port resolution are src/core/endpoints; this file feeds
// them the informer caches and writes the result. Slices this controller does not manage (the
// `kubernetes` Service's, users' slices for selector-less Services) are never touched.
import { isApiError } from '../../core/api/errors.js';
import { type JsonObject, type KubeObject, objectKey } from '../../core/api/object.js';
import {
  ENDPOINTSLICE_CONTROLLER_NAME, LABEL_TOPOLOGY_ZONE, TriggerTimeTracker,
  hasManagedEndpoints, labelsChanged, podEndpointChanged, reconcileEndpointSlices, selectsPod, type SlicePlan,
} from '../../core/endpoints/index.js';
import { type Controller, type ControllerContext, recorderFor, splitKey } from './context.js';
import type { EventRecorder } from '../kube/events.js';
import type { Informer } from '../kube/informer.js';
import { WorkQueue } from './workqueue.js';
import { EndpointSliceTracker, managedSliceKey } from './endpointslice-tracker.js';

export const ENDPOINTSLICES = 'endpointslices.discovery.k8s.io';
const BY_SERVICE = 'endpointslice-controller/service';
const BY_NODE = 'endpointslice-controller/node';
/** How long to wait for the cache to show this controller's own writes before looking again. */
const STALE_RETRY_MS = 1_000;

export interface EndpointSliceControllerOptions {
  maxEndpointsPerSlice?: number;
  /** Services synced in parallel (each Service is only ever synced by one worker at a time). */
  workers?: number;
}

const managedServiceKey = (slice: KubeObject) => managedSliceKey(slice, ENDPOINTSLICE_CONTROLLER_NAME);

export class EndpointSliceController implements Controller {
  readonly name = 'endpointslice-controller';
  private readonly services: Informer;
  private readonly pods: Informer;
  private readonly slices: Informer;
  private readonly nodes: Informer;
  private readonly queue: WorkQueue;
  private readonly tracker = new EndpointSliceTracker();
  private readonly triggerTimes = new TriggerTimeTracker();
  private readonly recorder: EventRecorder;
  /** Services skipped because the cache lagged behind our writes: any event for their slices retries. */
  private readonly waiting = new Set<string>();
  /** The port warning last recorded per Service, so one misconfiguration is one event, not one per sync. */
  private readonly warned = new Map<string, string>();

  constructor(private readonly ctx: ControllerContext, private readonly opts: EndpointSliceControllerOptions = {}) {
    this.recorder = recorderFor(ctx, this.name);
    this.queue = new WorkQueue(this.name, (key) => this.sync(key), { log: ctx.log, workers: opts.workers ?? 4 });
    this.services = ctx.informers.informer('services');
    this.pods = ctx.informers.informer('pods');
    this.slices = ctx.informers.informer(ENDPOINTSLICES);
    this.nodes = ctx.informers.informer('nodes');
    this.slices.addIndex(BY_SERVICE, (s) => { const k = managedServiceKey(s); return k ? [k] : []; });
    this.pods.addIndex(BY_NODE, (p) => [(p as JsonObject).spec?.nodeName ?? '']);

    const queueService = (s: KubeObject) => this.queue.add(objectKey(s));
    this.services.on({ add: queueService, update: (_o, s) => queueService(s), delete: queueService });
    this.pods.on({
      add: (p) => this.queuePodServices(p),
      update: (old, p) => {
        if (labelsChanged(old, p)) { this.queuePodServices(old); this.queuePodServices(p); }
        else if (podEndpointChanged(old, p)) this.queuePodServices(p);
      },
      delete: (p) => this.queuePodServices(p),
    });
    this.nodes.on({
      // Pods of a node the cache did not know yet were left out; zones come from node labels.
      add: (n) => this.queueNodeServices(n),
      update: (old, n) => {
        const zone = (o: KubeObject) => o.metadata.labels?.[LABEL_TOPOLOGY_ZONE];
        if (zone(old) !== zone(n)) this.queueNodeServices(n);
      },
      delete: (n) => this.queueNodeServices(n),
    });
    this.slices.on({
      add: (s) => this.onSlice(s),
      update: (old, s) => {
        const before = managedServiceKey(old), after = managedServiceKey(s);
        if (before !== after) {
          // Relabelled (or handed to another manager): both Services must look again.
          if (before) this.queue.add(before);
          if (after) this.queue.add(after);
          return;
        }
        this.onSlice(s);
      },
      delete: (s) => {
        const key = managedServiceKey(s);
        if (!key) return;
        if (!this.tracker.deleted(key, s.metadata.name!) || this.waiting.has(key)) this.queue.add(key);
      },
    });
  }

  start(): void { this.queue.start(); }

  async stop(): Promise<void> { await this.queue.stop(); }

  /** Resolves when no sync is queued or running (tests). */
  idle(): Promise<void> { return this.queue.idle(); }

  private onSlice(s: KubeObject): void {
    const key = managedServiceKey(s);
    if (key && (this.tracker.shouldSync(key, s) || this.waiting.has(key))) this.queue.add(key);
  }

  private queuePodServices(pod: KubeObject): void {
    for (const svc of this.services.list(pod.metadata.namespace)) {
      if (selectsPod(svc as JsonObject, pod as JsonObject)) this.queue.add(objectKey(svc));
    }
  }

  private queueNodeServices(node: KubeObject): void {
    for (const pod of this.pods.byIndex(BY_NODE, node.metadata.name!)) this.queuePodServices(pod);
  }

  private async sync(key: string): Promise<void> {
    const [namespace, name] = splitKey(key);
    const service = this.services.get(namespace, name) as JsonObject | undefined;
    if (!service) {
      // The garbage collector deletes the slices through their ownerReference.
      this.triggerTimes.delete(key);
      this.tracker.deleteService(key);
      this.warned.delete(key);
      this.waiting.delete(key);
      return;
    }
    if (!hasManagedEndpoints(service)) return;
    const pods = this.pods.list(namespace).filter((p) => selectsPod(service, p as JsonObject)) as JsonObject[];
    const existing = this.slices.byIndex(BY_SERVICE, key).filter((s) => !s.metadata.deletionTimestamp);
    if (this.tracker.stale(key, existing)) {
      this.waiting.add(key);
      this.queue.addAfter(key, STALE_RETRY_MS);
      return;
    }
    this.waiting.delete(key);
    const triggerTime = this.triggerTimes.compute(key, service, pods);
    const plan = reconcileEndpointSlices({
      service, pods, existing: existing as JsonObject[], triggerTime,
      node: (n) => this.nodes.get(undefined, n) as JsonObject | undefined,
      maxEndpointsPerSlice: this.opts.maxEndpointsPerSlice,
    });
    try {
      await this.write(key, namespace!, plan);
    } catch (e) {
      // A namespace on its way out refuses new objects; its Services go with it.
      if (isApiError(e, 'Forbidden') && /being terminated/.test((e as Error).message)) return;
      if (!isApiError(e, 'Conflict')) {
        this.recorder.event(service as KubeObject, 'Warning', 'FailedToUpdateEndpointSlices',
          `Error updating Endpoint Slices for Service ${key}: ${(e as Error).message}`);
      }
      throw e;
    }
    this.reportUnresolvedPorts(key, service, plan);
  }

  private async write(key: string, namespace: string, plan: SlicePlan): Promise<void> {
    const client = this.ctx.client;
    for (const s of plan.create) this.tracker.written(key, await client.create(ENDPOINTSLICES, s));
    for (const s of plan.update) this.tracker.written(key, await client.update(ENDPOINTSLICES, s));
    for (const s of plan.delete) {
      this.tracker.deleting(key, s.metadata.name!);
      try {
        await client.delete(ENDPOINTSLICES, namespace, s.metadata.name!, { preconditions: { uid: s.metadata.uid } });
      } catch (e) {
        if (!isApiError(e, 'NotFound')) throw e;
      }
    }
  }

  /**
   * A named targetPort that none of the Service's pods defines leaves that port without endpoints (the
   * pods are still listed, in a slice without it). Upstream says nothing; users deserve an event.
   */
  private reportUnresolvedPorts(key: string, service: JsonObject, plan: SlicePlan): void {
    const none = plan.unresolved.filter((u) => plan.endpointPods > 0 && u.pods.length === plan.endpointPods);
    if (none.length === 0) { this.warned.delete(key); return; }
    const message = none.map(({ port }) => {
      const which = port.name ? `service port "${port.name}"` : 'the service port';
      return `no pod selected by this Service has a container port named "${port.targetPort}" with protocol ${port.protocol}, so ` +
        `${which} has no endpoints: name a port "${port.targetPort}" in the pods' containers[].ports, or set targetPort to a number`;
    }).join('; ');
    if (this.warned.get(key) === message) return;
    this.warned.set(key, message);
    this.recorder.event(service as KubeObject, 'Warning', 'TargetPortNotFound', message.charAt(0).toUpperCase() + message.slice(1));
  }
}
