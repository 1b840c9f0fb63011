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
    /**
     * Only revisions after this one are delivered live: the replay covers everything up to the store's
     * revision at subscription, and a watch may start from a revision not yet written.
     */
    private readonly after: number,
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
    if (this.stopped || entry.revision <= this.after) return;
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
  /** Writes waiting for delivery while a delivery is under way (a callback that writes). */
  private queue: LogEntry[] = [];
  private publishing = false;

  /**
   * Registers a watcher for changes under prefix. replay holds the history entries it must see first,
   * in revision order; after delivery is live it gets only revisions greater than `after`, which must
   * be at least the store's revision now (everything up to it is the replay's job).
   */
  subscribe(prefix: string, after: number, replay: LogEntry[], onEvent: (e: StoreEvent) => void): Watcher {
    const s = new Subscription(prefix, after, onEvent, (x) => this.subscriptions.delete(x), replay);
    this.subscriptions.add(s);
    return s;
  }

  /** Delivers a committed write to every watcher whose prefix matches its key. */
  publish(entry: LogEntry): void {
    this.queue.push(entry);
    // A callback that writes to the store lands here again before the other watchers have seen the
    // current write; queueing its write behind keeps every watcher's events in revision order.
    if (this.publishing) return;
    this.publishing = true;
    try {
      for (let i = 0; i < this.queue.length; i++) {
        const next = this.queue[i]!;
        for (const s of this.subscriptions) if (next.key.startsWith(s.prefix)) s.deliver(next);
      }
    } finally {
      this.queue = [];
      this.publishing = false;
    }
  }

  /** Stops every watcher (the store is closing). */
  stopAll(): void {
    for (const s of [...this.subscriptions]) s.stop();
  }
}
