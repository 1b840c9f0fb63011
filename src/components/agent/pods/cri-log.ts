// Container logs in the CRI format containerd and CRI-O write and kubelet reads: one entry per line,
// `<RFC3339Nano timestamp> <stdout|stderr> <F|P> <content>`, P marking a piece of a line longer than the
// buffer (joined without a newline when read). Reading supports what `kubectl logs` asks for: tail,
// since, timestamps, limitBytes and follow.
import { closeSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { Readable } from 'node:stream';

/** containerd's maximum log line piece (bufio size); a longer line is split into P entries. */
export const MAX_LINE_PIECE = 16 * 1024;

export type LogStream = 'stdout' | 'stderr';

/** Go's time.RFC3339Nano: nanoseconds with trailing zeros trimmed (and no dot when all are zero). */
export function rfc3339Nano(epochNs: bigint): string {
  const ms = Number(epochNs / 1_000_000n);
  const iso = new Date(ms).toISOString(); // 2024-01-02T03:04:05.678Z
  const frac = (epochNs % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${iso.slice(0, 19)}${frac ? `.${frac}` : ''}Z`;
}

/** Now in nanoseconds since the epoch, to the microsecond the clock gives. */
export function nowNs(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n;
}

/** Splits a byte stream into CRI entries; `write` receives whole entry lines ready for the log file. */
export class CriLineSplitter {
  private pending = Buffer.alloc(0);

  constructor(private readonly stream: LogStream, private readonly write: (entry: string) => void, private readonly clock = nowNs) {}

  push(chunk: Buffer): void {
    let data = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    for (;;) {
      const nl = data.indexOf(0x0a);
      if (nl < 0) break;
      this.emit(data.subarray(0, nl), 'F');
      data = data.subarray(nl + 1);
    }
    while (data.length >= MAX_LINE_PIECE) {
      this.emit(data.subarray(0, MAX_LINE_PIECE), 'P');
      data = data.subarray(MAX_LINE_PIECE);
    }
    this.pending = Buffer.from(data);
  }

  /** The stream ended: a last line without a newline is still a full line. */
  end(): void {
    if (this.pending.length) this.emit(this.pending, 'F');
    this.pending = Buffer.alloc(0);
  }

  private emit(content: Buffer, tag: 'F' | 'P'): void {
    this.write(`${rfc3339Nano(this.clock())} ${this.stream} ${tag} ${content.toString('utf8')}\n`);
  }
}

export interface CriEntry { timestamp: string; time: number; stream: LogStream; partial: boolean; content: string }

/** Parses one CRI log line (without its newline); undefined for a malformed line. */
export function parseCriLine(line: string): CriEntry | undefined {
  const m = /^(\S+) (stdout|stderr) ([FP]) ?(.*)$/s.exec(line);
  if (!m) return undefined;
  const time = Date.parse(m[1]);
  if (Number.isNaN(time)) return undefined;
  return { timestamp: m[1], time, stream: m[2] as LogStream, partial: m[3] === 'P', content: m[4] };
}

export interface ReadOptions {
  tailLines?: number;
  /** Only entries at or after this time (ms since the epoch). */
  sinceMs?: number;
  timestamps: boolean;
  limitBytes?: number;
  follow: boolean;
  /** Follow mode: whether the container still runs (following stops after it exited and the file is read). */
  running?: () => boolean;
  pollMs?: number;
  /** How a line is read: CRI entries by default; plainLogLine for a process's own log file. */
  parse?: (line: string) => CriEntry | undefined;
}

/**
 * A line of a plain log file (the agent's own, `<ISO time> <text>`): shown whole, timed by its leading
 * timestamp when it has one, so tail, since and follow work as for containers.
 */
export function plainLogLine(line: string): CriEntry {
  const ts = /^(\S+)/.exec(line)?.[1] ?? '';
  const time = Date.parse(ts);
  return { timestamp: Number.isNaN(time) ? new Date(0).toISOString() : ts, time: Number.isNaN(time) ? 0 : time, stream: 'stdout', partial: false, content: line };
}

/** Renders entries as kubectl shows them: content, newline after a full line, optional timestamp prefix. */
export function renderEntries(entries: CriEntry[], timestamps: boolean, atLineStart = true): { text: string; atLineStart: boolean } {
  let text = '';
  let start = atLineStart;
  for (const e of entries) {
    if (timestamps && start) text += `${e.timestamp} `;
    text += e.content + (e.partial ? '' : '\n');
    start = !e.partial;
  }
  return { text, atLineStart: start };
}

/** How much of the file one read takes: a large log is streamed in pieces, never held whole. */
const READ_CHUNK = 256 * 1024;

function readFrom(path: string, offset: number): { data: string; size: number; more: boolean } {
  let st: Stats;
  try { st = statSync(path); } catch { return { data: '', size: offset, more: false }; }
  if (st.size <= offset) return { data: '', size: st.size, more: false };
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(Math.min(READ_CHUNK, st.size - offset));
    const n = readSync(fd, buf, 0, buf.length, offset);
    // A chunk may end inside a multi-byte character: keep only whole characters, the rest is read next time.
    const end = n < buf.length ? n : wholeCharsEnd(buf.subarray(0, n));
    return { data: buf.subarray(0, end).toString('utf8'), size: offset + end, more: offset + end < st.size };
  } finally {
    closeSync(fd);
  }
}

/** The length of `buf` without a trailing incomplete UTF-8 sequence. */
function wholeCharsEnd(buf: Buffer): number {
  let i = buf.length;
  // Step back over continuation bytes (10xxxxxx) to the lead byte of the last character.
  let back = 0;
  while (i > 0 && back < 4 && (buf[i - 1] & 0xc0) === 0x80) { i--; back++; }
  if (i === 0) return buf.length;
  const lead = buf[i - 1];
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return need === back + 1 ? buf.length : i - 1;
}

/**
 * The byte offset where the last `n` lines of the file start (0 when it has fewer), found by reading
 * backwards from the end in chunks, so `kubectl logs --tail` of a large log reads only its end.
 * A final newline does not start another line.
 */
export function tailStart(path: string, n: number): number {
  let st: Stats;
  try { st = statSync(path); } catch { return 0; }
  if (n <= 0) return st.size;
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    let end = st.size;
    let count = 0;
    let skipFinal = true;
    while (end > 0) {
      const start = Math.max(0, end - buf.length);
      const len = readSync(fd, buf, 0, end - start, start);
      for (let i = len - 1; i >= 0; i--) {
        if (buf[i] !== 0x0a) { skipFinal = false; continue; }
        if (skipFinal) { skipFinal = false; continue; }
        if (++count === n) return start + i + 1;
      }
      end = start;
    }
    return 0;
  } finally {
    closeSync(fd);
  }
}

/** A readable of the log as kubectl logs wants it. With follow, new entries are streamed until the container stops. */
export function readCriLog(path: string, opts: ReadOptions): Readable {
  let offset = 0;
  let carry = '';
  let atLineStart = true;
  let sent = 0;
  let timer: NodeJS.Timeout | undefined;
  let first = true;
  const out = new Readable({ read() {}, destroy(err, cb) { if (timer) clearTimeout(timer); cb(err); } });

  let more = false;
  const pump = (): boolean => {
    if (first && opts.tailLines !== undefined) offset = tailStart(path, opts.tailLines);
    first = false;
    const read = readFrom(path, offset);
    offset = read.size;
    more = read.more;
    const text = carry + read.data;
    const lastNl = text.lastIndexOf('\n');
    carry = lastNl < 0 ? text : text.slice(lastNl + 1);
    const complete = lastNl < 0 ? '' : text.slice(0, lastNl);
    const entries = complete ? complete.split('\n').map(opts.parse ?? parseCriLine).filter((e): e is CriEntry => !!e) : [];
    const selected = opts.sinceMs !== undefined ? entries.filter((e) => e.time >= opts.sinceMs!) : entries;
    const r = renderEntries(selected, opts.timestamps, atLineStart);
    atLineStart = r.atLineStart;
    let chunk = r.text;
    if (opts.limitBytes !== undefined) {
      const room = opts.limitBytes - sent;
      const bytes = Buffer.from(chunk);
      if (bytes.length >= room) {
        if (room > 0) out.push(bytes.subarray(0, room));
        out.push(null);
        return false;
      }
    }
    if (chunk) { out.push(chunk); sent += Buffer.byteLength(chunk); }
    return true;
  };

  const loop = () => {
    if (out.destroyed) return;
    if (!pump()) return;
    // The rest of a large file comes in the next round, once the reader has taken this piece.
    if (more) { timer = setTimeout(loop, 0); return; }
    if (!opts.follow) { out.push(null); return; }
    if (opts.running && !opts.running()) {
      // One last read: the container may have written just before it exited.
      if (pump()) out.push(null);
      return;
    }
    timer = setTimeout(loop, opts.pollMs ?? 200);
  };
  queueMicrotask(loop);
  return out;
}
