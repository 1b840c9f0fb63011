// The DaemonSet controller (upstream pkg/controller/daemon): one pod per eligible node, pinned to it by
// node affinity on metadata.name (the scheduler binds it), with the daemon tolerations; failed pods
// replaced with back-off; pods removed from nodes that no longer qualify (an untolerated NoExecute taint,
// a selector that stopped matching). RollingUpdate replaces pods node by node within maxUnavailable (or
// surges a new pod next to the old within maxSurge); OnDelete waits for the user. ControllerRevisions hold
// the template history for `kubectl rollout history|undo`. Status: desiredNumberScheduled,
// currentNumberScheduled, numberReady, numberAvailable, numberUnavailable, updatedNumberScheduled,
// numberMisscheduled, observedGeneration, collisionCount.
import { isDeepStrictEqual } from 'node:util';
import { isApiError } from '../../core/api/errors.js';
import { type JsonObject, type KubeObject, objectKey } from '../../core/api/object.js';
import { fromLabelSelector, matches } from '../../core/api/labels.js';
import { CONTROLLER_REVISION_HASH, POD_TEMPLATE_GENERATION } from '../../core/api/workload-keys.js';
import { type Controller, type ControllerContext, recorderFor } from './context.js';
import type { EventRecorder } from '../kube/events.js';
import { Expectations } from './expectations.js';
import type { Informer } from '../kube/informer.js';
import { WorkQueue } from './workqueue.js';
import { claim } from './controller-ref.js';
import { scaledValue } from './deployment-util.js';
import {
  bumpRevision, createRevision, type Revision, ownedRevisions, revisionData, revisionMatches, revisionNumber, sortRevisions,
  truncateHistory,
} from './history.js';
import { computeHash } from './deployment-util.js';
import {
  addDaemonTolerations, byCreationAndPhase, isPodUpdated, nodeShouldRunDaemonPod, pinToNode, surgeAndUnavailable, targetNodeName,
  templateGeneration,
} from './daemonset-util.js';
import { controllerRefOf, generateNamePrefix, isPodAvailable, isPodReady, msUntilAvailable, newControllerRef, podKey } from './pod-util.js';

type DS = KubeObject & { spec: JsonObject; status?: JsonObject };

const BURST_REPLICAS = 250;
const FAILED_BACKOFF_MS = 1000, FAILED_BACKOFF_MAX_MS = 15 * 60_000;

export class DaemonSetController implements Controller {
  readonly name = 'daemonset-controller';
  private readonly dsInformer: Informer<DS>;
  private readonly pods: Informer;
  private readonly nodes: Informer;
  private readonly revisions: Informer<Revision>;
  private readonly queue: WorkQueue;
  private readonly expectations = new Expectations();
  private readonly recorder: EventRecorder;
  /** Back-off for failed daemon pods, per DaemonSet and node (upstream failedPodsBackoff). */
  private readonly failedBackoff = new Map<string, { delay: number; until: number }>();

  constructor(private readonly ctx: ControllerContext) {
    this.dsInformer = ctx.informers.informer<DS>('daemonsets.apps');
    this.pods = ctx.informers.informer('pods');
    this.nodes = ctx.informers.informer('nodes');
    this.revisions = ctx.informers.informer<Revision>('controllerrevisions.apps');
    this.queue = new WorkQueue(this.name, (k) => this.sync(k), { log: ctx.log });
    this.recorder = recorderFor(ctx, this.name);
    const enqueue = (ds: DS) => this.queue.add(objectKey(ds));
    this.dsInformer.on({ add: enqueue, update: (_o, ds) => enqueue(ds), delete: (ds) => { this.expectations.forget(objectKey(ds)); enqueue(ds); } });
    this.pods.on({
      add: (p) => this.podChanged(p, 'add'),
      update: (o, p) => { if (o.metadata.resourceVersion !== p.metadata.resourceVersion) this.podChanged(p, 'update', o); },
      delete: (p) => this.podChanged(p, 'delete'),
    });
    // Every DaemonSet looks again when a node appears, changes labels/taints/readiness or goes.
    const all = () => { for (const ds of this.dsInformer.list()) enqueue(ds); };
    this.nodes.on({ add: all, update: (o, n) => { if (nodeChanged(o, n)) all(); }, delete: all });
    this.revisions.on({ add: (r) => this.ownerOf(r, enqueue), update: (_o, r) => this.ownerOf(r, enqueue), delete: (r) => this.ownerOf(r, enqueue) });
  }

  start(): void { this.queue.start(); }
  async stop(): Promise<void> { await this.queue.stop(); }
  idle(): Promise<void> { return this.queue.idle(); }

  private ownerOf(obj: KubeObject, then: (ds: DS) => void): DS | undefined {
    const ref = controllerRefOf(obj);
    if (!ref || ref.kind !== 'DaemonSet') return undefined;
    const ds = this.dsInformer.get(obj.metadata.namespace, ref.name);
    if (ds && ds.metadata.uid === ref.uid) { then(ds); return ds; }
    return undefined;
  }

  private podChanged(pod: KubeObject, what: 'add' | 'update' | 'delete', old?: KubeObject): void {
    const key = (ds: DS) => objectKey(ds);
    const ds = this.ownerOf(pod, (d) => {
      const k = key(d);
      if (what === 'add' && !pod.metadata.deletionTimestamp) this.expectations.creationObserved(k);
      if (what === 'delete' || (pod.metadata.deletionTimestamp && !old?.metadata.deletionTimestamp)) this.expectations.deletionObserved(k, podKey(pod));
      this.queue.add(k);
      const minReady = d.spec?.minReadySeconds ?? 0;
      if (minReady > 0 && old && !isPodReady(old) && isPodReady(pod)) this.queue.addAfter(k, minReady * 1000 + 100);
    });
    if (!ds && !controllerRefOf(pod) && what !== 'delete') {
      for (const d of this.dsInformer.list(pod.metadata.namespace)) {
        const sel = fromLabelSelector(d.spec?.selector);
        if (sel && sel.length && matches(sel, pod.metadata.labels)) this.queue.add(key(d));
      }
    }
  }

  // ---- sync ------------------------------------------------------------------------------------

  private async sync(key: string): Promise<void> {
    const ds = this.dsInformer.getByKey(key);
    if (!ds) { this.expectations.forget(key); return; }
    const selector = fromLabelSelector(ds.spec?.selector);
    if (!selector || selector.length === 0) {
      this.recorder.event(ds, 'Warning', 'SelectingAll', 'This daemon set is selecting all pods. A non-empty selector is required.');
      return;
    }
    const nodes = this.nodes.list();
    const { cur, old } = await this.constructHistory(ds, selector);
    const hash = cur.metadata.labels?.[CONTROLLER_REVISION_HASH] ?? '';
    const pods = await claim({ client: this.ctx.client, resource: 'pods', owner: ds, selector }, this.pods.list(ds.metadata.namespace));
    const byNode = groupByNode(pods);
    if (ds.metadata.deletionTimestamp || !this.expectations.satisfied(key)) {
      await this.updateStatus(key, ds, nodes, byNode, hash);
      return;
    }
    await this.manage(key, ds, nodes, byNode, hash);
    if (this.expectations.satisfied(key) && (ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
      await this.rollingUpdate(key, ds, nodes, groupByNode(await claim({ client: this.ctx.client, resource: 'pods', owner: ds, selector }, this.pods.list(ds.metadata.namespace))), hash);
    }
    await this.cleanupHistory(ds, old, pods);
    await this.updateStatus(key, ds, nodes, groupByNode(pods.filter((p) => this.pods.get(p.metadata.namespace, p.metadata.name!))), hash);
  }

  /** The current revision (created, or re-numbered when an old template came back) and the others. */
  private async constructHistory(ds: DS, selector: NonNullable<ReturnType<typeof fromLabelSelector>>): Promise<{ cur: Revision; old: Revision[] }> {
    const all = sortRevisions(await ownedRevisions(this.ctx.client, ds, selector, this.revisions.list(ds.metadata.namespace)));
    const data = revisionData(ds);
    const max = all.reduce((n, r) => Math.max(n, revisionNumber(r)), 0);
    const matching = all.filter((r) => revisionMatches(r, data));
    let cur = matching[matching.length - 1];
    const old = all.filter((r) => r !== cur);
    if (cur) {
      if (revisionNumber(cur) < max) cur = await bumpRevision(this.ctx.client, cur, max + 1);
      return { cur, old };
    }
    let collisionCount: number = ds.status?.collisionCount ?? 0;
    for (;;) {
      const hash = computeHash(ds.spec.template, collisionCount || undefined);
      const created = await createRevision(this.ctx.client, {
        owner: ds, data, revision: max + 1, hash, labels: ds.spec.template?.metadata?.labels,
        annotations: ds.metadata.annotations,
      });
      if (created) {
        if (collisionCount !== (ds.status?.collisionCount ?? 0)) await this.writeStatus(ds, { ...(ds.status ?? {}), collisionCount });
        return { cur: created, old };
      }
      collisionCount++;
    }
  }

  private backoffKey(ds: DS, node: string): string { return `${ds.metadata.uid}/${node}`; }

  /** Creates the missing daemon pods and deletes the ones that must go (upstream manage + podsShouldBeOnNode). */
  private async manage(key: string, ds: DS, nodes: KubeObject[], byNode: Map<string, KubeObject[]>, hash: string): Promise<void> {
    const create: string[] = [], remove: KubeObject[] = [];
    const surge = surgeAndUnavailable(ds, nodes.length, scaledValue)[0] > 0 && (ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
    const now = Date.now();
    let retryIn: number | undefined;
    for (const node of nodes) {
      const name = node.metadata.name!;
      const [shouldRun, shouldContinue] = nodeShouldRunDaemonPod(node, ds);
      const pods = byNode.get(name) ?? [];
      if (shouldRun && pods.length === 0) { create.push(name); continue; }
      if (!shouldContinue) { remove.push(...pods.filter((p) => !p.metadata.deletionTimestamp)); continue; }
      const running: KubeObject[] = [];
      for (const p of pods) {
        if (p.metadata.deletionTimestamp) continue;
        const phase = (p as JsonObject).status?.phase;
        if (phase === 'Failed') {
          // Replace a failed pod, but not faster than the back-off allows (a crash loop would churn).
          const bk = this.backoffKey(ds, name);
          const b = this.failedBackoff.get(bk);
          if (b && b.until > now) { retryIn = Math.min(retryIn ?? Infinity, b.until - now); continue; }
          const delay = b ? Math.min(b.delay * 2, FAILED_BACKOFF_MAX_MS) : FAILED_BACKOFF_MS;
          this.failedBackoff.set(bk, { delay, until: now + delay });
          this.recorder.event(ds, 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${p.metadata.namespace}/${p.metadata.name} on node ${name}, will try to kill it`);
          remove.push(p);
        } else if (phase === 'Succeeded') {
          remove.push(p);
        } else running.push(p);
      }
      if (running.length <= 1) continue;
      running.sort(byCreationAndPhase);
      if (!surge) { remove.push(...running.slice(1)); continue; }
      // With surge, an old ready pod may stay next to a new one that is not ready yet; nothing else.
      const generation = templateGeneration(ds);
      const newest = running.filter((p) => isPodUpdated(p, hash, generation));
      const olds = running.filter((p) => !isPodUpdated(p, hash, generation));
      const keepNew = newest[0], keepOld = olds[0];
      const keep = new Set<KubeObject>();
      if (keepNew) keep.add(keepNew);
      if (keepOld && (!keepNew || (!isPodReady(keepNew) && isPodReady(keepOld)))) keep.add(keepOld);
      remove.push(...running.filter((p) => !keep.has(p)));
    }
    // Pods for nodes that no longer exist.
    const known = new Set(nodes.map((n) => n.metadata.name!));
    for (const [node, pods] of byNode) if (!known.has(node)) remove.push(...pods.filter((p) => !p.metadata.deletionTimestamp));
    await this.syncNodes(key, ds, remove, create, hash);
    if (retryIn !== undefined) this.queue.addAfter(key, retryIn + 10);
  }

  private newPod(ds: DS, node: string, hash: string): KubeObject {
    const t = ds.spec.template ?? {};
    const spec = structuredClone(t.spec ?? {});
    addDaemonTolerations(spec);
    pinToNode(spec, node);
    const labels: Record<string, string> = { ...(t.metadata?.labels ?? {}), [CONTROLLER_REVISION_HASH]: hash };
    const generation = templateGeneration(ds);
    if (generation !== undefined) labels[POD_TEMPLATE_GENERATION] = generation;
    const metadata: JsonObject = {
      generateName: generateNamePrefix(ds.metadata.name!), namespace: ds.metadata.namespace, labels,
      ownerReferences: [newControllerRef(ds)],
    };
    if (t.metadata?.annotations) metadata.annotations = { ...t.metadata.annotations };
    return { apiVersion: 'v1', kind: 'Pod', metadata, spec } as KubeObject;
  }

  /** Deletes, then creates in slow-start batches (upstream syncNodes), counting expectations. */
  private async syncNodes(key: string, ds: DS, remove: KubeObject[], create: string[], hash: string): Promise<void> {
    create = create.slice(0, BURST_REPLICAS);
    remove = remove.slice(0, BURST_REPLICAS);
    if (remove.length) {
      this.expectations.expectDeletions(key, remove.map(podKey));
      await Promise.all(remove.map(async (p) => {
        try {
          await this.ctx.client.delete('pods', p.metadata.namespace, p.metadata.name!, { preconditions: { uid: p.metadata.uid } });
          this.recorder.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
        } catch (e) {
          this.expectations.deletionObserved(key, podKey(p));
          if (!isApiError(e, 'NotFound')) this.recorder.event(ds, 'Warning', 'FailedDelete', `Error deleting: ${(e as Error).message}`);
        }
      }));
    }
    if (!create.length) return;
    this.expectations.expectCreations(key, create.length);
    let i = 0, batch = 1, failed: Error | undefined;
    while (i < create.length && !failed) {
      const nodes = create.slice(i, i + batch);
      i += nodes.length;
      const results = await Promise.allSettled(nodes.map((n) => this.ctx.client.create('pods', this.newPod(ds, n, hash))));
      for (const r of results) {
        if (r.status === 'fulfilled') this.recorder.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${r.value.metadata.name}`);
        else { failed ??= r.reason as Error; this.expectations.creationObserved(key); }
      }
      batch *= 2;
    }
    for (; i < create.length; i++) this.expectations.creationObserved(key);
    if (failed && !(isApiError(failed, 'Forbidden') && /being terminated/.test(failed.message))) {
      this.recorder.event(ds, 'Warning', 'FailedCreate', `Error creating: ${failed.message}`);
      throw failed;
    }
  }

  /** Replaces old pods within maxUnavailable, or surges new ones within maxSurge (upstream rollingUpdate). */
  private async rollingUpdate(key: string, ds: DS, nodes: KubeObject[], byNode: Map<string, KubeObject[]>, hash: string): Promise<void> {
    const desired = nodes.filter((n) => nodeShouldRunDaemonPod(n, ds)[0]).length;
    const [maxSurge, maxUnavailable] = surgeAndUnavailable(ds, desired, scaledValue);
    const minReady = ds.spec?.minReadySeconds ?? 0;
    const generation = templateGeneration(ds);
    const now = Date.now();
    const eligible = new Set(nodes.filter((n) => nodeShouldRunDaemonPod(n, ds)[1]).map((n) => n.metadata.name!));
    const removeNames: KubeObject[] = [], createOn: string[] = [];
    if (maxSurge === 0) {
      let unavailable = 0;
      const allowed: KubeObject[] = [], candidates: KubeObject[] = [];
      for (const [node, pods] of byNode) {
        if (!eligible.has(node)) continue;
        const split = splitPods(pods, hash, generation);
        if (!split) { unavailable++; continue; }
        const { newPod, oldPod } = split;
        if ((!oldPod && !newPod) || (oldPod && newPod)) unavailable++;
        else if (newPod) { if (!isPodAvailable(newPod, minReady, now)) unavailable++; }
        else if (oldPod) {
          if (!isPodAvailable(oldPod, minReady, now)) allowed.push(oldPod);
          else if (unavailable < maxUnavailable) candidates.push(oldPod);
        }
      }
      // Nodes that should run a pod but have none count as unavailable too.
      for (const n of eligible) if (!byNode.has(n)) unavailable++;
      const remaining = Math.min(Math.max(0, maxUnavailable - unavailable), candidates.length);
      removeNames.push(...allowed, ...candidates.slice(0, remaining));
    } else {
      let surged = 0;
      const allowedNodes: string[] = [], candidateNodes: string[] = [];
      for (const [node, pods] of byNode) {
        if (!eligible.has(node)) continue;
        const split = splitPods(pods, hash, generation);
        if (!split) { surged++; continue; }
        const { newPod, oldPod } = split;
        if (!oldPod) continue;
        if (!newPod) {
          if (!isPodAvailable(oldPod, minReady, now)) allowedNodes.push(node);
          else if (surged < maxSurge) candidateNodes.push(node);
          continue;
        }
        if (!isPodAvailable(newPod, minReady, now)) { surged++; continue; }
        removeNames.push(oldPod);
      }
      const remaining = Math.min(Math.max(0, maxSurge - surged), candidateNodes.length);
      createOn.push(...allowedNodes, ...candidateNodes.slice(0, remaining));
    }
    await this.syncNodes(key, ds, removeNames, createOn, hash);
  }

  private async cleanupHistory(ds: DS, old: Revision[], pods: KubeObject[]): Promise<void> {
    const live = new Set(pods.map((p) => p.metadata.labels?.[CONTROLLER_REVISION_HASH] ?? '').filter(Boolean));
    await truncateHistory(this.ctx.client, old, live, ds.spec?.revisionHistoryLimit ?? 10);
  }

  private async updateStatus(key: string, ds: DS, nodes: KubeObject[], byNode: Map<string, KubeObject[]>, hash: string): Promise<void> {
    let desired = 0, current = 0, ready = 0, available = 0, updated = 0, misscheduled = 0;
    const minReady = ds.spec?.minReadySeconds ?? 0;
    const generation = templateGeneration(ds);
    const now = Date.now();
    let recheck: number | undefined;
    for (const node of nodes) {
      const [shouldRun] = nodeShouldRunDaemonPod(node, ds);
      const pods = [...(byNode.get(node.metadata.name!) ?? [])].sort(byCreationAndPhase);
      if (!shouldRun) { if (pods.length) misscheduled++; continue; }
      desired++;
      if (!pods.length) continue;
      current++;
      const pod = pods[0];
      if (isPodReady(pod)) {
        ready++;
        if (isPodAvailable(pod, minReady, now)) available++;
        else { const w = msUntilAvailable(pod, minReady, now); if (w !== undefined) recheck = Math.min(recheck ?? Infinity, w); }
      }
      if (isPodUpdated(pod, hash, generation)) updated++;
    }
    const status: JsonObject = {
      ...(ds.status ?? {}),
      currentNumberScheduled: current, numberMisscheduled: misscheduled, desiredNumberScheduled: desired, numberReady: ready,
      observedGeneration: ds.metadata.generation ?? 1,
      updatedNumberScheduled: updated, numberAvailable: available, numberUnavailable: desired - available,
    };
    // omitempty, as upstream serializes them.
    for (const k of ['updatedNumberScheduled', 'numberAvailable', 'numberUnavailable']) if (status[k] === 0) delete status[k];
    if (recheck !== undefined) this.queue.addAfter(key, recheck + 50);
    if (isDeepStrictEqual(status, ds.status ?? {})) return;
    await this.writeStatus(ds, status);
  }

  private async writeStatus(ds: DS, status: JsonObject): Promise<void> {
    const next = structuredClone(ds) as JsonObject;
    next.status = status;
    try {
      await this.ctx.client.update('daemonsets.apps', next as KubeObject, 'status');
    } catch (e) {
      if (isApiError(e, 'NotFound')) return;
      throw e;
    }
  }
}

function groupByNode(pods: KubeObject[]): Map<string, KubeObject[]> {
  const m = new Map<string, KubeObject[]>();
  for (const p of pods) {
    const n = targetNodeName(p);
    if (!n) continue;
    let l = m.get(n);
    if (!l) m.set(n, l = []);
    l.push(p);
  }
  return m;
}

/** The node's one up-to-date and one old pod; undefined when there are two of either (findUpdatedPodsOnNode). */
function splitPods(pods: KubeObject[], hash: string, generation: string | undefined): { newPod?: KubeObject; oldPod?: KubeObject } | undefined {
  let newPod: KubeObject | undefined, oldPod: KubeObject | undefined;
  for (const p of pods) {
    if (p.metadata.deletionTimestamp) continue;
    if (isPodUpdated(p, hash, generation)) { if (newPod) return undefined; newPod = p; }
    else { if (oldPod) return undefined; oldPod = p; }
  }
  return { newPod, oldPod };
}

function nodeChanged(a: KubeObject, b: KubeObject): boolean {
  const ready = (n: KubeObject) => ((n as JsonObject).status?.conditions ?? []).find((c: JsonObject) => c.type === 'Ready')?.status;
  return !isDeepStrictEqual(a.metadata.labels, b.metadata.labels) || !isDeepStrictEqual((a as JsonObject).spec, (b as JsonObject).spec) || ready(a) !== ready(b);
}
