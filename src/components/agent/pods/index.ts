// The node agent's pod runtime: what `podnet agent` starts besides the Node heartbeat.
//   const pods = await startPodRuntime(config, nodeName, { log });   ...   await pods.stop();
// It runs the pods bound to the node (sandboxes, containers, probes, status), serves kubelet's streaming
// endpoint on <node IP>:10250 (logs, exec, attach, port-forward) and publishes that port on the Node.
import { CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import type { ClusterConfig } from '../../../core/cluster/config.js';
import { StreamingServer } from '../streaming/index.js';
import type { EnvSources } from './env.js';
import { PodManager, type PodManagerOptions } from './pod-manager.js';
import { PodStreamingRuntime, type FileLogPod } from './streaming-runtime.js';

export { PodManager, type PodManagerOptions } from './pod-manager.js';
export { PodStreamingRuntime } from './streaming-runtime.js';
export { renderConflist, podMTU, writeConflist } from './cni-config.js';
export { NodePaths } from './paths.js';

/** kubelet's port (--port): the API server reaches logs, exec, attach and port-forward here. */
export const KUBELET_PORT = 10250;

export interface PodRuntimeOptions {
  log?: (line: string) => void;
  /** Service environment variables for containers (hook for the Services issue). */
  serviceEnv?: EnvSources['serviceEnv'];
  /** Called when a sandbox has its addresses, before containers start (NetworkPolicy's gate). */
  networkReady?: PodManagerOptions['networkReady'];
  /** Streaming port (10250 by default). */
  port?: number;
  /** Pods whose logs are files (the agent's mirror pod and its log). */
  fileLogs?: FileLogPod[];
  /** Called when a mirror pod bound to this node changes or goes (the agent puts it back). */
  onMirrorPod?: () => void;
}

export interface RunningPodRuntime {
  manager: PodManager;
  streaming: StreamingServer;
  /** Resolves once the node's CNI configuration is written and the pods are adopted and watched. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

export async function startPodRuntime(config: ClusterConfig, nodeName: string, opts: PodRuntimeOptions = {}): Promise<RunningPodRuntime> {
  const log = opts.log ?? ((line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`));
  const node = config.nodes.find((n) => n.name === nodeName);
  if (!node) throw new Error(`node ${JSON.stringify(nodeName)} is not in ${config.stateDir}/cluster.json`);
  const kc = new KubeConfig();
  kc.loadFromFile(config.paths.kubeconfig);
  const manager = new PodManager({
    kubeConfig: kc, cluster: config, nodeName, nodeIP: node.ip,
    serviceEnv: opts.serviceEnv, networkReady: opts.networkReady, log, onMirrorPod: opts.onMirrorPod,
  });
  const token = readFileSync(config.paths.token, 'utf8').trim();
  const streaming = new StreamingServer({ host: node.ip, port: opts.port ?? KUBELET_PORT, token, runtime: new PodStreamingRuntime(manager, opts.fileLogs), log });
  await streaming.start();
  await kc.makeApiClient(CoreV1Api).patchNodeStatus(
    { name: nodeName, body: { status: { daemonEndpoints: { kubeletEndpoint: { Port: streaming.port } } } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  log(`streaming server of ${nodeName} on ${node.ip}:${streaming.port}`);
  // Pods can run once the Node has a podCIDR (node IPAM assigns it); the caller need not wait for that.
  const ready = manager.start().then(
    () => log(`pod runtime of ${nodeName} started`),
    (e) => { log(`pod runtime of ${nodeName} failed to start: ${(e as Error).stack ?? e}`); throw e; },
  );
  ready.catch(() => undefined);
  return {
    manager, streaming, ready,
    async stop() {
      await manager.stop();
      await streaming.stop();
    },
  };
}
