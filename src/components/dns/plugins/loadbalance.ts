// The loadbalance plugin: shuffles A/AAAA/MX records of every successful reply coming back up the chain.
import { hasShuffle, loadBalance } from '../../../core/dns/loadbalance.js';
import type { Message } from '../../../core/dns/types.js';
import type { DnsRequest, Next, Plugin } from '../plugin.js';

export class LoadbalancePlugin implements Plugin {
  readonly name = 'loadbalance' as const;
  async serve(req: DnsRequest, next: Next): Promise<Message> {
    // Shuffle a copy's sections: a cached reply's arrays must not change under the cache.
    const reply = await next(req);
    // Without two records of a shuffled kind the order is fixed (CNAMEs first), so the reply can be reused.
    if (hasShuffle(reply)) req.volatile = true;
    return loadBalance({ ...reply, answer: [...reply.answer], authority: [...reply.authority], additional: [...reply.additional] });
  }
}
