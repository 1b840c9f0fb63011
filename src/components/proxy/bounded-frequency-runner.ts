// Runs a sync function when asked, coalescing requests, in the manner of kube-proxy's
// BoundedFrequencyRunner but on a millisecond scale: a request on an idle runner starts a run after a
// short window (changes that arrive together — a Service and its EndpointSlice, a rollout's slice
// updates — go in one run); requests during a run cause exactly one more run after it; runs start at
// least minIntervalMs apart, and at least twice the last run's duration apart, so that under churn
// (or on a loaded machine, where every run takes longer) the batches grow and the runner never keeps
// the kernel busy more than half of the time. A failed run is retried after retryDelayMs.
export interface BoundedFrequencyOptions {
  /** Requests within this many ms of the first one on an idle runner are handled by one run. */
  windowMs: number;
  /** Runs start at least this many ms apart (kube-proxy's --min-sync-period, in ms). */
  minIntervalMs: number;
  /** After a failed run, the next one starts this many ms later. */
  retryDelayMs: number;
}

export class BoundedFrequencyRunner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private pending = false;
  private stopped = false;
  private lastStart = -Infinity;
  private lastDuration = 0;
  private lastFailed = false;

  /** `fn` resolves whether the run succeeded; it must not reject. */
  constructor(private readonly fn: () => Promise<boolean>, private readonly opts: BoundedFrequencyOptions) {}

  /** Asks for a run; cheap to call for every change. */
  run(): void {
    if (this.stopped) return;
    this.pending = true;
    if (!this.running && !this.timer) this.arm();
  }

  /** Whether a run is waiting or in progress. */
  get busy(): boolean { return this.pending || this.running !== undefined; }

  /** No more runs; resolves when the one in progress (if any) is over. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private arm(): void {
    const o = this.opts;
    const gap = Math.max(o.minIntervalMs, 2 * this.lastDuration);
    const delay = this.lastFailed ? o.retryDelayMs : Math.max(o.windowMs, this.lastStart + gap - performance.now());
    this.timer = setTimeout(() => this.start(), delay);
  }

  private start(): void {
    this.timer = undefined;
    if (this.stopped) return;
    this.pending = false;
    this.lastStart = performance.now();
    this.running = this.fn().then((ok) => {
      this.lastFailed = !ok;
      this.lastDuration = performance.now() - this.lastStart;
      this.running = undefined;
      if (!ok) this.pending = true;
      if (this.pending && !this.stopped) this.arm();
    });
  }
}
