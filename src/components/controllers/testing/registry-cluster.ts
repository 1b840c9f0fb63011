// A control plane for controller tests: the real Registry (defaulting, validation, admission, graceful
// deletion) over the in-memory store, with every controller of `podnet server` running against it.
import { Registry } from '../../apiserver/registry.js';
import { NamespaceLifecycle } from '../../apiserver/namespace-lifecycle.js';
import { ServiceAllocation } from '../../apiserver/service-allocation.js';
import { MemoryStore } from '../../store/index.js';
import type { ClusterConfig } from '../../../core/cluster/config.js';
import type { ApiClient } from '../../../core/api/client.js';
import type { JsonObject, KubeObject } from '../../../core/api/object.js';
import type { Controller, ControllerContext } from '../context.js';
import { startControllers, type ControllerOptions } from '../index.js';

export const TEST_CONFIG = {
  name: 'test', clusterCIDR: '10.244.0.0/16', nodeCIDRMaskSize: 24, serviceCIDR: '10.96.0.0/12',
  hostIP: '172.31.250.1', apiServerPort: 6443, nodePortRange: '30000-32767',
} as ClusterConfig;

/**
 * The API as `podnet server` serves it (defaulting, validation, NamespaceLifecycle, ClusterIP and
 * NodePort allocation) over the in-memory store, without controllers: for tests that run one controller.
 * The namespaces named exist; `historySize` bounds how far back a watch can resume (older: 410 Expired).
 */
export async function testRegistry(opts: { namespaces?: string[]; historySize?: number } = {}): Promise<Registry> {
  const store = new MemoryStore({ historySize: opts.historySize });
  const registry = new Registry(store);
  registry.use(new NamespaceLifecycle(registry));
  registry.use(await ServiceAllocation.open(store, registry, TEST_CONFIG));
  for (const name of opts.namespaces ?? ['default']) {
    await registry.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  return registry;
}

/** Every object of a resource (of one namespace), for assertions. */
export async function all(client: ApiClient, resource: string, namespace?: string): Promise<JsonObject[]> {
  return (await client.list(resource, { namespace })).items as JsonObject[];
}

/**
 * Creates an object and then writes the status it carries, as its real writers do (the API drops the
 * status of a create; a kubelet or controller reports it afterwards). Returns the stored object.
 */
export async function createWithStatus(client: ApiClient, resource: string, obj: KubeObject): Promise<KubeObject> {
  const created = await client.create(resource, obj);
  const status = (obj as JsonObject).status;
  if (status === undefined) return created;
  return client.update(resource, { ...created, status } as KubeObject, 'status');
}

export interface RegistryCluster {
  registry: Registry;
  logs: string[];
  stop(): Promise<void>;
  /** Pods of a namespace, sorted by name. */
  pods(namespace?: string, filter?: (p: JsonObject) => boolean): Promise<JsonObject[]>;
}

export async function registryCluster(extra: Array<(ctx: ControllerContext) => Controller> = [], opts: Omit<ControllerOptions, 'log' | 'extra'> = {}): Promise<RegistryCluster> {
  const store = new MemoryStore();
  const registry = new Registry(store);
  registry.use(new NamespaceLifecycle(registry));
  registry.use(await ServiceAllocation.open(store, registry, TEST_CONFIG));
  const logs: string[] = [];
  const ctl = await startControllers(registry, TEST_CONFIG, { ...opts, log: (l) => logs.push(l), extra });
  return {
    registry, logs,
    stop: () => ctl.stop(),
    async pods(namespace = 'default', filter = () => true) {
      const items = (await registry.list('pods', { namespace })).items as JsonObject[];
      return items.filter(filter).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    },
  };
}

/** Sets a pod's phase (and Ready) as a kubelet reports it; containers exit with `exitCode` when terminal. */
export async function setPodPhase(registry: Registry, pod: KubeObject, phase: 'Running' | 'Succeeded' | 'Failed', ready = phase === 'Running'): Promise<void> {
  const cur = await registry.get('pods', pod.metadata.namespace, pod.metadata.name!) as JsonObject | undefined;
  if (!cur) return;
  const t = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const conditions = (cur.status.conditions ?? []).filter((c: JsonObject) => c.type !== 'Ready');
  conditions.push({ type: 'Ready', status: ready ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: t });
  const terminal = phase !== 'Running';
  cur.status = {
    ...cur.status, phase, conditions, podIP: cur.status.podIP ?? '10.244.0.9', startTime: cur.status.startTime ?? t,
    containerStatuses: (cur.spec.containers ?? []).map((c: JsonObject) => ({
      name: c.name, image: c.image, ready, restartCount: 0,
      state: terminal ? { terminated: { exitCode: phase === 'Succeeded' ? 0 : 1, reason: phase === 'Succeeded' ? 'Completed' : 'Error', startedAt: t, finishedAt: t } } : { running: { startedAt: t } },
    })),
  };
  await registry.update('pods', cur as KubeObject, 'status');
}
