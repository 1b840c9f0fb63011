// Pure helpers of the Deployment controller (upstream pkg/controller/deployment/util): the
// pod-template-hash, maxSurge/maxUnavailable, revision annotations, conditions and the status that
// `kubectl rollout status` and `kubectl get deploy` read.
import { isDeepStrictEqual } from 'node:util';
import type { JsonObject, KubeObject } from '../../core/api/object.js';

export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
export const POD_TEMPLATE_HASH = 'pod-template-hash';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const ROLLBACK_TO = 'deprecated.deployment.rollback.to';
/** Upstream keeps the revision-history annotation under this many characters. */
const REVISION_HISTORY_LIMIT_CHARS = 2000;

// Condition reasons, as upstream spells them (kubectl and users match on them).
export const REASON = {
  NewRSCreated: 'NewReplicaSetCreated',
  FoundNewRS: 'FoundNewReplicaSet',
  RSUpdated: 'ReplicaSetUpdated',
  NewRSAvailable: 'NewReplicaSetAvailable',
  TimedOut: 'ProgressDeadlineExceeded',
  FailedRSCreate: 'ReplicaSetCreateError',
  Paused: 'DeploymentPaused',
  Resumed: 'DeploymentResumed',
  MinimumAvailable: 'MinimumReplicasAvailable',
  MinimumUnavailable: 'MinimumReplicasUnavailable',
} as const;

export type Deployment = KubeObject & { spec: JsonObject; status?: JsonObject };
export type ReplicaSet = KubeObject & { spec: JsonObject; status?: JsonObject };

// ---- pod-template-hash ---------------------------------------------------------------------------

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().filter((k) => (v as JsonObject)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((v as JsonObject)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

function fnv32a(bytes: Uint8Array, h = 0x811c9dc5): number {
  for (const b of bytes) { h ^= b; h = Math.imul(h, 0x01000193) >>> 0; }
  return h >>> 0;
}

/**
 * The pod-template-hash of a template: FNV-32a over the template (and the collision count, as four
 * little-endian bytes), its decimal digits mapped onto a vowel-free alphabet as upstream's
 * rand.SafeEncodeString does: `7d9c8f5b6`-style names that never spell words.
 */
export function computeHash(template: JsonObject, collisionCount?: number): string {
  let h = fnv32a(new TextEncoder().encode(canonical(template)));
  if (collisionCount !== undefined) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(b, h);
  }
  return [...String(h)].map((c) => SAFE_ALPHABET[c.charCodeAt(0) % SAFE_ALPHABET.length]).join('');
}

function withoutHash(template: JsonObject | undefined): JsonObject {
  const t = structuredClone(template ?? {});
  if (t.metadata?.labels) {
    delete t.metadata.labels[POD_TEMPLATE_HASH];
    if (Object.keys(t.metadata.labels).length === 0) delete t.metadata.labels;
  }
  if (t.metadata && Object.keys(t.metadata).length === 0) delete t.metadata;
  return t;
}

/** Templates equal but for the pod-template-hash label (upstream EqualIgnoreHash). */
export function equalIgnoreHash(a: JsonObject | undefined, b: JsonObject | undefined): boolean {
  return isDeepStrictEqual(withoutHash(a), withoutHash(b));
}

// ---- surge and unavailability --------------------------------------------------------------------

export function scaledValue(v: unknown, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\d+%$/.test(v)) {
    const x = (Number(v.slice(0, -1)) * total) / 100;
    return roundUp ? Math.ceil(x) : Math.floor(x);
  }
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return 0;
}

export function replicasOf(obj: { spec?: JsonObject }): number {
  return obj.spec?.replicas ?? 1;
}

export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/** [maxSurge, maxUnavailable] as absolute numbers; surge rounds up, unavailable down, never both 0. */
export function resolveFenceposts(d: Deployment): [number, number] {
  const ru = d.spec.strategy?.rollingUpdate ?? {};
  const replicas = replicasOf(d);
  const surge = scaledValue(ru.maxSurge ?? '25%', replicas, true);
  let unavailable = scaledValue(ru.maxUnavailable ?? '25%', replicas, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return [surge, unavailable];
}

export function maxSurge(d: Deployment): number {
  return isRollingUpdate(d) ? resolveFenceposts(d)[0] : 0;
}

export function maxUnavailable(d: Deployment): number {
  const replicas = replicasOf(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  return Math.min(resolveFenceposts(d)[1], replicas);
}

// ---- replica set lists ---------------------------------------------------------------------------

export const specReplicas = (rs: ReplicaSet | undefined): number => rs?.spec?.replicas ?? 0;
export const sumSpec = (rss: ReplicaSet[]): number => rss.reduce((n, rs) => n + specReplicas(rs), 0);
export const sumStatus = (rss: ReplicaSet[], field: string): number => rss.reduce((n, rs) => n + (rs.status?.[field] ?? 0), 0);

export function revisionOf(rs: KubeObject): number {
  const v = Number(rs.metadata.annotations?.[REVISION] ?? 0);
  return Number.isFinite(v) ? v : 0;
}

function created(o: KubeObject): number {
  return Date.parse(o.metadata.creationTimestamp ?? '') || 0;
}

/** Oldest first; ties by name (upstream ReplicaSetsByCreationTimestamp). */
export function byCreation(a: KubeObject, b: KubeObject): number {
  return created(a) - created(b) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

/** The ReplicaSet whose template is the deployment's (the oldest such), if any. */
export function findNewReplicaSet(d: Deployment, rss: ReplicaSet[]): ReplicaSet | undefined {
  return [...rss].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec.template));
}

export function activeReplicaSets(rss: Array<ReplicaSet | undefined>): ReplicaSet[] {
  return rss.filter((rs): rs is ReplicaSet => !!rs && specReplicas(rs) > 0);
}

// ---- annotations ---------------------------------------------------------------------------------

const SKIP_COPY = new Set([LAST_APPLIED, REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS, ROLLBACK_TO]);

/**
 * Brings a ReplicaSet's annotations in line with its deployment (upstream SetNewReplicaSetAnnotations):
 * copies the deployment's own annotations (change-cause and the like), raises the revision to
 * newRevision, remembering earlier revisions of a rolled-back-to ReplicaSet in revision-history.
 * Returns true if anything changed.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: number, exists: boolean): boolean {
  const ann = rs.metadata.annotations ??= {};
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (SKIP_COPY.has(k) || ann[k] === v) continue;
    ann[k] = v; changed = true;
  }
  const oldText = ann[REVISION];
  const old = oldText === undefined ? 0 : Number(oldText);
  if (oldText !== undefined && !Number.isFinite(old)) return changed;
  if (old < newRevision) {
    ann[REVISION] = String(newRevision);
    changed = true;
    if (oldText !== undefined) {
      const history = ann[REVISION_HISTORY] ? ann[REVISION_HISTORY].split(',') : [];
      history.push(oldText);
      while (history.join(',').length > REVISION_HISTORY_LIMIT_CHARS) history.shift();
      ann[REVISION_HISTORY] = history.join(',');
    }
  }
  if (!exists && setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d))) changed = true;
  return changed;
}

/** desired-replicas and max-replicas: what proportional scaling compares against. Returns true if changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const ann = rs.metadata.annotations ??= {};
  let changed = false;
  if (ann[DESIRED_REPLICAS] !== String(desired)) { ann[DESIRED_REPLICAS] = String(desired); changed = true; }
  if (ann[MAX_REPLICAS] !== String(max)) { ann[MAX_REPLICAS] = String(max); changed = true; }
  return changed;
}

// ---- conditions ----------------------------------------------------------------------------------

export function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function getCondition(status: JsonObject | undefined, type: string): JsonObject | undefined {
  return (status?.conditions ?? []).find((c: JsonObject) => c.type === type);
}

export function newCondition(type: string, status: string, reason: string, message: string): JsonObject {
  const t = now();
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

/** Upstream SetDeploymentCondition: same status and reason changes nothing; same status keeps the transition time. */
export function setCondition(status: JsonObject, cond: JsonObject): void {
  const cur = getCondition(status, cond.type);
  if (cur && cur.status === cond.status && cur.reason === cond.reason) return;
  if (cur && cur.status === cond.status) cond.lastTransitionTime = cur.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c: JsonObject) => c.type !== cond.type), cond];
}

export function removeCondition(status: JsonObject, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((c: JsonObject) => c.type !== type);
  if (status.conditions.length === 0) delete status.conditions;
}

export function hasProgressDeadline(d: Deployment): boolean {
  const s = d.spec.progressDeadlineSeconds;
  return typeof s === 'number' && s !== 2147483647;
}

// ---- status --------------------------------------------------------------------------------------

/** The status the ReplicaSets add up to, with the Available condition (upstream calculateStatus). */
export function calculateStatus(allRSs: ReplicaSet[], newRS: ReplicaSet | undefined, d: Deployment): JsonObject {
  const available = sumStatus(allRSs, 'availableReplicas');
  const unavailable = Math.max(0, sumSpec(allRSs) - available);
  const status: JsonObject = {
    observedGeneration: d.metadata.generation ?? 1,
    replicas: sumStatus(allRSs, 'replicas'),
    updatedReplicas: newRS ? newRS.status?.replicas ?? 0 : 0,
    readyReplicas: sumStatus(allRSs, 'readyReplicas'),
    availableReplicas: available,
    unavailableReplicas: unavailable,
  };
  if (d.status?.conditions) status.conditions = structuredClone(d.status.conditions);
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (available >= replicasOf(d) - maxUnavailable(d)) {
    setCondition(status, newCondition('Available', 'True', REASON.MinimumAvailable, 'Deployment has minimum availability.'));
  } else {
    setCondition(status, newCondition('Available', 'False', REASON.MinimumUnavailable, 'Deployment does not have minimum availability.'));
  }
  return status;
}

/** Counts as upstream sends them: zero counts are omitted (omitempty). */
export function wireStatus(status: JsonObject): JsonObject {
  const out = { ...status };
  for (const k of ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas']) {
    if (out[k] === 0) delete out[k];
  }
  return out;
}

const num = (s: JsonObject | undefined, k: string): number => s?.[k] ?? 0;

/** Every replica updated, present and available, for the current generation. */
export function deploymentComplete(d: Deployment, status: JsonObject | undefined): boolean {
  const r = replicasOf(d);
  return num(status, 'updatedReplicas') === r && num(status, 'replicas') === r && num(status, 'availableReplicas') === r &&
    num(status, 'observedGeneration') >= (d.metadata.generation ?? 1);
}

/** Some progress since the last status: more updated, fewer old, more ready or more available pods. */
export function deploymentProgressing(d: Deployment, status: JsonObject): boolean {
  const old = d.status ?? {};
  const oldOld = num(old, 'replicas') - num(old, 'updatedReplicas');
  const newOld = num(status, 'replicas') - num(status, 'updatedReplicas');
  return num(status, 'updatedReplicas') > num(old, 'updatedReplicas') || newOld < oldOld ||
    num(status, 'readyReplicas') > num(old, 'readyReplicas') || num(status, 'availableReplicas') > num(old, 'availableReplicas');
}

/** Milliseconds left before the progress deadline passes, or undefined when there is no running deadline. */
export function msUntilDeadline(d: Deployment, status: JsonObject, at = Date.now()): number | undefined {
  if (!hasProgressDeadline(d)) return undefined;
  const c = getCondition(status, 'Progressing');
  if (!c || c.reason === REASON.NewRSAvailable || c.reason === REASON.TimedOut) return undefined;
  const from = Date.parse(c.lastUpdateTime ?? '');
  if (Number.isNaN(from)) return undefined;
  return from + d.spec.progressDeadlineSeconds * 1000 - at;
}

export function deploymentTimedOut(d: Deployment, status: JsonObject): boolean {
  const c = getCondition(status, 'Progressing');
  if (c?.reason === REASON.TimedOut) return true;
  const left = msUntilDeadline(d, status);
  return left !== undefined && left < 0;
}

// ---- proportional scaling ------------------------------------------------------------------------

/** How many replicas rs gains (or loses) when the deployment is resized mid-rollout (upstream GetReplicaSetProportion). */
export function replicaSetProportion(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
  if (specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  if (replicasOf(d) === 0) return -specReplicas(rs);
  const deploymentMax = replicasOf(d) + maxSurge(d);
  let before = Number(rs.metadata.annotations?.[MAX_REPLICAS] ?? NaN);
  if (!Number.isFinite(before) || before === 0) {
    before = num(d.status, 'replicas');
    if (before === 0) return 0;
  }
  const size = (specReplicas(rs) * deploymentMax) / before;
  // Go's math.Round: halves away from zero.
  return Math.sign(size) * Math.round(Math.abs(size)) - specReplicas(rs);
}
