// The DNS wire format (RFC 1035, 3596, 2782, 6891): decode a message defensively (every length checked,
// compression pointers only backwards, names at most 255 octets, one OPT) and encode one with name
// compression, cut to a size limit the way miekg/dns's Truncate does for CoreDNS: whole records are
// dropped from the end, TC is set, and the OPT record is always kept.
//
// dns-packet (in package.json) has no name compression, no size-limited encoding, and turns label bytes
// into UTF-8 text, which loses bytes a client sent; a server needs all three, so this is written here.
import { IPParseError, formatIP, ipBytes, ipFromBytes, parseIP, parseIPv4 } from '../net/index.js';
import {
  RRType, type Edns, type HinfoData, type Message, type MxData, type Question, type RData,
  type ResourceRecord, type SoaData, type SrvData,
} from './types.js';

/** A message that cannot be parsed; `id` is set when the header was readable (the server answers FORMERR). */
export class FormatError extends Error {
  constructor(message: string, readonly id?: number) {
    super(message);
    this.name = 'FormatError';
  }
}

export const HEADER_SIZE = 12;
export const MAX_NAME_OCTETS = 255;
export const MAX_LABEL_OCTETS = 63;
/** Messages without EDNS are limited to 512 octets over UDP (RFC 1035 §4.2.1). */
export const MIN_UDP_SIZE = 512;
export const MAX_MESSAGE_SIZE = 65535;

export interface Header {
  id: number;
  qr: boolean;
  opcode: number;
  qdcount: number;
  ancount: number;
  nscount: number;
  arcount: number;
}

/** The fixed header, or undefined when the datagram is shorter than one (such packets are dropped). */
export function peekHeader(buf: Uint8Array): Header | undefined {
  if (buf.length < HEADER_SIZE) return undefined;
  return {
    id: (buf[0] << 8) | buf[1],
    qr: (buf[2] & 0x80) !== 0,
    opcode: (buf[2] >> 3) & 0x0f,
    qdcount: (buf[4] << 8) | buf[5],
    ancount: (buf[6] << 8) | buf[7],
    nscount: (buf[8] << 8) | buf[9],
    arcount: (buf[10] << 8) | buf[11],
  };
}

// ---------------------------------------------------------------------------------------------- decode

class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array, readonly id: number) {}

  fail(what: string): never { throw new FormatError(`${what} at offset ${this.pos}`, this.id); }

  need(n: number, what: string): void { if (this.pos + n > this.buf.length) this.fail(`truncated ${what}`); }

  u8(): number { this.need(1, 'octet'); return this.buf[this.pos++]; }

  u16(): number {
    this.need(2, '16-bit field');
    const v = (this.buf[this.pos] << 8) | this.buf[this.pos + 1];
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4, '32-bit field');
    const b = this.buf, p = this.pos;
    this.pos += 4;
    return ((b[p] << 24) >>> 0) + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
  }

  bytes(n: number): Uint8Array {
    this.need(n, 'data');
    const out = new Uint8Array(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return out;
  }

  /** A possibly compressed name. Pointers must go strictly backwards, so a loop cannot be followed. */
  name(): string {
    const buf = this.buf;
    let p = this.pos;
    let segmentStart = p;
    let jumped = false;
    let octets = 0;
    let out = '';
    for (;;) {
      if (p >= buf.length) this.fail('name runs past the end of the message');
      const len = buf[p];
      if (len === 0) { p++; break; }
      const kind = len & 0xc0;
      if (kind === 0xc0) {
        if (p + 1 >= buf.length) this.fail('truncated compression pointer');
        const target = ((len & 0x3f) << 8) | buf[p + 1];
        if (target >= segmentStart) this.fail('compression pointer that does not point backwards (a loop)');
        if (!jumped) { this.pos = p + 2; jumped = true; }
        p = segmentStart = target;
        continue;
      }
      if (kind !== 0) this.fail(`unsupported label type 0x${kind.toString(16)}`);
      octets += len + 1;
      if (octets + 1 > MAX_NAME_OCTETS) this.fail('name longer than 255 octets');
      if (p + 1 + len > buf.length) this.fail('label runs past the end of the message');
      if (out) out += '.';
      out += labelText(buf, p + 1, len);
      p += 1 + len;
    }
    if (!jumped) this.pos = p;
    return out || '.';
  }

  charString(): string {
    const len = this.u8();
    this.need(len, 'character-string');
    let s = '';
    for (let i = 0; i < len; i++) s += String.fromCharCode(this.buf[this.pos + i]);
    this.pos += len;
    return s;
  }
}

function labelText(buf: Uint8Array, start: number, len: number): string {
  let s = '';
  for (let i = start; i < start + len; i++) {
    const c = buf[i];
    if (c === 0x2e || c === 0x5c) s += '\\' + String.fromCharCode(c);
    else if (c <= 0x20 || c >= 0x7f) s += '\\' + String(c).padStart(3, '0');
    else s += String.fromCharCode(c);
  }
  return s;
}

function readRData(r: Reader, type: number, rdlength: number): RData {
  const end = r.pos + rdlength;
  r.need(rdlength, 'record data');
  let data: RData;
  switch (type) {
    case RRType.A:
      if (rdlength !== 4) r.fail(`A record with ${rdlength} octets of data`);
      data = `${r.buf[r.pos]}.${r.buf[r.pos + 1]}.${r.buf[r.pos + 2]}.${r.buf[r.pos + 3]}`;
      r.pos += 4;
      break;
    case RRType.AAAA:
      if (rdlength !== 16) r.fail(`AAAA record with ${rdlength} octets of data`);
      data = formatIP(ipFromBytes(r.buf.subarray(r.pos, r.pos + 16)));
      r.pos += 16;
      break;
    case RRType.NS: case RRType.CNAME: case RRType.PTR:
      data = r.name();
      break;
    case RRType.MX:
      data = { preference: r.u16(), exchange: r.name() } satisfies MxData;
      break;
    case RRType.SRV:
      data = { priority: r.u16(), weight: r.u16(), port: r.u16(), target: r.name() } satisfies SrvData;
      break;
    case RRType.SOA:
      data = { mname: r.name(), rname: r.name(), serial: r.u32(), refresh: r.u32(), retry: r.u32(), expire: r.u32(), minimum: r.u32() } satisfies SoaData;
      break;
    case RRType.TXT: {
      const strings: string[] = [];
      while (r.pos < end) strings.push(r.charString());
      data = strings;
      break;
    }
    case RRType.HINFO:
      data = { cpu: r.charString(), os: r.charString() } satisfies HinfoData;
      break;
    default:
      data = r.bytes(rdlength);
  }
  if (r.pos !== end) r.fail(`${rdlength} octets of record data do not match its contents`);
  return data;
}

function readRecord(r: Reader): ResourceRecord {
  const name = r.name();
  const type = r.u16();
  const klass = r.u16();
  const ttl = r.u32();
  const rdlength = r.u16();
  const data = readRData(r, type, rdlength);
  return { name, type, class: klass, ttl, data };
}

function readQuestion(r: Reader): Question {
  return { name: r.name(), type: r.u16(), class: r.u16() };
}

function ednsFrom(rec: ResourceRecord): { edns: Edns; extRcode: number } {
  const raw = rec.data as Uint8Array;
  const options = [];
  for (let p = 0; p < raw.length;) {
    if (p + 4 > raw.length) throw new FormatError('truncated EDNS option');
    const code = (raw[p] << 8) | raw[p + 1];
    const len = (raw[p + 2] << 8) | raw[p + 3];
    if (p + 4 + len > raw.length) throw new FormatError('EDNS option runs past its record');
    options.push({ code, data: new Uint8Array(raw.subarray(p + 4, p + 4 + len)) });
    p += 4 + len;
  }
  return {
    edns: { udpSize: rec.class, version: (rec.ttl >>> 16) & 0xff, do: (rec.ttl & 0x8000) !== 0, options },
    extRcode: rec.ttl >>> 24,
  };
}

/** Parses a whole message; throws FormatError on anything malformed, including trailing garbage. */
export function decodeMessage(buf: Uint8Array): Message {
  const h = peekHeader(buf);
  if (!h) throw new FormatError(`message of ${buf.length} octets is shorter than a DNS header`);
  const r = new Reader(buf, h.id);
  r.pos = HEADER_SIZE;
  const flags = (buf[2] << 8) | buf[3];
  const question: Question[] = [];
  for (let i = 0; i < h.qdcount; i++) question.push(readQuestion(r));
  const section = (n: number) => { const out: ResourceRecord[] = []; for (let i = 0; i < n; i++) out.push(readRecord(r)); return out; };
  const answer = section(h.ancount);
  const authority = section(h.nscount);
  const additional = section(h.arcount);
  if (r.pos !== buf.length) r.fail(`${buf.length - r.pos} octets after the last record`);
  let edns: Edns | undefined;
  let rcode = flags & 0x0f;
  const rest: ResourceRecord[] = [];
  for (const rec of additional) {
    if (rec.type !== RRType.OPT) { rest.push(rec); continue; }
    if (edns) throw new FormatError('more than one OPT record', h.id);
    if (rec.name !== '.') throw new FormatError('OPT record with a name other than the root', h.id);
    const got = ednsFrom(rec);
    edns = got.edns;
    rcode |= got.extRcode << 4;
  }
  return {
    id: h.id, qr: h.qr, opcode: h.opcode,
    aa: (flags & 0x0400) !== 0, tc: (flags & 0x0200) !== 0, rd: (flags & 0x0100) !== 0, ra: (flags & 0x0080) !== 0,
    ad: (flags & 0x0020) !== 0, cd: (flags & 0x0010) !== 0, rcode,
    question, answer, authority, additional: rest, edns,
  };
}

// ---------------------------------------------------------------------------------------------- encode

/** Splits a presentation-form name into its labels' octets; throws on labels or names that are too long. */
export function nameLabels(name: string): Uint8Array[] {
  if (name === '.' || name === '') return [];
  const n = name.endsWith('.') && !name.endsWith('\\.') ? name.slice(0, -1) : name;
  const labels: Uint8Array[] = [];
  let cur: number[] = [];
  let total = 1;
  const push = () => {
    if (cur.length === 0) throw new Error(`name ${JSON.stringify(name)} has an empty label`);
    if (cur.length > MAX_LABEL_OCTETS) throw new Error(`label in ${JSON.stringify(name)} is longer than 63 octets`);
    total += cur.length + 1;
    labels.push(Uint8Array.from(cur));
    cur = [];
  };
  for (let i = 0; i < n.length; i++) {
    const c = n.charCodeAt(i);
    if (c === 0x2e) { push(); continue; }
    if (c === 0x5c && i + 1 < n.length) {
      const d = n.slice(i + 1, i + 4);
      if (/^[0-9]{3}$/.test(d)) { cur.push(Number(d) & 0xff); i += 3; } else { cur.push(n.charCodeAt(i + 1) & 0xff); i += 1; }
      continue;
    }
    cur.push(c & 0xff);
  }
  push();
  if (total > MAX_NAME_OCTETS) throw new Error(`name ${JSON.stringify(name.slice(0, 40))}... is longer than 255 octets`);
  return labels;
}

// One scratch buffer: a message is at most 64 KiB, plus room for the one record that overflowed it.
const SCRATCH = Buffer.alloc(MAX_MESSAGE_SIZE * 2 + 1024);

class Writer {
  pos = 0;
  readonly buf = SCRATCH;
  /** Exact (case-sensitive) name suffix → its offset; case matters because answers keep the query's case. */
  readonly offsets = new Map<string, number>();

  u8(v: number): void { this.buf[this.pos++] = v & 0xff; }
  u16(v: number): void { this.buf[this.pos++] = (v >> 8) & 0xff; this.buf[this.pos++] = v & 0xff; }
  u32(v: number): void { this.buf.writeUInt32BE(v >>> 0, this.pos); this.pos += 4; }

  name(name: string, compress: boolean): void {
    if (name === '.' || name === '') { this.u8(0); return; }
    const plain = name.indexOf('\\') < 0;
    const key = name.endsWith('.') && !name.endsWith('\\.') ? name.slice(0, -1) : name;
    if (plain) {
      if (key.length > 253) throw new Error(`name ${JSON.stringify(key.slice(0, 40))}... is longer than 255 octets`);
      let start = 0;
      while (start < key.length) {
        const suffix = start === 0 ? key : key.slice(start);
        if (compress) {
          const at = this.offsets.get(suffix);
          if (at !== undefined) { this.u16(0xc000 | at); return; }
          if (this.pos < 0x4000) this.offsets.set(suffix, this.pos);
        }
        let dot = key.indexOf('.', start);
        if (dot < 0) dot = key.length;
        const len = dot - start;
        if (len === 0) throw new Error(`name ${JSON.stringify(name)} has an empty label`);
        if (len > MAX_LABEL_OCTETS) throw new Error(`label in ${JSON.stringify(name)} is longer than 63 octets`);
        this.u8(len);
        this.buf.write(key.slice(start, dot), this.pos, 'latin1');
        this.pos += len;
        start = dot + 1;
      }
      this.u8(0);
      return;
    }
    // Names with escapes (rare: they come from clients) are written label by label from their octets.
    const labels = nameLabels(name);
    const texts = labels.map((l) => labelText(l, 0, l.length));
    for (let i = 0; i < labels.length; i++) {
      const suffix = texts.slice(i).join('.');
      if (compress) {
        const at = this.offsets.get(suffix);
        if (at !== undefined) { this.u16(0xc000 | at); return; }
        if (this.pos < 0x4000) this.offsets.set(suffix, this.pos);
      }
      this.u8(labels[i].length);
      this.buf.set(labels[i], this.pos);
      this.pos += labels[i].length;
    }
    this.u8(0);
  }

  charString(s: string): void {
    if (s.length > 255) throw new Error('character-string longer than 255 octets');
    this.u8(s.length);
    this.buf.write(s, this.pos, 'latin1');
    this.pos += s.length;
  }

  address4(a: string): void {
    const n = parseIPv4(a);
    this.u8(n >>> 24); this.u8((n >>> 16) & 255); this.u8((n >>> 8) & 255); this.u8(n & 255);
  }

  address6(a: string): void {
    const ip = parseIP(a);
    if (ip.family !== 6) throw new IPParseError(`"${a}" is not an IPv6 address (an AAAA record needs one)`);
    for (const b of ipBytes(ip)) this.u8(b);
  }

  rdata(rec: ResourceRecord): void {
    const d = rec.data;
    switch (rec.type) {
      case RRType.A: this.address4(d as string); return;
      case RRType.AAAA: this.address6(d as string); return;
      case RRType.NS: case RRType.CNAME: case RRType.PTR: this.name(d as string, true); return;
      case RRType.MX: { const m = d as MxData; this.u16(m.preference); this.name(m.exchange, true); return; }
      // RFC 2782: the SRV target is never compressed.
      case RRType.SRV: { const s = d as SrvData; this.u16(s.priority); this.u16(s.weight); this.u16(s.port); this.name(s.target, false); return; }
      case RRType.SOA: {
        const s = d as SoaData;
        this.name(s.mname, true); this.name(s.rname, true);
        this.u32(s.serial); this.u32(s.refresh); this.u32(s.retry); this.u32(s.expire); this.u32(s.minimum);
        return;
      }
      case RRType.TXT: for (const s of d as string[]) this.charString(s); return;
      case RRType.HINFO: { const h = d as HinfoData; this.charString(h.cpu); this.charString(h.os); return; }
      default: {
        const raw = d as Uint8Array;
        this.buf.set(raw, this.pos);
        this.pos += raw.length;
      }
    }
  }

  record(rec: ResourceRecord): void {
    this.name(rec.name, true);
    this.u16(rec.type);
    this.u16(rec.class);
    this.u32(rec.ttl);
    const lenAt = this.pos;
    this.pos += 2;
    this.rdata(rec);
    const len = this.pos - lenAt - 2;
    if (len > 0xffff) throw new Error(`record data of ${rec.name} ${rec.type} is longer than 65535 octets`);
    this.buf[lenAt] = len >> 8;
    this.buf[lenAt + 1] = len & 0xff;
  }
}

function ednsLength(e: Edns): number {
  return 11 + e.options.reduce((n, o) => n + 4 + o.data.length, 0);
}

export interface EncodeOptions {
  /** Cut the message to this many octets (at least 512), dropping whole records and setting TC. */
  maxSize?: number;
}

/**
 * Encodes `msg`; when it does not fit in maxSize (default 65535), records are dropped from the end of
 * the answer/authority/additional sections and TC is set (miekg/dns Truncate, used by CoreDNS's
 * request.Scrub). The OPT record always stays.
 */
export function encodeMessage(msg: Message, opts: EncodeOptions = {}): Buffer {
  const size = Math.min(MAX_MESSAGE_SIZE, Math.max(MIN_UDP_SIZE, opts.maxSize ?? MAX_MESSAGE_SIZE));
  const limit = size - (msg.edns ? ednsLength(msg.edns) : 0);
  const w = new Writer();
  w.pos = HEADER_SIZE;
  for (const q of msg.question) { w.name(q.name, true); w.u16(q.type); w.u16(q.class); }
  let tc = msg.tc;
  const counts = [0, 0, 0];
  const sections = [msg.answer, msg.authority, msg.additional];
  outer: for (let s = 0; s < 3; s++) {
    for (const rec of sections[s]) {
      const start = w.pos;
      w.record(rec);
      if (w.pos > limit) { w.pos = start; tc = true; break outer; }
      counts[s]++;
    }
  }
  let arcount = counts[2];
  if (msg.edns) {
    const e = msg.edns;
    w.u8(0); w.u16(RRType.OPT); w.u16(e.udpSize);
    w.u8((msg.rcode >> 4) & 0xff); w.u8(e.version); w.u16(e.do ? 0x8000 : 0);
    w.u16(ednsLength(e) - 11);
    for (const o of e.options) { w.u16(o.code); w.u16(o.data.length); w.buf.set(o.data, w.pos); w.pos += o.data.length; }
    arcount++;
  }
  const b = w.buf;
  b[0] = (msg.id >> 8) & 0xff; b[1] = msg.id & 0xff;
  b[2] = (msg.qr ? 0x80 : 0) | ((msg.opcode & 0x0f) << 3) | (msg.aa ? 0x04 : 0) | (tc ? 0x02 : 0) | (msg.rd ? 0x01 : 0);
  b[3] = (msg.ra ? 0x80 : 0) | (msg.ad ? 0x20 : 0) | (msg.cd ? 0x10 : 0) | (msg.rcode & 0x0f);
  b.writeUInt16BE(msg.question.length, 4);
  b.writeUInt16BE(counts[0], 6);
  b.writeUInt16BE(counts[1], 8);
  b.writeUInt16BE(arcount, 10);
  return Buffer.from(b.subarray(0, w.pos));
}
