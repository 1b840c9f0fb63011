// The errors plugin: logs what went wrong while answering (an upstream timing out, no plugin answering)
// in CoreDNS's format: `[ERROR] plugin/errors: 2 example.org. A: read udp 10.0.0.1:53: i/o timeout`.
import { typeName, type Message } from '../../../core/dns/types.js';
import type { DnsRequest, Next, Plugin } from '../plugin.js';

export class ErrorsPlugin implements Plugin {
  readonly name = 'errors' as const;
  constructor(private readonly log: (line: string) => void, private readonly stacktrace = false) {}

  async serve(req: DnsRequest, next: Next): Promise<Message> {
    const reply = await next(req);
    const q = req.msg.question[0];
    for (const e of req.errors) {
      this.log(`[ERROR] plugin/errors: ${reply.rcode} ${q.name === '.' ? '.' : `${q.name}.`} ${typeName(q.type)}: ${this.stacktrace ? e.stack : e.message}`);
    }
    return reply;
  }
}
