// What the agent knows about one container of a pod, and how kubelet reports it
// (convertToAPIContainerStatuses): the current run (running, or terminated with exit code, reason and
// times), the previous run as lastState, a waiting reason while nothing runs (ContainerCreating,
// PodInitializing, CrashLoopBackOff, ErrImagePull, CreateContainerConfigError), restartCount, ready and
// started, the image as the runtime names it and the container ID `podnet://<id>`.
import type { V1Container, V1ContainerStateTerminated, V1ContainerStatus } from '@kubernetes/client-node';
import { SIGNAL_NUMBERS, type ContainerExit } from './shim-protocol.js';
import { normalizedImage } from './container-command.js';
import type { ProbeWorker } from './probes.js';

export interface Instance {
  id: string;
  pid: number;
  startTicks: number;
  startedAt: string;
  logPath: string;
  env: Record<string, string>;
  cwd: string;
  tty: boolean;
  stdin: boolean;
  exit?: ContainerExit;
  /** Set when the run failed to start (StartError) or was killed for a reason kubelet reports. */
  reason?: string;
  message?: string;
}

export interface ContainerState {
  spec: V1Container;
  init: boolean;
  restartCount: number;
  instance?: Instance;
  /** The run before the current one (or the current one while it waits in back-off). */
  lastTermination?: V1ContainerStateTerminated;
  waiting?: { reason: string; message?: string };
  imageID: string;
  probes: ProbeWorker[];
  /** The startup probe succeeded for the current run (or there is none and it runs). */
  startupDone: boolean;
  /** Why the agent is killing the current run (liveness or startup probe failure). */
  killing?: string;
  /** The finish time for which a BackOff event was already recorded. */
  backoffNotedFor?: string;
}

export function newContainerState(spec: V1Container, init: boolean): ContainerState {
  return { spec, init, restartCount: 0, imageID: '', probes: [], startupDone: false };
}

export const isRunning = (c: ContainerState) => c.instance !== undefined && c.instance.exit === undefined;
export const hasSucceeded = (c: ContainerState) => c.instance?.exit?.exitCode === 0 && !c.instance.reason;

/** The terminated state of a finished run, with kubelet's reasons: Completed, Error, or what the agent set. */
export function terminationOf(i: Instance): V1ContainerStateTerminated {
  const exit = i.exit!;
  const t: V1ContainerStateTerminated = {
    exitCode: exit.exitCode,
    reason: i.reason ?? (exit.exitCode === 0 ? 'Completed' : 'Error'),
    startedAt: new Date(i.startedAt),
    finishedAt: new Date(exit.finishedAt),
    containerID: `podnet://${i.id}`,
  };
  if (i.message) t.message = i.message;
  if (exit.signal && SIGNAL_NUMBERS[exit.signal]) t.signal = SIGNAL_NUMBERS[exit.signal];
  return t;
}

/** Started: the startup probe passed (or there is none) and the container runs. */
export function isStarted(c: ContainerState): boolean {
  return isRunning(c) && c.startupDone;
}

/** Ready: started, and the readiness probe (if any) reports success. */
export function isReady(c: ContainerState): boolean {
  if (!isStarted(c)) return false;
  const readiness = c.probes.find((p) => p.kind === 'readiness');
  return readiness ? readiness.tracker.result === 'success' : true;
}

/** The container's entry in containerStatuses / initContainerStatuses. */
export function containerStatus(c: ContainerState, defaultWaiting: string): V1ContainerStatus {
  const s: V1ContainerStatus = {
    name: c.spec.name,
    image: normalizedImage(c.spec.image ?? ''),
    imageID: c.imageID,
    ready: isReady(c),
    restartCount: c.restartCount,
    started: isStarted(c),
    state: {},
    lastState: {},
  };
  const i = c.instance;
  if (i) s.containerID = `podnet://${i.id}`;
  if (c.waiting) {
    s.state = { waiting: { reason: c.waiting.reason, ...(c.waiting.message ? { message: c.waiting.message } : {}) } };
    const last = i?.exit ? terminationOf(i) : c.lastTermination;
    if (last) s.lastState = { terminated: last };
  } else if (i && !i.exit) {
    s.state = { running: { startedAt: new Date(i.startedAt) } };
    if (c.lastTermination) s.lastState = { terminated: c.lastTermination };
  } else if (i?.exit) {
    s.state = { terminated: terminationOf(i) };
    if (c.lastTermination) s.lastState = { terminated: c.lastTermination };
  } else {
    s.state = { waiting: { reason: defaultWaiting } };
  }
  if (c.init) s.started = isRunning(c);
  return s;
}
