// Leader election over a coordination.k8s.io/v1 Lease, as client-go's tools/leaderelection does it for
// kube-controller-manager: with several `podnet server` processes on one datastore, the controllers run
// in one of them at a time.
//
// The algorithm is client-go's (leaderelection.go, resourcelock/leaselock.go):
// - tryAcquireOrRenew reads the Lease; if another holder's record was last seen changing less than
//   leaseDurationSeconds ago (by this process's own clock: "observedTime", so clocks need not agree),
//   it backs off; otherwise it writes itself as holder. A new holder sets acquireTime and increments
//   leaseTransitions; the holder itself only moves renewTime. The write carries the resourceVersion it
//   read, so of two candidates only one wins (the other gets 409 Conflict).
// - A candidate tries every retryPeriod (with client-go's jitter factor 1.2); the leader renews every
//   retryPeriod and gives up leadership when no renewal succeeded for renewDeadline.
// - On a graceful stop the leader releases the Lease (ReleaseOnCancel): holderIdentity "" and a 1 s
//   duration, so the next candidate takes over at once instead of after the lease time.
// kube-controller-manager exits when it loses the lease; podnet's server also serves the API, so it stops
// its controllers and becomes a candidate again.
import type { ApiClient } from '../../core/api/client.js';
import type { JsonObject, KubeObject } from '../../core/api/object.js';
import { ApiError } from '../../core/api/errors.js';

export interface LeaderElectionConfig {
  /** How long a Lease is valid without renewal (kube-controller-manager --leader-elect-lease-duration, 15 s). */
  leaseDurationSeconds: number;
  /** How long the leader keeps retrying a failed renewal before it gives up (--leader-elect-renew-deadline, 10 s). */
  renewDeadlineSeconds: number;
  /** How often candidates try and the leader renews (--leader-elect-retry-period, 2 s). */
  retryPeriodSeconds: number;
}

export const DEFAULT_LEADER_ELECTION: LeaderElectionConfig = { leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2 };

/** client-go's JitterFactor: waits are retryPeriod × [1, 1.2). */
const JITTER_FACTOR = 1.2;

const LEASES = 'leases.coordination.k8s.io';

/** kube-controller-manager's Lease: kube-system/kube-controller-manager. */
export const CONTROLLER_MANAGER_LEASE = { namespace: 'kube-system', name: 'kube-controller-manager' };

/** client-go's NewLeaderElector checks, with its messages. */
export function validateLeaderElection(c: LeaderElectionConfig): void {
  const n = (v: number) => Number.isFinite(v) && v > 0;
  if (!n(c.leaseDurationSeconds) || !n(c.renewDeadlineSeconds) || !n(c.retryPeriodSeconds)) {
    throw new Error('leader election: lease duration, renew deadline and retry period must all be greater than zero');
  }
  if (c.leaseDurationSeconds <= c.renewDeadlineSeconds) {
    throw new Error(`leader election: the lease duration (${c.leaseDurationSeconds}s) must be greater than the renew deadline (${c.renewDeadlineSeconds}s)`);
  }
  if (c.renewDeadlineSeconds <= JITTER_FACTOR * c.retryPeriodSeconds) {
    throw new Error(`leader election: the renew deadline (${c.renewDeadlineSeconds}s) must be greater than the retry period × ${JITTER_FACTOR} (${JITTER_FACTOR * c.retryPeriodSeconds}s)`);
  }
}

export interface LeaderElectorOptions extends Partial<LeaderElectionConfig> {
  client: Pick<ApiClient, 'get' | 'create' | 'update'>;
  /** holderIdentity: unique among the candidates. */
  identity: string;
  lease?: { namespace: string; name: string };
  /** Called when this process becomes the leader; what it returns is stopped when leadership ends. */
  onStartedLeading: () => Promise<{ stop(): Promise<void> }>;
  /** Called after the controllers were stopped because leadership was lost (not on stop()). */
  onStoppedLeading?: () => void;
  log?: (line: string) => void;
  /** Tests: a clock. */
  now?: () => number;
}

/** MicroTime, as the API serialises it: RFC 3339 with microseconds. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

const sleep = (ms: number, signal: AbortSignal) => new Promise<void>((resolve) => {
  if (signal.aborted) return resolve();
  const t = setTimeout(done, ms);
  function done() { clearTimeout(t); signal.removeEventListener('abort', done); resolve(); }
  signal.addEventListener('abort', done, { once: true });
});

export class LeaderElector {
  readonly config: LeaderElectionConfig;
  private readonly lease: { namespace: string; name: string };
  private readonly now: () => number;
  private readonly log: (line: string) => void;
  private readonly abort = new AbortController();
  /** The record last read, and when (by our clock) it last changed. */
  private observed?: string;
  private observedTime = 0;
  private leading?: { stop(): Promise<void> };
  private loop?: Promise<void>;

  constructor(private readonly opts: LeaderElectorOptions) {
    this.config = {
      leaseDurationSeconds: opts.leaseDurationSeconds ?? DEFAULT_LEADER_ELECTION.leaseDurationSeconds,
      renewDeadlineSeconds: opts.renewDeadlineSeconds ?? DEFAULT_LEADER_ELECTION.renewDeadlineSeconds,
      retryPeriodSeconds: opts.retryPeriodSeconds ?? DEFAULT_LEADER_ELECTION.retryPeriodSeconds,
    };
    validateLeaderElection(this.config);
    if (!opts.identity) throw new Error('leader election: an identity is required');
    this.lease = opts.lease ?? CONTROLLER_MANAGER_LEASE;
    this.now = opts.now ?? Date.now;
    this.log = opts.log ?? (() => undefined);
  }

  get isLeader(): boolean { return this.leading !== undefined; }

  /**
   * Makes the first attempt (so that a lone server, or the first of several, starts its controllers
   * before it reports ready), then keeps electing in the background until stop().
   */
  async start(): Promise<void> {
    if (await this.tryAcquireOrRenew()) await this.startLeading();
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      if (!this.leading) {
        await sleep(this.jittered(), signal);
        if (!signal.aborted && await this.tryAcquireOrRenew()) await this.startLeading();
        continue;
      }
      await sleep(this.config.retryPeriodSeconds * 1000, signal);
      if (signal.aborted) break;
      if (!(await this.renew(signal)) && !signal.aborted) {
        this.log(`leader election: lost the Lease ${this.lease.namespace}/${this.lease.name} (no renewal for ${this.config.renewDeadlineSeconds}s); stopping the controllers`);
        const leading = this.leading;
        this.leading = undefined;
        await leading?.stop();
        this.opts.onStoppedLeading?.();
      }
    }
  }

  /** client-go's renew: retry every retryPeriod until one succeeds or renewDeadline passed. */
  private async renew(signal: AbortSignal): Promise<boolean> {
    const deadline = this.now() + this.config.renewDeadlineSeconds * 1000;
    while (!signal.aborted) {
      const left = deadline - this.now();
      if (left <= 0) return false;
      // One attempt may not outlive the deadline (a datastore that does not answer).
      const attempt = this.tryAcquireOrRenew();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), left); });
      const ok = await Promise.race([attempt, timedOut]);
      clearTimeout(timer);
      if (ok) return true;
      await sleep(Math.min(this.config.retryPeriodSeconds * 1000, Math.max(0, deadline - this.now())), signal);
    }
    return true;
  }

  private jittered(): number {
    return this.config.retryPeriodSeconds * 1000 * (1 + Math.random() * (JITTER_FACTOR - 1));
  }

  private async startLeading(): Promise<void> {
    this.log(`leader election: ${this.opts.identity} acquired the Lease ${this.lease.namespace}/${this.lease.name}; starting the controllers`);
    try {
      this.leading = await this.opts.onStartedLeading();
    } catch (e) {
      // Controllers that fail to start must not hold the lease: release it so another server tries.
      this.log(`leader election: the controllers failed to start: ${(e as Error).message}; releasing the Lease`);
      await this.release();
    }
  }

  /** One attempt; true when this process holds the Lease afterwards. Errors count as "not acquired". */
  async tryAcquireOrRenew(): Promise<boolean> {
    try {
      return await this.attempt();
    } catch (e) {
      if (!(e instanceof ApiError && e.status.code === 409)) {
        this.log(`leader election: could not read or write the Lease ${this.lease.namespace}/${this.lease.name}: ${(e as Error).message}`);
      }
      return false;
    }
  }

  private async attempt(): Promise<boolean> {
    const now = this.now();
    const { namespace, name } = this.lease;
    const current = await this.opts.client.get(LEASES, namespace, name) as JsonObject | undefined;
    const mine = {
      holderIdentity: this.opts.identity,
      leaseDurationSeconds: this.config.leaseDurationSeconds,
      renewTime: microTime(now),
    };
    if (!current) {
      await this.opts.client.create(LEASES, {
        apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { namespace, name },
        spec: { ...mine, acquireTime: microTime(now), leaseTransitions: 0 },
      });
      this.see(mine, now);
      return true;
    }
    const spec: JsonObject = current.spec ?? {};
    const record = JSON.stringify([spec.holderIdentity, spec.leaseDurationSeconds, spec.acquireTime, spec.renewTime, spec.leaseTransitions]);
    if (record !== this.observed) { this.observed = record; this.observedTime = now; }
    const holder: string = spec.holderIdentity ?? '';
    const duration = (spec.leaseDurationSeconds ?? this.config.leaseDurationSeconds) * 1000;
    const iHold = holder === this.opts.identity;
    if (holder && !iHold && this.observedTime + duration > now) return false;
    const next = iHold
      ? { ...spec, ...mine }
      : { ...spec, ...mine, acquireTime: microTime(now), leaseTransitions: (spec.leaseTransitions ?? 0) + 1 };
    // The resourceVersion read makes this a compare-and-swap: a concurrent candidate's write wins or ours does.
    const updated: JsonObject = { ...current, spec: next };
    await this.opts.client.update(LEASES, updated as KubeObject);
    this.see(next, now);
    return true;
  }

  private see(spec: JsonObject, now: number): void {
    this.observed = JSON.stringify([spec.holderIdentity, spec.leaseDurationSeconds, spec.acquireTime, spec.renewTime, spec.leaseTransitions]);
    this.observedTime = now;
  }

  /** ReleaseOnCancel: clear the holder so that another candidate need not wait out the lease. */
  private async release(): Promise<void> {
    try {
      const { namespace, name } = this.lease;
      const current = await this.opts.client.get(LEASES, namespace, name) as JsonObject | undefined;
      if (!current || current.spec?.holderIdentity !== this.opts.identity) return;
      const now = microTime(this.now());
      const released: JsonObject = { ...current, spec: { ...current.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now, acquireTime: now } };
      await this.opts.client.update(LEASES, released as KubeObject);
    } catch (e) {
      this.log(`leader election: could not release the Lease: ${(e as Error).message}`);
    }
  }

  /** Stops electing; a leader stops its controllers and releases the Lease. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    const leading = this.leading;
    this.leading = undefined;
    if (leading) {
      await leading.stop();
      await this.release();
    }
  }
}
