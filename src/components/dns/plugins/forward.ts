// The forward plugin: names under FROM (except the `except` zones) go to the upstreams, chosen by
// policy (random, round_robin, sequential), skipping upstreams marked down after max_fails failures
// until a health check (`. IN NS` every health_check) brings them back; when all are down, one is
// tried anyway. The query keeps the client's transport unless force_tcp / prefer_udp say otherwise, so
// a truncated UDP reply goes back truncated and the client retries over TCP. max_concurrent caps
// queries in flight: beyond it the answer is REFUSED.
import { readFileSync } from 'node:fs';
import type { ForwardConfig } from '../../../core/dns/plugin-config.js';
import { canonical, inZone, matchZone } from '../../../core/dns/names.js';
import { newQuery, Rcode, rcodeName, RRType, type Message } from '../../../core/dns/types.js';
import type { DnsMetrics } from '../metrics.js';
import { errorReply, type DnsRequest, type Next, type Plugin } from '../plugin.js';
import { parseUpstream, resolvConfNameservers, Upstream } from '../upstream.js';

const ATTEMPT_TIMEOUT_MS = 2000;
const OVERALL_TIMEOUT_MS = 5000;

/** Upstream addresses: resolv.conf paths are read now (at setup, as CoreDNS does). */
export function resolveUpstreams(to: readonly string[], readFile: (p: string) => string = (p) => readFileSync(p, 'utf8')): string[] {
  const out: string[] = [];
  for (const t of to) {
    if (!t.startsWith('/')) { out.push(t); continue; }
    let text: string;
    try { text = readFile(t); } catch (e) { throw new Error(`forward: cannot read ${t} (${(e as Error).message}); list upstream addresses instead`); }
    const ns = resolvConfNameservers(text);
    if (ns.length === 0) throw new Error(`forward: ${t} has no nameserver line; list upstream addresses instead`);
    out.push(...ns);
  }
  return out;
}

export function isLoopback(host: string): boolean {
  return /^127\./.test(host) || host === '::1';
}

export class ForwardPlugin implements Plugin {
  readonly name = 'forward' as const;
  readonly upstreams: Upstream[];
  private inflight = 0;
  private rr = 0;
  private healthTimer?: NodeJS.Timeout;

  constructor(private readonly cfg: ForwardConfig, addresses: string[], private readonly metrics: DnsMetrics, private readonly log: (line: string) => void) {
    this.upstreams = addresses.map((a) => { const { host, port } = parseUpstream(a); return new Upstream(host, port); });
    for (const u of this.upstreams) {
      if (isLoopback(u.host)) log(`[WARNING] plugin/forward: upstream ${u.addr} is a loopback address: in a pod that is the pod itself; if nothing else listens there, queries time out, and if it is this server, the loop plugin stops it. Point forward at real resolvers (e.g. the node's, not 127.0.0.53)`);
    }
  }

  async start(): Promise<void> {
    this.healthTimer = setInterval(() => void this.healthCheck(), Math.max(100, this.cfg.healthCheckMs));
    this.healthTimer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.healthTimer);
    for (const u of this.upstreams) u.close();
  }

  private down(u: Upstream): boolean { return this.cfg.maxFails > 0 && u.fails >= this.cfg.maxFails; }

  private async healthCheck(): Promise<void> {
    for (const u of this.upstreams) {
      if (!this.down(u)) continue;
      try {
        await u.exchange(newQuery('.', RRType.NS), this.cfg.forceTcp ? 'tcp' : 'udp', ATTEMPT_TIMEOUT_MS);
        u.fails = 0;
      } catch {
        this.metrics.forwardHealthcheckFailures.inc({ to: u.addr });
      }
    }
  }

  private order(): Upstream[] {
    const list = [...this.upstreams];
    if (this.cfg.policy === 'random') {
      for (let i = list.length - 1; i > 0; i--) { const j = Math.floor(Math.random() * (i + 1)); [list[i], list[j]] = [list[j], list[i]]; }
    } else if (this.cfg.policy === 'round_robin') {
      const k = this.rr++ % list.length;
      list.push(...list.splice(0, k));
    }
    const healthy = list.filter((u) => !this.down(u));
    // All down: try one anyway (CoreDNS picks a random upstream rather than failing outright).
    return healthy.length ? healthy : list.slice(0, 1);
  }

  async serve(req: DnsRequest, next: Next): Promise<Message> {
    const q = req.msg.question[0];
    const name = canonical(q.name);
    if (!inZone(name, this.cfg.from) || (this.cfg.except.length && matchZone(name, this.cfg.except) !== undefined)) return next(req);
    req.volatile = true;
    if (this.cfg.maxConcurrent !== undefined && this.inflight >= this.cfg.maxConcurrent) {
      this.metrics.forwardMaxConcurrentRejects.inc();
      req.errors.push(new Error(`concurrent queries exceeded maximum ${this.cfg.maxConcurrent}`));
      return errorReply(req, Rcode.REFUSED, this.name);
    }
    this.inflight++;
    try {
      return await this.forward(req);
    } finally {
      this.inflight--;
    }
  }

  private async forward(req: DnsRequest): Promise<Message> {
    const proto = this.cfg.forceTcp ? 'tcp' : this.cfg.preferUdp ? 'udp' : req.proto;
    const deadline = Date.now() + OVERALL_TIMEOUT_MS;
    let lastErr: Error | undefined;
    for (const u of this.order()) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      const started = performance.now();
      this.metrics.forwardRequests.inc({ to: u.addr });
      try {
        const reply = await u.exchange(req.msg, proto, Math.min(ATTEMPT_TIMEOUT_MS, left));
        u.fails = 0;
        const rcode = rcodeName(reply.rcode);
        this.metrics.forwardResponses.inc({ to: u.addr, rcode });
        this.metrics.forwardDuration.observe({ to: u.addr, rcode }, (performance.now() - started) / 1000);
        req.answeredBy = this.name;
        // The client gets its own ID and its own spelling of the question back.
        return { ...reply, id: req.msg.id, question: req.msg.question.slice(0, 1) };
      } catch (e) {
        u.fails++;
        lastErr = e as Error;
      }
    }
    req.errors.push(lastErr ?? new Error('no healthy upstream'));
    return errorReply(req, Rcode.SERVFAIL, this.name);
  }
}
