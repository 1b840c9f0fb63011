// The agent as kube-system sees it: a mirror pod, as kubelet keeps one for each static pod. It is named
// `podnet-agent-<node>`, bound to the node, hostNetwork (its IP is the node's), annotated
// kubernetes.io/config.mirror, owned by the Node (deleted with it), and Running/Ready while this agent
// heartbeats. The agent never runs it (the process is the agent itself); `kubectl logs` of it reads the
// agent's log file; deleted, it comes back, as kubelet re-creates a deleted mirror pod.
import { createHash } from 'node:crypto';
import { ApiException, type CoreV1Api, type V1Pod } from '@kubernetes/client-node';

export const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';
export const AGENT_CONTAINER = 'podnet-agent';
export const AGENT_NAMESPACE = 'kube-system';

export function mirrorPodName(node: string): string {
  return `podnet-agent-${node}`;
}

/** True for a mirror pod: the node agent must not run it. */
export function isMirrorPod(pod: V1Pod): boolean {
  return pod.metadata?.annotations?.[MIRROR_ANNOTATION] !== undefined;
}

export interface MirrorFacts {
  node: string;
  nodeUid: string;
  nodeIP: string;
  /** When this agent process started: the container's startedAt. */
  startedAt: Date;
}

/** The mirror pod's spec and metadata (what kubelet would read from the static manifest). */
export function mirrorPod(f: MirrorFacts): V1Pod {
  const spec = {
    nodeName: f.node, hostNetwork: true, restartPolicy: 'Always',
    containers: [{ name: AGENT_CONTAINER, image: 'podnet/agent', command: ['podnet', 'agent', '--node', f.node] }],
    tolerations: [{ operator: 'Exists', effect: 'NoExecute' }],
  };
  const hash = createHash('md5').update(JSON.stringify(spec)).digest('hex');
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name: mirrorPodName(f.node), namespace: AGENT_NAMESPACE,
      labels: { 'k8s-app': 'podnet-agent', tier: 'node' },
      annotations: { [MIRROR_ANNOTATION]: hash, 'kubernetes.io/config.hash': hash, 'kubernetes.io/config.source': 'file' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: f.node, uid: f.nodeUid, controller: true }],
    },
    spec: spec as V1Pod['spec'],
  };
}

/** Running and Ready since the agent started, with the node's address as pod and host IP. */
export function mirrorStatus(f: MirrorFacts): V1Pod['status'] {
  const started = f.startedAt;
  const cond = (type: string) => ({ type, status: 'True', lastTransitionTime: started });
  return {
    phase: 'Running', hostIP: f.nodeIP, hostIPs: [{ ip: f.nodeIP }], podIP: f.nodeIP, podIPs: [{ ip: f.nodeIP }], startTime: started, qosClass: 'BestEffort',
    conditions: [cond('PodReadyToStartContainers'), cond('Initialized'), cond('Ready'), cond('ContainersReady'), cond('PodScheduled')],
    containerStatuses: [{
      name: AGENT_CONTAINER, image: 'podnet/agent', imageID: '', containerID: `podnet://agent-${f.node}`,
      ready: true, started: true, restartCount: 0, state: { running: { startedAt: started } },
    }],
  } as V1Pod['status'];
}

const codeOf = (e: unknown) => (e instanceof ApiException ? e.code : undefined);

/**
 * Makes the mirror pod exist and report the agent as running: creates it when missing, replaces it when
 * someone deleted it (kubelet deletes the old one at once and creates a new one), refreshes its status.
 */
export async function ensureMirrorPod(core: CoreV1Api, f: MirrorFacts): Promise<void> {
  const name = mirrorPodName(f.node);
  let current: V1Pod | undefined;
  try { current = await core.readNamespacedPod({ name, namespace: AGENT_NAMESPACE }); } catch (e) { if (codeOf(e) !== 404) throw e; }
  if (current?.metadata?.deletionTimestamp || (current && current.metadata?.ownerReferences?.[0]?.uid !== f.nodeUid)) {
    try {
      // The grace period goes in the body with the precondition: kube-apiserver reads DeleteOptions from
      // the body when there is one and ignores the query's.
      await core.deleteNamespacedPod({ name, namespace: AGENT_NAMESPACE, body: { gracePeriodSeconds: 0, preconditions: { uid: current.metadata!.uid } } });
    } catch (e) { if (codeOf(e) !== 404 && codeOf(e) !== 409) throw e; }
    current = undefined;
  }
  if (!current) {
    try {
      current = await core.createNamespacedPod({ namespace: AGENT_NAMESPACE, body: mirrorPod(f) });
    } catch (e) {
      // The old one is still on its way out, or the namespace does not exist yet: the next heartbeat retries.
      if (codeOf(e) === 409 || codeOf(e) === 404 || codeOf(e) === 403) return;
      throw e;
    }
  }
  const started = current.status?.containerStatuses?.[0]?.state?.running?.startedAt;
  if (current.status?.phase === 'Running' && started && new Date(started).getTime() === Math.floor(f.startedAt.getTime() / 1000) * 1000) return;
  current.status = mirrorStatus(f);
  try {
    await core.replaceNamespacedPodStatus({ name, namespace: AGENT_NAMESPACE, body: current });
  } catch (e) { if (codeOf(e) !== 404 && codeOf(e) !== 409) throw e; }
}
