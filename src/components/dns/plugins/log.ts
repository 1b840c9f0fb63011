// The log plugin: one line per query in CoreDNS's common log format, e.g.
// [INFO] 10.244.1.5:53312 - 4242 "A IN web.default.svc.cluster.local. udp 58 false 512" NOERROR qr,aa,rd 106 0.000123s
import type { LogConfig } from '../../../core/dns/plugin-config.js';
import { Rcode, rcodeName, typeName, type Message } from '../../../core/dns/types.js';
import { encodeMessage } from '../../../core/dns/wire.js';
import type { DnsRequest, Next, Plugin } from '../plugin.js';

function flags(m: Message): string {
  const f: string[] = [];
  if (m.qr) f.push('qr');
  if (m.aa) f.push('aa');
  if (m.tc) f.push('tc');
  if (m.rd) f.push('rd');
  if (m.ra) f.push('ra');
  if (m.ad) f.push('ad');
  if (m.cd) f.push('cd');
  return f.join(',');
}

export class LogPlugin implements Plugin {
  readonly name = 'log' as const;
  constructor(private readonly cfg: LogConfig, private readonly log: (line: string) => void) {}

  serve(req: DnsRequest, next: Next): Promise<Message> { return next(req); }

  observe(req: DnsRequest, reply: Message, wireSize: number): void {
    if (req.internal) return;
    const cls = reply.rcode === Rcode.NOERROR && reply.answer.length > 0 ? 'success'
      : reply.rcode === Rcode.NXDOMAIN || reply.rcode === Rcode.NOERROR ? 'denial' : 'error';
    if (!this.cfg.classes.has(cls)) return;
    const q = req.msg.question[0];
    const size = encodeMessage(req.msg).length;
    const bufsize = req.proto === 'tcp' ? 65535 : Math.max(512, req.msg.edns?.udpSize ?? 512);
    const secs = ((performance.now() - req.startedAt) / 1000).toFixed(9).replace(/0+$/, '');
    const remote = req.family === 2 ? `[${req.remoteAddress}]:${req.remotePort}` : `${req.remoteAddress}:${req.remotePort}`;
    this.log(`[INFO] ${remote} - ${req.msg.id} "${typeName(q.type)} IN ${q.name === '.' ? '.' : `${q.name}.`} ${req.proto} ${size} ${req.msg.edns?.do ? 'true' : 'false'} ${bufsize}" ${rcodeName(reply.rcode)} ${flags(reply)} ${wireSize} ${secs}s`);
  }
}
