// The scheduler (`default-scheduler`): binds each pod without spec.nodeName to a node through
// pods/binding. Filters as scheduler-predicates.ts; among the nodes that pass it prefers matching
// preferred node affinity, then fewer PreferNoSchedule taints, then the fewest pods of the same owner
// (spreading a ReplicaSet's replicas), then the fewest pods, then the node name. A pod that fits
// nowhere gets PodScheduled=False/Unschedulable with upstream's message and a FailedScheduling event,
// and is tried again whenever nodes change or a pod leaves a node.
import { isDeepStrictEqual } from 'node:util';
import { isApiError } from '../../core/api/errors.js';
import { type JsonObject, type KubeObject, objectKey } from '../../core/api/object.js';
import { type Controller, type ControllerContext, recorderFor } from './context.js';
import type { EventRecorder } from '../kube/events.js';
import type { Informer } from '../kube/informer.js';
import { WorkQueue } from './workqueue.js';
import { controllerRefOf, isPodTerminal } from './pod-util.js';
import { filterNode, fitErrorMessage, preferNoScheduleCount, preferredAffinityScore } from './scheduler-predicates.js';

export const SCHEDULER_NAME = 'default-scheduler';
/** Unschedulable pods are retried at least this often even if nothing seems to change (upstream: 5 min). */
const RETRY_UNSCHEDULABLE_MS = 60_000;

function timestamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The node fields scheduling decisions read: a heartbeat alone does not retry unschedulable pods. */
function schedulingView(node: KubeObject): unknown {
  const n = node as JsonObject;
  return [n.metadata.labels, n.spec?.taints, n.spec?.unschedulable,
    (n.status?.conditions ?? []).find((c: JsonObject) => c.type === 'Ready')?.status];
}

export class Scheduler implements Controller {
  readonly name = SCHEDULER_NAME;
  private readonly pods: Informer;
  private readonly nodes: Informer;
  private readonly queue: WorkQueue;
  private readonly recorder: EventRecorder;
  /** Pods bound by us that the informer does not show bound yet: key → node. */
  private readonly assumed = new Map<string, string>();
  /** Pods that fit nowhere, with the generation that was tried. */
  private readonly unschedulable = new Map<string, number>();
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly ctx: ControllerContext) {
    this.pods = ctx.informers.informer('pods');
    this.nodes = ctx.informers.informer('nodes');
    this.pods.addIndex('nodeName', (p) => [(p as JsonObject).spec?.nodeName ?? '']);
    this.queue = new WorkQueue(this.name, (k) => this.schedule(k), { log: ctx.log });
    this.recorder = recorderFor(ctx, this.name);
    this.pods.on({
      add: (p) => this.podChanged(p),
      update: (_o, p) => this.podChanged(p),
      delete: (p) => {
        const key = objectKey(p);
        this.assumed.delete(key);
        this.unschedulable.delete(key);
        // A pod leaving a node may free host ports for a waiting one.
        if ((p as JsonObject).spec?.nodeName) this.retryUnschedulable();
      },
    });
    this.nodes.on({
      add: () => this.retryUnschedulable(),
      update: (o, n) => { if (!isDeepStrictEqual(schedulingView(o), schedulingView(n))) this.retryUnschedulable(); },
    });
  }

  start(): void {
    this.queue.start();
    this.retryTimer = setInterval(() => this.retryUnschedulable(), RETRY_UNSCHEDULABLE_MS);
    this.retryTimer.unref?.();
  }

  async stop(): Promise<void> {
    if (this.retryTimer) clearInterval(this.retryTimer);
    await this.queue.stop();
  }

  idle(): Promise<void> { return this.queue.idle(); }

  private needsScheduling(p: KubeObject): boolean {
    const spec = (p as JsonObject).spec ?? {};
    return !spec.nodeName && (spec.schedulerName ?? SCHEDULER_NAME) === SCHEDULER_NAME &&
      !p.metadata.deletionTimestamp && !isPodTerminal(p);
  }

  private podChanged(p: KubeObject): void {
    const key = objectKey(p);
    if ((p as JsonObject).spec?.nodeName) { this.assumed.delete(key); this.unschedulable.delete(key); return; }
    if (!this.needsScheduling(p)) return;
    // Our own status write on an unschedulable pod comes back as an update: only a spec change retries it.
    const tried = this.unschedulable.get(key);
    if (tried !== undefined && tried === (p.metadata.generation ?? 0)) return;
    this.queue.add(key);
  }

  private retryUnschedulable(): void {
    for (const key of this.unschedulable.keys()) this.queue.add(key);
    this.unschedulable.clear();
  }

  /** Active pods on a node, counting those we bound that the cache does not show yet. */
  private podsOn(node: string): KubeObject[] {
    const out = this.pods.byIndex('nodeName', node).filter((p) => !isPodTerminal(p));
    for (const [key, n] of this.assumed) {
      if (n !== node) continue;
      const p = this.pods.getByKey(key);
      if (p && !(p as JsonObject).spec?.nodeName) out.push({ ...p, spec: { ...(p as JsonObject).spec, nodeName: node } } as KubeObject);
    }
    return out;
  }

  private async schedule(key: string): Promise<void> {
    const pod = this.pods.getByKey(key);
    if (!pod || !this.needsScheduling(pod) || this.assumed.has(key)) return;
    const nodes = this.nodes.list();
    const reasons: string[] = [];
    const feasible: Array<{ node: KubeObject; pods: KubeObject[] }> = [];
    for (const node of nodes) {
      const pods = this.podsOn(node.metadata.name!);
      const why = filterNode(pod, node, pods);
      if (why) reasons.push(why); else feasible.push({ node, pods });
    }
    if (feasible.length === 0) {
      await this.failed(pod, fitErrorMessage(nodes.length, reasons));
      return;
    }
    const owner = controllerRefOf(pod)?.uid;
    const score = ({ node, pods }: { node: KubeObject; pods: KubeObject[] }) => [
      -preferredAffinityScore(pod, node),
      preferNoScheduleCount(pod, node),
      owner ? pods.filter((p) => controllerRefOf(p)?.uid === owner).length : 0,
      pods.length,
    ];
    feasible.sort((a, b) => {
      const sa = score(a), sb = score(b);
      for (let i = 0; i < sa.length; i++) if (sa[i] !== sb[i]) return sa[i] - sb[i];
      return a.node.metadata.name!.localeCompare(b.node.metadata.name!);
    });
    const target = feasible[0].node.metadata.name!;
    const binding = {
      apiVersion: 'v1', kind: 'Binding',
      metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid },
      target: { apiVersion: 'v1', kind: 'Node', name: target },
    } as unknown as KubeObject;
    try {
      await this.ctx.client.create('pods', binding, 'binding');
    } catch (e) {
      // Gone, being deleted or bound by someone else meanwhile: nothing left to do for this pod.
      if (isApiError(e, 'NotFound') || isApiError(e, 'Conflict')) return;
      throw e;
    }
    this.assumed.set(key, target);
    this.unschedulable.delete(key);
    this.recorder.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${target}`);
  }

  private async failed(pod: KubeObject, message: string): Promise<void> {
    const key = objectKey(pod);
    this.unschedulable.set(key, pod.metadata.generation ?? 0);
    this.recorder.event(pod, 'Warning', 'FailedScheduling', message);
    const status: JsonObject = (pod as JsonObject).status ?? {};
    const conditions: JsonObject[] = status.conditions ?? [];
    const cur = conditions.find((c) => c.type === 'PodScheduled');
    if (cur && cur.status === 'False' && cur.reason === 'Unschedulable' && cur.message === message) return;
    const next = structuredClone(pod) as JsonObject;
    next.status = {
      ...status,
      conditions: [...conditions.filter((c) => c.type !== 'PodScheduled'), {
        type: 'PodScheduled', status: 'False', lastProbeTime: null,
        lastTransitionTime: cur?.status === 'False' ? cur.lastTransitionTime : timestamp(),
        reason: 'Unschedulable', message,
      }],
    };
    try {
      await this.ctx.client.update('pods', next as KubeObject, 'status');
    } catch (e) {
      if (isApiError(e, 'NotFound')) return;
      // A stale pod: forget the attempt so the retry sees the newest one.
      this.unschedulable.delete(key);
      throw e;
    }
  }
}
