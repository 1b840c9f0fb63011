// The EndpointSlice mirroring controller (kube-controller-manager's endpointslicemirroring-controller):
// keeps EndpointSlices in step with the hand-written Endpoints of Services without a selector, so the
// proxies, which read only slices, send traffic to them. It follows Endpoints adds, updates and deletes,
// Service changes (a Service that gains a selector, or goes, loses its mirrored slices) and edits or
// deletes of the mirrored slices themselves. The planning is pure (core/endpoints/mirroring.ts); like the
// EndpointSlice controller, it waits until the cache shows its own last writes before planning again.
import { isApiError } from '../../core/api/errors.js';
import { type JsonObject, type KubeObject, objectKey } from '../../core/api/object.js';
import {
  MIRRORING_CONTROLLER_NAME, type MirrorPlan, hasManagedEndpoints, planMirroredSlices,
  shouldMirror,
} from '../../core/endpoints/index.js';
import { type Controller, type ControllerContext, recorderFor, splitKey } from './context.js';
import { EndpointSliceTracker, managedSliceKey } from './endpointslice-tracker.js';
import type { EventRecorder } from '../kube/events.js';
import type { Informer } from '../kube/informer.js';
import { WorkQueue } from './workqueue.js';

const ENDPOINTSLICES = 'endpointslices.discovery.k8s.io';
const BY_ENDPOINTS = 'endpointslicemirroring-controller/endpoints';
const STALE_RETRY_MS = 50;

/** `namespace/name` of the Endpoints a mirrored slice belongs to; undefined for other slices. */
const mirroredKey = (s: KubeObject) => managedSliceKey(s, MIRRORING_CONTROLLER_NAME);

export class EndpointSliceMirroringController implements Controller {
  readonly name = 'endpointslicemirroring-controller';
  private readonly endpoints: Informer;
  private readonly services: Informer;
  private readonly slices: Informer;
  private readonly queue: WorkQueue;
  private readonly tracker = new EndpointSliceTracker();
  private readonly recorder: EventRecorder;

  constructor(private readonly ctx: ControllerContext) {
    this.recorder = recorderFor(ctx, this.name);
    this.queue = new WorkQueue(this.name, (key) => this.sync(key), { log: ctx.log, workers: 2 });
    this.endpoints = ctx.informers.informer('endpoints');
    this.services = ctx.informers.informer('services');
    this.slices = ctx.informers.informer(ENDPOINTSLICES);
    this.slices.addIndex(BY_ENDPOINTS, (s) => { const k = mirroredKey(s); return k ? [k] : []; });
    const queue = (o: KubeObject) => this.queue.add(objectKey(o));
    this.endpoints.on({ add: queue, update: (_o, e) => queue(e), delete: queue });
    // The Endpoints of a Service share its name: a Service that appears, gains or loses a selector, or
    // goes changes whether they are mirrored.
    this.services.on({ add: queue, update: (_o, s) => queue(s), delete: queue });
    this.slices.on({
      add: (s) => this.onSlice(s),
      update: (_o, s) => this.onSlice(s),
      delete: (s) => {
        const key = mirroredKey(s);
        if (key && !this.tracker.deleted(key, s.metadata.name!)) this.queue.add(key);
      },
    });
  }

  start(): void { this.queue.start(); }

  async stop(): Promise<void> { await this.queue.stop(); }

  idle(): Promise<void> { return this.queue.idle(); }

  private onSlice(s: KubeObject): void {
    const key = mirroredKey(s);
    if (key && this.tracker.shouldSync(key, s)) this.queue.add(key);
  }

  private async sync(key: string): Promise<void> {
    const [namespace, name] = splitKey(key);
    const endpoints = this.endpoints.get(namespace, name) as JsonObject | undefined;
    const service = this.services.get(namespace, name) as JsonObject | undefined;
    const existing = this.slices.byIndex(BY_ENDPOINTS, key).filter((s) => !s.metadata.deletionTimestamp);
    // Mirrored only while the Endpoints exist and may be mirrored, and their Service exists without a
    // selector; otherwise the mirrored slices go.
    const mirror = endpoints && service && shouldMirror(endpoints) && !hasManagedEndpoints(service) && !endpoints.metadata.deletionTimestamp
      ? endpoints : undefined;
    if (!mirror && existing.length === 0) { this.tracker.deleteService(key); return; }
    if (this.tracker.stale(key, existing)) { this.queue.addAfter(key, STALE_RETRY_MS); return; }
    const plan = planMirroredSlices(mirror, existing as JsonObject[]);
    try {
      await this.write(key, namespace!, plan);
    } catch (e) {
      if (isApiError(e, 'Forbidden') && /being terminated/.test((e as Error).message)) return;
      if (!isApiError(e, 'Conflict') && mirror) {
        this.recorder.event(mirror as KubeObject, 'Warning', 'FailedToUpdateEndpointSlices',
          `Error updating Endpoint Slices for Endpoints ${key}: ${(e as Error).message}`);
      }
      throw e;
    }
  }

  private async write(key: string, namespace: string, plan: MirrorPlan): Promise<void> {
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
}
