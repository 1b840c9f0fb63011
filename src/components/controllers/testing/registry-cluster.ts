// A control plane for controller tests: the real Registry (defaulting, validation, admission, graceful
// deletion) over the in-memory store, with every controller of `podnet server` running against it.
import { Registry } from '../../apiserver/registry.js';
import { NamespaceLifecycle } from '../../apiserver/namespace-lifecycle.js';
import { ServiceAllocation } from '../../apiserver/service-allocation.js';
import { MemoryStore } from '../../store/index.js';
import type { ClusterConfig } from '../../../core/cluster/config.js';
import type { JsonObject, KubeObject } from '../../../core/api/object.js';
import type { Controller, ControllerContext } from '../context.js';
import { startControllers, type ControllerOptions } from '../index.js';

export const TEST_CONFIG = {
  name: 'test', clusterCIDR: '10.244.0.0/16', nodeCIDRMaskSize: 24, serviceCIDR: '10.96.0.0/12',
  hostIP: '172.31.250.1', apiServerPort: 6443, nodePortRange: '30000-32767',
} as ClusterConfig;

export interface RegistryCluster {
  registry: Registry;
  logs: string[];
  stop(): Promise<void>;
  /** Pods of a namespace, sorted by name. */
  pods(namespace?: string, filter?: (p: JsonObject) => boolean): Promise<JsonObject[]>;
}

export async function registryCluster(extra: Array<(ctx: ControllerContext) => Controller> = [], opts: Omit<ControllerOptions, 'log' | 'extra'> = {}): Promise<RegistryCluster> {
  const registry = new Registry(new MemoryStore());
  registry.use(new NamespaceLifecycle(registry));
  registry.use(await ServiceAllocation.fromRegistry(registry, TEST_CONFIG));
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
