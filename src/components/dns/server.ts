// podnet's DNS server: CoreDNS's behaviour for the Corefiles Kubernetes clusters use. It listens on UDP
// and TCP for every server block, takes each datagram through the checks miekg/dns makes before a
// query reaches the plugins (short packets and responses dropped; unknown opcodes NOTIMP; malformed
// messages, counts other than one question, too many records FORMERR; EDNS versions above 0 BADVERS),
// routes it to the block with the longest matching zone (none: REFUSED), runs that block's chain, and
// encodes the reply within the client's size (512 octets without EDNS, the EDNS buffer size, 64 KiB over
// TCP), setting TC when records had to go. It reloads its Corefile when told to and keeps the old
// one when the new one is broken.
import { createHash } from 'node:crypto';
import type dgram from 'node:dgram';
import type { ServerResponse } from 'node:http';
import os from 'node:os';
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import { loadCorefile, type ServerConfig } from '../../core/dns/config.js';
import { canonical, matchZone } from '../../core/dns/names.js';
import { newQuery, Opcode, Rcode, RRType, type Message } from '../../core/dns/types.js';
import { decodeMessage, encodeMessage, FormatError, HEADER_SIZE, MAX_MESSAGE_SIZE, MIN_UDP_SIZE, peekHeader } from '../../core/dns/wire.js';
import type { ClusterSource, ClusterSourceFactory } from './cluster-source.js';
import { serveHttp, type HttpEndpoint, type Route } from './http.js';
import { Instance, type Block } from './instance.js';
import { DnsMetrics } from './metrics.js';
import type { DnsRequest } from './plugin.js';
import type { LoopDetected } from './plugins/loop.js';
import { blockStamp, ReplyCache, reusable } from './reply-cache.js';
import { adoptUdp, listen, type Listener, type Packet } from './transport.js';
import { Upstream } from './upstream.js';

export interface DnsServerOptions {
  corefile: string;
  /** Port of server blocks that name none (CoreDNS's -dns.port); default 53. */
  defaultPort?: number;
  /** Makes the kubernetes plugin's data source; required when the Corefile uses kubernetes. */
  sourceFor?: ClusterSourceFactory;
  /** This server's pod IPs (NS records); default: the addresses of the non-loopback interfaces. */
  localIPs?: string[];
  log?: (line: string) => void;
  /** A forwarding loop was found (the loop plugin): the default logs and exits with status 1, as CoreDNS. */
  onFatal?: (e: Error) => void;
  /** Reads resolv.conf files named by forward (tests give their own). */
  readFile?: (path: string) => string;
  env?: Record<string, string | undefined>;
  metrics?: DnsMetrics;
  /**
   * Worker mode (workers.ts): serve UDP on these sockets, bound by the primary process, by listener key
   * ('127.0.0.1:53' as the Corefile names it); open no TCP or HTTP listeners and send no loop probes.
   */
  sockets?: Map<string, dgram.Socket>;
}

/** What the primary process asks its worker processes. */
export interface DnsPeers {
  /** Each worker's registry as prom-client's getMetricsAsJSON gives it. */
  metrics(): Promise<MetricObjectWithValues<MetricValue<string>>[][]>;
  /** Plugins not ready in any worker (or 'worker' when one does not answer). */
  notReady(): Promise<string[]>;
}

function defaultLocalIPs(): string[] {
  const out: string[] = [];
  for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) if (!a.internal) out.push(a.address.replace(/%.*$/, ''));
  return out;
}

const sha = (s: string) => createHash('sha512').update(s).digest('hex');
const MAX_LOOKUP_DEPTH = 8;

/** A reply carrying only the header of a message that could not be read (FORMERR, NOTIMP). */
function headerOnly(data: Buffer, rcode: number): Buffer {
  const out = Buffer.alloc(HEADER_SIZE);
  data.copy(out, 0, 0, 4);
  out[2] = (out[2] & 0x79) | 0x80; // QR set, AA and TC cleared, opcode and RD kept
  out[3] = (out[3] & 0x10) | (rcode & 0x0f); // CD kept
  return out;
}

export class DnsServer {
  readonly metrics: DnsMetrics;
  private instance!: Instance;
  private corefileHash = '';
  private readonly listeners = new Map<string, Listener>();
  private readonly http = new Map<string, HttpEndpoint>();
  private readonly log: (line: string) => void;
  private readonly localIPs: string[];
  private shuttingDown = false;
  private reloading: Promise<boolean> = Promise.resolve(true);
  private readonly replies = new ReplyCache();
  /** The primary's view of its workers: their metrics join /metrics, their readiness /ready. */
  private peers: DnsPeers | undefined;

  private constructor(private readonly opts: DnsServerOptions) {
    this.log = opts.log ?? ((line) => process.stdout.write(`${line}\n`));
    this.metrics = opts.metrics ?? new DnsMetrics();
    this.localIPs = opts.localIPs ?? defaultLocalIPs();
  }

  /** Loads the Corefile, syncs the cluster sources (up to startup_timeout), then listens. Throws on a broken Corefile. */
  static async start(opts: DnsServerOptions): Promise<DnsServer> {
    const s = new DnsServer(opts);
    const configs = loadCorefile(opts.corefile, { defaultPort: opts.defaultPort, env: opts.env });
    s.instance = s.build(configs, new Map());
    await s.instance.start(new Map());
    s.corefileHash = sha(opts.corefile);
    await s.openListeners();
    s.startLoopProbes();
    for (const c of configs) s.log(`${c.zones.map((z) => (z === '.' ? '.' : `${z}.`)).join(' ')}:${s.portOf(c)}`);
    s.log(`CoreDNS-${'1.12.0'} (podnet)`);
    return s;
  }

  /** The configs in effect. */
  get configs(): readonly ServerConfig[] { return this.instance.configs; }

  /** Bound DNS listeners and HTTP endpoints (ports resolved when the Corefile said 0). */
  addresses(): { dns: Array<{ address: string; port: number }>; http: Record<string, { host: string; port: number }> } {
    const http: Record<string, { host: string; port: number }> = {};
    for (const [k, e] of this.http) http[k] = { host: e.host, port: e.port };
    return { dns: [...this.listeners.values()].map((l) => ({ address: l.address, port: l.port })), http };
  }

  private portOf(c: ServerConfig): number {
    const l = this.listeners.get(`${c.bind[0]}:${c.port}`);
    return l?.port ?? c.port;
  }

  private build(configs: ServerConfig[], sources: Map<string, ClusterSource>): Instance {
    return new Instance(configs, {
      metrics: this.metrics, log: this.log, localIPs: this.localIPs, sources, sourceFor: this.opts.sourceFor, readFile: this.opts.readFile,
      lookup: (parent, name, type) => this.lookup(parent, name, type),
      onLoop: (e) => this.fatal(e),
    });
  }

  private fatal(e: LoopDetected | Error): void {
    this.log(`[FATAL] plugin/loop: ${e.message}`);
    if (this.opts.onFatal) this.opts.onFatal(e);
    else process.exit(1);
  }

  // ------------------------------------------------------------------------------------------ listeners

  private async openListeners(): Promise<void> {
    const want = new Set<string>();
    for (const c of this.instance.configs) for (const addr of c.bind) want.add(`${addr}:${c.port}`);
    for (const [k, l] of this.listeners) if (!want.has(k)) { await l.close(); this.listeners.delete(k); }
    for (const k of want) {
      if (this.listeners.has(k)) continue;
      const i = k.lastIndexOf(':');
      const address = k.slice(0, i);
      const port = Number(k.slice(i + 1));
      if (this.opts.sockets) {
        const sock = this.opts.sockets.get(k);
        if (!sock) throw new Error(`worker: the primary handed over no socket for ${k}`);
        this.listeners.set(k, adoptUdp(sock, (p) => this.handle(p, k)));
        continue;
      }
      try {
        this.listeners.set(k, await listen(address, port, (p) => this.handle(p, k)));
      } catch (e) {
        throw new Error(`cannot listen on ${address}:${port} for DNS (${(e as Error).message}); choose another port or bind address in the Corefile`);
      }
    }
    if (!this.opts.sockets) await this.openHttp();
  }

  /** The UDP sockets of the listeners, by listener key (for worker processes to share). */
  udpSockets(): Map<string, dgram.Socket> {
    return new Map([...this.listeners].map(([k, l]) => [k, l.udp]));
  }

  /** Worker processes that share this server's listeners (workers.ts), or none. */
  setPeers(peers: DnsPeers | undefined): void { this.peers = peers; }

  /** Plugins of this process that report readiness and are not ready. */
  notReady(): string[] { return this.instance.notReady(); }

  private async openHttp(): Promise<void> {
    const want = new Map<string, 'health' | 'ready' | 'metrics'>();
    for (const c of this.instance.configs) {
      if (c.health) want.set(`health ${c.health.address}`, 'health');
      if (c.ready) want.set(`ready ${c.ready.address}`, 'ready');
      if (c.prometheus) want.set(`metrics ${c.prometheus.address}`, 'metrics');
    }
    for (const [k, e] of this.http) if (!want.has(k)) { await e.close(); this.http.delete(k); }
    // Endpoints that share an address serve all their paths from one HTTP server.
    const byAddress = new Map<string, Array<'health' | 'ready' | 'metrics'>>();
    for (const [k, kind] of want) {
      if (this.http.has(k)) continue;
      const addr = k.slice(k.indexOf(' ') + 1);
      byAddress.set(addr, [...(byAddress.get(addr) ?? []), kind]);
    }
    for (const [addr, kinds] of byAddress) {
      const r: Record<string, Route> = {};
      if (kinds.includes('health')) r['/health'] = (_q, res) => { res.writeHead(200, { 'Content-Type': 'text/plain' }).end('OK'); };
      if (kinds.includes('ready')) r['/ready'] = (_q, res) => this.serveReady(res);
      if (kinds.includes('metrics')) r['/metrics'] = async (_q, res) => {
        const peers = this.peers;
        // With workers, the numbers are the sum over the processes (a gauge like build_info: the first).
        const body = peers
          ? await AggregatorRegistry.aggregate([await this.metrics.registry.getMetricsAsJSON(), ...await peers.metrics()]).metrics()
          : await this.metrics.registry.metrics();
        res.writeHead(200, { 'Content-Type': this.metrics.registry.contentType }).end(body);
      };
      const ep = await serveHttp(addr, r);
      for (const kind of kinds) this.http.set(`${kind} ${addr}`, ep);
    }
  }

  private async serveReady(res: ServerResponse): Promise<void> {
    const notReady = [...new Set([...this.instance.notReady(), ...await this.peers?.notReady() ?? []])];
    if (this.shuttingDown) notReady.push('lameduck');
    if (notReady.length === 0) res.writeHead(200, { 'Content-Type': 'text/plain' }).end('OK');
    else res.writeHead(503, { 'Content-Type': 'text/plain' }).end(notReady.join(', '));
  }

  // ------------------------------------------------------------------------------------------- queries

  private blockCache = new WeakMap<Instance, Map<string, Block[]>>();

  /** The server blocks a listener serves (cached per instance: this runs for every query). */
  private blocksFor(listenerKey: string): Block[] {
    let byKey = this.blockCache.get(this.instance);
    if (!byKey) this.blockCache.set(this.instance, byKey = new Map());
    let blocks = byKey.get(listenerKey);
    if (!blocks) {
      blocks = this.instance.blocks.filter((b) => b.cfg.bind.some((a) => `${a}:${b.cfg.port}` === listenerKey));
      byKey.set(listenerKey, blocks);
    }
    return blocks;
  }

  private pickBlock(blocks: Block[], qname: string): { block: Block; zone: string } | undefined {
    const name = canonical(qname);
    let best: { block: Block; zone: string } | undefined;
    for (const b of blocks) {
      const z = matchZone(name, b.cfg.zones);
      if (z !== undefined && (!best || (best.zone === '.' && z !== '.') || (z !== '.' && z.length > best.zone.length))) best = { block: b, zone: z };
    }
    return best;
  }

  /**
   * One datagram or TCP message in, the reply's octets out (undefined: drop). Never throws. A query
   * whose reply can be reused (reply-cache.ts) is answered at once, without a promise.
   */
  handle(p: Packet, listenerKey: string): Buffer | undefined | Promise<Buffer | undefined> {
    const h = peekHeader(p.data);
    if (!h || h.qr) return undefined;
    if (h.opcode !== Opcode.QUERY) return headerOnly(p.data, Rcode.NOTIMP);
    if (h.qdcount !== 1 || h.ancount > 1 || h.nscount > 1 || h.arcount > 2) return headerOnly(p.data, Rcode.FORMERR);
    const key = this.replies.key(listenerKey, p.proto, p.data);
    const kept = this.replies.get(key, this.instance);
    if (!kept) return this.answer(p, listenerKey, key);
    const wire = Buffer.allocUnsafe(kept.wire.length);
    kept.wire.copy(wire);
    wire[0] = p.data[0];
    wire[1] = p.data[1];
    // The kept request is this query's now: observers run synchronously, so it is updated in place
    // rather than copied (no allocation per reused reply).
    const req = kept.req;
    req.msg.id = h.id;
    req.remoteAddress = p.remoteAddress;
    req.remotePort = p.remotePort;
    req.family = p.family;
    req.proto = p.proto;
    req.startedAt = performance.now();
    for (const pl of kept.block.plugins) {
      try {
        pl.replayed?.(req);
        pl.observe?.(req, kept.reply, wire.length);
      } catch { /* observers never break replies */ }
    }
    return wire;
  }

  private async answer(p: Packet, listenerKey: string, key: string): Promise<Buffer | undefined> {
    let msg: Message;
    try {
      msg = decodeMessage(p.data);
    } catch (e) {
      if (e instanceof FormatError) return headerOnly(p.data, Rcode.FORMERR);
      return undefined;
    }
    const listener = this.listeners.get(listenerKey);
    const req: DnsRequest = {
      msg, proto: p.proto, remoteAddress: p.remoteAddress, remotePort: p.remotePort, family: p.family, zone: '.',
      server: `dns://:${listener?.port ?? ''}`, startedAt: performance.now(), errors: [],
    };
    let reply: Message;
    let block: Block | undefined;
    let stamp = 0;
    const instance = this.instance;
    if (msg.edns && msg.edns.version > 0) {
      reply = { ...this.emptyReply(msg, Rcode.BADVERS) };
    } else {
      const picked = this.pickBlock(this.blocksFor(listenerKey), msg.question[0].name);
      if (!picked) reply = this.emptyReply(msg, Rcode.REFUSED);
      else {
        block = picked.block;
        req.zone = picked.zone;
        req.server = block.server;
        stamp = blockStamp(block);
        try {
          reply = await block.next(req);
        } catch (e) {
          this.metrics.panics.inc();
          this.log(`[ERROR] Recovered from panic in server: "${req.server}" ${(e as Error)?.stack ?? e}`);
          reply = this.emptyReply(msg, Rcode.SERVFAIL);
        }
      }
    }
    const wire = this.encode(msg, reply, p.proto);
    if (block) {
      for (const pl of block.plugins) { try { pl.observe?.(req, reply, wire.length); } catch { /* observers never break replies */ } }
      if (reusable(req)) this.replies.set(key, { wire, req, reply, block, instance, stamp });
    }
    return wire;
  }

  private emptyReply(q: Message, rcode: number): Message {
    return { id: q.id, qr: true, opcode: q.opcode, aa: false, tc: false, rd: q.rd, ra: false, ad: false, cd: q.cd, rcode, question: q.question.slice(0, 1), answer: [], authority: [], additional: [] };
  }

  /** The reply in the client's size, with an OPT record when the query had one (CoreDNS's SizeAndDo + Scrub). */
  private encode(q: Message, reply: Message, proto: 'udp' | 'tcp'): Buffer {
    const size = proto === 'tcp' ? MAX_MESSAGE_SIZE : q.edns ? Math.max(MIN_UDP_SIZE, q.edns.udpSize) : MIN_UDP_SIZE;
    const out: Message = { ...reply, id: q.id, qr: true, edns: q.edns ? { udpSize: Math.max(MIN_UDP_SIZE, q.edns.udpSize), version: 0, do: q.edns.do, options: [] } : undefined };
    try {
      return encodeMessage(out, { maxSize: size });
    } catch (e) {
      this.log(`[ERROR] plugin/errors: cannot encode the reply to ${q.question[0]?.name} (${(e as Error).message})`);
      return encodeMessage({ ...this.emptyReply(q, Rcode.SERVFAIL), edns: out.edns }, { maxSize: size });
    }
  }

  /** Resolves (name, type) through this server's own chains, for the kubernetes plugin's ExternalName chase. */
  private async lookup(parent: DnsRequest, name: string, type: number): Promise<Message | undefined> {
    const depth = ((parent as DnsRequest & { depth?: number }).depth ?? 0) + 1;
    if (depth > MAX_LOOKUP_DEPTH) return undefined;
    const listenerKey = [...this.listeners.keys()].find((k) => this.blocksFor(k).some((b) => b.server === parent.server)) ?? '';
    const picked = this.pickBlock(this.blocksFor(listenerKey), name);
    if (!picked) return undefined;
    const msg = newQuery(name, type, { id: parent.msg.id, edns: parent.msg.edns });
    const req: DnsRequest & { depth: number } = { ...parent, msg, zone: picked.zone, server: picked.block.server, errors: [], internal: true, answeredBy: undefined, depth };
    const reply = await picked.block.next(req);
    parent.errors.push(...req.errors);
    parent.volatile = true;
    return reply;
  }

  // -------------------------------------------------------------------------------------- loop, reload

  /** Sends each loop plugin's probe to this server's own listener; stops checking once it is answered. */
  private startLoopProbes(): void {
    if (this.opts.sockets) return;
    for (const b of this.instance.blocks) {
      const loop = b.loop;
      if (!loop) continue;
      const l = [...this.listeners.entries()].find(([k]) => k === `${b.cfg.bind[0]}:${b.cfg.port}`)?.[1];
      if (!l) continue;
      const host = l.address === '0.0.0.0' ? '127.0.0.1' : l.address === '::' ? '::1' : l.address;
      void probeSelf(host, l.port, loop.probe).finally(() => setTimeout(() => loop.disable(), 2000).unref());
    }
  }

  /** Whether the running Corefile has the reload plugin (without it CoreDNS never reloads). */
  get reloadEnabled(): boolean { return this.instance.configs.some((c) => c.reload); }

  /** The reload plugin's interval and jitter, when enabled. */
  get reloadInterval(): { intervalMs: number; jitterMs: number } | undefined {
    return this.instance.configs.find((c) => c.reload)?.reload;
  }

  /**
   * Applies a new Corefile. Unchanged text is a no-op; a broken one is logged (and counted in
   * coredns_reload_failed_total) and the running config stays. Resolves whether the new text now runs.
   */
  reload(text: string): Promise<boolean> {
    this.reloading = this.reloading.then(() => this.doReload(text));
    return this.reloading;
  }

  private async doReload(text: string): Promise<boolean> {
    const hash = sha(text);
    if (hash === this.corefileHash) return true;
    let next: Instance;
    try {
      const configs = loadCorefile(text, { defaultPort: this.opts.defaultPort, env: this.opts.env });
      next = this.build(configs, this.instance.sources);
      await next.start(this.instance.sources);
    } catch (e) {
      this.metrics.reloadFailed.inc();
      this.log(`[ERROR] Restart failed: ${(e as Error).message}`);
      this.log('[INFO] Keeping the running configuration; fix the Corefile and the next change is tried again');
      return false;
    }
    const old = this.instance;
    this.instance = next;
    this.corefileHash = hash;
    this.replies.clear();
    try {
      await this.openListeners();
    } catch (e) {
      // The new listeners could not open: go back to the old config, which still has its own.
      this.instance = old;
      await next.stop(old);
      this.metrics.reloadFailed.inc();
      this.log(`[ERROR] Restart failed: ${(e as Error).message}`);
      // Reopening the old config's listeners can fail too (its port taken meanwhile): then this server
      // no longer serves what it says, and the operator must hear of it rather than see silence.
      await this.openListeners().catch((rollback: Error) => {
        this.log(`[ERROR] Restart rollback failed, the previous configuration is not fully served: ${rollback.message}`);
      });
      return false;
    }
    await old.stop(next);
    this.startLoopProbes();
    this.log(`[INFO] Reloading complete`);
    return true;
  }

  /** Graceful stop: /ready turns 503 at once, queries are still answered for lameduckMs (health's lameduck), then everything closes. */
  async stop(lameduckMs?: number): Promise<void> {
    this.shuttingDown = true;
    const wait = lameduckMs ?? this.instance.configs.find((c) => c.health)?.health?.lameduckMs ?? 0;
    if (wait > 0) {
      this.log(`[INFO] plugin/health: Going into lameduck mode for ${wait / 1000}s`);
      await new Promise((r) => setTimeout(r, wait));
    }
    for (const l of this.listeners.values()) await l.close();
    this.listeners.clear();
    for (const e of new Set(this.http.values())) await e.close();
    this.http.clear();
    await this.instance.stop();
  }
}

/** One HINFO probe to the server itself over UDP; resolves when answered or after a few tries. */
async function probeSelf(host: string, port: number, name: string): Promise<void> {
  const u = new Upstream(host, port);
  try {
    for (let i = 0; i < 3; i++) {
      try { await u.exchange(newQuery(name, RRType.HINFO), 'udp', 2000); return; } catch { /* try again */ }
    }
  } finally {
    u.close();
  }
}
