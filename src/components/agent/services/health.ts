// The proxy's health, as kube-proxy's ProxyHealthServer judges it: every Service/EndpointSlice/Node
// change queues an update; a sync that programmed it marks it done. The proxy is unhealthy when the
// oldest update still queued waits longer than healthTimeout (2 × syncPeriod in kube-proxy, 60 s by
// default): the dataplane is falling behind or syncs keep failing. /healthz is also 503 while the
// Node is being deleted (so load balancers drain it, KEP-3836); /livez ignores the Node.
import { nodeEligible, type NodeLike } from './node.js';

/** kube-proxy's default syncPeriod is 30 s and its health timeout twice that. */
export const DEFAULT_HEALTH_TIMEOUT_MS = 60_000;

export interface HealthState {
  healthy: boolean;
  nodeEligible: boolean;
  /** When rules last matched the API state (ms since epoch); now, when healthy (kube-proxy's compatibility rule). */
  lastUpdated: number | undefined;
  currentTime: number;
  /** Since when the oldest unprogrammed change waits, if any. */
  oldestPending: number | undefined;
}

export class ProxyHealth {
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private lastUpdated: number | undefined;
  /** Change numbers not yet programmed, with the time they were queued (ascending). */
  private pending: Array<{ seq: number; at: number }> = [];
  private seq = 0;
  private eligible = true;

  constructor(opts: { healthTimeoutMs?: number; now?: () => number } = {}) {
    this.timeoutMs = opts.healthTimeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS;
    this.now = opts.now ?? Date.now;
  }

  /** A change arrived that the rules must reflect; returns its number for updatedUpTo. */
  queued(): number {
    this.seq++;
    this.pending.push({ seq: this.seq, at: this.now() });
    return this.seq;
  }

  /** The number of the last queued change. */
  get lastQueued(): number {
    return this.seq;
  }

  /** Every change numbered up to `seq` is programmed. */
  updatedUpTo(seq: number): void {
    this.lastUpdated = this.now();
    let i = 0;
    while (i < this.pending.length && this.pending[i].seq <= seq) i++;
    if (i) this.pending.splice(0, i);
  }

  syncNode(node: NodeLike | undefined): void {
    this.eligible = nodeEligible(node);
  }

  /** The proxier's own health (the healthCheckNodePort servers report it as serviceProxyHealthy). */
  isHealthy(): boolean {
    return this.state().healthy;
  }

  state(): HealthState {
    const currentTime = this.now();
    const oldestPending = this.pending[0]?.at;
    const healthy = oldestPending === undefined || currentTime - oldestPending < this.timeoutMs;
    return { healthy, nodeEligible: this.eligible, lastUpdated: healthy ? currentTime : this.lastUpdated, currentTime, oldestPending };
  }
}

const iso = (t: number | undefined) => (t === undefined ? '' : new Date(t).toISOString());

/** /healthz: status code and body. */
export function healthzResponse(h: ProxyHealth, nodeName: string): { status: number; body: string } {
  const s = h.state();
  const ok = s.healthy && s.nodeEligible;
  return {
    status: ok ? 200 : 503,
    body: JSON.stringify({
      lastUpdated: iso(s.lastUpdated), currentTime: iso(s.currentTime), nodeName, nodeHealthy: ok, nodeEligible: s.nodeEligible,
    }),
  };
}

/** /livez: like /healthz without the Node's eligibility (the one to use for liveness probes). */
export function livezResponse(h: ProxyHealth): { status: number; body: string } {
  const s = h.state();
  return { status: s.healthy ? 200 : 503, body: JSON.stringify({ lastUpdated: iso(s.lastUpdated), currentTime: iso(s.currentTime) }) };
}
