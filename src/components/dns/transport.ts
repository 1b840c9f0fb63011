// DNS over UDP and TCP (RFC 1035 §4.2, RFC 7766): one datagram per message over UDP; over TCP each
// message is preceded by its 2-octet length, a connection may carry many queries (pipelined, answered
// as they complete), and idle connections are closed. Both listeners share one port number: with
// port 0 the UDP socket picks it and TCP binds the same one.
import dgram from 'node:dgram';
import net from 'node:net';
import type { Proto } from './plugin.js';

export interface Packet {
  data: Buffer;
  proto: Proto;
  remoteAddress: string;
  remotePort: number;
  family: 1 | 2;
}

/** Handles one query: the reply's octets (at once or later), or undefined to send nothing. */
export type PacketHandler = (p: Packet) => Buffer | undefined | Promise<Buffer | undefined>;

/** Calls done with the handler's reply, synchronously when it has one at once (no promise per query). */
function reply(handle: PacketHandler, p: Packet, done: (reply: Buffer | undefined) => void, failed: () => void): void {
  let r: Buffer | undefined | Promise<Buffer | undefined>;
  try { r = handle(p); } catch { failed(); return; }
  if (r instanceof Promise) r.then(done, failed);
  else done(r);
}

export interface Listener {
  address: string;
  port: number;
  /** The UDP socket, which worker processes share (workers.ts). */
  udp: dgram.Socket;
  close(): Promise<void>;
}

const TCP_IDLE_MS = 10_000;
const MAX_TCP_CONNECTIONS = 1000;

function familyOf(address: string): 1 | 2 {
  return address.includes(':') && !address.startsWith('::ffff:') ? 2 : 1;
}

function serveUdp(sock: dgram.Socket, handle: PacketHandler): void {
  // A lost reply is the client's retry; the handler logs its own failures.
  const ignore = () => {};
  sock.on('message', (data, rinfo) => {
    reply(handle, { data, proto: 'udp', remoteAddress: rinfo.address, remotePort: rinfo.port, family: familyOf(rinfo.address) },
      // No callback: Node then sends at once without a completion request (errors go to the socket's error handler).
      (out) => { if (out) sock.send(out, rinfo.port, rinfo.address); }, ignore);
  });
}

function bindUdp(address: string, port: number, handle: PacketHandler): Promise<dgram.Socket> {
  const sock = dgram.createSocket({ type: address.includes(':') ? 'udp6' : 'udp4', reuseAddr: false });
  serveUdp(sock, handle);
  return new Promise((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(port, address, () => {
      sock.off('error', reject);
      sock.on('error', () => { /* ICMP errors for departed clients: nothing to do */ });
      resolve(sock);
    });
  });
}

function bindTcp(address: string, port: number, handle: PacketHandler): Promise<net.Server> {
  const conns = new Set<net.Socket>();
  const server = net.createServer((conn) => {
    if (conns.size >= MAX_TCP_CONNECTIONS) { conn.destroy(); return; }
    conns.add(conn);
    conn.setNoDelay(true);
    conn.setTimeout(TCP_IDLE_MS, () => conn.destroy());
    conn.on('close', () => conns.delete(conn));
    conn.on('error', () => conn.destroy());
    let buf: Buffer = Buffer.alloc(0);
    conn.on('data', (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) break;
        const data = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        reply(handle, { data: Buffer.from(data), proto: 'tcp', remoteAddress: conn.remoteAddress ?? '', remotePort: conn.remotePort ?? 0, family: familyOf(conn.remoteAddress ?? '') },
          (out) => {
            if (!out) { conn.destroy(); return; }
            if (conn.destroyed) return;
            const head = Buffer.alloc(2);
            head.writeUInt16BE(out.length);
            conn.write(Buffer.concat([head, out]));
          },
          () => conn.destroy(),
        );
      }
    });
  });
  (server as net.Server & { conns?: Set<net.Socket> }).conns = conns;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: address, exclusive: true }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/**
 * Binds two sockets on one port number: `first` binds `port` (0: the kernel picks one), `second` binds
 * the number `first` got. With port 0 the number may already be taken for the other protocol (the
 * kernel only checked the first's): then both are let go and another number is tried, up to 20 times.
 * Used by the DNS listeners (UDP and TCP on one port, as CoreDNS) and the test upstreams.
 */
export async function onSamePort<A, B>(
  port: number,
  first: (port: number) => Promise<{ value: A; port: number; close(): void }>,
  second: (port: number) => Promise<B>,
): Promise<{ first: A; second: B; port: number }> {
  for (let attempt = 0; ; attempt++) {
    const a = await first(port);
    try {
      return { first: a.value, second: await second(a.port), port: a.port };
    } catch (e) {
      a.close();
      if (port !== 0 || attempt >= 20 || (e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    }
  }
}

/** A loopback port number with nothing bound to it on UDP or TCP at the time of the call (for a program that binds both). */
export async function freeUdpTcpPort(address = '127.0.0.1'): Promise<number> {
  const both = await onSamePort(0,
    async (p) => { const s = await bindUdp(address, p, async () => undefined); return { value: s, port: s.address().port, close: () => s.close() }; },
    (p) => bindTcp(address, p, async () => undefined));
  both.first.close();
  await new Promise<void>((r) => both.second.close(() => r()));
  return both.port;
}

/** Listens on address:port for UDP and TCP. Port 0 picks a port free for both. */
export async function listen(address: string, port: number, handle: PacketHandler): Promise<Listener> {
  const { first: udp, second: tcp, port: bound } = await onSamePort(port,
    async (p) => { const s = await bindUdp(address, p, handle); return { value: s, port: s.address().port, close: () => s.close() }; },
    (p) => bindTcp(address, p, handle));
  return {
    address, port: bound, udp,
    close: async () => {
      udp.close();
      const conns = (tcp as net.Server & { conns?: Set<net.Socket> }).conns;
      for (const c of conns ?? []) c.destroy();
      await new Promise<void>((r) => tcp.close(() => r()));
    },
  };
}

/**
 * Serves UDP on a socket another process bound and handed over (a worker's share of the listener: the
 * kernel gives each datagram to one of the processes reading it). TCP stays with the process that
 * listens; queries over TCP are few.
 */
export function adoptUdp(sock: dgram.Socket, handle: PacketHandler): Listener {
  serveUdp(sock, handle);
  sock.on('error', () => { /* ICMP errors for departed clients: nothing to do */ });
  const a = sock.address();
  return { address: a.address, port: a.port, udp: sock, close: async () => { sock.close(); } };
}
