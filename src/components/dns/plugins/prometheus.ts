// The prometheus plugin's per-query part: requests, responses by rcode and answering plugin, durations
// and sizes, labelled like CoreDNS's (server, zone, view, proto, family, type). The HTTP endpoint
// lives in http.ts.
import { rcodeName, RRType, typeName, type Message } from '../../../core/dns/types.js';
import type { DnsMetrics } from '../metrics.js';
import type { DnsRequest, Next, Plugin } from '../plugin.js';

// CoreDNS labels only common types by name and the rest as "other".
const NAMED_TYPES = new Set<number>([RRType.A, RRType.AAAA, RRType.CNAME, RRType.MX, RRType.NS, RRType.PTR, RRType.SOA, RRType.SRV, RRType.TXT, RRType.AXFR, RRType.IXFR, RRType.HINFO, RRType.ANY]);

interface Children {
  requests: { inc(): void };
  duration: { observe(v: number): void };
  requestSize: { observe(v: number): void };
  responseSize: { observe(v: number): void };
}

export class PrometheusPlugin implements Plugin {
  readonly name = 'prometheus' as const;
  // Labelled children are looked up once per label combination: prom-client validates and hashes
  // labels on every inc/observe otherwise, which costs more than answering a cluster query.
  private readonly children = new Map<string, Children>();
  private readonly responses = new Map<string, { inc(): void }>();

  constructor(private readonly metrics: DnsMetrics) {}

  serve(req: DnsRequest, next: Next): Promise<Message> { return next(req); }

  observe(req: DnsRequest, reply: Message, wireSize: number): void {
    if (req.internal) return;
    const q = req.msg.question[0];
    const type = NAMED_TYPES.has(q.type) ? typeName(q.type) : 'other';
    const zone = req.zone === '.' ? '.' : `${req.zone}.`;
    const key = `${req.server}|${zone}|${req.proto}|${req.family}|${type}`;
    let c = this.children.get(key);
    if (!c) {
      const base = { server: req.server, zone, view: '' };
      c = {
        requests: this.metrics.requests.labels({ ...base, proto: req.proto, family: String(req.family), type }),
        duration: this.metrics.duration.labels({ ...base, type }),
        requestSize: this.metrics.requestSize.labels({ ...base, proto: req.proto }),
        responseSize: this.metrics.responseSize.labels({ ...base, proto: req.proto }),
      };
      this.children.set(key, c);
    }
    const rcode = rcodeName(reply.rcode);
    const plugin = req.answeredBy ?? '';
    const rkey = `${req.server}|${zone}|${rcode}|${plugin}`;
    let r = this.responses.get(rkey);
    if (!r) {
      r = this.metrics.responses.labels({ server: req.server, zone, view: '', rcode, plugin });
      this.responses.set(rkey, r);
    }
    c.requests.inc();
    r.inc();
    c.duration.observe((performance.now() - req.startedAt) / 1000);
    c.requestSize.observe(req.proto === 'tcp' ? 65535 : Math.max(512, req.msg.edns?.udpSize ?? 512));
    c.responseSize.observe(wireSize);
  }
}
