// The pod status the agent writes, computed as kubelet's generateAPIPodStatus / getPhase and the
// status manager's condition generators (pkg/kubelet/kubelet_pods.go, pkg/kubelet/status/generate.go):
// phase from the container states and restartPolicy, the five conditions with kubelet's reasons and
// messages, lastTransitionTime kept while a condition does not change.
import type { V1ContainerStatus, V1Pod, V1PodCondition, V1PodStatus } from '@kubernetes/client-node';

export type Phase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

const isRestartableInit = (c: { restartPolicy?: string }) => c.restartPolicy === 'Always';

/** kubelet's getPhase: the pod's phase from its spec and container statuses. */
export function podPhase(pod: V1Pod, init: V1ContainerStatus[], regular: V1ContainerStatus[], podIsTerminal = false): Phase {
  const spec = pod.spec!;
  const restartPolicy = spec.restartPolicy ?? 'Always';
  let pendingInit = 0, failedInit = 0;
  for (const c of spec.initContainers ?? []) {
    if (isRestartableInit(c)) continue;
    const s = init.find((x) => x.name === c.name);
    if (!s?.state) { pendingInit++; continue; }
    if (s.state.running) pendingInit++;
    else if (s.state.terminated) { if (s.state.terminated.exitCode !== 0) failedInit++; }
    else if (s.state.waiting) {
      if (s.lastState?.terminated) { if (s.lastState.terminated.exitCode !== 0) failedInit++; }
      else pendingInit++;
    } else pendingInit++;
  }
  let unknown = 0, running = 0, waiting = 0, stopped = 0, succeeded = 0;
  for (const c of spec.containers) {
    const s = regular.find((x) => x.name === c.name);
    if (!s?.state) { unknown++; continue; }
    if (s.state.running) running++;
    else if (s.state.terminated) { stopped++; if (s.state.terminated.exitCode === 0) succeeded++; }
    else if (s.state.waiting) { if (s.lastState?.terminated) stopped++; else waiting++; }
    else unknown++;
  }
  if (failedInit > 0 && restartPolicy === 'Never') return 'Failed';
  const anyRegularStarted = regular.some((s) => s.state?.running || s.state?.terminated || s.lastState?.terminated);
  if ((pendingInit > 0 && !anyRegularStarted) || waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (podIsTerminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (restartPolicy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (restartPolicy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

type CondStatus = 'True' | 'False';

function condition(type: string, status: CondStatus, previous: V1PodCondition[] | undefined, now: Date, reason?: string, message?: string): V1PodCondition {
  const before = previous?.find((c) => c.type === type);
  const lastTransitionTime = before && before.status === status && before.lastTransitionTime ? new Date(before.lastTransitionTime) : now;
  const c: V1PodCondition = { type, status, lastProbeTime: null as unknown as undefined, lastTransitionTime };
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return c;
}

/** Init containers that have not completed, for the Initialized condition. */
function incompleteInit(pod: V1Pod, init: V1ContainerStatus[]): string[] {
  const out: string[] = [];
  for (const c of pod.spec?.initContainers ?? []) {
    const s = init.find((x) => x.name === c.name);
    if (isRestartableInit(c)) { if (!s?.started) out.push(c.name); continue; }
    if (!(s?.state?.terminated && s.state.terminated.exitCode === 0)) out.push(c.name);
  }
  return out;
}

export interface StatusInputs {
  pod: V1Pod;
  init: V1ContainerStatus[];
  containers: V1ContainerStatus[];
  /** The sandbox exists with its network configured (PodReadyToStartContainers). */
  sandboxReady: boolean;
  hostIP: string;
  podIPs: string[];
  startTime?: Date;
  now: Date;
  /** The pod's containers will not run again (deleted, or finished under Never/OnFailure). */
  podIsTerminal?: boolean;
}

/** The whole status subresource body kubelet would write. */
export function buildPodStatus(i: StatusInputs): V1PodStatus {
  const previous = i.pod.status?.conditions;
  const phase = podPhase(i.pod, i.init, i.containers, i.podIsTerminal);
  const conditions: V1PodCondition[] = [];
  conditions.push(condition('PodReadyToStartContainers', i.sandboxReady ? 'True' : 'False', previous, i.now));

  const notInit = incompleteInit(i.pod, i.init);
  const anyRegularStarted = i.containers.some((s) => s.state?.running || s.state?.terminated || s.lastState?.terminated);
  const initialized = notInit.length === 0 || anyRegularStarted;
  conditions.push(initialized
    ? condition('Initialized', 'True', previous, i.now)
    : condition('Initialized', 'False', previous, i.now, 'ContainersNotInitialized', `containers with incomplete status: [${notInit.join(' ')}]`));

  let ready: V1PodCondition;
  if (phase === 'Succeeded' || (i.podIsTerminal && phase === 'Failed')) {
    ready = condition('ContainersReady', 'False', previous, i.now, 'PodCompleted');
  } else if (!initialized) {
    ready = condition('ContainersReady', 'False', previous, i.now, 'ContainersNotInitialized', `containers with incomplete status: [${notInit.join(' ')}]`);
  } else {
    const unknown = i.pod.spec!.containers.filter((c) => !i.containers.some((s) => s.name === c.name)).map((c) => c.name);
    const unready = i.containers.filter((s) => !s.ready).map((s) => s.name);
    if (unknown.length) ready = condition('ContainersReady', 'False', previous, i.now, 'ContainersNotReady', `containers with unknown status: [${unknown.join(' ')}]`);
    else if (unready.length) ready = condition('ContainersReady', 'False', previous, i.now, 'ContainersNotReady', `containers with unready status: [${unready.join(' ')}]`);
    else ready = condition('ContainersReady', 'True', previous, i.now);
  }
  conditions.push(ready);
  conditions.push(condition('Ready', ready.status as CondStatus, previous, i.now, ready.reason, ready.message));
  const scheduled = previous?.find((c) => c.type === 'PodScheduled');
  conditions.push(scheduled ?? condition('PodScheduled', 'True', previous, i.now));

  const status: V1PodStatus = {
    ...(i.pod.status ?? {}),
    phase,
    conditions,
    hostIP: i.hostIP,
    hostIPs: [{ ip: i.hostIP }],
    containerStatuses: i.containers,
  };
  if (i.podIPs.length) {
    status.podIP = i.podIPs[0];
    status.podIPs = i.podIPs.map((ip) => ({ ip }));
  }
  if (i.init.length) status.initContainerStatuses = i.init;
  if (i.startTime) status.startTime = i.startTime;
  // A phase computed from containers replaces an admission rejection only when the pod was admitted.
  if (phase !== 'Failed') { delete status.reason; delete status.message; }
  return status;
}

/** The status of a pod the agent refused to run (kubelet's rejectPod): Failed with a reason and message. */
export function rejectedPodStatus(pod: V1Pod, reason: string, message: string, hostIP: string, now: Date): V1PodStatus {
  return {
    ...(pod.status ?? {}),
    phase: 'Failed',
    reason,
    message: `Pod was rejected: ${message}`,
    hostIP,
    hostIPs: [{ ip: hostIP }],
    startTime: pod.status?.startTime ?? now,
  };
}
