// The ReplicaSet controller (upstream pkg/controller/replicaset): keeps spec.replicas active pods per
// ReplicaSet, creating them from the template (generateName `<rs>-`, controller ownerReference) in
// slow-start batches and deleting the best candidates on scale-down, and reports status.replicas,
// fullyLabeledReplicas, readyReplicas, availableReplicas (after minReadySeconds) and observedGeneration.
// Events: SuccessfulCreate, SuccessfulDelete, FailedCreate, FailedDelete, as `kubectl describe rs` shows.
import { isDeepStrictEqual } from 'node:util';
import { isApiError } from '../../core/api/errors.js';
import { type JsonObject, type KubeObject, objectKey } from '../../core/api/object.js';
import { fromLabelSelector, matches } from '../../core/api/labels.js';
import { type Controller, type ControllerContext, recorderFor } from './context.js';
import type { EventRecorder } from '../kube/events.js';
import { Expectations } from './expectations.js';
import type { Informer } from '../kube/informer.js';
import { WorkQueue } from './workqueue.js';
import { claim } from './controller-ref.js';
import {
  compareForDeletion, controllerRefOf, isPodActive, isPodAvailable, isPodReady, msUntilAvailable, podFromTemplate, podKey,
} from './pod-util.js';

/** Upstream's BurstReplicas: at most this many creations or deletions per sync. */
const BURST_REPLICAS = 500;

type RS = KubeObject & { spec: JsonObject; status?: JsonObject };

export class ReplicaSetController implements Controller {
  readonly name = 'replicaset-controller';
  private readonly rsInformer: Informer<RS>;
  private readonly pods: Informer;
  private readonly queue: WorkQueue;
  private readonly expectations = new Expectations();
  private readonly recorder: EventRecorder;

  constructor(private readonly ctx: ControllerContext) {
    this.rsInformer = ctx.informers.informer<RS>('replicasets.apps');
    this.pods = ctx.informers.informer('pods');
    this.queue = new WorkQueue(this.name, (k) => this.sync(k), { log: ctx.log });
    this.recorder = recorderFor(ctx, this.name);
    this.rsInformer.on({
      add: (rs) => this.queue.add(objectKey(rs)),
      update: (_old, rs) => this.queue.add(objectKey(rs)),
      delete: (rs) => { this.expectations.forget(objectKey(rs)); this.queue.add(objectKey(rs)); },
    });
    this.pods.on({
      add: (p) => this.podAdded(p),
      update: (o, p) => this.podUpdated(o, p),
      delete: (p) => this.podDeleted(p),
    });
  }

  start(): void { this.queue.start(); }

  async stop(): Promise<void> { await this.queue.stop(); }

  /** Waits until queued syncs are done (tests). */
  idle(): Promise<void> { return this.queue.idle(); }

  // ---- event handlers: find the ReplicaSet(s) a pod change matters to --------------------------

  private ownerKey(pod: KubeObject): string | undefined {
    const ref = controllerRefOf(pod);
    if (!ref || ref.kind !== 'ReplicaSet') return undefined;
    const rs = this.rsInformer.get(pod.metadata.namespace, ref.name);
    return rs && rs.metadata.uid === ref.uid ? objectKey(rs) : undefined;
  }

  /** ReplicaSets whose selector matches an orphan pod: they may adopt it. */
  private matchingSets(pod: KubeObject): string[] {
    return this.rsInformer.list(pod.metadata.namespace)
      .filter((rs) => { const s = fromLabelSelector(rs.spec?.selector); return !!s && s.length > 0 && matches(s, pod.metadata.labels); })
      .map(objectKey);
  }

  private podAdded(pod: KubeObject): void {
    if (pod.metadata.deletionTimestamp) { this.podDeleted(pod); return; }
    const owner = this.ownerKey(pod);
    if (owner) { this.expectations.creationObserved(owner); this.queue.add(owner); return; }
    if (!controllerRefOf(pod)) for (const k of this.matchingSets(pod)) this.queue.add(k);
  }

  private podUpdated(old: KubeObject, pod: KubeObject): void {
    if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
    if (pod.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) {
      // A graceful deletion has begun: for counting, the pod is gone now.
      this.podDeleted(pod);
      return;
    }
    const oldOwner = this.ownerKey(old), owner = this.ownerKey(pod);
    if (oldOwner && oldOwner !== owner) this.queue.add(oldOwner);
    if (owner) {
      this.queue.add(owner);
      const rs = this.rsInformer.getByKey(owner);
      const minReady = rs?.spec?.minReadySeconds ?? 0;
      // Check again when the newly ready pod becomes available.
      if (minReady > 0 && !isPodReady(old) && isPodReady(pod)) this.queue.addAfter(owner, minReady * 1000 + 100);
      return;
    }
    if (!controllerRefOf(pod)) for (const k of this.matchingSets(pod)) this.queue.add(k);
  }

  private podDeleted(pod: KubeObject): void {
    const owner = this.ownerKey(pod);
    if (!owner) return;
    this.expectations.deletionObserved(owner, podKey(pod));
    this.queue.add(owner);
  }

  // ---- sync ------------------------------------------------------------------------------------

  private async sync(key: string): Promise<void> {
    const rs = this.rsInformer.getByKey(key);
    if (!rs) { this.expectations.forget(key); return; }
    const needsSync = this.expectations.satisfied(key);
    const selector = fromLabelSelector(rs.spec?.selector);
    const candidates = this.pods.list(rs.metadata.namespace).filter(isPodActive);
    const pods = await claim({ client: this.ctx.client, resource: 'pods', owner: rs, selector }, candidates);
    let manageError: { reason: string; message: string } | undefined;
    const deleted = new Set<string>();
    if (needsSync && !rs.metadata.deletionTimestamp) {
      manageError = await this.manageReplicas(key, rs, pods, deleted);
    }
    // The status leaves out the pods this sync just deleted: counting them as available (as the cache
    // still does) lets the Deployment controller scale old ReplicaSets below maxUnavailable.
    await this.updateStatus(key, rs, pods.filter((p) => !deleted.has(podKey(p))), manageError);
  }

  private async manageReplicas(key: string, rs: RS, pods: KubeObject[], deleted: Set<string>): Promise<{ reason: string; message: string } | undefined> {
    const want = rs.spec?.replicas ?? 1;
    const diff = pods.length - want;
    if (diff < 0) return this.createPods(key, rs, Math.min(-diff, BURST_REPLICAS));
    if (diff > 0) return this.deletePods(key, rs, pods, Math.min(diff, BURST_REPLICAS), deleted);
    return undefined;
  }

  /** Creates n pods in batches of 1, 2, 4, ... stopping at the first failing batch (upstream slowStartBatch). */
  private async createPods(key: string, rs: RS, n: number): Promise<{ reason: string; message: string } | undefined> {
    this.expectations.expectCreations(key, n);
    let created = 0, failed = 0, batch = 1, error: Error | undefined;
    while (created + failed < n && !error) {
      const size = Math.min(batch, n - created - failed);
      const results = await Promise.allSettled(Array.from({ length: size }, () =>
        this.ctx.client.create('pods', podFromTemplate(rs, rs.spec.template))));
      for (const r of results) {
        if (r.status === 'fulfilled') {
          created++;
          this.recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${r.value.metadata.name}`);
        } else {
          failed++;
          error ??= r.reason as Error;
        }
      }
      batch *= 2;
    }
    // Failed creations, and those of batches never tried, will not be observed.
    for (let i = created; i < n; i++) this.expectations.creationObserved(key);
    if (!error) return undefined;
    // A terminating namespace refuses new pods; that is expected and not worth an event.
    if (isApiError(error, 'Forbidden') && /being terminated/.test(error.message)) return undefined;
    const message = `Error creating: ${error.message}`;
    this.recorder.event(rs, 'Warning', 'FailedCreate', message);
    return { reason: 'FailedCreate', message: error.message };
  }

  private async deletePods(key: string, rs: RS, pods: KubeObject[], n: number, deleted: Set<string>): Promise<{ reason: string; message: string } | undefined> {
    // Pods of the same workload doubled up on a node are deleted first (spreads what remains).
    const perNode = new Map<string, number>();
    for (const p of pods) { const node = (p as JsonObject).spec?.nodeName; if (node) perNode.set(node, (perNode.get(node) ?? 0) + 1); }
    const rank = (p: KubeObject) => perNode.get((p as JsonObject).spec?.nodeName ?? '') ?? 0;
    const victims = [...pods].sort(compareForDeletion(rank)).slice(0, n);
    this.expectations.expectDeletions(key, victims.map(podKey));
    let error: Error | undefined;
    await Promise.all(victims.map(async (p) => {
      try {
        await this.ctx.client.delete('pods', p.metadata.namespace, p.metadata.name!, { preconditions: { uid: p.metadata.uid } });
        deleted.add(podKey(p));
        this.recorder.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
      } catch (e) {
        this.expectations.deletionObserved(key, podKey(p));
        if (isApiError(e, 'NotFound')) { deleted.add(podKey(p)); return; }
        error ??= e as Error;
        this.recorder.event(rs, 'Warning', 'FailedDelete', `Error deleting: ${(e as Error).message}`);
      }
    }));
    return error ? { reason: 'FailedDelete', message: (error as Error).message } : undefined;
  }

  private async updateStatus(key: string, rs: RS, pods: KubeObject[], manageError?: { reason: string; message: string }): Promise<void> {
    const minReady = rs.spec?.minReadySeconds ?? 0;
    const templateLabels: Record<string, string> = rs.spec?.template?.metadata?.labels ?? {};
    const now = Date.now();
    const status: JsonObject = { ...(rs.status ?? {}) };
    status.replicas = pods.length;
    status.fullyLabeledReplicas = pods.filter((p) =>
      Object.entries(templateLabels).every(([k, v]) => p.metadata.labels?.[k] === v)).length;
    status.readyReplicas = pods.filter(isPodReady).length;
    status.availableReplicas = pods.filter((p) => isPodAvailable(p, minReady, now)).length;
    status.observedGeneration = rs.metadata.generation ?? 1;
    let conditions: JsonObject[] = (status.conditions ?? []).filter((c: JsonObject) => c.type !== 'ReplicaFailure');
    const prior = (status.conditions ?? []).find((c: JsonObject) => c.type === 'ReplicaFailure');
    if (manageError) {
      conditions.push(prior && prior.reason === manageError.reason && prior.message === manageError.message ? prior : {
        type: 'ReplicaFailure', status: 'True', lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        reason: manageError.reason, message: manageError.message,
      });
    }
    if (conditions.length) status.conditions = conditions; else delete status.conditions;
    for (const k of ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas']) {
      // Upstream omits zero counts (omitempty), except replicas.
      if (k !== 'replicas' && status[k] === 0) delete status[k];
    }
    // Pods that are ready but not yet available: look again when they will be.
    const waits = pods.map((p) => msUntilAvailable(p, minReady, now)).filter((x): x is number => x !== undefined);
    if (waits.length) this.queue.addAfter(key, Math.min(...waits) + 50);
    if (isDeepStrictEqual(status, rs.status ?? {})) return;
    const next = structuredClone(rs) as JsonObject;
    next.status = status;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.ctx.client.update('replicasets.apps', next as KubeObject, 'status');
        return;
      } catch (e) {
        if (isApiError(e, 'NotFound')) return;
        // Our cache is behind our own last write (busy watch): the status we computed is still right,
        // write it over the current object once (upstream updateReplicaSetStatus does the same).
        if (!isApiError(e, 'Conflict') || attempt > 0) throw e;
        const fresh = await this.ctx.client.get('replicasets.apps', rs.metadata.namespace, rs.metadata.name!);
        if (!fresh || fresh.metadata.uid !== rs.metadata.uid) return;
        next.metadata.resourceVersion = fresh.metadata.resourceVersion;
      }
    }
  }
}

