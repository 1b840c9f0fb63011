// Pod columns as `kubectl get pods` shows them. The Status cell is not the phase: like upstream's printPod
// it is the most telling reason among the pod, its init containers and its containers (ContainerCreating,
// CrashLoopBackOff, Init:0/1, Completed, Error, Terminating...).

import type { KindPrinter, TableCell, TableRowCondition } from './table.js';
import { ageColumn, column, nameColumn, nameOf, ageOf } from './common.js';
import { humanDuration, parseTimestamp } from './duration.js';
import type { JsonObject } from '../api/object.js';

/** node.NodeUnreachablePodReason: the node controller marks pods of an unreachable node with it. */
const NODE_LOST = 'NodeLost';

const columns = [
  nameColumn(),
  column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
  column('Status', 'string', 'The aggregate status of the containers in this pod.'),
  column('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
  ageColumn(),
  column('IP', 'string', 'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', 1),
  column('Node', 'string', 'NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName.', 1),
  column('Nominated Node', 'string', 'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.', 1),
  column('Readiness Gates', 'string', 'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to "True"', 1),
];

/** A sidecar: an init container with restartPolicy Always keeps running beside the app containers. */
function isRestartable(container: JsonObject | undefined): boolean {
  return container?.restartPolicy === 'Always';
}

function conditionStatus(pod: JsonObject, type: string): string | undefined {
  return (pod.status?.conditions ?? []).find((c: JsonObject) => c.type === type)?.status;
}

/** Tracks the most recent container termination, which the Restarts cell reports as `(5m ago)`. */
class LastRestart {
  at: number | undefined;
  observe(status: JsonObject): void {
    const t = parseTimestamp(status.lastState?.terminated?.finishedAt);
    if (t !== undefined && (this.at === undefined || t > this.at)) this.at = t;
  }
}

/** The reason a terminated container without a reason is shown with: its signal, else its exit code. */
function exitReason(terminated: JsonObject): string {
  return terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode ?? 0}`;
}

interface PodSummary { ready: number; total: number; reason: string; restarts: string }

export function summarizePod(pod: JsonObject, now: Date): PodSummary {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  const phase: string = status.phase ?? '';
  let reason: string = status.reason || phase;
  if ((status.conditions ?? []).some((c: JsonObject) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) {
    reason = 'SchedulingGated';
  }

  const initSpecs = new Map<string, JsonObject>();
  let total = (spec.containers ?? []).length;
  for (const c of spec.initContainers ?? []) {
    initSpecs.set(c.name, c);
    if (isRestartable(c)) total++;
  }

  let ready = 0;
  let restarts = 0;
  let sidecarRestarts = 0;
  const last = new LastRestart();
  const lastSidecar = new LastRestart();

  // Init containers run in order: the first one not yet done explains the pod.
  let initializing = false;
  const initStatuses: JsonObject[] = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i]!;
    const state = cs.state ?? {};
    restarts += cs.restartCount ?? 0;
    last.observe(cs);
    const sidecar = isRestartable(initSpecs.get(cs.name));
    if (sidecar) {
      sidecarRestarts += cs.restartCount ?? 0;
      lastSidecar.observe(cs);
    }
    if (state.terminated && (state.terminated.exitCode ?? 0) === 0) continue;
    if (sidecar && cs.started === true) {
      if (cs.ready) ready++;
      continue;
    }
    if (state.terminated) {
      reason = state.terminated.reason ? `Init:${state.terminated.reason}` : `Init:${exitReason(state.terminated)}`;
    } else if (state.waiting?.reason && state.waiting.reason !== 'PodInitializing') {
      reason = `Init:${state.waiting.reason}`;
    } else {
      reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionStatus(pod, 'Initialized') === 'True') {
    // Once initialized, only sidecar restarts still count among the init containers'.
    restarts = sidecarRestarts;
    last.at = lastSidecar.at;
    let hasRunning = false;
    const statuses: JsonObject[] = status.containerStatuses ?? [];
    // Walked from the last container to the first, so the first container's reason wins.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i]!;
      const state = cs.state ?? {};
      restarts += cs.restartCount ?? 0;
      last.observe(cs);
      if (state.waiting?.reason) reason = state.waiting.reason;
      else if (state.terminated?.reason) reason = state.terminated.reason;
      else if (state.terminated) reason = exitReason(state.terminated);
      else if (cs.ready && state.running) {
        hasRunning = true;
        ready++;
      }
    }
    // A pod with a completed container and another still running is not Completed.
    if (reason === 'Completed' && hasRunning) {
      reason = conditionStatus(pod, 'Ready') === 'True' ? 'Running' : 'NotReady';
    }
  }

  if (pod.metadata?.deletionTimestamp && status.reason === NODE_LOST) reason = 'Unknown';
  else if (pod.metadata?.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';

  let restartsCell = String(restarts);
  if (restarts !== 0 && last.at !== undefined) {
    restartsCell = `${restarts} (${humanDuration(now.getTime() - last.at)} ago)`;
  }
  return { ready, total, reason, restarts: restartsCell };
}

function readinessGates(pod: JsonObject): string {
  const gates: JsonObject[] = pod.spec?.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  const trueCount = gates.filter((g) => conditionStatus(pod, g.conditionType) === 'True').length;
  return `${trueCount}/${gates.length}`;
}

/**
 * The pod's IP as the internal type sees it after conversion from v1: status.podIP when set (it wins
 * over podIPs from older kubelets), else the first of status.podIPs.
 */
function podIP(pod: JsonObject): string {
  return pod.status?.podIP || pod.status?.podIPs?.[0]?.ip || '<none>';
}

export const podPrinter: KindPrinter = {
  columns,
  cells(pod: JsonObject, now: Date): TableCell[] {
    const s = summarizePod(pod, now);
    return [
      nameOf(pod), `${s.ready}/${s.total}`, s.reason, s.restarts, ageOf(pod, now),
      podIP(pod), pod.spec?.nodeName || '<none>', pod.status?.nominatedNodeName || '<none>', readinessGates(pod),
    ];
  },
  conditions(pod: JsonObject): TableRowCondition[] | undefined {
    switch (pod.status?.phase) {
      case 'Succeeded': return [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
      case 'Failed': return [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
      default: return undefined;
    }
  },
};
