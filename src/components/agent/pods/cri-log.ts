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

/** The first byte offset of the last `n` lines of `text` (0 when it has fewer). */
export function tailOffset(text: string, n: number): number {
  if (n <= 0) return text.length;
  let count = 0;
  let i = text.length;
  if (text.endsWith('\n')) i--;
  for (; i > 0; i--) {
    if (text[i - 1] === '\n' && ++count === n) return i;
  }
  return 0;
}

function readFrom(path: string, offset: number): { data: string; size: number } {
  let st: Stats;
  try { st = statSync(path); } catch { return { data: '', size: offset }; }
  if (st.size <= offset) return { data: '', size: st.size };
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(st.size - offset);
    const n = readSync(fd, buf, 0, buf.length, offset);
    return { data: buf.subarray(0, n).toString('utf8'), size: offset + n };
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

  const pump = (): boolean => {
    const { data, size } = readFrom(path, offset);
    offset = size;
    let text = carry + data;
    if (first && opts.tailLines !== undefined) {
      text = text.slice(tailOffset(text, opts.tailLines));
    }
    first = false;
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
