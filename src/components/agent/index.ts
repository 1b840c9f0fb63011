// `podnet agent`: the kubelet-like process of one node, running inside the node's network namespace.
// It registers the Node through the Kubernetes API and keeps its status fresh with a heartbeat every
// 10 s and a Lease in kube-node-lease; programs the node's side of the pod network (routes or the VXLAN
// overlay to the other nodes' podCIDRs, masquerade of traffic leaving the cluster); makes Services real in
// nftables, as kube-proxy does; and runs the pods bound to the node, with logs, exec, attach and
// port-forward served on <node IP>:10250.
import {
  ApiException, CoordinationV1Api, CoreV1Api, KubeConfig, V1MicroTime, type V1Lease, type V1Node,
} from '@kubernetes/client-node';
import type { ClusterConfig } from '../../core/cluster/config.js';
import { newNode, nodeLabels, nodeStatus, readHostFacts } from './node-status.js';
import { startOverlay } from './overlay/index.js';
import { startPodRuntime } from './pods/index.js';
import { startServiceProxy } from './services/index.js';
import { startPolicyProgrammer } from './policy/index.js';
import { serveCni } from '../cni/index.js';
import { AGENT_CONTAINER, AGENT_NAMESPACE, ensureMirrorPod, mirrorPodName } from './mirror-pod.js';
import { agentProcessName, logFileOf } from '../cluster/supervisor.js';
import { rmSync, rmdirSync } from 'node:fs';
import { dirname } from 'node:path';

export const HEARTBEAT_INTERVAL_MS = 10_000;
/** The kubelet's default node lease duration. */
const LEASE_DURATION_SECONDS = 40;
const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/**
 * How often the agent posts status and renews its Lease: kubelet's 10 s, or a quarter of a shorter
 * node grace period (`podnet up --node-monitor-grace-period`), as kubelet renews its Lease at a quarter of
 * its duration, so that a live node never looks silent to the node lifecycle controller.
 */
export function heartbeatIntervalMs(config: Pick<ClusterConfig, 'nodeMonitorGracePeriodSeconds'>): number {
  const grace = config.nodeMonitorGracePeriodSeconds;
  return grace === undefined ? HEARTBEAT_INTERVAL_MS : Math.max(250, Math.min(HEARTBEAT_INTERVAL_MS, (grace * 1000) / 4));
}

export interface RunningAgent {
  stop(): Promise<void>;
}

export interface AgentOptions {
  log?: (line: string) => void;
  heartbeatMs?: number;
}

function defaultLog(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

const codeOf = (e: unknown) => (e instanceof ApiException ? e.code : undefined);

/** Registers the Node and starts the heartbeat. Resolves once the Node exists with a Ready status. */
export async function runAgent(config: ClusterConfig, nodeName: string, opts: AgentOptions = {}): Promise<RunningAgent> {
  const log = opts.log ?? defaultLog;
  const node = config.nodes.find((n) => n.name === nodeName);
  if (!node) {
    throw new Error(`node ${JSON.stringify(nodeName)} is not in ${config.stateDir}/cluster.json (its nodes: ${config.nodes.map((n) => n.name).join(', ')})`);
  }
  // This kubeconfig points at https://<hostIP>:<port>: reachable from inside the node namespace.
  const kc = new KubeConfig();
  kc.loadFromFile(config.paths.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const coordination = kc.makeApiClient(CoordinationV1Api);

  let stopped = false;
  await untilReachable(register, log);
  log(`registered node ${nodeName} (${node.ip}) with ${kc.getCurrentCluster()?.server}`);
  await heartbeat();
  const overlay = await startOverlay(kc, config, nodeName, { log, uplink: node.uplink });
  // Services: the nftables service proxy (kube-proxy's job), health/metrics on :10256, LB announcement.
  const services = await startServiceProxy(kc, config, nodeName, { log, device: node.uplink });
  // NetworkPolicy: table ip podnet-policy; its drop counters join the proxy's /metrics on :10256.
  const policy = await startPolicyProgrammer(kc, nodeName, { log, registry: services.metrics.registry });
  // Pods: sandboxes wired by CNI, containers as processes, and the kubelet-style streaming endpoint. A
  // new pod's containers start only once its policy rules are programmed (networkReady).
  // The agent as a mirror pod in kube-system (kubelet's static-pod mirror), its log file as its logs.
  const startedAt = new Date();
  let nodeUid = '';
  const mirror = () => {
    if (!nodeUid || stopped) return;
    mirrorInFlight = mirrorInFlight.then(() => ensureMirrorPod(core, { node: nodeName, nodeUid, nodeIP: node.ip, startedAt }))
      .catch((e) => log(`mirror pod: ${(e as Error).message}`));
  };
  let mirrorInFlight: Promise<void> = Promise.resolve();
  const pods = await startPodRuntime(config, nodeName, {
    log, serviceEnv: (pod) => services.serviceEnv(pod), networkReady: (pod, ips) => policy.admit(pod, ips), onMirrorPod: mirror,
    fileLogs: [{ namespace: AGENT_NAMESPACE, name: mirrorPodName(nodeName), container: AGENT_CONTAINER, path: logFileOf(config, agentProcessName(nodeName)) }],
  });
  nodeUid = (await core.readNode({ name: nodeName })).metadata?.uid ?? '';
  mirror();
  // The fast path of bin/podnet-cni for runtimes on this node (containerd, or a person with env vars and
  // stdin): a thin client hands the call to this process instead of starting Node per call.
  const cniSocket = `/run/podnet/${nodeName}/cni.sock`;
  const cni = await serveCni(cniSocket, { buildShim: true });
  if (cni.shimError) log(`bin/podnet-cni fast path unavailable (${cni.shimError}); the plugin runs stand-alone`);

  let inFlight: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    if (stopped) return;
    inFlight = inFlight.then(heartbeat).then(mirror).catch((e) => log(`heartbeat failed: ${(e as Error).message}`));
  }, opts.heartbeatMs ?? heartbeatIntervalMs(config));

  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await inFlight.catch(() => {});
      await mirrorInFlight;
      await cni.close();
      rmSync(dirname(cniSocket), { recursive: true, force: true });
      try { rmdirSync(dirname(dirname(cniSocket))); } catch { /* other nodes still use /run/podnet */ }
      await pods.stop();
      await policy.stop();
      await services.stop();
      await overlay.stop();
      log(`agent of ${nodeName} stopped`);
    },
  };

  /** Creates the Node, or on restart brings an existing Node's labels back to ours. */
  async function register(): Promise<void> {
    const facts = readHostFacts();
    try {
      const body = newNode(nodeName, node!.ip, facts, new Date());
      body.metadata!.labels = { ...node!.labels, ...body.metadata!.labels };
      await core.createNode({ body });
      return;
    } catch (e) {
      if (codeOf(e) !== 409) throw e;
    }
    await retryOnConflict(async () => {
      const existing = await core.readNode({ name: nodeName });
      existing.metadata = { ...existing.metadata, labels: { ...existing.metadata?.labels, ...node!.labels, ...nodeLabels(nodeName, facts) } };
      await core.replaceNode({ name: nodeName, body: existing });
    });
  }

  /** Posts fresh conditions (lastHeartbeatTime now) and addresses/capacity; renews the Lease. */
  async function heartbeat(): Promise<void> {
    const facts = readHostFacts();
    await retryOnConflict(async () => {
      const current: V1Node = await core.readNode({ name: nodeName });
      current.status = { ...current.status, ...nodeStatus(nodeName, node!.ip, facts, new Date(), current.status?.conditions) };
      await core.replaceNodeStatus({ name: nodeName, body: current });
    });
    await renewLease().catch((e) => log(`lease renewal failed: ${(e as Error).message}`));
  }

  async function renewLease(): Promise<void> {
    const spec = { holderIdentity: nodeName, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: new V1MicroTime() };
    try {
      const lease = await coordination.readNamespacedLease({ name: nodeName, namespace: NODE_LEASE_NAMESPACE });
      lease.spec = { ...lease.spec, ...spec };
      await coordination.replaceNamespacedLease({ name: nodeName, namespace: NODE_LEASE_NAMESPACE, body: lease });
      return;
    } catch (e) {
      if (codeOf(e) !== 404) throw e;
    }
    const self = await core.readNode({ name: nodeName });
    const body: V1Lease = {
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
      metadata: {
        name: nodeName, namespace: NODE_LEASE_NAMESPACE,
        ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: self.metadata!.uid! }],
      },
      spec,
    };
    await coordination.createNamespacedLease({ namespace: NODE_LEASE_NAMESPACE, body });
  }
}

/**
 * Runs `fn`, again for up to 60 s while the API server cannot be reached (a refused or reset connection:
 * the server restarting), but not when it answers with an error, which retrying would not change.
 */
async function untilReachable(fn: () => Promise<void>, log: (line: string) => void, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let said = false;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof ApiException || Date.now() > deadline) throw e;
      if (!said) log(`API server not reachable yet (${(e as Error).message}); retrying for up to ${timeoutMs / 1000} s`);
      said = true;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Runs a read-modify-write, again on 409 Conflict (another writer, e.g. node IPAM setting podCIDR). */
async function retryOnConflict(fn: () => Promise<void>, attempts = 5): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (codeOf(e) !== 409 || i >= attempts) throw e;
    }
  }
}
