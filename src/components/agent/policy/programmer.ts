// The node's NetworkPolicy programmer: plans the policies of the pods on this node (core/policy) and
// makes table `ip podnet-policy` match, sending only the difference as one `nft -f` transaction (the
// service proxy's NftProgrammer and differ). Syncs run through the service proxy's BoundedFrequencyRunner:
// changes that arrive within a few ms go in one sync, changes during a sync cause one more after it, and
// a failed sync is retried (the NftProgrammer then replaces the whole table).
//
// A pod created under an existing policy must not be reachable before its rules exist. The pod runtime
// calls admit(pod, ips) after CNI gave the sandbox its address and before any container starts (as
// Calico's CNI plugin waits for Felix): the pod joins the plan with that address at once, without
// waiting for its status to come back through the API, and admit resolves once the kernel has it.
import { IncrementalPolicyPlanner, planPolicyRuleset, POLICY_TABLE, type Pod, type PodPlan, dropCounterName } from '../../../core/policy/index.js';
import type { Ruleset } from '../../../core/nft/index.js';
import { BoundedFrequencyRunner, NftProgrammer, type NftApplier } from '../../proxy/index.js';
import type { DropSample } from './metrics.js';

export interface PolicyState {
  policies(): import('../../../core/policy/index.js').NetworkPolicy[];
  pods(): Pod[];
  namespaces(): import('../../../core/policy/index.js').Namespace[];
}

export interface PolicySyncResult {
  full: boolean;
  /** Local pods planned anew (the others kept their plan: nothing they depend on changed). */
  replanned: number;
  lines: number;
  planMs: number;
  nftMs: number;
  isolated: { ingress: number; egress: number };
}

export interface PolicyProgrammerOptions {
  nodeName: string;
  state: PolicyState;
  netns?: string;
  table?: string;
  apply?: NftApplier;
  /** The runner's window: changes within this many ms of the first go in one sync (default 2). */
  syncWindowMs?: number;
  /** Syncs start at least this many ms apart (default 10). */
  minSyncPeriodMs?: number;
  /** After a failed sync, the next one starts this many ms later (default 1000). */
  retryDelayMs?: number;
  onSync?(r: PolicySyncResult): void;
  onError?(e: Error): void;
}

/** How long an admitted pod the informer has never shown keeps its rules. */
const ADMITTED_UNSEEN_MS = 60_000;

const uidOrKey = (p: Pod & { metadata?: { uid?: string } }) => p.metadata?.uid ?? `${p.metadata?.namespace}/${p.metadata?.name}`;

export class PolicyProgrammer {
  readonly table: string;
  private readonly nft: NftProgrammer;
  /** Pods admitted by the runtime whose address the informer has not shown yet, with when. */
  private readonly admitted = new Map<string, Pod>();
  private readonly admittedAt = new Map<string, number>();
  private plans: PodPlan[] = [];
  /** Plans again only the pods a change may affect (core/policy/incremental.ts). */
  private readonly planner: IncrementalPolicyPlanner;
  private readonly runner: BoundedFrequencyRunner;
  /** Changes requested so far, and the count the last finished sync covered (with its error). */
  private requested = 0;
  private done: { upTo: number; error?: Error } = { upTo: 0 };
  private waiters: Array<() => void> = [];
  private stopped = false;

  constructor(private readonly opts: PolicyProgrammerOptions) {
    this.table = opts.table ?? POLICY_TABLE;
    this.nft = new NftProgrammer({ netns: opts.netns, apply: opts.apply });
    this.planner = new IncrementalPolicyPlanner(opts.nodeName);
    // A small window: a policy change is one informer event, and a pod waiting at admit() should not
    // wait long; a rollout's burst of pod events still lands in few syncs (a sync in progress batches
    // everything that arrives meanwhile into the next).
    this.runner = new BoundedFrequencyRunner(() => this.syncOnce(), {
      windowMs: opts.syncWindowMs ?? 2, minIntervalMs: opts.minSyncPeriodMs ?? 10, retryDelayMs: opts.retryDelayMs ?? 1000,
    });
  }

  /** The plans of this node's pods as last programmed (metrics, explain). */
  get programmed(): readonly PodPlan[] {
    return this.plans;
  }

  get applied(): Ruleset | undefined {
    return this.nft.applied;
  }

  /** Something changed: sync soon (cheap to call for every informer event). */
  changed(): void {
    if (this.stopped) return;
    this.requested++;
    this.runner.run();
  }

  /** Resolves once everything seen so far is in the kernel; rejects when that sync failed. */
  async sync(): Promise<void> {
    this.changed();
    const target = this.requested;
    while (this.done.upTo < target && !this.stopped) await new Promise<void>((resolve) => this.waiters.push(resolve));
    if (this.done.error) throw this.done.error;
  }

  /** The pod runtime's gate: `pod` has `ips` from CNI; resolves once its policy rules are programmed. */
  async admit(pod: Pod, ips: string[]): Promise<void> {
    const copy: Pod = { ...pod, spec: { ...pod.spec, nodeName: this.opts.nodeName }, status: { ...pod.status, phase: 'Pending', podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) } };
    this.admitted.set(uidOrKey(pod), copy);
    this.admittedAt.set(uidOrKey(pod), Date.now());
    await this.sync();
  }

  /** One sync; resolves whether it succeeded (the runner retries a failure). */
  private async syncOnce(): Promise<boolean> {
    const upTo = this.requested;
    try {
      const start = performance.now();
      const pods = this.podsWithAdmitted();
      const { plans, replanned } = this.planner.plan({ policies: this.opts.state.policies(), pods, namespaces: this.opts.state.namespaces() });
      const rs = planPolicyRuleset(plans, this.table);
      const planMs = performance.now() - start;
      const r = await this.nft.sync(rs);
      this.plans = plans;
      this.done = { upTo };
      this.opts.onSync?.({
        full: r.full, lines: r.lines, planMs, nftMs: r.nftMs, replanned,
        isolated: { ingress: plans.filter((p) => p.ingress).length, egress: plans.filter((p) => p.egress).length },
      });
      return true;
    } catch (e) {
      this.done = { upTo, error: e as Error };
      this.opts.onError?.(e as Error);
      return false;
    } finally {
      const w = this.waiters;
      this.waiters = [];
      for (const f of w) f();
    }
  }

  /** The informer's pods, with admitted ones added (or given their CNI address) until the API shows it. */
  private podsWithAdmitted(): Pod[] {
    const pods = this.opts.state.pods();
    if (!this.admitted.size) return pods;
    const out: Pod[] = [];
    const seen = new Set<string>();
    for (const p of pods) {
      const key = uidOrKey(p);
      const a = this.admitted.get(key);
      seen.add(key);
      if (a && !(p.status?.podIPs?.length || p.status?.podIP)) {
        // Labels may have changed since admission: keep the informer's object, with the CNI address.
        out.push({ ...p, spec: { ...p.spec, nodeName: this.opts.nodeName }, status: { ...p.status, podIP: a.status!.podIP, podIPs: a.status!.podIPs } });
        continue;
      }
      if (a) this.forgetKey(key);
      out.push(p);
    }
    for (const [key, a] of this.admitted) {
      if (seen.has(key)) continue;
      // The runtime's pod informer can be ahead of ours for a moment; a pod still unseen after a minute
      // was deleted before we ever saw it, and its address must not keep rules.
      if (Date.now() - (this.admittedAt.get(key) ?? 0) > ADMITTED_UNSEEN_MS) { this.forgetKey(key); continue; }
      out.push(a);
    }
    return out;
  }

  private forgetKey(key: string): void {
    this.admitted.delete(key);
    this.admittedAt.delete(key);
  }

  /** Drop counts per isolated pod and direction, from the kernel's named counters. */
  async drops(read: (table: string) => Promise<Map<string, { packets: number }>>): Promise<DropSample[]> {
    const counters = await read(this.table);
    const out: DropSample[] = [];
    for (const p of this.plans) {
      for (const dir of ['ingress', 'egress'] as const) {
        const d = p[dir];
        if (!d) continue;
        out.push({ namespace: p.namespace, pod: p.name, direction: dir, policies: d.policies, packets: counters.get(dropCounterName(dir, p.ip))?.packets ?? 0 });
      }
    }
    return out;
  }

  /** Stops syncing; with cleanup also deletes the table (node removed). Without, the rules stay in the kernel. */
  async stop(opts: { cleanup?: boolean } = {}): Promise<void> {
    this.stopped = true;
    await this.runner.stop();
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
    if (opts.cleanup) await this.nft.cleanup({ family: 'ip', table: this.table });
  }
}
