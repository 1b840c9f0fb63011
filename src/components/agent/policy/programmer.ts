// The node's NetworkPolicy programmer: plans the policies of the pods on this node (core/policy) and
// makes table `ip podnet-policy` match, sending only the difference as one `nft -f` transaction (the
// service proxy's NftProgrammer and differ). Syncs are serial; changes that arrive during one are
// coalesced into the next.
//
// A pod created under an existing policy must not be reachable before its rules exist. The pod runtime
// calls admit(pod, ips) after CNI gave the sandbox its address and before any container starts (as
// Calico's CNI plugin waits for Felix): the pod joins the plan with that address at once, without
// waiting for its status to come back through the API, and admit resolves once the kernel has it.
import { PolicyIndex, planPolicyRuleset, POLICY_TABLE, type Pod, type PodPlan, dropCounterName } from '../../../core/policy/index.js';
import type { Ruleset } from '../../../core/nft/index.js';
import { NftProgrammer, type NftApplier } from '../../proxy/index.js';
import type { DropSample } from './metrics.js';

export interface PolicyState {
  policies(): import('../../../core/policy/index.js').NetworkPolicy[];
  pods(): Pod[];
  namespaces(): import('../../../core/policy/index.js').Namespace[];
}

export interface PolicySyncResult {
  full: boolean;
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
  private running: Promise<void> | undefined;
  private again = false;
  private waiters: Array<{ resolve(): void; reject(e: Error): void }> = [];
  private stopped = false;

  constructor(private readonly opts: PolicyProgrammerOptions) {
    this.table = opts.table ?? POLICY_TABLE;
    this.nft = new NftProgrammer({ netns: opts.netns, apply: opts.apply });
  }

  /** The plans of this node's pods as last programmed (metrics, explain). */
  get programmed(): readonly PodPlan[] {
    return this.plans;
  }

  get applied(): Ruleset | undefined {
    return this.nft.applied;
  }

  /** Something changed: sync soon. */
  changed(): void {
    void this.sync().catch(() => {});
  }

  /** Resolves once everything seen so far is in the kernel; rejects when that sync failed. */
  sync(): Promise<void> {
    const p = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (this.running) this.again = true;
    else this.running = this.loop();
    return p;
  }

  /** The pod runtime's gate: `pod` has `ips` from CNI; resolves once its policy rules are programmed. */
  async admit(pod: Pod, ips: string[]): Promise<void> {
    const copy: Pod = { ...pod, spec: { ...pod.spec, nodeName: this.opts.nodeName }, status: { ...pod.status, phase: 'Pending', podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) } };
    this.admitted.set(uidOrKey(pod), copy);
    this.admittedAt.set(uidOrKey(pod), Date.now());
    await this.sync();
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      const waiters = this.waiters;
      this.waiters = [];
      try {
        await this.once();
        for (const w of waiters) w.resolve();
      } catch (e) {
        this.opts.onError?.(e as Error);
        for (const w of waiters) w.reject(e as Error);
      }
    } while ((this.again || this.waiters.length) && !this.stopped);
    this.running = undefined;
  }

  private async once(): Promise<void> {
    const start = performance.now();
    const pods = this.podsWithAdmitted();
    const index = new PolicyIndex({ policies: this.opts.state.policies(), pods, namespaces: this.opts.state.namespaces() });
    const plans = index.planNode(this.opts.nodeName);
    const rs = planPolicyRuleset(plans, this.table);
    const planMs = performance.now() - start;
    const r = await this.nft.sync(rs);
    this.plans = plans;
    this.opts.onSync?.({
      full: r.full, lines: r.lines, planMs, nftMs: r.nftMs,
      isolated: { ingress: plans.filter((p) => p.ingress).length, egress: plans.filter((p) => p.egress).length },
    });
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
    await this.running;
    if (opts.cleanup) await this.nft.cleanup({ family: 'ip', table: this.table });
  }
}
