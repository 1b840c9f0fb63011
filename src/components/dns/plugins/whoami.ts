// The whoami plugin: answers every query with the client's address (A or AAAA) and its port (SRV
// `_udp|_tcp.<qname>` in the additional section), as CoreDNS's whoami. Handy to check what reaches
// the server and from where (e.g. after the service proxy's DNAT).
import { replyTo, RRClass, RRType, type Message } from '../../../core/dns/types.js';
import type { DnsRequest, Next, Plugin } from '../plugin.js';

export class WhoamiPlugin implements Plugin {
  readonly name = 'whoami' as const;
  async serve(req: DnsRequest, _next: Next): Promise<Message> {
    const q = req.msg.question[0];
    req.volatile = true;
    const m = replyTo(req.msg);
    m.aa = true;
    const addr = req.remoteAddress.replace(/^::ffff:/, '');
    const v6 = addr.includes(':');
    m.additional.push({ name: q.name, type: v6 ? RRType.AAAA : RRType.A, class: RRClass.IN, ttl: 0, data: addr });
    m.additional.push({ name: `_${req.proto}.${q.name === '.' ? '' : q.name}`.replace(/\.$/, ''), type: RRType.SRV, class: RRClass.IN, ttl: 0, data: { priority: 0, weight: 0, port: req.remotePort, target: q.name } });
    req.answeredBy = this.name;
    return m;
  }
}
