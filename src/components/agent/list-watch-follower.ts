// What the agent's informer loops share: every client-node ListWatch of a component reports its changes to
// one callback, and one that fails (API server restarting, watch cut) lists and watches again after a pause,
// until the component stops. One home for that loop (the service proxy's and NetworkPolicy's sources).
import type { KubernetesObject, ListWatch } from '@kubernetes/client-node';

const RESTART_AFTER_ERROR_MS = 2_000;

export class ListWatchFollower {
  private stoppedFlag = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  /** what names the component in log lines, e.g. "service proxy". */
  constructor(private readonly what: string, private readonly log: (line: string) => void) {}

  get stopped(): boolean { return this.stoppedFlag; }

  /** Calls onChange(kind) for every add, update and delete, and after a failed informer listed again. */
  follow<K extends string, T extends KubernetesObject>(kind: K, informer: ListWatch<T>, onChange: (k: K) => void): void {
    for (const ev of ['add', 'update', 'delete'] as const) informer.on(ev, () => onChange(kind));
    informer.on('error', (err: unknown) => {
      if (this.stoppedFlag) return;
      this.log(`${this.what}: ${kind} watch failed (${(err as Error)?.message ?? err}); listing and watching again in ${RESTART_AFTER_ERROR_MS} ms`);
      const t = setTimeout(() => {
        this.timers.delete(t);
        if (!this.stoppedFlag) informer.start().then(() => onChange(kind), () => {});
      }, RESTART_AFTER_ERROR_MS);
      this.timers.add(t);
    });
  }

  /** No more restarts; pending ones are cancelled. */
  stop(): void {
    this.stoppedFlag = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
