// The loadbalance plugin: shuffles A/AAAA/MX records of every successful reply coming back up the chain.
import { loadBalance } from '../../../core/dns/loadbalance.js';
import type { Message } from '../../../core/dns/types.js';
import type { DnsRequest, Next, Plugin } from '../plugin.js';

export class LoadbalancePlugin implements Plugin {
  readonly name = 'loadbalance' as const;
  async serve(req: DnsRequest, next: Next): Promise<Message> {
    // Shuffle a copy's sections: a cached reply's arrays must not change under the cache.
    const reply = await next(req);
    return loadBalance({ ...reply, answer: [...reply.answer], authority: [...reply.authority], additional: [...reply.additional] });
  }
}
