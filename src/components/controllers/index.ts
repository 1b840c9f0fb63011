// The controllers `podnet server` runs in process against the registry (any ApiClient works: the same
// controllers run against the in-memory client in tests). What others may import from this folder:
// startControllers, the informer and work queue for further controllers (EndpointSlice), and events.
import type { ApiClient } from '../../core/api/client.js';
import { DEFAULTS, type ClusterConfig } from '../../core/cluster/config.js';
import type { Controller, ControllerContext } from './context.js';
import { InformerFactory } from '../kube/informer.js';
import { NamespaceController, ensureSystemNamespaces } from './namespace.js';
import { LeaderElector, type LeaderElectionConfig } from './leader-election.js';
import { ServiceAccountController } from './serviceaccount.js';
import { NodeLifecycleController } from './node-lifecycle.js';
import { ReplicaSetController } from './replicaset.js';
import { DeploymentController } from './deployment.js';
import { DaemonSetController } from './daemonset.js';
import { StatefulSetController } from './statefulset.js';
import { JobController, type JobControllerOptions } from './job.js';
import { CronJobController, type CronJobControllerOptions } from './cronjob.js';
import { Scheduler } from './scheduler.js';
import { GarbageCollector } from './gc.js';
import { PodGarbageCollector } from './podgc.js';
import { NodeIpamController } from './nodeipam.js';
import { KubernetesServiceController } from './kubernetes-service.js';
import { EndpointSliceMirroringController } from './endpointslice-mirroring.js';
import { DEFAULT_EVENT_TTL_MS, EventTTLController } from './event-ttl.js';
import { parseDuration } from '../../core/dns/names.js';
import { EndpointSliceController } from './endpointslice.js';
import { EndpointsController } from './endpoints.js';
import { LoadBalancerController } from './loadbalancer.js';

export { Informer, InformerFactory, type EventHandlers, type InformerOptions } from '../kube/informer.js';
export { WorkQueue, type WorkQueueOptions } from './workqueue.js';
export { EventRecorder, eventRecorder, recordEvent, type EventSource, type EventType, type ObjectReference } from '../kube/events.js';
export { type Controller, type ControllerContext, recorderFor, splitKey } from './context.js';
export { SYSTEM_NAMESPACES } from './namespace.js';
export { LeaderElector, CONTROLLER_MANAGER_LEASE, DEFAULT_LEADER_ELECTION, validateLeaderElection, type LeaderElectionConfig } from './leader-election.js';
export { EndpointSliceController, type EndpointSliceControllerOptions } from './endpointslice.js';
export { EndpointsController } from './endpoints.js';
export { LoadBalancerController, isOurLoadBalancer } from './loadbalancer.js';
export { LoadBalancerPool, LoadBalancerAllocator, parseLoadBalancerPool, defaultLoadBalancerPool } from './loadbalancer-pool.js';
export { ANNOTATION_ANNOUNCING_NODE, chooseAnnouncingNode } from './loadbalancer-announcer.js';

export interface ControllerOptions {
  log?: (line: string) => void;
  /** Extra controllers (built on the same context) to run alongside the built-in ones. */
  extra?: Array<(ctx: ControllerContext) => Controller>;
  /** The Job controller's clock and back-off (tests). */
  jobs?: JobControllerOptions;
  /** The CronJob controller's clock (tests). */
  cronJobs?: CronJobControllerOptions;
}

function defaultLog(line: string): void {
  process.stdout.write(`${new Date().toISOString()} controllers: ${line}\n`);
}

/**
 * Starts every controller: system namespaces first (everything else lives in them), then the informers
 * (resolves only once all have listed), then the workers; the `kubernetes` Service exists when this
 * resolves. stop() ends the workers, waits for syncs in progress, and closes the watches.
 */
export async function startControllers(client: ApiClient, config: ClusterConfig, opts: ControllerOptions = {}): Promise<{ stop(): Promise<void> }> {
  const log = opts.log ?? defaultLog;
  const informers = new InformerFactory(client, { log });
  const ctx: ControllerContext = { client, informers, log };
  const namespaces = new NamespaceController(ctx);
  await namespaces.ensureSystemNamespaces();
  const controllers: Controller[] = [
    namespaces,
    new ServiceAccountController(ctx),
    new ReplicaSetController(ctx),
    new DeploymentController(ctx),
    new DaemonSetController(ctx),
    new StatefulSetController(ctx),
    new JobController(ctx, opts.jobs),
    new CronJobController(ctx, opts.cronJobs),
    new Scheduler(ctx),
    new GarbageCollector(ctx),
    new PodGarbageCollector(ctx),
    new NodeIpamController(ctx, config),
    new KubernetesServiceController(ctx, config),
    new EndpointSliceController(ctx),
    new EndpointsController(ctx),
    new EndpointSliceMirroringController(ctx),
    new EventTTLController(ctx, parseDuration(config.eventTTL ?? DEFAULTS.eventTTL) ?? DEFAULT_EVENT_TTL_MS),
    new LoadBalancerController(ctx, config),
    new NodeLifecycleController(ctx, config.nodeMonitorGracePeriodSeconds === undefined ? {} : { gracePeriodMs: config.nodeMonitorGracePeriodSeconds * 1000 }),
    ...(opts.extra ?? []).map((make) => make(ctx)),
  ];
  await informers.start();
  const started: Controller[] = [];
  try {
    for (const c of controllers) { await c.start(); started.push(c); }
  } catch (e) {
    for (const c of started.reverse()) await c.stop();
    informers.stop();
    throw e;
  }
  return {
    async stop() {
      for (const c of [...started].reverse()) await c.stop();
      informers.stop();
    },
  };
}

/**
 * The controller manager of one `podnet server`: the controllers run while this server holds the
 * kube-system/kube-controller-manager Lease (leader-election.ts), so that of several servers on one
 * datastore exactly one runs them. The first election attempt is awaited: a lone server (or the first
 * of several) has its controllers running when this resolves, as before there was an election.
 */
export async function startControllerManager(client: ApiClient, config: ClusterConfig, opts: ControllerOptions & {
  identity: string; leaderElection?: Partial<LeaderElectionConfig>;
}): Promise<{ stop(): Promise<void>; isLeader(): boolean }> {
  const log = opts.log ?? defaultLog;
  await ensureSystemNamespaces(client);
  const elector = new LeaderElector({
    client, identity: opts.identity, ...opts.leaderElection, log,
    onStartedLeading: () => startControllers(client, config, opts),
  });
  await elector.start();
  return { stop: () => elector.stop(), isLeader: () => elector.isLeader };
}
