// The loop plugin: right after start the server sends itself `<random>.<random>.<zone> HINFO`. If that
// very query comes back in more than twice, forwarding leads back here (the classic case: the node's
// resolv.conf names 127.0.0.53 or the cluster DNS itself), and the server stops with CoreDNS's message
// rather than amplify every query forever. Once the probe was answered, checking stops.
import { randomInt } from 'node:crypto';
import { canonical, join } from '../../../core/dns/names.js';
import { Rcode, RRType, type Message } from '../../../core/dns/types.js';
import { errorReply, type DnsRequest, type Next, type Plugin } from '../plugin.js';

export class LoopDetected extends Error {
  constructor(message: string) { super(message); this.name = 'LoopDetected'; }
}

export class LoopPlugin implements Plugin {
  readonly name = 'loop' as const;
  /** The probe name, canonical. */
  readonly probe: string;
  private seen = 0;
  private disabled = false;

  constructor(readonly zone: string, private readonly onLoop: (e: LoopDetected) => void) {
    this.probe = join(`${randomInt(2 ** 47)}.${randomInt(2 ** 47)}`, zone);
  }

  /** Stops counting (after the probe was answered, or gave up on). */
  disable(): void { this.disabled = true; }

  async serve(req: DnsRequest, next: Next): Promise<Message> {
    const q = req.msg.question[0];
    if (!this.disabled && q.type === RRType.HINFO && canonical(q.name) === this.probe) {
      req.volatile = true;
      this.seen++;
      if (this.seen > 2) {
        this.disabled = true;
        this.onLoop(new LoopDetected(`Loop (${req.remoteAddress}:${req.remotePort} -> ${req.server}) detected for zone "${this.zone === '.' ? '.' : `${this.zone}.`}", see https://coredns.io/plugins/loop#troubleshooting. Query: "HINFO ${this.probe}."`));
        return errorReply(req, Rcode.SERVFAIL, this.name);
      }
    }
    return next(req);
  }
}
