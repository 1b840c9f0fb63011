// The pod manager: kubelet's pod config source + pod workers for one node. It waits for the Node's
// podCIDR and writes the node's CNI configuration from it, watches the pods bound to the node
// (fieldSelector spec.nodeName=<node>) with the one informer (components/kube), and gives each pod a worker
// (serialised per pod, parallel across pods). On start it adopts the sandboxes a previous agent left
// running (same IP, same processes), tears down those no pod owns, and garbage-collects CNI attachments.
import { readFileSync } from 'node:fs';
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import type { KubeObject } from '../../../core/api/object.js';
import { KubeApiClient } from '../../kube/client.js';
import { Informer } from '../../kube/informer.js';
import type { ClusterConfig } from '../../../core/cluster/config.js';
import { CrashLoopBackoff } from './backoff.js';
import { writeConflist } from './cni-config.js';
import { CniRuntime, loadDefaultNetwork, type PluginInvoker } from '../../cni/index.js';
import type { EnvSources, NodeFacts } from './env.js';
import { KubeletEventRecorder } from './events.js';
import { NodePaths } from './paths.js';
import { listRecords } from './pod-record.js';
import { PodWorker } from './pod-worker.js';
import { parseResolvConf } from './resolv-conf.js';
import { destroySandbox, type SandboxEnv } from './sandbox.js';
import { parseQuantity } from './env.js';
import { isMirrorPod } from '../mirror-pod.js';

export interface PodManagerOptions {
  kubeConfig: KubeConfig;
  cluster: ClusterConfig;
  nodeName: string;
  nodeIP: string;
  /** Runs CNI plugins; by default podnet's own in-process and any other type from CNI_PATH. */
  invokePlugin?: PluginInvoker;
  /** Directories searched for plugin executables (CNI_PATH); containerd's and Debian's by default. */
  cniPath?: readonly string[];
  /** The CNI version written into the node's conflist (1.1.0 unless the plugins stop earlier). */
  cniVersion?: string;
  /** Service environment variables for containers (the Services issue provides them). */
  serviceEnv?: EnvSources['serviceEnv'];
  /**
   * Awaited when a pod's sandbox has its addresses and before its containers start: the NetworkPolicy
   * programmer resolves it once the pod's rules are in the kernel. A rejection fails the sandbox (retried).
   */
  networkReady?(pod: V1Pod, podIPs: string[]): Promise<void>;
  /** Mirror pods are not run (their process is the agent); this hears of their changes. */
  onMirrorPod?: () => void;
  log(line: string): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class PodManager {
  readonly paths: NodePaths;
  readonly core: CoreV1Api;
  private readonly workers = new Map<string, PodWorker>();
  private informer?: Informer<KubeObject>;
  private readonly client: KubeApiClient;
  private stopped = false;
  private readonly backoff = new CrashLoopBackoff();
  private events: KubeletEventRecorder;
  private sandboxEnv!: SandboxEnv;
  private nodeFacts!: NodeFacts;

  constructor(private readonly opts: PodManagerOptions) {
    this.paths = new NodePaths(opts.cluster.stateDir, opts.nodeName);
    this.core = opts.kubeConfig.makeApiClient(CoreV1Api);
    this.client = new KubeApiClient(opts.kubeConfig);
    this.events = new KubeletEventRecorder(this.client, opts.nodeName, opts.log);
  }

  /** The worker of a pod by namespace and name (streaming: exec, attach, logs, port-forward). */
  worker(namespace: string, name: string): PodWorker | undefined {
    for (const w of this.workers.values()) if (w.namespace === namespace && w.name === name && !w.pod.metadata?.deletionTimestamp) return w;
    for (const w of this.workers.values()) if (w.namespace === namespace && w.name === name) return w;
    return undefined;
  }

  /** Waits for the podCIDR, writes the CNI configuration, adopts what runs, and starts watching pods. */
  async start(): Promise<void> {
    const { cluster, nodeName } = this.opts;
    const node = await this.waitForPodCIDR();
    writeConflist(this.paths.conflist, {
      podCIDR: node.podCIDR, overlay: cluster.overlay, ipamDataDir: this.paths.ipamDataDir, cniVersion: this.opts.cniVersion,
    });
    this.nodeFacts = {
      nodeName, hostIP: this.opts.nodeIP,
      allocatableCpu: parseQuantity(node.cpu ?? '1'), allocatableMemoryBytes: parseQuantity(node.memory ?? '0'),
    };
    const cni = new CniRuntime({ cacheDir: this.paths.cniCacheDir, invoke: this.opts.invokePlugin, cniPath: this.opts.cniPath });
    this.sandboxEnv = {
      clusterName: cluster.name, nodeName, paths: this.paths, cni,
      network: () => loadDefaultNetwork(this.paths.netDir), log: this.opts.log,
    };

    const fieldSelector = `spec.nodeName=${nodeName}`;
    const informer = new Informer<KubeObject>(this.client, 'pods', { fieldSelector, log: this.opts.log });
    this.informer = informer;
    const pod = (o: KubeObject) => o as unknown as V1Pod;
    informer.on({
      add: (p) => this.upsert(pod(p)),
      update: (_old, p) => this.upsert(pod(p)),
      delete: (p) => { if (isMirrorPod(pod(p))) this.opts.onMirrorPod?.(); else this.workers.get(p.metadata.uid!)?.remove(); },
    });

    // The first list decides what the sandboxes left on disk belong to, before any event is handled.
    const first = await this.core.listPodForAllNamespaces({ fieldSelector });
    await this.adoptOrClean(first.items);
    await informer.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.informer?.stop();
    await this.events.flush();
  }

  private async waitForPodCIDR(): Promise<{ podCIDR: string; cpu?: string; memory?: string }> {
    let logged = false;
    for (;;) {
      try {
        const n = await this.core.readNode({ name: this.opts.nodeName });
        if (n.spec?.podCIDR) return { podCIDR: n.spec.podCIDR, cpu: n.status?.allocatable?.cpu, memory: n.status?.allocatable?.memory };
      } catch (e) {
        if (!logged) this.opts.log(`reading Node ${this.opts.nodeName}: ${(e as Error).message}`);
      }
      if (!logged) { this.opts.log(`waiting for Node ${this.opts.nodeName} to get a podCIDR`); logged = true; }
      await sleep(500);
    }
  }

  private deps() {
    return {
      sandbox: this.sandboxEnv, core: this.core, events: this.events, node: this.nodeFacts,
      clusterDomain: this.opts.cluster.clusterDomain, clusterDNS: [this.opts.cluster.dnsServiceIP],
      apiKubeconfig: this.opts.cluster.paths.kubeconfig,
      hostResolv: () => parseResolvConf(readOr('/etc/resolv.conf')),
      hostHosts: () => readOr('/etc/hosts'),
      envSources: this.envSources(),
      networkReady: this.opts.networkReady?.bind(this.opts),
      backoff: this.backoff,
      activePods: () => [...this.workers.values()].filter((w) => w.active).map((w) => w.pod),
      log: this.opts.log,
      onGone: (uid: string) => { this.workers.delete(uid); this.backoff.forgetPod(uid); },
    };
  }

  private envSources(): EnvSources {
    const core = this.core;
    const notFound = (e: unknown) => (e as { code?: number }).code === 404;
    return {
      async configMap(namespace, name) {
        try { return (await core.readNamespacedConfigMap({ name, namespace })).data ?? {}; } catch (e) { if (notFound(e)) return undefined; throw e; }
      },
      async secret(namespace, name) {
        try {
          const s = await core.readNamespacedSecret({ name, namespace });
          return Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
        } catch (e) { if (notFound(e)) return undefined; throw e; }
      },
      serviceEnv: this.opts.serviceEnv ?? (async () => ({})),
    };
  }

  private upsert(pod: V1Pod): void {
    if (this.stopped) return;
    const uid = pod.metadata?.uid;
    if (!uid || pod.spec?.nodeName !== this.opts.nodeName) return;
    if (isMirrorPod(pod)) { if (pod.metadata?.deletionTimestamp) this.opts.onMirrorPod?.(); return; }
    const existing = this.workers.get(uid);
    if (existing) { existing.update(pod); return; }
    const w = new PodWorker(pod, this.deps());
    this.workers.set(uid, w);
    // A finished pod seen for the first time (agent restart) keeps its status; nothing runs for it.
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') w.adoptFinished();
    w.trigger();
  }

  /**
   * Sandboxes recorded on disk: a pod that still exists adopts its sandbox (if the shim runs; otherwise
   * the worker replaces it), one no pod owns is torn down. Then CNI GC releases whatever attachment is
   * cached without a sandbox (an agent killed in the middle of an ADD or DEL).
   */
  private async adoptOrClean(pods: V1Pod[]): Promise<void> {
    const byUid = new Map(pods.map((p) => [p.metadata!.uid!, p]));
    const valid: Array<{ containerID: string; ifname: string }> = [];
    for (const record of listRecords(this.paths)) {
      const pod = byUid.get(record.uid);
      const live = pod && !(pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed');
      if (pod && live) {
        const w = new PodWorker(pod, this.deps());
        this.workers.set(record.uid, w);
        try {
          if (await w.adopt(record)) {
            this.opts.log(`adopted pod ${record.namespace}/${record.name} (sandbox ${record.sandboxId.slice(0, 12)}, ${record.podIPs.join(', ') || 'host network'})`);
            if (record.netns) valid.push({ containerID: record.sandboxId, ifname: record.ifname });
          }
        } catch (e) {
          this.opts.log(`cannot adopt pod ${record.namespace}/${record.name}: ${(e as Error).message}; its sandbox will be re-created`);
        }
        continue;
      }
      this.opts.log(`removing sandbox ${record.sandboxId.slice(0, 12)} of pod ${record.namespace}/${record.name}: no such pod on this node any more`);
      await destroySandbox(this.sandboxEnv, record).catch((e) => this.opts.log(`cleanup failed: ${(e as Error).message}`));
    }
    try {
      const errors = await this.sandboxEnv.cni.gc(this.sandboxEnv.network(), valid);
      for (const e of errors) this.opts.log(`CNI GC: ${e}`);
    } catch (e) {
      this.opts.log(`CNI GC failed: ${(e as Error).message}`);
    }
  }
}

function readOr(path: string): string {
  try { return readFileSync(path, 'utf8'); } catch { return ''; }
}
