// The answer cache of CoreDNS's cache plugin, as a pure data structure (time is injected):
//  - keyed by (name, type, class, DO, CD), case-insensitively;
//  - positive answers ("success") and NXDOMAIN/NODATA ("denial") kept separately, each with a capacity
//    and a TTL range: the smallest TTL in the message, raised to MINTTL and capped at TTL — the cache
//    never extends a record beyond its own TTL except up to MINTTL (5 s by default), as upstream;
//    SERVFAIL kept for the servfail duration; truncated replies and other errors are never kept;
//  - `disable success|denial ZONES` keeps those zones' answers out (kubeadm disables cluster.local, so
//    Kubernetes changes show within the kubernetes plugin's own TTL);
//  - a hit returns the records with their TTL counted down (or as stored, with keepttl), the owner
//    names respelled in the case of the new question.
import type { CacheConfig, CacheSettings } from './plugin-config.js';
import { canonical, matchZone } from './names.js';
import { Rcode, RRType, type Message, type ResourceRecord } from './types.js';

export type CacheKind = 'success' | 'denial';

interface Item {
  kind: CacheKind;
  storedAt: number;
  ttl: number;
  msg: Message;
  /** The qname of the cached reply, canonical: owner names equal to it take the new question's case. */
  qname: string;
}

export interface CacheStats {
  hits: Record<CacheKind, number>;
  misses: number;
  evictions: number;
}

/** success, denial (NXDOMAIN and NODATA), servfail, or undefined for what is never cached. */
export function classify(m: Message): CacheKind | 'servfail' | undefined {
  if (m.tc || m.opcode !== 0) return undefined;
  if (m.rcode === Rcode.NXDOMAIN) return 'denial';
  if (m.rcode === Rcode.SERVFAIL) return 'servfail';
  if (m.rcode !== Rcode.NOERROR) return undefined;
  if (m.answer.length === 0) {
    // NODATA carries an SOA; a referral (NS in authority, no SOA) is a delegation, cached as success.
    return m.authority.some((r) => r.type === RRType.SOA) || m.authority.length === 0 ? 'denial' : 'success';
  }
  return 'success';
}

/** The TTL the message may live: the smallest record TTL; for negative answers the SOA's min(ttl, minimum). */
export function minimalTtl(m: Message, kind: CacheKind): number {
  if (kind === 'denial') {
    const soa = m.authority.find((r) => r.type === RRType.SOA);
    if (soa) return Math.min(soa.ttl, (soa.data as { minimum: number }).minimum);
  }
  const all = [...m.answer, ...m.authority, ...m.additional];
  if (all.length === 0) return 5;
  return all.reduce((min, r) => Math.min(min, r.ttl), Number.MAX_SAFE_INTEGER);
}

function bound(ttl: number, s: CacheSettings): number {
  let t = ttl;
  if (t < s.minTtl) t = s.minTtl;
  if (t > s.maxTtl) t = s.maxTtl;
  return t;
}

function cacheKey(q: Message): string | undefined {
  const question = q.question[0];
  if (!question) return undefined;
  return `${canonical(question.name)}|${question.type}|${question.class}|${q.edns?.do ? 1 : 0}|${q.cd ? 1 : 0}`;
}

export class DnsCache {
  private readonly items: Record<CacheKind, Map<string, Item>> = { success: new Map(), denial: new Map() };
  readonly stats: CacheStats = { hits: { success: 0, denial: 0 }, misses: 0, evictions: 0 };

  constructor(readonly cfg: CacheConfig, private readonly now: () => number = Date.now) {}

  /** Whether the cache looks at this name at all (its zones). */
  covers(qname: string): boolean {
    return matchZone(canonical(qname), this.cfg.zones) !== undefined;
  }

  size(kind: CacheKind): number { return this.items[kind].size; }

  /** A reply to `query` from the cache, or undefined (counted as a miss). */
  get(query: Message): Message | undefined {
    const key = cacheKey(query);
    if (!key) return undefined;
    const now = this.now();
    for (const kind of ['success', 'denial'] as const) {
      const item = this.items[kind].get(key);
      if (!item) continue;
      const age = Math.floor((now - item.storedAt) / 1000);
      const left = item.ttl - age;
      if (left <= 0) { this.items[kind].delete(key); continue; }
      this.stats.hits[kind]++;
      return this.replyFrom(item, query, left);
    }
    this.stats.misses++;
    return undefined;
  }

  /** Keeps `reply` to `query` if its kind, zone and TTL allow; says whether it did. */
  put(query: Message, reply: Message): boolean {
    const key = cacheKey(query);
    const q = query.question[0];
    if (!key || !q) return false;
    // Only a reply to this very question (case-insensitively).
    const rq = reply.question[0];
    if (!rq || canonical(rq.name) !== canonical(q.name) || rq.type !== q.type) return false;
    const cls = classify(reply);
    if (!cls) return false;
    const name = canonical(q.name);
    let kind: CacheKind;
    let ttl: number;
    if (cls === 'servfail') {
      if (this.cfg.servfailTtl <= 0) return false;
      kind = 'denial';
      ttl = this.cfg.servfailTtl;
    } else {
      kind = cls;
      const disabled = kind === 'success' ? this.cfg.disableSuccess : this.cfg.disableDenial;
      if (disabled && matchZone(name, disabled) !== undefined) return false;
      ttl = bound(minimalTtl(reply, kind), this.cfg[kind]);
    }
    if (ttl <= 0) return false;
    const store = this.items[kind];
    const capacity = this.cfg[kind].capacity;
    if (capacity <= 0) return false;
    store.delete(key);
    while (store.size >= capacity) {
      store.delete(store.keys().next().value as string);
      this.stats.evictions++;
    }
    store.set(key, { kind, storedAt: this.now(), ttl, msg: structuredClone(reply), qname: name });
    return true;
  }

  private replyFrom(item: Item, query: Message, left: number): Message {
    const m = item.msg;
    const asked = query.question[0].name;
    const fix = (rs: ResourceRecord[]) => rs.map((r) => ({
      ...r,
      name: canonical(r.name) === item.qname ? asked : r.name,
      // Every record shows the time left for the whole entry, as CoreDNS's cache does.
      ttl: this.cfg.keepTtl ? r.ttl : left,
    }));
    return {
      ...m, id: query.id, rd: query.rd, cd: query.cd, question: [{ ...query.question[0] }],
      answer: fix(m.answer), authority: fix(m.authority), additional: fix(m.additional), edns: m.edns,
    };
  }
}
