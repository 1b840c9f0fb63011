// The StatefulSet controller (upstream pkg/controller/statefulset): pods with stable identities
// `<set>-<ordinal>` (hostname = pod name, subdomain = serviceName, so the headless Service publishes
// `<set>-<n>.<service>.<ns>.svc.cluster.local`), labelled statefulset.kubernetes.io/pod-name and
// apps.kubernetes.io/pod-index. OrderedReady creates them one by one in ordinal order, each once the
// previous is Running and Ready, and removes them from the highest ordinal down; Parallel does both at
// once. RollingUpdate replaces pods from the highest ordinal down to the partition, one at a time, each
// after the one above is healthy; OnDelete replaces a pod only when the user deletes it. Revisions live
// in ControllerRevisions (history.ts); status as upstream (replicas, readyReplicas, availableReplicas,
// currentReplicas, updatedReplicas, currentRevision, updateRevision, observedGeneration, collisionCount).
import { isDeepStrictEqual } from 'node:util';
import { isApiError } from '../../core/api/errors.js';
import { type JsonObject, type KubeObject, objectKey } from '../../core/api/object.js';
import { fromLabelSelector, matches, type Selector } from '../../core/api/labels.js';
import { CONTROLLER_REVISION_HASH, POD_INDEX, STATEFULSET_POD_NAME } from '../../core/api/workload-keys.js';
import { type Controller, type ControllerContext, recorderFor } from './context.js';
import type { EventRecorder } from '../kube/events.js';
import type { Informer } from '../kube/informer.js';
import { WorkQueue } from './workqueue.js';
import { claim } from './controller-ref.js';
import {
  bumpRevision, createRevision, hashRevision, type Revision, ownedRevisions, revisionData, revisionMatches, revisionNumber,
  sortRevisions, truncateHistory,
} from './history.js';
import { controllerRefOf, isPodAvailable, isPodReady, msUntilAvailable, newControllerRef } from './pod-util.js';

type STS = KubeObject & { spec: JsonObject; status?: JsonObject };

/** `<parent>-<ordinal>` (upstream statefulPodRegex). */
const ORDINAL = /^(.*)-([0-9]+)$/;

export function podOrdinal(pod: KubeObject): { parent: string; ordinal: number } | undefined {
  const m = ORDINAL.exec(pod.metadata.name ?? '');
  return m ? { parent: m[1], ordinal: Number(m[2]) } : undefined;
}

const isCreated = (p: KubeObject) => !!(p as JsonObject).status?.phase;
const isTerminating = (p: KubeObject) => !!p.metadata.deletionTimestamp;
const isFailed = (p: KubeObject) => (p as JsonObject).status?.phase === 'Failed';
const isSucceeded = (p: KubeObject) => (p as JsonObject).status?.phase === 'Succeeded';
const isRunningAndReady = (p: KubeObject) => (p as JsonObject).status?.phase === 'Running' && isPodReady(p);
const podRevision = (p: KubeObject) => p.metadata.labels?.[CONTROLLER_REVISION_HASH] ?? '';

/** The template a revision holds (its data without the `$patch` directive). */
function revisionTemplate(r: Revision): JsonObject {
  const t = structuredClone(r.data?.spec?.template ?? {});
  delete t.$patch;
  return t;
}

export class StatefulSetController implements Controller {
  readonly name = 'statefulset-controller';
  private readonly sets: Informer<STS>;
  private readonly pods: Informer;
  private readonly revisions: Informer<Revision>;
  private readonly queue: WorkQueue;
  private readonly recorder: EventRecorder;

  constructor(private readonly ctx: ControllerContext) {
    this.sets = ctx.informers.informer<STS>('statefulsets.apps');
    this.pods = ctx.informers.informer('pods');
    this.revisions = ctx.informers.informer<Revision>('controllerrevisions.apps');
    this.queue = new WorkQueue(this.name, (k) => this.sync(k), { log: ctx.log });
    this.recorder = recorderFor(ctx, this.name);
    const enqueue = (s: STS) => this.queue.add(objectKey(s));
    this.sets.on({ add: enqueue, update: (_o, s) => enqueue(s), delete: enqueue });
    const podChanged = (p: KubeObject, old?: KubeObject) => {
      const owner = this.ownerOf(p);
      if (owner) {
        this.queue.add(objectKey(owner));
        const minReady = owner.spec?.minReadySeconds ?? 0;
        if (minReady > 0 && old && !isPodReady(old) && isPodReady(p)) this.queue.addAfter(objectKey(owner), minReady * 1000 + 100);
        return;
      }
      if (controllerRefOf(p)) return;
      for (const s of this.sets.list(p.metadata.namespace)) {
        const sel = fromLabelSelector(s.spec?.selector);
        if (sel && sel.length && matches(sel, p.metadata.labels)) enqueue(s);
      }
    };
    this.pods.on({ add: (p) => podChanged(p), update: (o, p) => { if (o.metadata.resourceVersion !== p.metadata.resourceVersion) podChanged(p, o); }, delete: (p) => podChanged(p) });
    this.revisions.on({ add: (r) => { const o = this.ownerOf(r); if (o) enqueue(o); }, delete: (r) => { const o = this.ownerOf(r); if (o) enqueue(o); } });
  }

  start(): void { this.queue.start(); }
  async stop(): Promise<void> { await this.queue.stop(); }
  idle(): Promise<void> { return this.queue.idle(); }

  private ownerOf(obj: KubeObject): STS | undefined {
    const ref = controllerRefOf(obj);
    if (!ref || ref.kind !== 'StatefulSet') return undefined;
    const s = this.sets.get(obj.metadata.namespace, ref.name);
    return s && s.metadata.uid === ref.uid ? s : undefined;
  }

  private async sync(key: string): Promise<void> {
    const set = this.sets.getByKey(key);
    if (!set) return;
    const selector = fromLabelSelector(set.spec?.selector);
    if (!selector || selector.length === 0) {
      this.recorder.event(set, 'Warning', 'SelectingAll', 'This statefulset is selecting all pods. A non-empty selector is required.');
      return;
    }
    // Only pods named after the set are its members (upstream isMemberOf).
    const member = (p: KubeObject) => podOrdinal(p)?.parent === set.metadata.name;
    const pods = (await claim({ client: this.ctx.client, resource: 'pods', owner: set, selector, canAdopt: member }, this.pods.list(set.metadata.namespace))).filter(member);
    const { current, update, all, collisionCount } = await this.revisionsOf(set, selector);
    let status: JsonObject;
    if (set.metadata.deletionTimestamp) status = this.computeStatus(set, pods, current, update, collisionCount);
    else status = await this.updatePods(set, pods, current, update, collisionCount);
    await this.writeStatus(key, set, status);
    const live = new Set([current.metadata.name!, update.metadata.name!, ...pods.map(podRevision)]);
    await truncateHistory(this.ctx.client, all.filter((r) => r !== current && r !== update), live, set.spec?.revisionHistoryLimit ?? 10);
  }

  /** The update revision (matching the template; created or re-numbered) and the current one (upstream getStatefulSetRevisions). */
  private async revisionsOf(set: STS, selector: Selector): Promise<{ current: Revision; update: Revision; all: Revision[]; collisionCount: number }> {
    let all = sortRevisions(await ownedRevisions(this.ctx.client, set, selector, this.revisions.list(set.metadata.namespace)));
    const data = revisionData(set);
    const max = all.reduce((n, r) => Math.max(n, revisionNumber(r)), 0);
    const equal = all.filter((r) => revisionMatches(r, data));
    let update: Revision | undefined = equal[equal.length - 1];
    let collisionCount: number = set.status?.collisionCount ?? 0;
    if (update && revisionNumber(update) < max) {
      const bumped = await bumpRevision(this.ctx.client, update, max + 1);
      all = all.map((r) => (r === update ? bumped : r));
      update = bumped;
    }
    while (!update) {
      const hash = hashRevision(data, collisionCount);
      update = await createRevision(this.ctx.client, {
        owner: set, data, revision: max + 1, hash, labels: set.spec.template?.metadata?.labels,
      });
      if (!update) collisionCount++;
      else {
        // StatefulSets label pods with the revision's name, not its hash.
        all.push(update);
      }
    }
    const currentName = set.status?.currentRevision;
    const current = all.find((r) => r.metadata.name === currentName) ?? update;
    return { current, update, all, collisionCount };
  }

  private newPod(set: STS, revision: Revision, ordinal: number): KubeObject {
    const template = revisionTemplate(revision);
    const name = `${set.metadata.name}-${ordinal}`;
    const metadata: JsonObject = {
      name, namespace: set.metadata.namespace,
      labels: { ...(template.metadata?.labels ?? {}), [STATEFULSET_POD_NAME]: name, [POD_INDEX]: String(ordinal), [CONTROLLER_REVISION_HASH]: revision.metadata.name! },
      ownerReferences: [newControllerRef(set)],
    };
    if (template.metadata?.annotations) metadata.annotations = { ...template.metadata.annotations };
    const spec = structuredClone(template.spec ?? {});
    spec.hostname = name;
    if (set.spec.serviceName) spec.subdomain = set.spec.serviceName;
    return { apiVersion: 'v1', kind: 'Pod', metadata, spec } as KubeObject;
  }

  /** True when the pod carries the identity its ordinal gives it (upstream identityMatches). */
  private identityMatches(set: STS, pod: KubeObject, ordinal: number): boolean {
    const l = pod.metadata.labels ?? {}, spec = (pod as JsonObject).spec ?? {};
    return l[STATEFULSET_POD_NAME] === pod.metadata.name && l[POD_INDEX] === String(ordinal) && spec.hostname === pod.metadata.name &&
      (spec.subdomain ?? '') === (set.spec.serviceName ?? '');
  }

  /** One pass of upstream's updateStatefulSet (monotonic for OrderedReady). Returns the status to write. */
  private async updatePods(set: STS, pods: KubeObject[], current: Revision, update: Revision, collisionCount: number): Promise<JsonObject> {
    const start: number = set.spec.ordinals?.start ?? 0;
    const replicaCount: number = set.spec.replicas ?? 1;
    const end = start + replicaCount;
    const monotonic = (set.spec.podManagementPolicy ?? 'OrderedReady') !== 'Parallel';
    const minReady = set.spec.minReadySeconds ?? 0;
    const now = Date.now();
    const healthy = (p: KubeObject) => isRunningAndReady(p) && !isTerminating(p) && isPodAvailable(p, minReady, now);
    const rolling = (set.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
    const partition: number = rolling ? set.spec.updateStrategy?.rollingUpdate?.partition ?? 0 : 0;
    const byOrdinal = new Map<number, KubeObject>();
    const condemned: KubeObject[] = [];
    for (const p of pods) {
      const o = podOrdinal(p)!.ordinal;
      if (o >= start && o < end) byOrdinal.set(o, p); else condemned.push(p);
    }
    condemned.sort((a, b) => podOrdinal(b)!.ordinal - podOrdinal(a)!.ordinal);
    const status = () => this.computeStatus(set, [...byOrdinal.values(), ...condemned], current, update, collisionCount);
    // Which revision a missing pod gets (newVersionedStatefulSetPod): below the partition it stays current.
    const revisionFor = (ord: number) => (rolling && ord - start < partition ? current : update);

    let waitMs: number | undefined;
    // Replicas in ordinal order: replace finished pods, create missing ones, wait for each when monotonic.
    for (let ord = start; ord < end; ord++) {
      const pod = byOrdinal.get(ord);
      if (pod && (isFailed(pod) || isSucceeded(pod)) && !isTerminating(pod)) {
        this.recorder.event(set, 'Warning', 'RecreatingFailedPod', `StatefulSet ${set.metadata.namespace}/${set.metadata.name} is recreating ${isFailed(pod) ? 'failed' : 'terminated'} Pod ${pod.metadata.name}`);
        await this.deletePod(set, pod);
        if (monotonic) return status();
        continue;
      }
      if (!pod) {
        await this.createPod(set, this.newPod(set, revisionFor(ord), ord));
        if (monotonic) return status();
        continue;
      }
      if (isTerminating(pod)) { if (monotonic) return status(); continue; }
      if (!isCreated(pod) || !isRunningAndReady(pod)) { if (monotonic) return status(); continue; }
      if (!isPodAvailable(pod, minReady, now)) {
        const w = msUntilAvailable(pod, minReady, now);
        if (w !== undefined) waitMs = Math.min(waitMs ?? Infinity, w);
        if (monotonic) { if (waitMs !== undefined) this.queue.addAfter(objectKey(set), waitMs + 50); return status(); }
      }
      if (!this.identityMatches(set, pod, ord)) await this.fixIdentity(set, pod, ord);
    }
    if (waitMs !== undefined) this.queue.addAfter(objectKey(set), waitMs + 50);
    // Condemned pods, highest ordinal first; OrderedReady removes one at a time, after the others are healthy.
    const unhealthy = [...byOrdinal.values()].filter((p) => !healthy(p));
    for (const pod of condemned) {
      if (isTerminating(pod)) { if (monotonic) return status(); continue; }
      if (monotonic && (unhealthy.length > 0 || (!healthy(pod) && pod !== condemned.find((p) => !healthy(p))))) return status();
      await this.deletePod(set, pod);
      if (monotonic) return status();
    }
    if (!rolling) return status();
    // RollingUpdate: from the highest ordinal down to the partition, one pod at a time.
    for (let ord = end - 1; ord >= start + partition; ord--) {
      const pod = byOrdinal.get(ord);
      if (!pod) return status();
      if (podRevision(pod) !== update.metadata.name && !isTerminating(pod)) {
        await this.deletePod(set, pod);
        return status();
      }
      if (!healthy(pod)) return status();
    }
    return status();
  }

  private async createPod(set: STS, pod: KubeObject): Promise<void> {
    try {
      await this.ctx.client.create('pods', pod);
      this.recorder.event(set, 'Normal', 'SuccessfulCreate', `create Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
    } catch (e) {
      // The old pod of that name is still going away: its deletion event brings us back.
      if (isApiError(e, 'AlreadyExists')) return;
      if (isApiError(e, 'Forbidden') && /being terminated/.test((e as Error).message)) return;
      this.recorder.event(set, 'Warning', 'FailedCreate', `create Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${(e as Error).message}`);
      throw e;
    }
  }

  private async deletePod(set: STS, pod: KubeObject): Promise<void> {
    try {
      await this.ctx.client.delete('pods', pod.metadata.namespace, pod.metadata.name!, { preconditions: { uid: pod.metadata.uid } });
      this.recorder.event(set, 'Normal', 'SuccessfulDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
    } catch (e) {
      if (isApiError(e, 'NotFound') || isApiError(e, 'Conflict')) return;
      this.recorder.event(set, 'Warning', 'FailedDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${(e as Error).message}`);
      throw e;
    }
  }

  /** Puts back the labels (hostname and subdomain cannot change on a pod) of an adopted pod. */
  private async fixIdentity(set: STS, pod: KubeObject, ordinal: number): Promise<void> {
    const spec = (pod as JsonObject).spec ?? {};
    if (spec.hostname !== pod.metadata.name || (spec.subdomain ?? '') !== (set.spec.serviceName ?? '')) {
      // A pod's hostname is immutable: replace the pod so that it gets the identity of its ordinal.
      await this.deletePod(set, pod);
      return;
    }
    const next = structuredClone(pod);
    next.metadata.labels = { ...(next.metadata.labels ?? {}), [STATEFULSET_POD_NAME]: pod.metadata.name!, [POD_INDEX]: String(ordinal) };
    try { await this.ctx.client.update('pods', next); } catch (e) { if (!isApiError(e, 'NotFound')) throw e; }
  }

  private computeStatus(set: STS, pods: KubeObject[], current: Revision, update: Revision, collisionCount: number): JsonObject {
    const minReady = set.spec.minReadySeconds ?? 0;
    const now = Date.now();
    let replicas = 0, ready = 0, available = 0, currentReplicas = 0, updated = 0;
    for (const p of pods) {
      if (isCreated(p)) replicas++;
      if (isRunningAndReady(p)) { ready++; if (isPodAvailable(p, minReady, now)) available++; }
      if (isCreated(p) && !isTerminating(p)) {
        if (podRevision(p) === current.metadata.name) currentReplicas++;
        if (podRevision(p) === update.metadata.name) updated++;
      }
    }
    const status: JsonObject = {
      observedGeneration: set.metadata.generation ?? 1, replicas, readyReplicas: ready, currentReplicas, updatedReplicas: updated,
      currentRevision: current.metadata.name, updateRevision: update.metadata.name, collisionCount, availableReplicas: available,
    };
    // A finished rolling update makes the update revision current (completeRollingUpdate).
    if ((set.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' && updated === replicas && ready === replicas) {
      status.currentReplicas = updated;
      status.currentRevision = status.updateRevision;
    }
    for (const k of ['readyReplicas', 'currentReplicas', 'updatedReplicas']) if (status[k] === 0) delete status[k];
    return status;
  }

  private async writeStatus(key: string, set: STS, status: JsonObject): Promise<void> {
    if (isDeepStrictEqual(status, set.status ?? {})) return;
    const next = structuredClone(set) as JsonObject;
    next.status = status;
    try {
      await this.ctx.client.update('statefulsets.apps', next as KubeObject, 'status');
    } catch (e) {
      if (isApiError(e, 'NotFound')) return;
      if (isApiError(e, 'Conflict')) { this.queue.add(key); return; }
      throw e;
    }
  }
}
