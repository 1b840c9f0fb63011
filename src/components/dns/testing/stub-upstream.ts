// A tiny authoritative DNS server for tests, on loopback: the upstream that `forward` talks to, so no
// test ever asks a real resolver. It is written with dns-packet, not podnet's codec, so the two sides
// of every forwarded query are independent implementations. Records come from a table; unknown names
// are NXDOMAIN; `. NS` (forward's health check) is answered; every query is counted; replies can be
// delayed or dropped.
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import { onSamePort } from '../transport.js';

export interface StubRecord { type: string; data: unknown; ttl?: number }

export interface StubUpstream {
  host: string;
  port: number;
  /** name (lower case, no trailing dot) → records. */
  records: Map<string, StubRecord[]>;
  /** Questions seen, `name TYPE proto`. */
  seen: string[];
  delayMs: number;
  /** Drop every query (no reply at all). */
  silent: boolean;
  close(): Promise<void>;
}

function answer(stub: StubUpstream, query: dnsPacket.Packet, proto: string): Buffer | undefined {
  const q = query.questions?.[0];
  if (!q) return undefined;
  const name = q.name.toLowerCase().replace(/\.$/, '');
  stub.seen.push(`${name} ${q.type} ${proto}`);
  const recs = name === '' && q.type === 'NS' ? [{ type: 'NS', data: 'ns.stub.test' }] : stub.records.get(name);
  const matching = (recs ?? []).filter((r) => r.type === q.type || r.type === 'CNAME');
  const reply: dnsPacket.Packet = {
    type: 'response', id: query.id, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (recs ? 0 : 3),
    questions: query.questions,
    answers: matching.map((r) => ({ type: r.type, name: q.name, ttl: r.ttl ?? 300, data: r.data }) as dnsPacket.Answer),
    authorities: recs && matching.length ? [] : [{ type: 'SOA', name: 'test', ttl: 60, data: { mname: 'ns.stub.test', rname: 'h.stub.test', serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 30 } } as dnsPacket.Answer],
  };
  let wire = dnsPacket.encode(reply);
  // Over UDP without EDNS a reply must fit 512 octets: cut the answers and set TC, as a real server does.
  const opt = query.additionals?.find((a) => a.type === 'OPT') as { udpPayloadSize?: number } | undefined;
  const limit = proto === 'udp' ? Math.max(512, opt?.udpPayloadSize ?? 512) : 65535;
  if (wire.length > limit) {
    reply.answers = [];
    reply.flags = (reply.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE;
    wire = dnsPacket.encode(reply);
  }
  return wire;
}

export async function startStubUpstream(records: Record<string, StubRecord[]> = {}, host = '127.0.0.1'): Promise<StubUpstream> {
  let udp!: dgram.Socket;
  const stub: StubUpstream = {
    host, port: 0, records: new Map(Object.entries(records)), seen: [], delayMs: 0, silent: false,
    close: async () => {
      udp.close();
      for (const c of conns) c.destroy();
      await new Promise<void>((r) => tcp.close(() => r()));
    },
  };
  const later = (f: () => void) => (stub.delayMs ? setTimeout(f, stub.delayMs) : f());
  const onUdp = (data: Buffer, rinfo: dgram.RemoteInfo) => {
    if (stub.silent) return;
    let q: dnsPacket.Packet;
    try { q = dnsPacket.decode(data); } catch { return; }
    const wire = answer(stub, q, 'udp');
    if (wire) later(() => udp.send(wire, rinfo.port, rinfo.address));
  };
  const conns = new Set<net.Socket>();
  const tcp = net.createServer((c) => {
    conns.add(c);
    c.on('close', () => conns.delete(c));
    c.on('error', () => c.destroy());
    let buf = Buffer.alloc(0);
    c.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        if (stub.silent) continue;
        let q: dnsPacket.Packet;
        try { q = dnsPacket.decode(msg); } catch { c.destroy(); return; }
        const wire = answer(stub, q, 'tcp');
        if (!wire) continue;
        const head = Buffer.alloc(2);
        head.writeUInt16BE(wire.length);
        later(() => c.write(Buffer.concat([head, wire])));
      }
    });
  });
  // UDP and TCP on one number, free for both (a number free for UDP may be taken for TCP).
  const bound = await onSamePort(0,
    async (p) => {
      udp = dgram.createSocket('udp4');
      udp.on('message', onUdp);
      await new Promise<void>((resolve, reject) => { udp.once('error', reject); udp.bind(p, host, () => { udp.off('error', reject); resolve(); }); });
      return { value: udp, port: udp.address().port, close: () => udp.close() };
    },
    (p) => new Promise<void>((resolve, reject) => { tcp.once('error', reject); tcp.listen(p, host, () => { tcp.off('error', reject); resolve(); }); }));
  stub.port = bound.port;
  return stub;
}
