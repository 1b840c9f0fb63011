// Crash-loop back-off, as kubelet keeps it (client-go flowcontrol.Backoff, used by doBackOff in
// kuberuntime_manager.go): per pod and container, starting at 10 s and doubling up to 5 min. The entry is
// forgotten when the container's last exit is more than twice the maximum (10 min) after the previous one,
// so a container that ran fine for 10 minutes starts again at 10 s.

export const INITIAL_BACKOFF_MS = 10_000;
export const MAX_BACKOFF_MS = 300_000;

interface Entry { backoffMs: number; lastUpdate: number }

export class CrashLoopBackoff {
  private readonly entries = new Map<string, Entry>();

  constructor(readonly initialMs = INITIAL_BACKOFF_MS, readonly maxMs = MAX_BACKOFF_MS) {}

  private expired(e: Entry, at: number): boolean {
    return at - e.lastUpdate > this.maxMs * 2;
  }

  /**
   * Whether a container that finished at `finishedAt` must still wait at `now`, and how long its current
   * back-off is (for the CrashLoopBackOff message).
   */
  inBackoff(key: string, finishedAt: number, now: number): { waiting: boolean; backoffMs: number; remainingMs: number } {
    const e = this.entries.get(key);
    if (!e || this.expired(e, now)) return { waiting: false, backoffMs: 0, remainingMs: 0 };
    const remainingMs = finishedAt + e.backoffMs - now;
    return { waiting: remainingMs > 0, backoffMs: e.backoffMs, remainingMs: Math.max(0, remainingMs) };
  }

  /** Records a restart of a container that finished at `finishedAt`: the next back-off doubles. */
  next(key: string, finishedAt: number): number {
    const e = this.entries.get(key);
    if (!e || this.expired(e, finishedAt)) {
      this.entries.set(key, { backoffMs: this.initialMs, lastUpdate: finishedAt });
      return this.initialMs;
    }
    e.backoffMs = Math.min(e.backoffMs * 2, this.maxMs);
    e.lastUpdate = finishedAt;
    return e.backoffMs;
  }

  /** Forgets every entry of a pod (it was deleted). */
  forgetPod(podUid: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(`${podUid}/`)) this.entries.delete(k);
  }
}

/** The key kubelet uses: one back-off per pod and container. */
export function backoffKey(podUid: string, container: string): string {
  return `${podUid}/${container}`;
}

/** Go's time.Duration.String() for whole seconds and minutes: 10s, 20s, 40s, 1m20s, 2m40s, 5m0s. */
export function goDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  return h > 0 ? `${h}h${m}m${sec}s` : `${m}m${sec}s`;
}
