// Fan-out of committed writes to watchers, shared by every Store implementation. Each write is
// published synchronously, in commit order, right after it commits, so a watcher sees events in revision
// order and, once `await store.update(...)` returns, every live watcher has already been called.
//
// A watch from an old revision first replays history. The replay is read in the same synchronous step
// that registers the watcher, so no write can fall between the two: later writes queue behind the replay
// (a backlog) and the backlog drains in order — no gap, no duplicate. The replay is delivered from
// setImmediate, after the caller has its Watcher handle, so a callback may safely call stop().
import { toEvent, type LogEntry } from './codec.js';
import type { StoreEvent, Watcher } from './store.js';

class Subscription implements Watcher {
  stopped = false;
  /** Entries waiting behind the replay; undefined once the watcher is live. */
  private backlog: LogEntry[] | undefined;

  constructor(
    readonly prefix: string,
    /** Only revisions after this one are delivered (a watch may start from a revision not yet written). */
    private readonly fromRevision: number,
    private readonly onEvent: (e: StoreEvent) => void,
    private readonly remove: (s: Subscription) => void,
    replay: LogEntry[],
  ) {
    if (replay.length > 0) {
      this.backlog = replay;
      setImmediate(() => this.drain());
    }
  }

  deliver(entry: LogEntry): void {
    if (this.stopped || entry.revision <= this.fromRevision) return;
    if (this.backlog) this.backlog.push(entry);
    else this.call(entry);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.backlog = undefined;
    this.remove(this);
  }

  private drain(): void {
    const backlog = this.backlog;
    if (!backlog) return;
    // The backlog can grow while draining (a callback that writes to the store); the loop picks that up.
    for (let i = 0; i < backlog.length && !this.stopped; i++) this.call(backlog[i]!);
    if (!this.stopped) this.backlog = undefined;
  }

  private call(entry: LogEntry): void {
    try {
      // Each watcher gets its own parsed objects, so one watcher changing an event cannot change
      // another's (the API server mutates objects as it encodes them for each client).
      this.onEvent(toEvent(entry));
    } catch (err) {
      // The write has committed and the other watchers must still hear of it, so the callback's error
      // cannot go to the writer. Surface it as an uncaught exception, as an EventEmitter listener's would.
      queueMicrotask(() => { throw err; });
    }
  }
}

export class Broadcaster {
  private readonly subscriptions = new Set<Subscription>();

  /**
   * Registers a watcher for changes after fromRevision under prefix; replay holds the history entries
   * (revision > fromRevision) it must see first, in revision order.
   */
  subscribe(prefix: string, fromRevision: number, replay: LogEntry[], onEvent: (e: StoreEvent) => void): Watcher {
    const s = new Subscription(prefix, fromRevision, onEvent, (x) => this.subscriptions.delete(x), replay);
    this.subscriptions.add(s);
    return s;
  }

  /** Delivers a committed write to every watcher whose prefix matches its key. */
  publish(entry: LogEntry): void {
    for (const s of this.subscriptions) if (entry.key.startsWith(s.prefix)) s.deliver(entry);
  }

  get size(): number {
    return this.subscriptions.size;
  }

  /** Stops every watcher (the store is closing). */
  stopAll(): void {
    for (const s of [...this.subscriptions]) s.stop();
  }
}
