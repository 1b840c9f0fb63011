// Pure helpers of the Job controller (upstream pkg/controller/job): conditions as 1.32 writes them,
// completed-index intervals ("0-2,5"), the failure back-off, and the counts the sync decides from.
import type { JsonObject, KubeObject } from '../../core/api/object.js';
import { JOB_COMPLETION_INDEX } from '../../core/api/workload-keys.js';

export type Job = KubeObject & { spec: JsonObject; status?: JsonObject };

export const REASON = {
  completionsReached: 'CompletionsReached',
  backoffLimitExceeded: 'BackoffLimitExceeded',
  deadlineExceeded: 'DeadlineExceeded',
  suspended: 'JobSuspended',
  resumed: 'JobResumed',
} as const;

export const MESSAGE = {
  completionsReached: 'Reached expected number of succeeded pods',
  backoffLimitExceeded: 'Job has reached the specified backoff limit',
  deadlineExceeded: 'Job was active longer than specified deadline',
} as const;

/** Upstream DefaultJobPodFailureBackOff and MaxJobPodFailureBackOff. */
export const POD_FAILURE_BACKOFF_MS = 10_000;
export const MAX_POD_FAILURE_BACKOFF_MS = 10 * 60_000;

export function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function hasCondition(job: Job, type: string): boolean {
  return (job.status?.conditions ?? []).some((c: JsonObject) => c.type === type && c.status === 'True');
}

/** Finished: Complete or Failed is True. */
export function isFinished(job: Job): boolean {
  return hasCondition(job, 'Complete') || hasCondition(job, 'Failed');
}

/** Sets (or updates in place) a condition; lastTransitionTime moves only when the status flips. */
export function setCondition(conditions: JsonObject[], type: string, status: 'True' | 'False', reason: string, message: string, now: number): JsonObject[] {
  const t = timestamp(now);
  const i = conditions.findIndex((c) => c.type === type);
  if (i < 0) return [...conditions, { type, status, lastProbeTime: t, lastTransitionTime: t, reason, message }];
  const c = conditions[i];
  if (c.status === status && c.reason === reason && c.message === message) return conditions;
  const next = [...conditions];
  next[i] = { ...c, status, reason, message, lastProbeTime: t, lastTransitionTime: c.status === status ? c.lastTransitionTime : t };
  return next;
}

export function completionIndex(pod: KubeObject): number | undefined {
  const v = pod.metadata.annotations?.[JOB_COMPLETION_INDEX] ?? pod.metadata.labels?.[JOB_COMPLETION_INDEX];
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  return Number(v);
}

/** "0-2,5,7-8" from a set of indexes (status.completedIndexes). */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** The indexes in a completedIndexes string. */
export function parseIndexes(s: string | undefined, limit: number): Set<number> {
  const out = new Set<number>();
  for (const part of (s ?? '').split(',').filter(Boolean)) {
    const [a, b] = part.split('-').map(Number);
    for (let i = a; i <= (b ?? a) && i < limit; i++) out.add(i);
  }
  return out;
}

/**
 * How long to wait before the next pod after `failures` consecutive failures, the last at `lastFailure`
 * (upstream backoffRecord: 10s·2^(n-1), at most 10 minutes).
 */
export function remainingBackoff(failures: number, lastFailure: number, now: number, baseMs = POD_FAILURE_BACKOFF_MS): number {
  if (failures <= 0) return 0;
  const backoff = Math.min(baseMs * 2 ** (failures - 1), MAX_POD_FAILURE_BACKOFF_MS);
  return Math.max(0, lastFailure + backoff - now);
}

/** Container restarts of a pod (OnFailure Jobs count them against backoffLimit). */
export function restartCount(pod: KubeObject): number {
  const st = (pod as JsonObject).status ?? {};
  return [...(st.initContainerStatuses ?? []), ...(st.containerStatuses ?? [])].reduce((n: number, c: JsonObject) => n + (c.restartCount ?? 0), 0);
}

/** When a terminal pod finished (its containers' finishedAt, else now). */
export function finishTime(pod: KubeObject, now: number): number {
  const times = ((pod as JsonObject).status?.containerStatuses ?? [])
    .map((c: JsonObject) => Date.parse(c.state?.terminated?.finishedAt ?? '')).filter((t: number) => !Number.isNaN(t));
  return times.length ? Math.max(...times) : now;
}
