// The Endpoints controller (kube-controller-manager's endpoint-controller): the v1 Endpoints object named
// after each Service with a selector — what `kubectl get endpoints` and `kubectl describe svc` show, and
// what older consumers still read. Ready pods are `addresses`, not-ready ones `notReadyAddresses`
// (terminating pods only with publishNotReadyAddresses, which also makes them all ready); more than
// 1000 addresses are truncated with `endpoints.kubernetes.io/over-capacity: truncated`. The object is
// deleted when its Service goes; Endpoints of selector-less Services (the `kubernetes` Service's, users'
// own) are left alone. At start, Endpoints without a Service (left over while the controller was down)
// are deleted, as upstream's checkLeftoverEndpoints does.
import { isDeepStrictEqual } from 'node:util';
import { isApiError } from '../../core/api/errors.js';
import { type JsonObject, type KubeObject, objectKey } from '../../core/api/object.js';
import {
  ANNOTATION_LAST_CHANGE_TRIGGER_TIME, ANNOTATION_OVER_CAPACITY, LABEL_HEADLESS, TriggerTimeTracker, desiredSubsets,
  hasManagedEndpoints, isServiceIPSet, labelsChanged, podEndpointChanged, selectsPod, truncateSubsets,
} from '../../core/endpoints/index.js';
import { type Controller, type ControllerContext, recorderFor, splitKey } from './context.js';
import type { EventRecorder } from '../kube/events.js';
import type { Informer } from '../kube/informer.js';
import { WorkQueue } from './workqueue.js';

/** Endpoints that leader election (not a Service) owns carry this; they are never cleaned up. */
const LEADER_ANNOTATION = 'control-plane.alpha.kubernetes.io/leader';
const STALE_RETRY_MS = 50;

function isNewer(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return BigInt(a) > BigInt(b);
  return a !== b;
}

export class EndpointsController implements Controller {
  readonly name = 'endpoint-controller';
  private readonly services: Informer;
  private readonly pods: Informer;
  private readonly endpoints: Informer;
  private readonly queue: WorkQueue;
  private readonly triggerTimes = new TriggerTimeTracker();
  private readonly recorder: EventRecorder;
  /** resourceVersion each Endpoints had before our last update: seeing it again means the cache lags. */
  private readonly staleVersions = new Map<string, string>();

  constructor(private readonly ctx: ControllerContext, opts: { workers?: number } = {}) {
    this.recorder = recorderFor(ctx, this.name);
    this.queue = new WorkQueue(this.name, (key) => this.sync(key), { log: ctx.log, workers: opts.workers ?? 4 });
    this.services = ctx.informers.informer('services');
    this.pods = ctx.informers.informer('pods');
    this.endpoints = ctx.informers.informer('endpoints');
    const queue = (o: KubeObject) => this.queue.add(objectKey(o));
    this.services.on({ add: queue, update: (_o, s) => queue(s), delete: queue });
    this.pods.on({
      add: (p) => this.queuePodServices(p),
      update: (old, p) => {
        if (labelsChanged(old, p)) { this.queuePodServices(old); this.queuePodServices(p); }
        else if (podEndpointChanged(old, p)) this.queuePodServices(p);
      },
      delete: (p) => this.queuePodServices(p),
    });
    // Someone deleted an Endpoints we keep: put it back. (Edits are corrected at the next change, as upstream.)
    this.endpoints.on({ delete: queue });
  }

  start(): void {
    for (const ep of this.endpoints.list()) {
      if (ep.metadata.annotations?.[LEADER_ANNOTATION] !== undefined) continue;
      this.queue.add(objectKey(ep));
    }
    this.queue.start();
  }

  async stop(): Promise<void> { await this.queue.stop(); }

  idle(): Promise<void> { return this.queue.idle(); }

  private queuePodServices(pod: KubeObject): void {
    for (const svc of this.services.list(pod.metadata.namespace)) {
      if (selectsPod(svc as JsonObject, pod as JsonObject)) this.queue.add(objectKey(svc));
    }
  }

  private async sync(key: string): Promise<void> {
    const [namespace, name] = splitKey(key);
    const service = this.services.get(namespace, name) as JsonObject | undefined;
    if (!service) {
      this.triggerTimes.delete(key);
      this.staleVersions.delete(key);
      try {
        await this.ctx.client.delete('endpoints', namespace, name);
      } catch (e) {
        if (!isApiError(e, 'NotFound')) throw e;
      }
      return;
    }
    if (!hasManagedEndpoints(service)) return;
    const current = this.endpoints.get(namespace, name) as JsonObject | undefined;
    const stale = this.staleVersions.get(key);
    if (current && stale !== undefined) {
      // Our last update has not reached the cache yet: look again shortly rather than write over it.
      if (!isNewer(current.metadata.resourceVersion, stale)) { this.queue.addAfter(key, STALE_RETRY_MS); return; }
      this.staleVersions.delete(key);
    }
    const pods = this.pods.list(namespace).filter((p) => selectsPod(service, p as JsonObject)) as JsonObject[];
    const triggerTime = this.triggerTimes.compute(key, service, pods);
    const { subsets, truncated } = truncateSubsets(desiredSubsets(service, pods));

    const labels: Record<string, string> = { ...(service.metadata.labels ?? {}) };
    if (isServiceIPSet(service)) delete labels[LABEL_HEADLESS]; else labels[LABEL_HEADLESS] = '';
    const overCapacity = current?.metadata.annotations?.[ANNOTATION_OVER_CAPACITY] !== undefined;
    if (current && isDeepStrictEqual(current.subsets ?? [], subsets) && isDeepStrictEqual(current.metadata.labels ?? {}, labels) &&
      overCapacity === truncated) return;

    const next: JsonObject = current ? structuredClone(current) : {
      apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace },
    };
    next.subsets = subsets;
    next.metadata.labels = labels;
    const annotations: Record<string, string> = { ...(next.metadata.annotations ?? {}) };
    if (triggerTime) annotations[ANNOTATION_LAST_CHANGE_TRIGGER_TIME] = triggerTime;
    else delete annotations[ANNOTATION_LAST_CHANGE_TRIGGER_TIME];
    if (truncated) annotations[ANNOTATION_OVER_CAPACITY] = 'truncated';
    else delete annotations[ANNOTATION_OVER_CAPACITY];
    if (Object.keys(annotations).length) next.metadata.annotations = annotations; else delete next.metadata.annotations;
    if (Object.keys(labels).length === 0) delete next.metadata.labels;

    try {
      if (!current) {
        await this.ctx.client.create('endpoints', next as KubeObject);
      } else {
        const updated = await this.ctx.client.update('endpoints', next as KubeObject);
        if (updated.metadata.resourceVersion !== current.metadata.resourceVersion) this.staleVersions.set(key, current.metadata.resourceVersion);
      }
    } catch (e) {
      if (!current && isApiError(e, 'Forbidden') && /being terminated/.test((e as Error).message)) return;
      if (!isApiError(e, 'Conflict') && !isApiError(e, 'AlreadyExists')) {
        const [reason, message] = current
          ? ['FailedToUpdateEndpoint', `Failed to update endpoint ${key}: ${(e as Error).message}`]
          : ['FailedToCreateEndpoint', `Failed to create endpoint for service ${key}: ${(e as Error).message}`];
        this.recorder.event(next as KubeObject, 'Warning', reason, message);
      }
      throw e;
    }
  }
}
