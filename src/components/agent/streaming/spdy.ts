// A SPDY/3.1 server connection, the subset kubectl's port-forward needs (client-go uses moby/spdystream):
// the client opens streams with SYN_STREAM, the server answers each with SYN_REPLY, data flows in DATA
// frames, FIN half-closes, RST_STREAM aborts, PINGs are echoed, GOAWAY ends the session. Header blocks
// are zlib streams shared by all frames of one direction, with the SPDY/3 dictionary.
// Flow control: spdystream neither sends nor honours WINDOW_UPDATE, so none is sent or enforced here.
import { Duplex } from 'node:stream';
import { EventEmitter } from 'node:events';
import { createDeflate, createInflate, constants, type Deflate, type Inflate } from 'node:zlib';
import { SPDY3_DICTIONARY } from './spdy-dictionary.js';

const VERSION = 3;
const enum Type { SynStream = 1, SynReply = 2, RstStream = 3, Settings = 4, Ping = 6, GoAway = 7, Headers = 8, WindowUpdate = 9 }
const FLAG_FIN = 0x01;
const MAX_DATA = 16 * 1024;
export const RST_PROTOCOL_ERROR = 1;
export const RST_CANCEL = 5;

export type SpdyHeaders = Record<string, string>;

/** Runs async steps one after another, so frames are handled in the order they arrived. */
class Serial {
  private tail: Promise<void> = Promise.resolve();
  run(step: () => Promise<void> | void): void {
    this.tail = this.tail.then(step).catch(() => { /* the step reports its own errors */ });
  }
}

/** One direction's zlib context for header blocks. */
class HeaderCodec {
  private readonly inflate: Inflate = createInflate({ dictionary: SPDY3_DICTIONARY });
  private readonly deflate: Deflate = createDeflate({ dictionary: SPDY3_DICTIONARY });
  private inflated: Buffer[] = [];
  private deflated: Buffer[] = [];

  constructor() {
    this.inflate.on('data', (b: Buffer) => this.inflated.push(b));
    this.deflate.on('data', (b: Buffer) => this.deflated.push(b));
    this.inflate.on('error', () => { /* surfaced through decode's flush */ });
  }

  decode(block: Buffer): Promise<SpdyHeaders> {
    return new Promise((resolve, reject) => {
      this.inflate.once('error', reject);
      this.inflate.write(block);
      this.inflate.flush(constants.Z_SYNC_FLUSH, () => {
        this.inflate.off('error', reject);
        const raw = Buffer.concat(this.inflated);
        this.inflated = [];
        try { resolve(parseHeaderBlock(raw)); } catch (e) { reject(e); }
      });
    });
  }

  encode(headers: SpdyHeaders): Promise<Buffer> {
    return new Promise((resolve) => {
      this.deflate.write(headerBlock(headers));
      this.deflate.flush(constants.Z_SYNC_FLUSH, () => {
        const out = Buffer.concat(this.deflated);
        this.deflated = [];
        resolve(out);
      });
    });
  }

  close(): void { this.inflate.destroy(); this.deflate.destroy(); }
}

function parseHeaderBlock(raw: Buffer): SpdyHeaders {
  const out: SpdyHeaders = {};
  let off = 0;
  const u32 = () => { const v = raw.readUInt32BE(off); off += 4; return v; };
  const n = u32();
  for (let i = 0; i < n; i++) {
    const nl = u32(); const name = raw.toString('latin1', off, off + nl); off += nl;
    const vl = u32(); const value = raw.toString('latin1', off, off + vl); off += vl;
    out[name.toLowerCase()] = value.split('\0')[0];
  }
  return out;
}

function headerBlock(headers: SpdyHeaders): Buffer {
  const parts: Buffer[] = [];
  const count = Buffer.alloc(4); count.writeUInt32BE(Object.keys(headers).length); parts.push(count);
  for (const [k, v] of Object.entries(headers)) {
    for (const s of [k.toLowerCase(), v]) {
      const b = Buffer.from(s, 'latin1');
      const len = Buffer.alloc(4); len.writeUInt32BE(b.length);
      parts.push(len, b);
    }
  }
  return Buffer.concat(parts);
}

function controlFrame(type: Type, flags: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0x8000 | VERSION, 0);
  h.writeUInt16BE(type, 2);
  h.writeUInt32BE(((flags & 0xff) << 24) | payload.length, 4);
  return Buffer.concat([h, payload]);
}

function dataFrame(streamId: number, flags: number, data: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt32BE(streamId & 0x7fffffff, 0);
  h.writeUInt32BE(((flags & 0xff) << 24) | data.length, 4);
  return Buffer.concat([h, data]);
}

/** A stream the client opened; a Duplex over its DATA frames. */
export class SpdyStream extends Duplex {
  private replied = false;
  private remoteClosed = false;

  constructor(private readonly conn: SpdyConnection, readonly id: number, readonly headers: SpdyHeaders, fin: boolean) {
    super({ allowHalfOpen: true });
    if (fin) { this.remoteClosed = true; this.push(null); }
  }

  /** Accepts the stream (SYN_REPLY); data written before this waits for it. */
  async reply(headers: SpdyHeaders = {}): Promise<void> {
    if (this.replied) return;
    this.replied = true;
    await this.conn.sendReply(this.id, headers);
  }

  /** Aborts the stream (RST_STREAM). */
  reset(status = RST_CANCEL): void {
    this.conn.sendReset(this.id, status);
    this.destroy();
  }

  receive(data: Buffer, fin: boolean): void {
    if (this.remoteClosed) return;
    if (data.length) this.push(data);
    if (fin) { this.remoteClosed = true; this.push(null); }
  }

  override _read(): void { /* data is pushed as frames arrive */ }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    void this.reply().then(async () => {
      for (let off = 0; off < chunk.length; off += MAX_DATA) {
        await this.conn.write(dataFrame(this.id, 0, chunk.subarray(off, off + MAX_DATA)));
      }
      cb();
    }, cb);
  }

  override _final(cb: (e?: Error | null) => void): void {
    void this.reply().then(() => this.conn.write(dataFrame(this.id, FLAG_FIN, Buffer.alloc(0)))).then(() => cb(), cb);
  }
}

/** The server side of a SPDY/3.1 session over any byte stream (a TCP socket, or a WebSocket tunnel). */
export class SpdyConnection extends EventEmitter {
  private buf: Buffer = Buffer.alloc(0);
  private readonly codec = new HeaderCodec();
  private readonly serial = new Serial();
  private readonly streams = new Map<number, SpdyStream>();
  private closed = false;
  private replies: Promise<void> = Promise.resolve();

  constructor(private readonly socket: Duplex) {
    super();
    socket.on('data', (b: Buffer) => this.onData(b));
    socket.on('close', () => this.shutdown());
    socket.on('end', () => this.shutdown());
    socket.on('error', () => this.shutdown());
  }

  write(frame: Buffer): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      if (this.socket.write(frame)) resolve();
      else this.socket.once('drain', () => resolve());
    });
  }

  sendReply(id: number, headers: SpdyHeaders): Promise<void> {
    // The outgoing zlib context is shared by every header block: encode and send strictly in order.
    const step = this.replies.then(async () => {
      const block = await this.codec.encode(headers);
      const sid = Buffer.alloc(4); sid.writeUInt32BE(id & 0x7fffffff);
      await this.write(controlFrame(Type.SynReply, 0, Buffer.concat([sid, block])));
    });
    this.replies = step.catch(() => undefined);
    return step;
  }

  sendReset(id: number, status: number): void {
    const p = Buffer.alloc(8); p.writeUInt32BE(id & 0x7fffffff, 0); p.writeUInt32BE(status, 4);
    void this.write(controlFrame(Type.RstStream, 0, p));
    this.streams.delete(id);
  }

  /** Sends GOAWAY and closes the transport. */
  close(): void {
    if (this.closed) return;
    const p = Buffer.alloc(8); p.writeUInt32BE(0, 0); p.writeUInt32BE(0, 4);
    void this.write(controlFrame(Type.GoAway, 0, p)).then(() => this.socket.end());
    this.shutdown();
  }

  private shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) s.destroy();
    this.streams.clear();
    this.codec.close();
    this.emit('close');
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    while (this.buf.length >= 8) {
      const len = this.buf.readUInt32BE(4) & 0xffffff;
      if (this.buf.length < 8 + len) break;
      const frame = this.buf.subarray(0, 8 + len);
      this.buf = this.buf.subarray(8 + len);
      this.serial.run(() => this.handle(frame));
    }
  }

  private async handle(frame: Buffer): Promise<void> {
    if (this.closed) return;
    const flags = frame[4];
    const payload = frame.subarray(8);
    if ((frame[0] & 0x80) === 0) {
      const stream = this.streams.get(frame.readUInt32BE(0) & 0x7fffffff);
      stream?.receive(Buffer.from(payload), (flags & FLAG_FIN) !== 0);
      return;
    }
    const type = frame.readUInt16BE(2);
    switch (type) {
      case Type.SynStream: {
        const id = payload.readUInt32BE(0) & 0x7fffffff;
        let headers: SpdyHeaders;
        try { headers = await this.codec.decode(payload.subarray(10)); } catch (e) {
          this.emit('error', new Error(`SPDY header block could not be decoded: ${(e as Error).message}`));
          this.close();
          return;
        }
        const stream = new SpdyStream(this, id, headers, (flags & FLAG_FIN) !== 0);
        this.streams.set(id, stream);
        stream.on('close', () => this.streams.delete(id));
        this.emit('stream', stream);
        return;
      }
      case Type.RstStream: {
        const id = payload.readUInt32BE(0) & 0x7fffffff;
        this.streams.get(id)?.destroy();
        this.streams.delete(id);
        return;
      }
      case Type.Ping:
        await this.write(frame); // echo with the same id
        return;
      case Type.GoAway:
        this.socket.end();
        this.shutdown();
        return;
      case Type.Headers:
        // Further headers on a stream carry nothing port-forward needs; keep the zlib context in step.
        try { await this.codec.decode(payload.subarray(4)); } catch { this.close(); }
        return;
      case Type.SynReply:
        try { await this.codec.decode(payload.subarray(4)); } catch { this.close(); }
        return;
      default:
        return; // SETTINGS, WINDOW_UPDATE: nothing to do (see the header comment)
    }
  }
}
