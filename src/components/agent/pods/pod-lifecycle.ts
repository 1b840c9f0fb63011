// Where a pod is in its life on this node, as one explicit state instead of a set of flags (kubelet's pod
// worker has the same stages: sync, terminating, terminated). The pod worker asks it what to do and
// reports what happened; every transition it allows is listed here.
//
//   pending ──admit──▶ running ──finish──▶ finished          (restartPolicy Never/OnFailure, all exited)
//      └────reject──▶ rejected                               (host port conflict: nothing ever runs)
//   pending/running/rejected/finished ──deletion──▶ terminating ──deleteSent──▶ terminating (deleteSent)
//   any ──removed──▶ removed                                  (the pod object is gone: stop at once)

export type PodLifecycle =
  | { kind: 'pending' }
  | { kind: 'rejected' }
  | { kind: 'running' }
  | { kind: 'finished' }
  /** deletionTimestamp seen, containers killed with their grace; `ran`: it was running (it still holds its host ports). */
  | { kind: 'terminating'; ran: boolean; deleteSent: boolean }
  | { kind: 'removed' };

export type LifecycleEvent = 'admit' | 'reject' | 'finish' | 'deletion' | 'deleteSent' | 'removed';

/** The state after `event`; throws on a transition the diagram above does not have (a worker bug). */
export function transition(s: PodLifecycle, event: LifecycleEvent): PodLifecycle {
  if (event === 'removed') return { kind: 'removed' };
  switch (s.kind) {
    case 'pending':
      if (event === 'admit') return { kind: 'running' };
      if (event === 'reject') return { kind: 'rejected' };
      if (event === 'finish') return { kind: 'finished' };   // adopting a pod that finished before a restart
      if (event === 'deletion') return { kind: 'terminating', ran: false, deleteSent: false };
      break;
    case 'running':
      if (event === 'admit') return s;                       // adopting a sandbox again
      if (event === 'finish') return { kind: 'finished' };
      if (event === 'deletion') return { kind: 'terminating', ran: true, deleteSent: false };
      break;
    case 'rejected':
    case 'finished':
      if (event === 'deletion') return { kind: 'terminating', ran: false, deleteSent: false };
      break;
    case 'terminating':
      if (event === 'deleteSent') return { ...s, deleteSent: true };
      break;
    case 'removed':
      break;
  }
  throw new Error(`pod lifecycle: no transition from ${s.kind} on ${event}`);
}

/** Holds its host ports (and counts for admission of other pods): admitted, not finished, not gone. */
export function isActive(s: PodLifecycle): boolean {
  return s.kind === 'running' || (s.kind === 'terminating' && s.ran);
}
