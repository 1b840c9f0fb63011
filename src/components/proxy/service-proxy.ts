// ServiceProxy: the node's kube-proxy. The agent hands it the current Services and EndpointSlices (from
// its informer caches) whenever they change; a BoundedFrequencyRunner coalesces changes (a window of a
// few milliseconds, runs at least minSyncPeriod apart and at most half the time busy), the proxy plans
// the table, and the NftProgrammer sends the difference. A failed sync is retried after retryDelay with
// a full table replacement.
import { BoundedFrequencyRunner } from './bounded-frequency-runner.js';
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
  /**
   * Syncs start at least this many ms apart (kube-proxy's --min-sync-period, whose 1 s default made every
   * change in a burst wait up to a second; default 20 ms). Under churn the gap also grows to twice the
   * last sync's duration.
   */
  minSyncPeriodMs?: number;
  /** Changes within this many ms of the first one after a quiet spell go in one sync (default 5 ms). */
  syncWindowMs?: number;
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
  private readonly runner: BoundedFrequencyRunner;
  private stopped = false;
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
    this.runner = new BoundedFrequencyRunner(() => this.syncOnce(), {
      windowMs: config.syncWindowMs ?? 5, minIntervalMs: config.minSyncPeriodMs ?? 20, retryDelayMs: config.retryDelayMs ?? 5000,
    });
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
    await this.runner.stop();
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
    this.runner.run();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** One sync; resolves whether it succeeded (a failure is retried by the runner). */
  private async syncOnce(): Promise<boolean> {
    const upTo = this.requested;
    const triggers = this.pendingTriggers;
    this.pendingTriggers = [];
    const t0 = performance.now();
    try {
      const plan = this.planner.plan({ services: this.services, endpointSlices: this.slices, node: this.node, options: this.config.options });
      const planMs = performance.now() - t0;
      const report = await this.programmer.sync(plan.ruleset, plan.change);
      const now = Date.now();
      this.lastSuccessfulSync = now;
      this.done = { upTo };
      this.config.onSync?.({
        ...report, planMs, services: this.services.length, replanned: plan.change.replanned, warnings: plan.ruleset.warnings,
        programmingLatencySeconds: triggers.map((t) => Math.max(0, (now - t) / 1000)),
      });
      return true;
    } catch (e) {
      // Retried by the runner; the programmer will replace the whole table.
      this.done = { upTo, error: e as Error };
      this.pendingTriggers.push(...triggers);
      this.config.onError?.(e as Error);
      return false;
    } finally {
      this.wake();
    }
  }
}
