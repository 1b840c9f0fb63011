// The Deployment controller (upstream pkg/controller/deployment): one ReplicaSet per pod template,
// named `<deployment>-<pod-template-hash>`, carrying the revision annotation; RollingUpdate within
// maxSurge/maxUnavailable, Recreate (old pods gone before new ones start), proportional scaling when
// the deployment is resized mid-rollout, pause, revisionHistoryLimit, and the status and conditions
// `kubectl rollout status` waits on. Events: ScalingReplicaSet, as `kubectl describe deploy` shows.
import { isDeepStrictEqual } from 'node:util';
import { isApiError } from '../../core/api/errors.js';
import { type JsonObject, type KubeObject, objectKey } from '../../core/api/object.js';
import { fromLabelSelector, matches } from '../../core/api/labels.js';
import { type Controller, type ControllerContext, recorderFor } from './context.js';
import type { EventRecorder } from '../kube/events.js';
import type { Informer } from '../kube/informer.js';
import { WorkQueue } from './workqueue.js';
import { claim } from './controller-ref.js';
import { controllerRefOf, isPodTerminal, newControllerRef } from './pod-util.js';
import {
  type Deployment, type ReplicaSet, DESIRED_REPLICAS, POD_TEMPLATE_HASH, REASON, REVISION,
  activeReplicaSets, byCreation, calculateStatus, computeHash, deploymentComplete, deploymentProgressing,
  deploymentTimedOut, equalIgnoreHash, findNewReplicaSet, getCondition, hasProgressDeadline, isRollingUpdate,
  maxSurge, maxUnavailable, msUntilDeadline, newCondition, removeCondition, replicaSetProportion, replicasOf,
  revisionOf, setCondition, setNewReplicaSetAnnotations, setReplicasAnnotations, specReplicas, sumSpec, sumStatus,
  wireStatus,
} from './deployment-util.js';

export class DeploymentController implements Controller {
  readonly name = 'deployment-controller';
  private readonly deployments: Informer<Deployment>;
  private readonly replicaSets: Informer<ReplicaSet>;
  private readonly pods: Informer;
  private readonly queue: WorkQueue;
  private readonly recorder: EventRecorder;

  constructor(private readonly ctx: ControllerContext) {
    this.deployments = ctx.informers.informer<Deployment>('deployments.apps');
    this.replicaSets = ctx.informers.informer<ReplicaSet>('replicasets.apps');
    this.pods = ctx.informers.informer('pods');
    this.queue = new WorkQueue(this.name, (k) => this.sync(k), { log: ctx.log });
    this.recorder = recorderFor(ctx, this.name);
    this.deployments.on({
      add: (d) => this.queue.add(objectKey(d)),
      update: (_o, d) => this.queue.add(objectKey(d)),
      delete: (d) => this.queue.add(objectKey(d)),
    });
    this.replicaSets.on({
      add: (rs) => this.enqueueFor(rs),
      update: (o, rs) => { if (o.metadata.resourceVersion !== rs.metadata.resourceVersion) { this.enqueueFor(o); this.enqueueFor(rs); } },
      delete: (rs) => this.enqueueFor(rs),
    });
    // Recreate waits for the old pods to be gone, so it must hear about their deletion.
    this.pods.on({ delete: (p) => this.podDeleted(p) });
  }

  start(): void { this.queue.start(); }

  async stop(): Promise<void> { await this.queue.stop(); }

  idle(): Promise<void> { return this.queue.idle(); }

  private ownerOf(rs: KubeObject): Deployment | undefined {
    const ref = controllerRefOf(rs);
    if (!ref || ref.kind !== 'Deployment') return undefined;
    const d = this.deployments.get(rs.metadata.namespace, ref.name);
    return d && d.metadata.uid === ref.uid ? d : undefined;
  }

  private enqueueFor(rs: KubeObject): void {
    const d = this.ownerOf(rs);
    if (d) { this.queue.add(objectKey(d)); return; }
    if (controllerRefOf(rs)) return;
    // An orphan: any deployment selecting it may adopt it.
    for (const dep of this.deployments.list(rs.metadata.namespace)) {
      const sel = fromLabelSelector(dep.spec?.selector);
      if (sel && sel.length && matches(sel, rs.metadata.labels)) this.queue.add(objectKey(dep));
    }
  }

  private podDeleted(pod: KubeObject): void {
    const ref = controllerRefOf(pod);
    if (!ref || ref.kind !== 'ReplicaSet') return;
    const rs = this.replicaSets.get(pod.metadata.namespace, ref.name);
    const d = rs && this.ownerOf(rs);
    if (d && !isRollingUpdate(d)) this.queue.add(objectKey(d));
  }

  // ---- sync ------------------------------------------------------------------------------------

  private async sync(key: string): Promise<void> {
    try {
      await this.syncDeployment(key);
    } catch (e) {
      // Deleted while we worked from the cache: nothing to do (the informer will tell us).
      if (isApiError(e, 'NotFound')) {
        const d = this.deployments.getByKey(key);
        if (!d || !(await this.ctx.client.get('deployments.apps', d.metadata.namespace, d.metadata.name!))) return;
      }
      throw e;
    }
  }

  private async syncDeployment(key: string): Promise<void> {
    const cached = this.deployments.getByKey(key);
    if (!cached) return;
    let d = structuredClone(cached);
    const selector = fromLabelSelector(d.spec.selector);
    const rsList = await claim({ client: this.ctx.client, resource: 'replicasets.apps', owner: d, selector },
      this.replicaSets.list(d.metadata.namespace)) as ReplicaSet[];

    if (d.metadata.deletionTimestamp) {
      const { newRS, oldRSs } = await this.getAllReplicaSets(d, rsList, false);
      await this.syncStatus(d, [...oldRSs, ...(newRS ? [newRS] : [])], newRS);
      return;
    }
    d = await this.checkPausedConditions(d);
    if (d.spec.paused) { await this.syncScale(d, rsList); return; }
    if (await this.isScalingEvent(d, rsList)) { await this.syncScale(d, rsList); return; }
    if (isRollingUpdate(d)) await this.rolloutRolling(d, rsList);
    else await this.rolloutRecreate(d, rsList);
  }

  /** Writes the deployment's annotations (main resource) and status (status subresource) where they changed. */
  private async writeDeployment(d: Deployment, original: Deployment): Promise<Deployment> {
    let cur = d;
    if (!isDeepStrictEqual(d.metadata.annotations ?? {}, original.metadata.annotations ?? {})) {
      const upd = structuredClone(original);
      upd.metadata.annotations = d.metadata.annotations;
      cur = { ...(await this.ctx.client.update('deployments.apps', upd)) as Deployment, status: d.status };
    }
    if (!isDeepStrictEqual(wireStatus(d.status ?? {}), original.status ?? {})) {
      const next = { ...cur, status: wireStatus(d.status ?? {}) } as KubeObject;
      try {
        cur = await this.ctx.client.update('deployments.apps', next, 'status') as Deployment;
      } catch (e) {
        if (!isApiError(e, 'Conflict')) throw e;
        // Usually our cache is just behind our own last status write. If the spec (generation) is
        // unchanged the status computed from the ReplicaSets still holds: write it over the current one.
        const fresh = await this.ctx.client.get('deployments.apps', d.metadata.namespace, d.metadata.name!);
        if (!fresh || fresh.metadata.uid !== d.metadata.uid || fresh.metadata.generation !== original.metadata.generation ||
          !isDeepStrictEqual(fresh.metadata.annotations ?? {}, cur.metadata.annotations ?? {})) throw e;
        next.metadata = { ...next.metadata, resourceVersion: fresh.metadata.resourceVersion };
        cur = await this.ctx.client.update('deployments.apps', next, 'status') as Deployment;
      }
    }
    return cur;
  }

  private async checkPausedConditions(d: Deployment): Promise<Deployment> {
    if (!hasProgressDeadline(d)) return d;
    const cond = getCondition(d.status, 'Progressing');
    if (cond?.reason === REASON.TimedOut) return d;
    const pausedCond = cond?.reason === REASON.Paused;
    const next = structuredClone(d);
    next.status ??= {};
    if (d.spec.paused && !pausedCond) setCondition(next.status!, newCondition('Progressing', 'Unknown', REASON.Paused, 'Deployment is paused'));
    else if (!d.spec.paused && pausedCond) setCondition(next.status!, newCondition('Progressing', 'Unknown', REASON.Resumed, 'Deployment is resumed'));
    else return d;
    return this.writeDeployment(next, d);
  }

  /**
   * The new ReplicaSet (template equal to the deployment's; created when asked and missing) and the
   * old ones, with the revision annotations of both the new ReplicaSet and the deployment brought up to date.
   */
  private async getAllReplicaSets(d: Deployment, rsList: ReplicaSet[], create: boolean): Promise<{ newRS?: ReplicaSet; oldRSs: ReplicaSet[] }> {
    const existing = findNewReplicaSet(d, rsList);
    const oldRSs = rsList.filter((rs) => rs !== existing);
    const newRevision = Math.max(0, ...oldRSs.map(revisionOf)) + 1;
    if (existing) {
      const rs = structuredClone(existing);
      const annotationsChanged = setNewReplicaSetAnnotations(d, rs, newRevision, true);
      const minReadyChanged = (rs.spec.minReadySeconds ?? 0) !== (d.spec.minReadySeconds ?? 0);
      if (annotationsChanged || minReadyChanged) {
        rs.spec.minReadySeconds = d.spec.minReadySeconds ?? 0;
        return { newRS: await this.ctx.client.update('replicasets.apps', rs) as ReplicaSet, oldRSs };
      }
      const next = structuredClone(d);
      next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [REVISION]: rs.metadata.annotations?.[REVISION] ?? String(newRevision) };
      next.status ??= {};
      if (hasProgressDeadline(d) && !getCondition(d.status, 'Progressing')) {
        setCondition(next.status!, newCondition('Progressing', 'True', REASON.FoundNewRS, `Found new replica set "${rs.metadata.name}"`));
      }
      Object.assign(d, await this.writeDeployment(next, d));
      return { newRS: rs, oldRSs };
    }
    if (!create) return { oldRSs };
    return { newRS: await this.createNewReplicaSet(d, oldRSs, newRevision), oldRSs };
  }

  private async createNewReplicaSet(d: Deployment, oldRSs: ReplicaSet[], newRevision: number): Promise<ReplicaSet> {
    const collisionCount: number | undefined = d.status?.collisionCount;
    const hash = computeHash(d.spec.template, collisionCount);
    const template = structuredClone(d.spec.template ?? {});
    template.metadata ??= {};
    template.metadata.labels = { ...(template.metadata.labels ?? {}), [POD_TEMPLATE_HASH]: hash };
    const selector = structuredClone(d.spec.selector ?? {});
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH]: hash };
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1', kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name}-${hash}`, namespace: d.metadata.namespace,
        labels: { ...template.metadata.labels }, ownerReferences: [newControllerRef(d)],
      },
      spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
    };
    rs.spec.replicas = this.newRSReplicas(d, [...oldRSs, rs], rs);
    setNewReplicaSetAnnotations(d, rs, newRevision, false);
    let created: ReplicaSet;
    let alreadyExisted = false;
    try {
      created = await this.ctx.client.create('replicasets.apps', rs) as ReplicaSet;
    } catch (e) {
      if (isApiError(e, 'AlreadyExists')) {
        const found = await this.ctx.client.get('replicasets.apps', d.metadata.namespace, rs.metadata.name!) as ReplicaSet | undefined;
        if (found && controllerRefOf(found)?.uid === d.metadata.uid && equalIgnoreHash(found.spec?.template, d.spec.template)) {
          created = found;
          alreadyExisted = true;
        } else {
          // A hash collision: a different template already has this name. A new collisionCount gives a new hash.
          const next = structuredClone(d);
          next.status = { ...(next.status ?? {}), collisionCount: (collisionCount ?? 0) + 1 };
          await this.writeDeployment(next, d);
          throw e;
        }
      } else if (isApiError(e, 'Forbidden') && /being terminated/.test((e as Error).message)) {
        throw e;
      } else {
        const msg = `Failed to create new replica set "${rs.metadata.name}": ${(e as Error).message}`;
        if (hasProgressDeadline(d)) {
          const next = structuredClone(d);
          next.status ??= {};
          setCondition(next.status!, newCondition('Progressing', 'False', REASON.FailedRSCreate, msg));
          await this.writeDeployment(next, d).catch(() => undefined);
        }
        this.recorder.event(d, 'Warning', REASON.FailedRSCreate, msg);
        throw e;
      }
    }
    if (!alreadyExisted && specReplicas(created) > 0) {
      this.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} to ${specReplicas(created)}`);
    }
    const next = structuredClone(d);
    next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [REVISION]: String(newRevision) };
    next.status ??= {};
    if (!alreadyExisted && hasProgressDeadline(d)) {
      setCondition(next.status!, newCondition('Progressing', 'True', REASON.NewRSCreated, `Created new replica set "${created.metadata.name}"`));
    }
    Object.assign(d, await this.writeDeployment(next, d));
    return created;
  }

  /** How big the new ReplicaSet may be now (upstream NewRSNewReplicas). */
  private newRSReplicas(d: Deployment, allRSs: ReplicaSet[], newRS: ReplicaSet): number {
    if (!isRollingUpdate(d)) return replicasOf(d);
    const current = sumSpec(allRSs);
    const maxTotal = replicasOf(d) + maxSurge(d);
    if (current >= maxTotal) return specReplicas(newRS);
    const up = Math.min(maxTotal - current, replicasOf(d) - specReplicas(newRS));
    return specReplicas(newRS) + Math.max(0, up);
  }

  // ---- scaling ---------------------------------------------------------------------------------

  private async scaleReplicaSet(rs: ReplicaSet, size: number, d: Deployment, operation: string): Promise<{ scaled: boolean; rs: ReplicaSet }> {
    const next = structuredClone(rs);
    const annotationsChanged = setReplicasAnnotations(next, replicasOf(d), replicasOf(d) + maxSurge(d));
    const sizeChanged = specReplicas(rs) !== size;
    if (!sizeChanged && !annotationsChanged) return { scaled: false, rs };
    next.spec.replicas = size;
    const updated = await this.ctx.client.update('replicasets.apps', next) as ReplicaSet;
    if (sizeChanged) {
      this.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${operation} replica set ${rs.metadata.name} to ${size} from ${specReplicas(rs)}`);
    }
    return { scaled: sizeChanged, rs: updated };
  }

  private async scaleAndRecord(rs: ReplicaSet, size: number, d: Deployment): Promise<{ scaled: boolean; rs: ReplicaSet }> {
    if (specReplicas(rs) === size) return { scaled: false, rs };
    return this.scaleReplicaSet(rs, size, d, specReplicas(rs) < size ? 'up' : 'down');
  }

  /** A resize that is not a rollout: some active ReplicaSet was sized for a different spec.replicas. */
  private async isScalingEvent(d: Deployment, rsList: ReplicaSet[]): Promise<boolean> {
    const { newRS, oldRSs } = await this.getAllReplicaSets(d, rsList, false);
    for (const rs of activeReplicaSets([...oldRSs, newRS])) {
      const desired = rs.metadata.annotations?.[DESIRED_REPLICAS];
      if (desired !== undefined && Number(desired) !== replicasOf(d)) return true;
    }
    return false;
  }

  /** Scaling (and paused deployments): resize without rolling out (upstream sync). */
  private async syncScale(d: Deployment, rsList: ReplicaSet[]): Promise<void> {
    const { newRS, oldRSs } = await this.getAllReplicaSets(d, rsList, false);
    await this.scale(d, newRS, oldRSs);
    if (d.spec.paused) await this.cleanup(d, oldRSs);
    // Status from the ReplicaSets as they are now (the scale above wrote some of them).
    const fresh = (rs: ReplicaSet) => this.replicaSets.get(rs.metadata.namespace, rs.metadata.name!) ?? rs;
    await this.syncStatus(d, [...oldRSs, ...(newRS ? [newRS] : [])].map(fresh), newRS && fresh(newRS));
  }

  private async scale(d: Deployment, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
    const replicas = replicasOf(d);
    const sortedOld = [...oldRSs].sort(byCreation).reverse();
    const active = activeReplicaSets([...sortedOld, newRS]);
    if (active.length <= 1) {
      const target = active[0] ?? newRS ?? sortedOld[0];
      if (target && specReplicas(target) !== replicas) await this.scaleAndRecord(target, replicas, d);
      return;
    }
    const saturated = newRS && specReplicas(newRS) === replicas &&
      newRS.metadata.annotations?.[DESIRED_REPLICAS] === String(replicas) && (newRS.status?.availableReplicas ?? 0) === replicas;
    if (saturated) {
      for (const old of activeReplicaSets(oldRSs)) await this.scaleAndRecord(old, 0, d);
      return;
    }
    if (!isRollingUpdate(d)) return;
    // Spread the difference over the active ReplicaSets in proportion to their size.
    const allowed = replicas > 0 ? replicas + maxSurge(d) : 0;
    const toAdd = allowed - sumSpec(active);
    const created = (rs: ReplicaSet) => Date.parse(rs.metadata.creationTimestamp ?? '') || 0;
    const ordered = [...active].sort((a, b) => specReplicas(b) - specReplicas(a) || (toAdd > 0 ? created(b) - created(a) : created(a) - created(b)));
    const operation = toAdd > 0 ? 'up' : 'down';
    const sizes = new Map<ReplicaSet, number>();
    let added = 0;
    for (const rs of ordered) {
      const p = toAdd !== 0 ? replicaSetProportion(rs, d, toAdd, added) : 0;
      sizes.set(rs, specReplicas(rs) + p);
      added += p;
    }
    for (let i = 0; i < ordered.length; i++) {
      const rs = ordered[i];
      let size = sizes.get(rs)!;
      if (i === 0 && toAdd !== 0) size = Math.max(0, size + toAdd - added);
      await this.scaleReplicaSet(rs, size, d, operation);
    }
  }

  // ---- rollouts --------------------------------------------------------------------------------

  private async rolloutRolling(d: Deployment, rsList: ReplicaSet[]): Promise<void> {
    const { newRS, oldRSs } = await this.getAllReplicaSets(d, rsList, true);
    const all = () => [...oldRSs, ...(newRS ? [newRS] : [])];
    if (!newRS) return;
    // Scale the new ReplicaSet up within maxSurge (or down if it is too big).
    const want = replicasOf(d);
    if (specReplicas(newRS) !== want) {
      const size = specReplicas(newRS) > want ? want : this.newRSReplicas(d, all(), newRS);
      const r = await this.scaleAndRecord(newRS, size, d);
      if (r.scaled) { await this.syncRolloutStatus(d, [...oldRSs, r.rs], r.rs); return; }
    }
    // Scale old ReplicaSets down within maxUnavailable.
    const scaledDown = await this.reconcileOldReplicaSets(d, oldRSs, newRS);
    if (scaledDown) { await this.syncRolloutStatus(d, all(), newRS); return; }
    if (deploymentComplete(d, d.status)) await this.cleanup(d, oldRSs);
    await this.syncRolloutStatus(d, all(), newRS);
  }

  /** Upstream reconcileOldReplicaSets: unhealthy old pods go first, then healthy ones while enough stay available. */
  private async reconcileOldReplicaSets(d: Deployment, oldRSs: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
    const active = activeReplicaSets(oldRSs);
    if (sumSpec(active) === 0) return false;
    const allCount = sumSpec([...oldRSs, newRS]);
    const minAvailable = replicasOf(d) - maxUnavailable(d);
    const newUnavailable = specReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
    const maxScaledDown = allCount - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;
    let total = 0;
    const sorted = [...active].sort(byCreation);
    for (let i = 0; i < sorted.length && total < maxScaledDown; i++) {
      const rs = sorted[i];
      const unhealthy = specReplicas(rs) - (rs.status?.availableReplicas ?? 0);
      if (specReplicas(rs) === 0 || unhealthy <= 0) continue;
      const n = Math.min(maxScaledDown - total, unhealthy);
      sorted[i] = (await this.scaleAndRecord(rs, specReplicas(rs) - n, d)).rs;
      total += n;
    }
    const available = sumStatus([...sorted, newRS], 'availableReplicas');
    if (available > minAvailable) {
      const budget = available - minAvailable;
      let done = 0;
      for (const rs of sorted) {
        if (done >= budget) break;
        if (specReplicas(rs) === 0) continue;
        const n = Math.min(specReplicas(rs), budget - done);
        await this.scaleAndRecord(rs, specReplicas(rs) - n, d);
        done += n;
      }
      total += done;
    }
    return total > 0;
  }

  private async rolloutRecreate(d: Deployment, rsList: ReplicaSet[]): Promise<void> {
    let { newRS, oldRSs } = await this.getAllReplicaSets(d, rsList, false);
    let scaledDown = false;
    for (const rs of activeReplicaSets(oldRSs)) {
      if ((await this.scaleAndRecord(rs, 0, d)).scaled) scaledDown = true;
    }
    const all = () => [...oldRSs, ...(newRS ? [newRS] : [])];
    if (scaledDown || this.oldPodsRunning(newRS, oldRSs, d)) { await this.syncRolloutStatus(d, all(), newRS); return; }
    if (!newRS) ({ newRS, oldRSs } = await this.getAllReplicaSets(d, rsList, true));
    if (newRS && specReplicas(newRS) !== replicasOf(d)) newRS = (await this.scaleAndRecord(newRS, replicasOf(d), d)).rs;
    if (deploymentComplete(d, d.status)) await this.cleanup(d, oldRSs);
    await this.syncRolloutStatus(d, all(), newRS);
  }

  /** Any pod of an old ReplicaSet still there and not finished (terminating ones included). */
  private oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[], d: Deployment): boolean {
    if (sumStatus(oldRSs, 'replicas') > 0) return true;
    const oldUids = new Set(oldRSs.map((rs) => rs.metadata.uid));
    return this.pods.list(d.metadata.namespace).some((p) => {
      const ref = controllerRefOf(p);
      return !!ref && oldUids.has(ref.uid) && ref.uid !== newRS?.metadata.uid && !isPodTerminal(p);
    });
  }

  /** Deletes the oldest scaled-down ReplicaSets beyond revisionHistoryLimit. */
  private async cleanup(d: Deployment, oldRSs: ReplicaSet[]): Promise<void> {
    const limit = d.spec.revisionHistoryLimit;
    if (typeof limit !== 'number') return;
    const alive = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
    const excess = alive.length - limit;
    if (excess <= 0) return;
    const byRevision = [...alive].sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
    for (const rs of byRevision.slice(0, excess)) {
      if ((rs.status?.replicas ?? 0) !== 0 || specReplicas(rs) !== 0 || (rs.metadata.generation ?? 1) > (rs.status?.observedGeneration ?? 0)) continue;
      try {
        await this.ctx.client.delete('replicasets.apps', rs.metadata.namespace, rs.metadata.name!, { preconditions: { uid: rs.metadata.uid } });
      } catch (e) {
        if (!isApiError(e, 'NotFound')) throw e;
      }
    }
  }

  // ---- status ----------------------------------------------------------------------------------

  private async syncStatus(d: Deployment, allRSs: ReplicaSet[], newRS: ReplicaSet | undefined): Promise<void> {
    const status = calculateStatus(allRSs, newRS, d);
    await this.writeDeployment({ ...d, status }, d);
  }

  /** Status plus the Progressing condition (upstream syncRolloutStatus). */
  private async syncRolloutStatus(d: Deployment, allRSs: ReplicaSet[], newRS: ReplicaSet | undefined): Promise<void> {
    const status = calculateStatus(allRSs, newRS, d);
    if (!hasProgressDeadline(d)) removeCondition(status, 'Progressing');
    const current = getCondition(d.status, 'Progressing');
    const complete = status.replicas === status.updatedReplicas && current?.reason === REASON.NewRSAvailable;
    const rsName = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
    if (hasProgressDeadline(d) && !complete) {
      if (deploymentComplete(d, status)) {
        setCondition(status, newCondition('Progressing', 'True', REASON.NewRSAvailable, `${rsName} has successfully progressed.`));
      } else if (deploymentProgressing(d, status)) {
        const cond = newCondition('Progressing', 'True', REASON.RSUpdated, `${rsName} is progressing.`);
        // Progress moves lastUpdateTime (the deadline restarts) but not lastTransitionTime.
        if (current?.status === 'True') cond.lastTransitionTime = current.lastTransitionTime;
        removeCondition(status, 'Progressing');
        setCondition(status, cond);
      } else if (deploymentTimedOut(d, status)) {
        setCondition(status, newCondition('Progressing', 'False', REASON.TimedOut, `${rsName} has timed out progressing.`));
      }
    }
    const failure = allRSs.map((rs) => getCondition(rs.status, 'ReplicaFailure')).find((c) => c?.status === 'True');
    if (failure) setCondition(status, newCondition('ReplicaFailure', failure.status, failure.reason, failure.message));
    else removeCondition(status, 'ReplicaFailure');
    const left = msUntilDeadline(d, status);
    if (left !== undefined) this.queue.addAfter(objectKey(d), Math.max(0, left) + 100);
    await this.writeDeployment({ ...d, status }, d);
  }
}
