// A client for one upstream resolver, as the forward plugin's proxy: queries go out under a fresh
// random ID over a shared UDP socket (replies matched by ID and question) or over a fresh TCP
// connection; a reply that does not match, does not parse, or does not come in time is a failure.
import dgram from 'node:dgram';
import net from 'node:net';
import { randomInt } from 'node:crypto';
import { canonical } from '../../core/dns/names.js';
import type { Message } from '../../core/dns/types.js';
import { decodeMessage, encodeMessage } from '../../core/dns/wire.js';
import type { Proto } from './plugin.js';

interface Pending { resolve(m: Message): void; reject(e: Error): void; timer: NodeJS.Timeout; qname: string; qtype: number }

export class Upstream {
  /** host:port as written in metrics (`to` label). */
  readonly addr: string;
  fails = 0;
  private udp?: dgram.Socket;
  private readonly pending = new Map<number, Pending>();

  constructor(readonly host: string, readonly port: number) {
    this.addr = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  }

  private socket(): dgram.Socket {
    if (this.udp) return this.udp;
    const s = dgram.createSocket(this.host.includes(':') ? 'udp6' : 'udp4');
    s.on('message', (data) => {
      let m: Message;
      try { m = decodeMessage(data); } catch { return; }
      const p = this.pending.get(m.id);
      if (!p) return;
      const q = m.question[0];
      // Someone else's reply under a reused ID is ignored, as miekg/dns does.
      if (!q || canonical(q.name) !== p.qname || q.type !== p.qtype) return;
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      p.resolve(m);
    });
    s.on('error', () => { /* ICMP port unreachable and the like: the query times out */ });
    s.unref();
    this.udp = s;
    return s;
  }

  private freeId(): number {
    for (;;) { const id = randomInt(0, 0x10000); if (!this.pending.has(id)) return id; }
  }

  /** Sends `query` (its ID replaced) and resolves with the upstream's reply, ID and all. */
  exchange(query: Message, proto: Proto, timeoutMs: number): Promise<Message> {
    return proto === 'udp' ? this.exchangeUdp(query, timeoutMs) : this.exchangeTcp(query, timeoutMs);
  }

  private exchangeUdp(query: Message, timeoutMs: number): Promise<Message> {
    const sock = this.socket();
    const id = this.freeId();
    const wire = encodeMessage({ ...query, id });
    const q = query.question[0];
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`read udp ${this.addr}: i/o timeout`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer, qname: canonical(q.name), qtype: q.type });
      sock.send(wire, this.port, this.host, (err) => {
        if (!err) return;
        this.pending.delete(id);
        clearTimeout(timer);
        reject(new Error(`write udp ${this.addr}: ${err.message}`));
      });
    });
  }

  private exchangeTcp(query: Message, timeoutMs: number): Promise<Message> {
    const id = this.freeId();
    const wire = encodeMessage({ ...query, id });
    const head = Buffer.alloc(2);
    head.writeUInt16BE(wire.length);
    return new Promise((resolve, reject) => {
      const conn = net.connect({ host: this.host, port: this.port });
      let buf = Buffer.alloc(0);
      const done = (err?: Error, m?: Message) => {
        clearTimeout(timer);
        conn.destroy();
        if (err) reject(err); else resolve(m!);
      };
      const timer = setTimeout(() => done(new Error(`read tcp ${this.addr}: i/o timeout`)), timeoutMs);
      conn.on('connect', () => conn.write(Buffer.concat([head, wire])));
      conn.on('error', (e) => done(new Error(`tcp ${this.addr}: ${e.message}`)));
      conn.on('end', () => done(new Error(`read tcp ${this.addr}: connection closed before the reply`)));
      conn.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        if (buf.length < 2 || buf.length < 2 + buf.readUInt16BE(0)) return;
        try {
          const m = decodeMessage(buf.subarray(2, 2 + buf.readUInt16BE(0)));
          if (m.id !== id) { done(new Error(`tcp ${this.addr}: reply with another ID`)); return; }
          done(undefined, m);
        } catch (e) {
          done(new Error(`tcp ${this.addr}: bad reply: ${(e as Error).message}`));
        }
      });
    });
  }

  close(): void {
    for (const [, p] of this.pending) { clearTimeout(p.timer); p.reject(new Error('upstream closed')); }
    this.pending.clear();
    this.udp?.close();
    this.udp = undefined;
  }
}

/** `10.0.0.1`, `10.0.0.1:5353`, `dns://10.0.0.1:53`, `[fd00::1]:53`, `fd00::1` → host and port (53 by default). */
export function parseUpstream(s: string): { host: string; port: number } {
  const t = s.replace(/^dns:\/\//, '');
  const v6 = /^\[([^\]]+)\](?::([0-9]+))?$/.exec(t);
  if (v6) return { host: v6[1], port: v6[2] ? Number(v6[2]) : 53 };
  if (t.split(':').length > 2) return { host: t, port: 53 };
  const [host, port] = t.split(':');
  return { host, port: port ? Number(port) : 53 };
}

/** The nameservers of a resolv.conf text, in order (`nameserver X` lines; comments and the rest ignored). */
export function resolvConfNameservers(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (m) out.push(m[1].replace(/%.*$/, ''));
  }
  return out;
}
