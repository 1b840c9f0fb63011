// The node lifecycle controller (kube-controller-manager's node-lifecycle-controller with its
// taint-eviction controller): every monitor period it looks for nodes whose agent has gone silent (no
// Lease renewal nor status for the grace period) and marks their conditions Unknown and their pods not
// Ready — so EndpointSlices drop them from Services at once, and the LoadBalancer controller moves
// addresses the node announced — then keeps each node's not-ready/unreachable taints in line with its
// Ready condition, and evicts (deletes) pods from NoExecute-tainted nodes once their tolerations run out.
// The rules are in node-lifecycle-rules.ts.
import { isApiError } from '../../core/api/errors.js';
import type { JsonObject, KubeObject } from '../../core/api/object.js';
import { type Controller, type ControllerContext, recorderFor } from './context.js';
import type { EventRecorder } from '../kube/events.js';
import type { Informer } from '../kube/informer.js';
import { conditionsWhenSilent, evictionDelayMs, lastHeartbeatMs, readyCondition, taintsForCondition } from './node-lifecycle-rules.js';
import { WorkQueue } from './workqueue.js';

export interface NodeLifecycleOptions {
  /** How long a node may stay silent before it is Unknown (kube-controller-manager: --node-monitor-grace-period, 50 s). */
  gracePeriodMs?: number;
  /** How often nodes are checked (--node-monitor-period, 5 s upstream; shorter here, it costs nothing). */
  monitorPeriodMs?: number;
  /** Injectable clock for tests. */
  now?: () => number;
}

export const DEFAULT_NODE_GRACE_PERIOD_MS = 50_000;

export class NodeLifecycleController implements Controller {
  readonly name = 'node-lifecycle-controller';
  private readonly nodes: Informer;
  private readonly leases: Informer;
  private readonly pods: Informer;
  private readonly queue: WorkQueue;
  private readonly events: EventRecorder;
  private readonly grace: number;
  private readonly period: number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly ctx: ControllerContext, opts: NodeLifecycleOptions = {}) {
    this.grace = opts.gracePeriodMs ?? DEFAULT_NODE_GRACE_PERIOD_MS;
    this.period = opts.monitorPeriodMs ?? 1000;
    this.now = opts.now ?? Date.now;
    this.nodes = ctx.informers.informer('nodes');
    this.leases = ctx.informers.informer('leases.coordination.k8s.io', { namespace: 'kube-node-lease' });
    this.pods = ctx.informers.informer('pods');
    this.pods.addIndex('byNode', (p) => [(p as JsonObject).spec?.nodeName ?? '']);
    this.events = recorderFor(ctx, 'node-controller');
    this.queue = new WorkQueue(this.name, (key) => this.sync(key), { log: ctx.log });
    const byName = (o: KubeObject) => this.queue.add(`node\t${o.metadata.name}`);
    this.nodes.on({ add: byName, update: (_o, n) => byName(n) });
    // A pod that lands on (or stays on) a tainted node is checked against its tolerations.
    this.pods.on({
      add: (p) => this.podChanged(p),
      update: (_o, p) => this.podChanged(p),
    });
  }

  start(): void {
    this.queue.start();
    this.timer = setInterval(() => { for (const n of this.nodes.list()) this.queue.add(`node\t${n.metadata.name}`); }, this.period);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.queue.stop();
  }

  idle(): Promise<void> { return this.queue.idle(); }

  private podChanged(p: KubeObject): void {
    const node = (p as JsonObject).spec?.nodeName;
    if (node && !p.metadata.deletionTimestamp) this.queue.add(`pod\t${p.metadata.namespace}/${p.metadata.name}`);
  }

  private async sync(item: string): Promise<void> {
    const [kind, key] = item.split('\t') as [string, string];
    if (kind === 'node') await this.syncNode(key);
    else await this.syncPod(key);
  }

  /** Health (conditions), then taints, then the pods' readiness and eviction. */
  private async syncNode(name: string): Promise<void> {
    let node = this.nodes.get(undefined, name);
    if (!node || node.metadata.deletionTimestamp) return;
    const now = this.now();
    // A node that never reported is given the grace period from its creation (upstream's startup grace).
    const created = Date.parse(node.metadata.creationTimestamp ?? '');
    const heartbeat = lastHeartbeatMs(node, this.leases.get('kube-node-lease', name)) ?? (Number.isFinite(created) ? created : now);
    if (now - heartbeat > this.grace) {
      const conditions = conditionsWhenSilent(node, new Date(now));
      if (conditions) {
        node = await this.ctx.client.update('nodes', { ...node, status: { ...(node as JsonObject).status, conditions } }, 'status');
        this.ctx.log(`node ${name}: no heartbeat for ${Math.round((now - heartbeat) / 1000)} s, conditions set to Unknown`);
        this.events.event(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
      }
    }
    const taints = taintsForCondition(node, new Date(now));
    if (taints) {
      node = await this.ctx.client.update('nodes', { ...node, spec: { ...(node as JsonObject).spec, taints } });
    }
    if (readyCondition(node)?.status !== 'True') await this.markPodsNotReady(name);
    for (const pod of this.pods.byIndex('byNode', name)) await this.syncPod(`${pod.metadata.namespace}/${pod.metadata.name}`);
  }

  /** Upstream's MarkPodsNotReady: a silent node's pods are not Ready, whatever they last reported. */
  private async markPodsNotReady(node: string): Promise<void> {
    const at = new Date(this.now()).toISOString().replace(/\.\d+Z$/, 'Z');
    for (const pod of this.pods.byIndex('byNode', node)) {
      const conditions: JsonObject[] = (pod as JsonObject).status?.conditions ?? [];
      const ready = conditions.find((c) => c.type === 'Ready');
      if (!ready || ready.status === 'False') continue;
      const next = conditions.map((c) => c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: at } : c);
      try {
        await this.ctx.client.update('pods', { ...pod, status: { ...(pod as JsonObject).status, conditions: next } }, 'status');
      } catch (e) {
        if (isApiError(e, 'Conflict')) this.queue.addAfter(`node\t${node}`, 200);
        else if (!isApiError(e, 'NotFound')) throw e;
      }
    }
  }

  /** Deletes the pod once the NoExecute taints of its node outlast its tolerations; re-checks later otherwise. */
  private async syncPod(key: string): Promise<void> {
    const [namespace, name] = key.split('/') as [string, string];
    const pod = this.pods.get(namespace, name);
    if (!pod || pod.metadata.deletionTimestamp) return;
    const nodeName = (pod as JsonObject).spec?.nodeName;
    const node = nodeName ? this.nodes.get(undefined, nodeName) : undefined;
    if (!node) return;
    const delay = evictionDelayMs(pod, (node as JsonObject).spec?.taints ?? [], this.now());
    if (delay === Infinity) return;
    if (delay > 0) { this.queue.addAfter(`pod\t${key}`, delay + 50); return; }
    this.events.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${namespace}/${name}`);
    try {
      await this.ctx.client.delete('pods', namespace, name);
      this.ctx.log(`evicted pod ${key} from node ${nodeName} (NoExecute taints outlasted its tolerations)`);
    } catch (e) {
      if (!isApiError(e, 'NotFound')) throw e;
    }
  }
}
