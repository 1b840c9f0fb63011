// The Job controller (upstream pkg/controller/job, 1.32): runs pods until `completions` succeed
// (NonIndexed), or one per index 0..completions-1 (Indexed: JOB_COMPLETION_INDEX, the completion-index
// annotation and label, hostname `<job>-<index>`), at most `parallelism` at a time. Failed pods are
// replaced after upstream's exponential back-off (10s·2^(n-1), at most 10 minutes); past backoffLimit
// (or activeDeadlineSeconds) the Job gets FailureTarget, its pods are stopped, then Failed. Success
// writes SuccessCriteriaMet, then Complete once no pod is terminating, as 1.32 does. Pods carry the
// batch.kubernetes.io/job-tracking finalizer until they are counted (status.uncountedTerminatedPods),
// so a deleted pod is never lost from the counts. suspend stops the pods (Suspended condition);
// ttlSecondsAfterFinished deletes a finished Job (the TTL-after-finished controller's job).
import { isDeepStrictEqual } from 'node:util';
import { isApiError } from '../../core/api/errors.js';
import { type JsonObject, type KubeObject, objectKey } from '../../core/api/object.js';
import { fromLabelSelector } from '../../core/api/labels.js';
import { JOB_COMPLETION_INDEX, JOB_TRACKING_FINALIZER } from '../../core/api/workload-keys.js';
import { type Controller, type ControllerContext, recorderFor } from './context.js';
import type { EventRecorder } from '../kube/events.js';
import { Expectations } from './expectations.js';
import type { Informer } from '../kube/informer.js';
import { WorkQueue } from './workqueue.js';
import { claim } from './controller-ref.js';
import { controllerRefOf, isPodReady, podFromTemplate, podKey } from './pod-util.js';
import {
  completionIndex, finishTime, formatIndexes, hasCondition, isFinished, type Job, MESSAGE, parseIndexes, REASON, remainingBackoff,
  restartCount, setCondition, timestamp, POD_FAILURE_BACKOFF_MS,
} from './job-util.js';

export interface JobControllerOptions {
  /** The clock (tests move it instead of waiting). */
  now?: () => number;
  /** The first failure back-off (upstream 10s). */
  backoffBaseMs?: number;
}

const phaseOf = (p: KubeObject) => (p as JsonObject).status?.phase;
const hasTracking = (p: KubeObject) => (p.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);
/** Its node has finished terminating it (the final delete with grace 0); only finalizers keep it. */
const terminated = (p: KubeObject) => !!p.metadata.deletionTimestamp && p.metadata.deletionGracePeriodSeconds === 0;
const isSucceeded = (p: KubeObject) => phaseOf(p) === 'Succeeded';
/** A pod deleted before it succeeded counts as failed once it has stopped, as upstream. */
const isFailed = (p: KubeObject) => phaseOf(p) === 'Failed' || (terminated(p) && phaseOf(p) !== 'Succeeded');
const isTerminal = (p: KubeObject) => isSucceeded(p) || isFailed(p);
const isActive = (p: KubeObject) => !isTerminal(p) && !p.metadata.deletionTimestamp;

export class JobController implements Controller {
  readonly name = 'job-controller';
  private readonly jobs: Informer<Job>;
  private readonly pods: Informer;
  private readonly queue: WorkQueue;
  private readonly expectations = new Expectations();
  private readonly recorder: EventRecorder;
  private readonly now: () => number;
  private readonly backoffBaseMs: number;
  /** Consecutive failures since the last success, per Job uid (upstream backoffRecordStore). */
  private readonly backoff = new Map<string, { failures: number; last: number }>();

  constructor(private readonly ctx: ControllerContext, opts: JobControllerOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.backoffBaseMs = opts.backoffBaseMs ?? POD_FAILURE_BACKOFF_MS;
    this.jobs = ctx.informers.informer<Job>('jobs.batch');
    this.pods = ctx.informers.informer('pods');
    this.queue = new WorkQueue(this.name, (k) => this.sync(k), { log: ctx.log });
    this.recorder = recorderFor(ctx, this.name);
    this.jobs.on({
      add: (j) => this.queue.add(objectKey(j)),
      update: (_o, j) => this.queue.add(objectKey(j)),
      delete: (j) => { this.expectations.forget(objectKey(j)); this.backoff.delete(j.metadata.uid!); this.queue.add(objectKey(j)); },
    });
    this.pods.on({
      add: (p) => this.podChanged(p, 'add'),
      update: (o, p) => { if (o.metadata.resourceVersion !== p.metadata.resourceVersion) this.podChanged(p, p.metadata.deletionTimestamp && !o.metadata.deletionTimestamp ? 'delete' : 'update'); },
      delete: (p) => this.podChanged(p, 'delete'),
    });
  }

  start(): void { this.queue.start(); }
  async stop(): Promise<void> { await this.queue.stop(); }
  idle(): Promise<void> { return this.queue.idle(); }
  /** Queues a Job again (tests that move the clock). */
  resync(job: KubeObject): void { this.queue.add(objectKey(job)); }

  private podChanged(pod: KubeObject, what: 'add' | 'update' | 'delete'): void {
    const ref = controllerRefOf(pod);
    if (!ref || ref.kind !== 'Job') return;
    const job = this.jobs.get(pod.metadata.namespace, ref.name);
    if (!job || job.metadata.uid !== ref.uid) {
      // Its Job is gone: nothing will count it any more, so let it go (upstream orphan finalizer removal).
      if (hasTracking(pod)) this.queue.add(`orphan:${podKey(pod)}`);
      return;
    }
    const key = objectKey(job);
    if (what === 'add') this.expectations.creationObserved(key);
    if (what === 'delete') this.expectations.deletionObserved(key, podKey(pod));
    this.queue.add(key);
  }

  private async removeTracking(pods: KubeObject[]): Promise<void> {
    await Promise.all(pods.filter(hasTracking).map(async (p) => {
      try {
        await this.ctx.client.patch('pods', p.metadata.namespace, p.metadata.name!, {
          metadata: { '$deleteFromPrimitiveList/finalizers': [JOB_TRACKING_FINALIZER] },
        }, 'strategic');
      } catch (e) {
        if (!isApiError(e, 'NotFound')) throw e;
      }
    }));
  }

  private async sync(key: string): Promise<void> {
    if (key.startsWith('orphan:')) {
      const pod = this.pods.getByKey(key.slice('orphan:'.length));
      if (pod && hasTracking(pod)) {
        const ref = controllerRefOf(pod);
        const job = ref && this.jobs.get(pod.metadata.namespace, ref.name);
        if (!job || job.metadata.uid !== ref!.uid) await this.removeTracking([pod]);
      }
      return;
    }
    const cached = this.jobs.getByKey(key);
    if (!cached) { this.expectations.forget(key); return; }
    const job = structuredClone(cached); // writeStatus moves its resourceVersion along
    const now = this.now();
    const selector = fromLabelSelector(job.spec?.selector);
    const pods = await claim({ client: this.ctx.client, resource: 'pods', owner: job, selector }, this.pods.list(job.metadata.namespace));
    if (job.metadata.deletionTimestamp) { await this.removeTracking(pods); return; }
    if (isFinished(job)) {
      await this.removeTracking(pods.filter((p) => isTerminal(p) || p.metadata.deletionTimestamp));
      await this.expireTTL(job, now);
      return;
    }
    const spec = job.spec;
    const indexed = spec.completionMode === 'Indexed';
    const completions: number | undefined = typeof spec.completions === 'number' ? spec.completions : undefined;
    const parallelism: number = spec.parallelism ?? 1;
    const backoffLimit: number = spec.backoffLimit ?? 6;
    let status: JsonObject = structuredClone(job.status ?? {});
    const prior = structuredClone(status);
    let conditions: JsonObject[] = status.conditions ?? [];

    // 1. Count the pods that finished since the last sync (uncountedTerminatedPods, then the finalizer goes).
    const uncounted = { succeeded: [...(status.uncountedTerminatedPods?.succeeded ?? [])], failed: [...(status.uncountedTerminatedPods?.failed ?? [])] };
    const seen = new Set([...uncounted.succeeded, ...uncounted.failed]);
    const newlySucceeded: KubeObject[] = [], newlyFailed: KubeObject[] = [];
    for (const p of pods) {
      if (!hasTracking(p) || seen.has(p.metadata.uid!)) continue;
      if (isSucceeded(p)) { newlySucceeded.push(p); uncounted.succeeded.push(p.metadata.uid!); }
      else if (isFailed(p)) { newlyFailed.push(p); uncounted.failed.push(p.metadata.uid!); }
    }
    const finishedPods = pods.filter((p) => seen.has(p.metadata.uid!) || newlySucceeded.includes(p) || newlyFailed.includes(p));
    if (newlySucceeded.length || newlyFailed.length) {
      // Record them before the finalizers go, so a crash in between cannot lose or double them.
      await this.writeStatus(job, { ...status, uncountedTerminatedPods: uncounted });
      status = { ...status, uncountedTerminatedPods: uncounted };
    }
    await this.removeTracking(finishedPods);
    let succeeded: number = (status.succeeded ?? 0) + uncounted.succeeded.length;
    const failed: number = (status.failed ?? 0) + uncounted.failed.length;
    const succeededIndexes = parseIndexes(status.completedIndexes, completions ?? 0);
    if (indexed) {
      for (const p of pods) if (uncounted.succeeded.includes(p.metadata.uid!)) { const i = completionIndex(p); if (i !== undefined && i < (completions ?? 0)) succeededIndexes.add(i); }
      succeeded = succeededIndexes.size;
    }
    status.uncountedTerminatedPods = {};
    if (newlyFailed.length) {
      const b = this.backoff.get(job.metadata.uid!) ?? { failures: 0, last: 0 };
      this.backoff.set(job.metadata.uid!, { failures: b.failures + newlyFailed.length, last: Math.max(b.last, ...newlyFailed.map((p) => finishTime(p, now))) });
    } else if (newlySucceeded.length) this.backoff.delete(job.metadata.uid!);

    let active = pods.filter(isActive);
    const terminating = () => pods.filter((p) => p.metadata.deletionTimestamp && !isTerminal(p)).length;

    // 2. Suspension and start time.
    const suspended = spec.suspend === true;
    if (suspended) {
      if (!hasCondition(job, 'Suspended')) {
        conditions = setCondition(conditions, 'Suspended', 'True', REASON.suspended, 'Job suspended', now);
        this.recorder.event(job, 'Normal', 'Suspended', 'Job suspended');
      }
    } else {
      if (hasCondition(job, 'Suspended')) {
        conditions = setCondition(conditions, 'Suspended', 'False', REASON.resumed, 'Job resumed', now);
        status.startTime = timestamp(now); // the deadline counts from the resume
        this.recorder.event(job, 'Normal', 'Resumed', 'Job resumed');
      }
      status.startTime ??= timestamp(now);
    }

    // 3. Has the Job finished, one way or the other?
    let failure: { reason: string; message: string } | undefined;
    const failureTarget = (conditions.find((c) => c.type === 'FailureTarget' && c.status === 'True'));
    if (failureTarget) failure = { reason: failureTarget.reason, message: failureTarget.message };
    else if (newlyFailed.length > 0 && failed > backoffLimit) failure = { reason: REASON.backoffLimitExceeded, message: MESSAGE.backoffLimitExceeded };
    else if (spec.template?.spec?.restartPolicy === 'OnFailure' && pastBackoffOnFailure(active, backoffLimit)) failure = { reason: REASON.backoffLimitExceeded, message: MESSAGE.backoffLimitExceeded };
    else if (!suspended && typeof spec.activeDeadlineSeconds === 'number' && status.startTime) {
      const deadline = Date.parse(status.startTime) + spec.activeDeadlineSeconds * 1000;
      if (now >= deadline) failure = { reason: REASON.deadlineExceeded, message: MESSAGE.deadlineExceeded };
      else this.queue.addAfter(key, deadline - now + 10);
    }
    let complete = false;
    if (!failure) {
      if (indexed) complete = succeeded >= (completions ?? 0);
      else if (completions === undefined) complete = succeeded > 0 && active.length === 0;
      else complete = succeeded >= completions;
    }

    // 4. Start or stop pods.
    if (failure || complete || suspended) {
      if (active.length) await this.deletePods(key, job, active);
      active = [];
    } else if (this.expectations.satisfied(key)) {
      active = await this.manage(key, job, active, succeeded, succeededIndexes, { indexed, completions, parallelism, now });
    }
    if (!failure && !complete && !indexed && completions === undefined && succeeded > 0 && active.length === 0) complete = true;

    // 5. Conditions: the target first, the terminal one once no pod is terminating (1.32).
    if (failure) {
      if (!failureTarget) {
        conditions = setCondition(conditions, 'FailureTarget', 'True', failure.reason, failure.message, now);
        this.recorder.event(job, 'Warning', failure.reason, failure.message);
      }
      if (terminating() === 0) {
        conditions = setCondition(conditions, 'Failed', 'True', failure.reason, failure.message, now);
      }
    } else if (complete) {
      conditions = setCondition(conditions, 'SuccessCriteriaMet', 'True', REASON.completionsReached, MESSAGE.completionsReached, now);
      if (terminating() === 0) {
        conditions = setCondition(conditions, 'Complete', 'True', REASON.completionsReached, MESSAGE.completionsReached, now);
        status.completionTime = timestamp(now);
        this.recorder.event(job, 'Normal', 'Completed', 'Job completed');
      }
    }

    status.active = active.length;
    status.ready = active.filter(isPodReady).length;
    status.terminating = terminating();
    status.succeeded = succeeded;
    status.failed = failed;
    if (indexed) status.completedIndexes = formatIndexes(succeededIndexes);
    if (conditions.length) status.conditions = conditions;
    for (const k of ['active', 'succeeded', 'failed']) if (status[k] === 0) delete status[k];
    if (indexed && status.completedIndexes === '') delete status.completedIndexes;
    if (!isDeepStrictEqual(status, prior)) await this.writeStatus(job, status);
  }

  /** Creates or deletes pods towards the wanted number of active ones; returns the active pods. */
  private async manage(key: string, job: Job, active: KubeObject[], succeeded: number, done: Set<number>,
    o: { indexed: boolean; completions?: number; parallelism: number; now: number }): Promise<KubeObject[]> {
    let want: number;
    if (o.indexed) want = Math.min(o.parallelism, (o.completions ?? 0) - done.size);
    else if (o.completions === undefined) want = succeeded > 0 ? active.length : o.parallelism;
    else want = Math.max(0, Math.min(o.parallelism, o.completions - succeeded));
    // Indexed: one active pod per index, none for done indexes.
    let extra: KubeObject[] = [];
    if (o.indexed) {
      const byIndex = new Map<number, KubeObject[]>();
      for (const p of active) {
        const i = completionIndex(p);
        if (i === undefined || i >= (o.completions ?? 0) || done.has(i)) { extra.push(p); continue; }
        const l = byIndex.get(i) ?? []; l.push(p); byIndex.set(i, l);
      }
      for (const l of byIndex.values()) extra.push(...l.slice(1));
    }
    let keep = active.filter((p) => !extra.includes(p));
    if (keep.length > want) {
      // Not-ready and newest first, as upstream's ActivePods ordering.
      const sorted = [...keep].sort((a, b) => Number(isPodReady(a)) - Number(isPodReady(b)) ||
        (Date.parse(b.metadata.creationTimestamp ?? '') || 0) - (Date.parse(a.metadata.creationTimestamp ?? '') || 0));
      extra = [...extra, ...sorted.slice(0, keep.length - want)];
      keep = keep.filter((p) => !extra.includes(p));
    }
    if (extra.length) await this.deletePods(key, job, extra);
    let toCreate = want - keep.length;
    if (toCreate <= 0) return keep;
    const b = this.backoff.get(job.metadata.uid!);
    const wait = b ? remainingBackoff(b.failures, b.last, o.now, this.backoffBaseMs) : 0;
    if (wait > 0) { this.queue.addAfter(key, wait + 10); return keep; }
    const indexes: Array<number | undefined> = [];
    if (o.indexed) {
      const busy = new Set(keep.map(completionIndex));
      for (let i = 0; i < (o.completions ?? 0) && indexes.length < toCreate; i++) if (!done.has(i) && !busy.has(i)) indexes.push(i);
      toCreate = indexes.length;
    } else for (let i = 0; i < toCreate; i++) indexes.push(undefined);
    await this.createPods(key, job, indexes);
    return keep;
  }

  private newPod(job: Job, index: number | undefined): KubeObject {
    const pod = podFromTemplate(job, job.spec.template) as JsonObject;
    pod.metadata.finalizers = [...(pod.metadata.finalizers ?? []), JOB_TRACKING_FINALIZER];
    if (index !== undefined) {
      pod.metadata.generateName = `${job.metadata.name}-${index}-`;
      pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), [JOB_COMPLETION_INDEX]: String(index) };
      pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [JOB_COMPLETION_INDEX]: String(index) };
      if (!pod.spec.hostname) pod.spec.hostname = `${job.metadata.name}-${index}`;
      const env = { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${JOB_COMPLETION_INDEX}']` } } };
      for (const c of [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])]) {
        if (!(c.env ?? []).some((e: JsonObject) => e.name === 'JOB_COMPLETION_INDEX')) c.env = [...(c.env ?? []), env];
      }
    }
    return pod as KubeObject;
  }

  private async createPods(key: string, job: Job, indexes: Array<number | undefined>): Promise<void> {
    this.expectations.expectCreations(key, indexes.length);
    let i = 0, batch = 1, failed: Error | undefined;
    while (i < indexes.length && !failed) {
      const part = indexes.slice(i, i + batch);
      i += part.length;
      const results = await Promise.allSettled(part.map((x) => this.ctx.client.create('pods', this.newPod(job, x))));
      for (const r of results) {
        if (r.status === 'fulfilled') this.recorder.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${r.value.metadata.name}`);
        else { failed ??= r.reason as Error; this.expectations.creationObserved(key); }
      }
      batch *= 2;
    }
    for (; i < indexes.length; i++) this.expectations.creationObserved(key);
    if (failed && !(isApiError(failed, 'Forbidden') && /being terminated/.test(failed.message))) {
      this.recorder.event(job, 'Warning', 'FailedCreate', `Error creating: ${failed.message}`);
      throw failed;
    }
  }

  private async deletePods(key: string, job: Job, pods: KubeObject[]): Promise<void> {
    this.expectations.expectDeletions(key, pods.map(podKey));
    await Promise.all(pods.map(async (p) => {
      try {
        await this.ctx.client.delete('pods', p.metadata.namespace, p.metadata.name!, { preconditions: { uid: p.metadata.uid } });
        this.recorder.event(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
      } catch (e) {
        this.expectations.deletionObserved(key, podKey(p));
        if (!isApiError(e, 'NotFound')) throw e;
      }
    }));
  }

  /** ttlSecondsAfterFinished: delete the Job (and, in the foreground, its pods) once it has expired. */
  private async expireTTL(job: Job, now: number): Promise<void> {
    const ttl = job.spec?.ttlSecondsAfterFinished;
    if (typeof ttl !== 'number') return;
    const done = (job.status?.conditions ?? []).find((c: JsonObject) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
    const finishedAt = Date.parse(job.status?.completionTime ?? done?.lastTransitionTime ?? '');
    if (Number.isNaN(finishedAt)) return;
    const expireAt = finishedAt + ttl * 1000;
    if (now < expireAt) { this.queue.addAfter(objectKey(job), expireAt - now + 10); return; }
    try {
      await this.ctx.client.delete('jobs.batch', job.metadata.namespace, job.metadata.name!, { propagationPolicy: 'Foreground', preconditions: { uid: job.metadata.uid } });
    } catch (e) {
      if (!isApiError(e, 'NotFound')) throw e;
    }
  }

  private async writeStatus(job: Job, status: JsonObject): Promise<void> {
    const next = structuredClone(job) as JsonObject;
    next.status = status;
    try {
      const written = await this.ctx.client.update('jobs.batch', next as KubeObject, 'status');
      // Later writes of the same sync build on this one.
      job.metadata.resourceVersion = written.metadata.resourceVersion;
    } catch (e) {
      if (isApiError(e, 'NotFound')) return;
      throw e;
    }
  }
}

/** OnFailure: container restarts of active pods count against backoffLimit (pastBackoffLimitOnFailure). */
function pastBackoffOnFailure(active: KubeObject[], backoffLimit: number): boolean {
  const restarts = active.filter((p) => phaseOf(p) === 'Running' || phaseOf(p) === 'Pending').reduce((n, p) => n + restartCount(p), 0);
  return backoffLimit === 0 ? restarts > 0 : restarts >= backoffLimit;
}
