// The CronJob controller (upstream pkg/controller/cronjob, controller v2): at each activation of the
// schedule (robfig semantics, in spec.timeZone or the server's local zone) it creates the Job
// `<cronjob>-<minutes since epoch>` from jobTemplate, unless suspended, too late (startingDeadlineSeconds)
// or held back by concurrencyPolicy (Forbid skips while a Job runs; Replace deletes the running ones).
// It tracks status.active and lastScheduleTime/lastSuccessfulTime and keeps successfulJobsHistoryLimit
// and failedJobsHistoryLimit finished Jobs. The clock is injectable so tests need not wait for minutes.
import { isDeepStrictEqual } from 'node:util';
import { isApiError } from '../../core/api/errors.js';
import { type JsonObject, type KubeObject, objectKey } from '../../core/api/object.js';
import { CronParseError, isKnownTimeZone, mostRecentActivation, nextActivation, parseSchedule } from '../../core/cron/index.js';
import { CRONJOB_SCHEDULED_TIMESTAMP } from '../../core/api/workload-keys.js';
import { type Controller, type ControllerContext, recorderFor } from './context.js';
import type { EventRecorder } from '../kube/events.js';
import type { Informer } from '../kube/informer.js';
import { WorkQueue } from './workqueue.js';
import { controllerRefOf, newControllerRef } from './pod-util.js';
import { hasCondition, isFinished, type Job, timestamp } from './job-util.js';

type CronJob = KubeObject & { spec: JsonObject; status?: JsonObject };

export interface CronJobControllerOptions {
  now?: () => number;
}

/** Upstream nextScheduleTimeDuration adds a little slack so the sync lands after the activation. */
const SLACK_MS = 100;

export class CronJobController implements Controller {
  readonly name = 'cronjob-controller';
  private readonly cronJobs: Informer<CronJob>;
  private readonly jobs: Informer<Job>;
  private readonly queue: WorkQueue;
  private readonly recorder: EventRecorder;
  private readonly now: () => number;

  constructor(private readonly ctx: ControllerContext, opts: CronJobControllerOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.cronJobs = ctx.informers.informer<CronJob>('cronjobs.batch');
    this.jobs = ctx.informers.informer<Job>('jobs.batch');
    this.queue = new WorkQueue(this.name, (k) => this.sync(k), { log: ctx.log });
    this.recorder = recorderFor(ctx, this.name);
    const enqueue = (cj: CronJob) => this.queue.add(objectKey(cj));
    this.cronJobs.on({ add: enqueue, update: (_o, cj) => enqueue(cj), delete: enqueue });
    const jobChanged = (j: KubeObject) => {
      const ref = controllerRefOf(j);
      if (!ref || ref.kind !== 'CronJob') return;
      const cj = this.cronJobs.get(j.metadata.namespace, ref.name);
      if (cj && cj.metadata.uid === ref.uid) enqueue(cj);
    };
    this.jobs.on({ add: jobChanged, update: (_o, j) => jobChanged(j), delete: jobChanged });
  }

  start(): void { this.queue.start(); }
  async stop(): Promise<void> { await this.queue.stop(); }
  idle(): Promise<void> { return this.queue.idle(); }
  /** Queues a CronJob again (tests that move the clock). */
  resync(cj: KubeObject): void { this.queue.add(objectKey(cj)); }

  private async sync(key: string): Promise<void> {
    const cached = this.cronJobs.getByKey(key);
    if (!cached) return;
    const cj = structuredClone(cached);
    const now = this.now();
    const owned = this.jobs.list(cj.metadata.namespace).filter((j) => controllerRefOf(j)?.uid === cj.metadata.uid);
    const status: JsonObject = structuredClone(cj.status ?? {});
    const prior = structuredClone(status);
    this.trackActive(cj, status, owned);
    await this.cleanupFinished(cj, owned);
    const write = async () => { if (!isDeepStrictEqual(status, prior)) await this.writeStatus(cj, status); };
    if (cj.metadata.deletionTimestamp) return write();

    const tz: string | undefined = cj.spec.timeZone ?? undefined;
    if (tz !== undefined && !isKnownTimeZone(tz)) {
      this.recorder.event(cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: ${JSON.stringify(tz)}: unknown time zone ${tz}`);
      return write();
    }
    let schedule;
    try { schedule = parseSchedule(cj.spec.schedule ?? ''); } catch (e) {
      if (!(e instanceof CronParseError)) throw e;
      this.recorder.event(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(cj.spec.schedule)} : ${e.message}`);
      return write();
    }
    const zone = schedule.tz ?? tz;
    const requeueAt = (t: number | undefined) => { if (t !== undefined) this.queue.addAfter(key, Math.max(0, t - now) + SLACK_MS); };
    if (cj.spec.suspend === true) return write();

    // The most recent activation we have not acted on (getNextScheduleTime / mostRecentScheduleTime).
    let earliest = Date.parse(status.lastScheduleTime ?? cj.metadata.creationTimestamp ?? '') || now;
    const sds: number | undefined = typeof cj.spec.startingDeadlineSeconds === 'number' ? cj.spec.startingDeadlineSeconds : undefined;
    if (sds !== undefined && now - sds * 1000 > earliest) earliest = now - sds * 1000;
    const { time: scheduled, missed } = mostRecentActivation(schedule, earliest, now, zone);
    if (missed > 100) {
      this.recorder.event(cj, 'Warning', 'TooManyMissedTimes', `too many missed start times: ${missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew`);
    }
    if (scheduled === undefined) { requeueAt(nextActivation(schedule, now, zone)); return write(); }
    if (sds !== undefined && scheduled + sds * 1000 < now) {
      this.recorder.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${new Date(scheduled).toISOString()}`);
      requeueAt(nextActivation(schedule, now, zone));
      return write();
    }
    const name = `${cj.metadata.name}-${Math.floor(scheduled / 60_000)}`;
    const active: JsonObject[] = status.active ?? [];
    if (active.some((r) => r.name === name) || owned.some((j) => j.metadata.name === name)) {
      requeueAt(nextActivation(schedule, now, zone));
      return write();
    }
    const policy = cj.spec.concurrencyPolicy ?? 'Allow';
    if (policy === 'Forbid' && active.length > 0) {
      this.recorder.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      requeueAt(nextActivation(schedule, now, zone));
      return write();
    }
    if (policy === 'Replace') {
      for (const ref of [...active]) {
        try {
          await this.ctx.client.delete('jobs.batch', ref.namespace ?? cj.metadata.namespace, ref.name, { propagationPolicy: 'Background' });
          this.recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${ref.name}`);
        } catch (e) { if (!isApiError(e, 'NotFound')) throw e; }
        status.active = (status.active ?? []).filter((r: JsonObject) => r.uid !== ref.uid);
      }
    }
    const job = this.jobFor(cj, name, scheduled, zone);
    let created: KubeObject;
    try {
      created = await this.ctx.client.create('jobs.batch', job);
      this.recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${name}`);
    } catch (e) {
      if (!isApiError(e, 'AlreadyExists')) {
        this.recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${(e as Error).message}`);
        throw e;
      }
      created = (await this.ctx.client.get('jobs.batch', cj.metadata.namespace, name))!;
    }
    if (created && controllerRefOf(created)?.uid === cj.metadata.uid && !isFinished(created as Job)) {
      status.active = [...(status.active ?? []).filter((r: JsonObject) => r.uid !== created.metadata.uid), jobRef(created)];
    }
    status.lastScheduleTime = timestamp(scheduled);
    requeueAt(nextActivation(schedule, now, zone));
    await write();
  }

  private jobFor(cj: CronJob, name: string, scheduled: number, tz: string | undefined): KubeObject {
    const t = cj.spec.jobTemplate ?? {};
    const annotations = { ...(t.metadata?.annotations ?? {}), [CRONJOB_SCHEDULED_TIMESTAMP]: rfc3339In(scheduled, tz) };
    return {
      apiVersion: 'batch/v1', kind: 'Job',
      metadata: {
        name, namespace: cj.metadata.namespace, labels: { ...(t.metadata?.labels ?? {}) }, annotations,
        ownerReferences: [newControllerRef(cj)],
      },
      spec: structuredClone(t.spec ?? {}),
    } as KubeObject;
  }

  /** Drops finished or vanished Jobs from status.active (and notes the last success). */
  private trackActive(cj: CronJob, status: JsonObject, owned: Job[]): void {
    const byUid = new Map(owned.map((j) => [j.metadata.uid, j]));
    const active: JsonObject[] = [];
    for (const ref of status.active ?? []) {
      const j = byUid.get(ref.uid);
      if (!j) {
        this.recorder.event(cj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
        continue;
      }
      if (isFinished(j)) {
        const c = (j.status?.conditions ?? []).find((x: JsonObject) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
        this.recorder.event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata.name}, condition: ${c?.type}`);
        if (hasCondition(j, 'Complete') && j.status?.completionTime) {
          if (!status.lastSuccessfulTime || Date.parse(status.lastSuccessfulTime) < Date.parse(j.status.completionTime)) status.lastSuccessfulTime = j.status.completionTime;
        }
        continue;
      }
      active.push(ref);
    }
    if (active.length) status.active = active; else delete status.active;
  }

  /** Keeps the newest successful and failed Jobs up to the history limits (cleanupFinishedJobs). */
  private async cleanupFinished(cj: CronJob, owned: Job[]): Promise<void> {
    const started = (j: Job) => Date.parse(j.status?.startTime ?? j.metadata.creationTimestamp ?? '') || 0;
    const prune = async (jobs: Job[], limit: number | undefined) => {
      if (limit === undefined || limit === null) return;
      const sorted = [...jobs].sort((a, b) => started(a) - started(b));
      for (const j of sorted.slice(0, Math.max(0, sorted.length - limit))) {
        try {
          await this.ctx.client.delete('jobs.batch', j.metadata.namespace, j.metadata.name!, { propagationPolicy: 'Background', preconditions: { uid: j.metadata.uid } });
          this.recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${j.metadata.name}`);
        } catch (e) { if (!isApiError(e, 'NotFound') && !isApiError(e, 'Conflict')) throw e; }
      }
    };
    const live = owned.filter((j) => !j.metadata.deletionTimestamp);
    await prune(live.filter((j) => hasCondition(j, 'Complete')), cj.spec.successfulJobsHistoryLimit);
    await prune(live.filter((j) => hasCondition(j, 'Failed')), cj.spec.failedJobsHistoryLimit);
  }

  private async writeStatus(cj: CronJob, status: JsonObject): Promise<void> {
    const next = structuredClone(cj) as JsonObject;
    next.status = status;
    try {
      await this.ctx.client.update('cronjobs.batch', next as KubeObject, 'status');
    } catch (e) {
      if (isApiError(e, 'NotFound')) return;
      if (isApiError(e, 'Conflict')) { this.queue.add(objectKey(cj)); return; }
      throw e;
    }
  }
}

function jobRef(j: KubeObject): JsonObject {
  return { kind: 'Job', namespace: j.metadata.namespace, name: j.metadata.name, uid: j.metadata.uid, apiVersion: 'batch/v1', resourceVersion: j.metadata.resourceVersion };
}

/** RFC 3339 with the zone's offset, as Go's time.Format(time.RFC3339) of the scheduled time in its location. */
function rfc3339In(t: number, tz: string | undefined): string {
  if (!tz || tz === 'UTC' || tz === 'Etc/UTC') return timestamp(t);
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' }).formatToParts(new Date(t));
  const off = parts.find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-]\d{2}):?(\d{2})?/.exec(off);
  if (!m) return timestamp(t);
  const sign = m[1].startsWith('-') ? -1 : 1;
  const minutes = sign * (Math.abs(Number(m[1])) * 60 + Number(m[2] ?? 0));
  const local = new Date(t + minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, '');
  return `${local}${m[1]}:${m[2] ?? '00'}`;
}
