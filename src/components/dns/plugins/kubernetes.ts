// The kubernetes plugin in the chain: the planner's reply for names in its zones, `next` on fallthrough,
// and completion of ExternalName targets outside the zone through the server's own chain (the answer
// then holds the CNAME chain followed by the target's records, and a truncated upstream reply makes
// this one truncated too, as CoreDNS does).
import { planDnsAnswer, type KubeContext } from '../../../core/dns/kube-records.js';
import type { KubernetesConfig } from '../../../core/dns/plugin-config.js';
import { Rcode, replyTo, type Message } from '../../../core/dns/types.js';
import type { ClusterSource } from '../cluster-source.js';
import type { DnsRequest, Next, Plugin } from '../plugin.js';

/** Resolves (name, type) through the server, on behalf of `parent`; undefined when nothing answered. */
export type Lookup = (parent: DnsRequest, name: string, type: number) => Promise<Message | undefined>;

export class KubernetesPlugin implements Plugin {
  readonly name = 'kubernetes' as const;
  private readonly ctx: KubeContext;

  constructor(cfg: KubernetesConfig, private readonly source: ClusterSource, localIPs: string[], private readonly lookup: Lookup) {
    this.ctx = { cfg, index: source.index, localIPs };
  }

  ready(): boolean { return this.source.index.synced; }

  stamp(): number { return this.source.index.generation; }

  async serve(req: DnsRequest, next: Next): Promise<Message> {
    const q = req.msg.question[0];
    const res = planDnsAnswer(this.ctx, q.name, q.type);
    if (res.kind === 'next') return next(req);
    const m = replyTo(req.msg, res.rcode);
    m.aa = true;
    m.answer = res.answer;
    m.authority = res.authority;
    m.additional = res.additional;
    if (res.chase) {
      // The target is answered through the chain again, perhaps by forward: not reusable.
      req.volatile = true;
      let up: Message | undefined;
      try { up = await this.lookup(req, res.chase.target, res.chase.type); } catch (e) { req.errors.push(e as Error); }
      if (up) {
        m.answer = [...m.answer, ...res.chase.prefix, ...up.answer];
        if (up.tc) m.tc = true;
      }
      if (m.answer.length === 0) { m.rcode = Rcode.NOERROR; m.authority = [res.soa]; }
    }
    req.answeredBy = this.name;
    return m;
  }
}
