// The prometheus plugin's per-query part: requests, responses by rcode and answering plugin, durations
// and sizes, labelled like CoreDNS's (server, zone, view, proto, family, type). The HTTP endpoint
// lives in http.ts.
import { rcodeName, RRType, typeName, type Message } from '../../../core/dns/types.js';
import type { DnsMetrics } from '../metrics.js';
import type { DnsRequest, Next, Plugin } from '../plugin.js';

// CoreDNS labels only common types by name and the rest as "other".
const NAMED_TYPES = new Set<number>([RRType.A, RRType.AAAA, RRType.CNAME, RRType.MX, RRType.NS, RRType.PTR, RRType.SOA, RRType.SRV, RRType.TXT, RRType.AXFR, RRType.IXFR, RRType.HINFO, RRType.ANY]);

export class PrometheusPlugin implements Plugin {
  readonly name = 'prometheus' as const;
  constructor(private readonly metrics: DnsMetrics) {}

  serve(req: DnsRequest, next: Next): Promise<Message> { return next(req); }

  observe(req: DnsRequest, reply: Message, wireSize: number): void {
    if (req.internal) return;
    const q = req.msg.question[0];
    const type = NAMED_TYPES.has(q.type) ? typeName(q.type) : 'other';
    const zone = req.zone === '.' ? '.' : `${req.zone}.`;
    const base = { server: req.server, zone, view: '' };
    this.metrics.requests.inc({ ...base, proto: req.proto, family: String(req.family), type });
    this.metrics.responses.inc({ ...base, rcode: rcodeName(reply.rcode), plugin: req.answeredBy ?? '' });
    this.metrics.duration.observe({ ...base, type }, (performance.now() - req.startedAt) / 1000);
    this.metrics.requestSize.observe({ ...base, proto: req.proto }, req.proto === 'tcp' ? 65535 : Math.max(512, req.msg.edns?.udpSize ?? 512));
    this.metrics.responseSize.observe({ ...base, proto: req.proto }, wireSize);
  }
}
