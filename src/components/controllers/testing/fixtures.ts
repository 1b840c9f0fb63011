// Objects as the registry stores them after defaulting, and a stand-in for the kubelet that marks pods
// Running and Ready, for controller tests.
import type { ApiClient } from '../../../core/api/client.js';
import type { JsonObject, KubeObject } from '../../../core/api/object.js';
import { InformerFactory } from '../../kube/informer.js';
import type { Controller, ControllerContext } from '../context.js';

export function node(name: string, opts: { ready?: boolean; labels?: Record<string, string>; taints?: JsonObject[]; unschedulable?: boolean; podCIDR?: string } = {}): KubeObject {
  const n: JsonObject = {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...(opts.labels ?? {}) } },
    spec: {},
    status: { conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True', reason: 'KubeletReady' }] },
  };
  if (opts.taints) n.spec.taints = opts.taints;
  if (opts.unschedulable) n.spec.unschedulable = true;
  if (opts.podCIDR) { n.spec.podCIDR = opts.podCIDR; n.spec.podCIDRs = [opts.podCIDR]; }
  return n as KubeObject;
}

export function podTemplate(labels: Record<string, string>, image = 'nginx'): JsonObject {
  return {
    metadata: { labels: { ...labels } },
    spec: {
      containers: [{ name: 'c', image, imagePullPolicy: 'Always', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', resources: {} }],
      restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler',
      securityContext: {},
    },
  };
}

export function deployment(name: string, replicas: number, labels: Record<string, string>, extra: JsonObject = {}): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name, namespace: 'default', labels: { ...labels } },
    spec: {
      replicas, selector: { matchLabels: { ...labels } }, template: podTemplate(labels),
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      revisionHistoryLimit: 10, progressDeadlineSeconds: 600, minReadySeconds: 0,
      ...extra,
    },
  } as KubeObject;
}

export function replicaSet(name: string, replicas: number, labels: Record<string, string>): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: { name, namespace: 'default', labels: { ...labels } },
    spec: { replicas, selector: { matchLabels: { ...labels } }, template: podTemplate(labels), minReadySeconds: 0 },
  } as KubeObject;
}

export function namespace(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

/** What a kubelet would report for a started pod: Running with Ready=True (and a pod IP). */
export async function markReady(client: ApiClient, pod: KubeObject, ready = true): Promise<void> {
  const cur = await client.get('pods', pod.metadata.namespace, pod.metadata.name!) as JsonObject | undefined;
  if (!cur) return;
  const t = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const conditions = (cur.status.conditions ?? []).filter((c: JsonObject) => c.type !== 'Ready');
  conditions.push({ type: 'Ready', status: ready ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: t });
  cur.status = { ...cur.status, phase: 'Running', conditions, podIP: cur.status.podIP ?? '10.244.0.9' };
  await client.update('pods', cur as KubeObject, 'status');
}

/** Marks every not-yet-ready, bound or unbound, non-terminating pod matching the filter Ready. */
export async function markAllReady(client: ApiClient, filter: (p: KubeObject) => boolean = () => true): Promise<number> {
  const { items } = await client.list('pods');
  let n = 0;
  for (const p of items) {
    const ready = ((p as JsonObject).status?.conditions ?? []).some((c: JsonObject) => c.type === 'Ready' && c.status === 'True');
    if (!ready && !p.metadata.deletionTimestamp && filter(p)) { await markReady(client, p); n++; }
  }
  return n;
}

/** Starts the given controllers on a client the way startControllers does, for one test. */
export async function runControllers(client: ApiClient, make: Array<(ctx: ControllerContext) => Controller>, logs: string[] = []):
  Promise<{ ctx: ControllerContext; controllers: Controller[]; stop(): Promise<void> }> {
  const log = (l: string) => { logs.push(l); };
  const informers = new InformerFactory(client, { log });
  const ctx: ControllerContext = { client, informers, log };
  const controllers = make.map((m) => m(ctx));
  await informers.start();
  for (const c of controllers) await c.start();
  return {
    ctx, controllers,
    async stop() {
      for (const c of controllers) await c.stop();
      informers.stop();
    },
  };
}

/**
 * A stand-in for every node's kubelet: pods become Running and Ready a moment after they appear, and
 * pods in graceful deletion are removed. `paused` holds it still so a test can look at a rollout mid-way.
 */
export class FakeKubelet {
  paused = false;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(private readonly client: ApiClient, private readonly intervalMs = 15) {}

  start(): this {
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One pass: finish deletions, start new pods. */
  async tick(): Promise<void> {
    if (this.busy || this.paused) return;
    this.busy = true;
    try {
      const { items } = await this.client.list('pods');
      for (const p of items) {
        if (p.metadata.deletionTimestamp) {
          await this.client.delete('pods', p.metadata.namespace, p.metadata.name!, { gracePeriodSeconds: 0 }).catch(() => undefined);
        } else if (!((p as JsonObject).status?.conditions ?? []).some((c: JsonObject) => c.type === 'Ready' && c.status === 'True')) {
          await markReady(this.client, p).catch(() => undefined);
        }
      }
    } finally { this.busy = false; }
  }
}
