// How a query travels through a server block: a chain of plugins in plugin.cfg order, each either
// answering (returning the reply) or handing the query to the next one. A plugin that wraps the ones
// after it (cache, loadbalance) awaits next() and changes or keeps what comes back. When nothing
// answers, the end of the chain replies SERVFAIL, as CoreDNS's NextOrFailure does.
import { Rcode, replyTo, type Message } from '../../core/dns/types.js';
import type { PluginName } from '../../core/dns/config.js';

export type Proto = 'udp' | 'tcp';

export interface DnsRequest {
  msg: Message;
  proto: Proto;
  remoteAddress: string;
  remotePort: number;
  /** 1 for IPv4, 2 for IPv6 (CoreDNS's family label). */
  family: 1 | 2;
  /** The server block's zone that took the query, e.g. '.'. */
  zone: string;
  /** The listener, as CoreDNS names it in metrics: dns://:53. */
  server: string;
  /** performance.now() when the query arrived. */
  startedAt: number;
  /** The plugin whose reply this is (the `plugin` label of coredns_dns_responses_total). */
  answeredBy?: string;
  /** Errors plugins met while answering; the errors plugin logs them. */
  errors: Error[];
  /** Set for queries the server sends itself (ExternalName chasing): no logging or metrics of their own. */
  internal?: boolean;
  /**
   * Set by a plugin whose reply depends on more than the query's octets and the plugins' data (the
   * clock: cache and forward; chance: loadbalance with records to shuffle; the client: whoami). The
   * server reuses the encoded reply of a query only when nothing set this (reply-cache.ts).
   */
  volatile?: boolean;
}

export type Next = (req: DnsRequest) => Promise<Message>;

export interface Plugin {
  readonly name: PluginName;
  serve(req: DnsRequest, next: Next): Promise<Message>;
  /**
   * Called instead of serve() when the query is answered with a reused reply (reply-cache.ts): repeats
   * the side effects serve() had besides the reply (the cache's request and miss counters).
   */
  replayed?(req: DnsRequest): void;
  /** Called after the reply was encoded and sent (log, prometheus). */
  observe?(req: DnsRequest, reply: Message, wireSize: number): void;
  /** The version of the data the plugin answers from (bumped by every change): reused replies must match it. */
  stamp?(): number;
  /** Whether the plugin is ready to serve (the ready plugin's /ready). */
  ready?(): boolean;
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

/** A reply to the request with the given rcode, attributed to `plugin`. */
export function errorReply(req: DnsRequest, rcode: number, plugin: string): Message {
  req.answeredBy = plugin;
  return replyTo(req.msg, rcode);
}

/** Builds next() functions over the plugins in order; the last next() answers SERVFAIL. */
export function chain(plugins: readonly Plugin[]): Next {
  const at = (i: number): Next => {
    if (i >= plugins.length) {
      return async (req) => {
        req.errors.push(new Error('no next plugin found'));
        return errorReply(req, Rcode.SERVFAIL, '');
      };
    }
    const p = plugins[i];
    const rest = at(i + 1);
    return (req) => p.serve(req, rest);
  };
  return at(0);
}
