// Encoded replies kept for reuse. Most cluster queries repeat (every pod asks for the same Services,
// with the same search-path expansions), and decoding, running the chain and encoding cost more than
// the rest of answering. A reply is reused for a query whose octets after the ID are exactly those of
// an earlier one — the same flags, question (in the same letter case, which the answer echoes), EDNS
// buffer size, DO bit and options — on the same listener and transport (the size limit differs), while
// the data every plugin of the block answers from is unchanged (their stamps) and the instance is the
// same (a reload starts afresh). Only replies no plugin marked volatile are kept (plugin.ts): cache hits
// and replies the cache keeps, and forward answers depend on the clock, loadbalance on chance, whoami on
// the client. With kubeadm's Corefile (cache disabled for cluster.local) cluster names are reused. The
// reused octets get the new query's ID; plugins' replayed() (the cache's counters) and observers (log,
// prometheus) still see every query.
import type { Message } from '../../core/dns/types.js';
import type { Instance, Block } from './instance.js';
import type { DnsRequest, Proto } from './plugin.js';

export interface ReusableReply {
  wire: Buffer;
  /** The request as the chain saw it; observers get a copy with the new query's ID and client. */
  req: DnsRequest;
  reply: Message;
  block: Block;
  instance: Instance;
  stamp: number;
}

/** The sum of the block's plugins' stamps: stamps only grow, so any change changes the sum. */
export function blockStamp(block: Block): number {
  let s = 0;
  for (const p of block.plugins) if (p.stamp) s += p.stamp();
  return s;
}

export class ReplyCache {
  private readonly entries = new Map<string, ReusableReply>();

  constructor(private readonly max = 10_000) {}

  key(listenerKey: string, proto: Proto, data: Buffer): string {
    return `${proto}${listenerKey}|${data.toString('latin1', 2)}`;
  }

  /** The kept reply for key when it is still valid for `instance`, else undefined. */
  get(key: string, instance: Instance): ReusableReply | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.instance !== instance || e.stamp !== blockStamp(e.block)) { this.entries.delete(key); return undefined; }
    return e;
  }

  /** Keeps a reply; the oldest entry goes when full (the working set of a cluster is small). */
  set(key: string, e: ReusableReply): void {
    if (this.entries.size >= this.max && !this.entries.has(key)) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, e);
  }

  clear(): void { this.entries.clear(); }

  get size(): number { return this.entries.size; }
}

/** Whether the chain's reply to req may be reused for identical queries. */
export function reusable(req: DnsRequest): boolean {
  return !req.volatile && !req.internal && req.errors.length === 0 && req.answeredBy !== undefined;
}
