// Events expire, as kube-apiserver stores them: each write of an Event gets an etcd lease of --event-ttl
// (1 h by default), so an Event nobody updates for that long disappears and a long-running cluster does
// not grow without bound. podnet's stores have no leases; this sweeper deletes, every ttl/10 (at most a
// minute), the Events whose last write is older than the TTL. The last write is read from the Event
// itself: the latest of creationTimestamp, lastTimestamp, eventTime and series.lastObservedTime, which
// every recorder moves when it updates an Event (a repeat bumps count and lastTimestamp).
import { isApiError } from '../../core/api/errors.js';
import type { JsonObject } from '../../core/api/object.js';
import type { Controller, ControllerContext } from './context.js';

export const DEFAULT_EVENT_TTL_MS = 60 * 60 * 1000;

/** When an Event was last written, in ms since the epoch; NaN when it carries no time at all. */
export function lastWrite(e: JsonObject): number {
  const times = [e.metadata?.creationTimestamp, e.lastTimestamp, e.eventTime, e.series?.lastObservedTime, e.firstTimestamp]
    .filter((t): t is string => typeof t === 'string' && t !== '')
    .map((t) => Date.parse(t)).filter((t) => !Number.isNaN(t));
  return times.length ? Math.max(...times) : NaN;
}

export class EventTTLController implements Controller {
  readonly name = 'event-ttl';
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(private readonly ctx: ControllerContext, private readonly ttlMs = DEFAULT_EVENT_TTL_MS,
    private readonly now: () => number = Date.now) {}

  start(): void {
    const every = Math.max(1000, Math.min(60_000, Math.floor(this.ttlMs / 10)));
    this.timer = setInterval(() => { if (!this.running) this.running = this.sweep().finally(() => { this.running = undefined; }); }, every);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Deletes every expired Event; returns how many went. */
  async sweep(): Promise<number> {
    const cutoff = this.now() - this.ttlMs;
    let deleted = 0;
    let list;
    try { list = await this.ctx.client.list('events'); } catch (e) { this.ctx.log(`event-ttl: list failed: ${(e as Error).message}`); return 0; }
    for (const e of list.items as JsonObject[]) {
      const t = lastWrite(e);
      if (Number.isNaN(t) || t > cutoff) continue;
      try {
        // Only the version we judged: an Event updated meanwhile has a new lease.
        await this.ctx.client.delete('events', e.metadata.namespace, e.metadata.name, { preconditions: { resourceVersion: e.metadata.resourceVersion } });
        deleted++;
      } catch (err) {
        if (!isApiError(err, 'NotFound') && !isApiError(err, 'Conflict')) this.ctx.log(`event-ttl: delete ${e.metadata.namespace}/${e.metadata.name}: ${(err as Error).message}`);
      }
    }
    return deleted;
  }
}
