// The probe workers of one container run, wired to the container's state as kubelet's prober manager
// does: the startup probe first (liveness and readiness wait until it succeeded), every failed attempt an
// Unhealthy event, a liveness or startup failure marks the run to be killed and restarted, and every
// change of result asks the pod worker to sync.
import type { V1Container } from '@kubernetes/client-node';
import { isRunning, type ContainerState } from './container-state.js';
import { ProbeWorker, type ProbeKind, type ProbeTarget } from './probes.js';

const probeName = { liveness: 'Liveness', readiness: 'Readiness', startup: 'Startup' } as const;

export interface ProbeHooks {
  /** Where to probe this run (undefined while the sandbox is not there). */
  target(): ProbeTarget | undefined;
  /** An Unhealthy event (Warning) for a failed attempt. */
  unhealthy(message: string): void;
  /** A result changed: the pod worker syncs. */
  changed(): void;
}

export function stopProbes(cs: ContainerState): void {
  for (const p of cs.probes) p.stop();
  cs.probes = [];
}

/** Starts the probes of the container's current run (and stops those of the run before). */
export function startProbes(cs: ContainerState, hooks: ProbeHooks): void {
  stopProbes(cs);
  const spec = cs.spec;
  const instance = cs.instance;
  if (!spec.startupProbe) cs.startupDone = true;
  const add = (kind: ProbeKind, probe: V1Container['livenessProbe']) => {
    if (!probe) return;
    const active = () => cs.instance === instance && isRunning(cs) && (kind === 'startup' ? !cs.startupDone : cs.startupDone);
    const target = () => (cs.instance === instance ? hooks.target() : undefined);
    const w = new ProbeWorker(kind, probe, target, active, (worker, r, changed) => {
      if (!r.ok) hooks.unhealthy(`${probeName[worker.kind]} probe failed: ${r.output.trim()}`);
      if (!changed) return;
      if (worker.kind === 'startup' && worker.tracker.result === 'success') cs.startupDone = true;
      if ((worker.kind === 'liveness' || worker.kind === 'startup') && worker.tracker.result === 'failure') {
        cs.killing = `Container ${spec.name} failed ${worker.kind} probe, will be restarted`;
      }
      hooks.changed();
    });
    cs.probes.push(w);
    w.start();
  };
  add('startup', spec.startupProbe);
  add('liveness', spec.livenessProbe);
  add('readiness', spec.readinessProbe);
}
