// A work queue of object keys, with client-go's workqueue semantics that controllers rely on:
//
//  - a key added many times before a worker takes it is processed once (deduplication), so event storms
//    collapse into one sync of the latest state;
//  - a key is never processed by two workers at once: if it is added while being processed it is marked
//    dirty and processed again afterwards;
//  - a sync that throws is retried after an exponential back-off per key (5 ms, 10 ms, ... capped at
//    maxDelayMs); a successful sync resets the key's back-off;
//  - addAfter() schedules a key later (minReadySeconds, progress deadlines, periodic resync).
//
// Usage:
//   const q = new WorkQueue('replicaset', (key) => this.sync(key), { log });
//   informer.on({ add: (rs) => q.add(objectKey(rs)), ... });
//   q.start();  ...  await q.stop();

export type SyncHandler = (key: string) => Promise<void>;

export interface WorkQueueOptions {
  /** Concurrent workers; 1 by default (each controller syncs one key at a time, like upstream's default of 1-5). */
  workers?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Where sync errors are reported; retries happen regardless. */
  log?: (line: string) => void;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  /** Keys waiting in the queue (deduplication). */
  private readonly dirty = new Set<string>();
  /** Keys a worker is processing now. */
  private readonly processing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private running = 0;
  private started = false;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];
  private readonly workers: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(readonly name: string, private readonly handler: SyncHandler, private readonly opts: WorkQueueOptions = {}) {
    this.workers = Math.max(1, opts.workers ?? 1);
    this.baseDelayMs = opts.baseDelayMs ?? 5;
    this.maxDelayMs = opts.maxDelayMs ?? 30_000;
  }

  /** Queues key for processing (once, however often it is added before a worker takes it). */
  add(key: string): void {
    if (this.stopped || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (!this.processing.has(key)) {
      this.queue.push(key);
      this.pump();
    }
  }

  /** Queues key after delayMs; an earlier pending schedule for the same key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.stopped) return;
    if (delayMs <= 0) { this.add(key); return; }
    const at = Date.now() + delayMs;
    const existing = this.timers.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => { this.timers.delete(key); this.add(key); }, delayMs);
    timer.unref?.();
    this.timers.set(key, { at, timer });
  }

  /** Queues key after its back-off; each call doubles the next back-off. */
  addRateLimited(key: string): void {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    this.addAfter(key, Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(n, 30)));
  }

  /** Resets key's back-off (a sync succeeded). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** How many times key has failed in a row. */
  retries(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  get length(): number {
    return this.queue.length;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.pump();
  }

  /** Stops taking keys, cancels scheduled ones and waits for the syncs in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.queue.length = 0;
    this.dirty.clear();
    await this.idle();
  }

  /** Resolves once nothing is queued or being processed (scheduled keys do not count). Tests use it. */
  idle(): Promise<void> {
    if (this.running === 0 && (this.queue.length === 0 || !this.started)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    if (!this.started) return;
    while (!this.stopped && this.running < this.workers && this.queue.length > 0) {
      const key = this.queue.shift()!;
      this.dirty.delete(key);
      this.processing.add(key);
      this.running++;
      void this.process(key);
    }
    if (this.running === 0 && (this.queue.length === 0 || this.stopped)) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private async process(key: string): Promise<void> {
    try {
      await this.handler(key);
      this.forget(key);
    } catch (e) {
      if (!this.stopped) {
        const n = this.retries(key);
        // Conflicts are the normal result of racing another writer; only report repeated or other failures.
        const conflict = (e as { reason?: string })?.reason === 'Conflict';
        if (!conflict || n >= 3) this.opts.log?.(`${this.name}: sync ${key} failed (retry ${n + 1}): ${(e as Error)?.message ?? e}`);
        this.addRateLimited(key);
      }
    } finally {
      this.processing.delete(key);
      this.running--;
      // Added again while we worked on it: process once more.
      if (this.dirty.has(key) && !this.stopped) this.queue.push(key);
      this.pump();
    }
  }
}
