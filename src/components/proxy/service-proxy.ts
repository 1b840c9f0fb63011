// ServiceProxy: the node's kube-proxy. The agent hands it the current Services and EndpointSlices (from
// its informer caches) whenever they change; it coalesces changes into at most one sync per
// minSyncPeriod (kube-proxy's BoundedFrequencyRunner), plans the table, and lets the NftProgrammer send
// the difference. A failed sync is retried after retryDelay with a full table replacement.
import {
  IncrementalPlanner, type EndpointSlice, type ProxyNode, type ProxyOptions, type Service,
} from '../../core/proxy/index.js';
import { NftProgrammer, type SyncReport } from './programmer.js';

/** EndpointSlice annotation: when the change it carries was triggered (network programming latency SLI). */
export const TRIGGER_TIME_ANNOTATION = 'endpoints.kubernetes.io/last-change-trigger-time';

export interface ProxySyncResult extends SyncReport {
  /** Time to plan and diff, ms. */
  planMs: number;
  /** Services planned again in this sync (all of them when the plan started from scratch). */
  replanned: number;
  services: number;
  /** Destinations the planner could not program (conflicts). */
  warnings: string[];
  /** Seconds from each newly seen slice's trigger time to now: kube-proxy's network_programming_duration. */
  programmingLatencySeconds: number[];
}

export interface ServiceProxyConfig {
  node: ProxyNode;
  options?: ProxyOptions;
  /** Run nft in this named namespace (tests, benchmarks). The agent runs inside its node's namespace. */
  netns?: string;
  programmer?: NftProgrammer;
  /** At most one sync per this period, ms (kube-proxy --min-sync-period, default 1 s). */
  minSyncPeriodMs?: number;
  /** Wait before retrying after a failed sync, ms (default 5 s). */
  retryDelayMs?: number;
  onSync?: (r: ProxySyncResult) => void;
  onError?: (e: Error) => void;
}

export class ServiceProxy {
  readonly programmer: NftProgrammer;
  private readonly planner = new IncrementalPlanner();
  private services: Service[] = [];
  private slices: EndpointSlice[] = [];
  private node: ProxyNode;
  private haveState = false;
  private dirty = false;
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastStart = 0;
  private stopped = false;
  private lastError: Error | undefined;
  /** Changes requested so far, and the count the last finished sync covered (with its error). */
  private requested = 0;
  private done: { upTo: number; error?: Error } = { upTo: 0 };
  private seenSlices = new Map<string, string>();
  private pendingTriggers: number[] = [];
  private waiters: Array<() => void> = [];
  /** When the table last matched the API state (ms since epoch): the proxy's /healthz input. */
  lastSuccessfulSync: number | undefined;

  constructor(private readonly config: ServiceProxyConfig) {
    this.node = config.node;
    this.programmer = config.programmer ?? new NftProgrammer({ netns: config.netns });
  }

  /**
   * The full current set of Services and EndpointSlices (what the informers hold). Nothing is programmed
   * before the first call, so that a proxy whose caches are not synced never wipes working rules.
   * Unchanged objects should be passed as the same objects: that is what keeps re-planning cheap.
   */
  update(services: Service[], endpointSlices: EndpointSlice[]): void {
    this.services = services;
    this.slices = endpointSlices;
    this.haveState = true;
    this.noteTriggerTimes(endpointSlices);
    this.request();
  }

  /** The node's addresses or podCIDR changed. */
  setNode(node: ProxyNode): void {
    this.node = node;
    this.request();
  }

  /** Resolves when everything given so far has been programmed; rejects with the error if that sync failed. */
  async flush(): Promise<void> {
    const target = this.requested;
    while (this.done.upTo < target && !this.stopped) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    if (this.done.error) throw this.done.error;
  }

  /** Stops syncing; with `cleanup`, deletes the table (the proxy is being removed from the node). */
  async stop(opts: { cleanup?: boolean } = {}): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    if (opts.cleanup) {
      await this.programmer.cleanup({ family: 'ip', table: this.config.options?.table ?? 'podnet' });
    }
    this.wake();
  }

  private noteTriggerTimes(slices: EndpointSlice[]): void {
    const seen = new Map<string, string>();
    for (const s of slices) {
      const key = `${s.metadata.namespace}/${s.metadata.name}`;
      const rv = String(s.metadata.resourceVersion ?? '');
      seen.set(key, rv);
      if (this.seenSlices.get(key) === rv) continue;
      const t = Date.parse(String(s.metadata.annotations?.[TRIGGER_TIME_ANNOTATION] ?? ''));
      if (!Number.isNaN(t)) this.pendingTriggers.push(t);
    }
    this.seenSlices = seen;
  }

  private request(): void {
    if (!this.haveState || this.stopped) return;
    this.requested++;
    this.schedule();
  }

  private schedule(delayMs?: number): void {
    if (!this.haveState || this.stopped) return;
    this.dirty = true;
    if (this.running || this.timer) return;
    const minPeriod = this.config.minSyncPeriodMs ?? 1000;
    const wait = delayMs ?? Math.max(0, this.lastStart + minPeriod - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.syncOnce().finally(() => {
        this.running = undefined;
        if (this.dirty && !this.stopped) this.schedule(this.lastError ? this.config.retryDelayMs ?? 5000 : undefined);
        this.wake();
      });
    }, wait);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private async syncOnce(): Promise<void> {
    this.dirty = false;
    this.lastStart = Date.now();
    const upTo = this.requested;
    const triggers = this.pendingTriggers;
    this.pendingTriggers = [];
    const t0 = performance.now();
    try {
      const plan = this.planner.plan({ services: this.services, endpointSlices: this.slices, node: this.node, options: this.config.options });
      const planMs = performance.now() - t0;
      const report = await this.programmer.sync(plan.ruleset, plan.change);
      const now = Date.now();
      this.lastError = undefined;
      this.lastSuccessfulSync = now;
      this.done = { upTo };
      this.config.onSync?.({
        ...report, planMs, services: this.services.length, replanned: plan.change.replanned, warnings: plan.ruleset.warnings,
        programmingLatencySeconds: triggers.map((t) => Math.max(0, (now - t) / 1000)),
      });
    } catch (e) {
      this.lastError = e as Error;
      this.done = { upTo, error: e as Error };
      this.dirty = true;                  // retry later; the programmer will replace the whole table
      this.pendingTriggers.push(...triggers);
      this.config.onError?.(e as Error);
    }
  }
}
