import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CriLineSplitter, MAX_LINE_PIECE, parseCriLine, readCriLog, rfc3339Nano, tailStart, plainLogLine } from './cri-log.js';

const text = (r: NodeJS.ReadableStream) => new Promise<string>((resolve, reject) => {
  let s = ''; r.on('data', (d) => (s += d)); r.on('end', () => resolve(s)); r.on('error', reject);
});

test('timestamps as Go\'s RFC3339Nano: trailing zeros trimmed', () => {
  assert.equal(rfc3339Nano(1_700_000_000_123_456_000n), '2023-11-14T22:13:20.123456Z');
  assert.equal(rfc3339Nano(1_700_000_000_000_000_000n), '2023-11-14T22:13:20Z');
});

test('the splitter writes full lines as F, long pieces as P, and a last unterminated line as F', () => {
  const out: string[] = [];
  let t = 1_700_000_000_000_000_000n;
  const s = new CriLineSplitter('stdout', (e) => out.push(e), () => (t += 1000n));
  s.push(Buffer.from('one\ntw'));
  s.push(Buffer.from('o\n'));
  s.push(Buffer.from('x'.repeat(MAX_LINE_PIECE + 3)));
  s.end();
  assert.deepEqual(out.map((l) => l.split(' ').slice(1, 3).join(' ')), ['stdout F', 'stdout F', 'stdout P', 'stdout F']);
  assert.equal(parseCriLine(out[1].trimEnd())!.content, 'two');
  assert.equal(parseCriLine(out[3].trimEnd())!.content, 'xxx');
});

test('reading: tail, since, timestamps, limitBytes, partial lines joined', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pna-crilog-'));
  try {
    const file = join(dir, '0.log');
    writeFileSync(file, [
      '2024-01-01T00:00:01.5Z stdout F one',
      '2024-01-01T00:00:02Z stderr F two',
      '2024-01-01T00:00:03Z stdout P thr',
      '2024-01-01T00:00:03.1Z stdout F ee',
      '',
    ].join('\n'));
    assert.equal(await text(readCriLog(file, { timestamps: false, follow: false })), 'one\ntwo\nthree\n');
    assert.equal(await text(readCriLog(file, { timestamps: false, follow: false, tailLines: 2 })), 'three\n');
    assert.equal(await text(readCriLog(file, { timestamps: true, follow: false, sinceMs: Date.parse('2024-01-01T00:00:02Z') })),
      '2024-01-01T00:00:02Z two\n2024-01-01T00:00:03Z three\n');
    assert.equal(await text(readCriLog(file, { timestamps: false, follow: false, limitBytes: 6 })), 'one\ntw');
    writeFileSync(join(dir, 'abc'), 'a\nb\nc\n');
    assert.equal(tailStart(join(dir, 'abc'), 2), 2);
    assert.equal(tailStart(join(dir, 'abc'), 5), 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a large log: --tail reads from the end, the whole log streams in pieces with multi-byte characters intact', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pna-crilog-'));
  try {
    const file = join(dir, '0.log');
    // About 3 MiB of entries, each with a 3-byte character, so chunk edges fall inside characters.
    const lines: string[] = [];
    for (let i = 0; i < 60_000; i++) lines.push(`2024-01-01T00:00:01Z stdout F line ${i} ${'\u20ac'.repeat(20)}`);
    writeFileSync(file, lines.join('\n') + '\n');
    const want = (from: number) => lines.slice(from).map((l) => parseCriLine(l)!.content + '\n').join('');
    assert.equal(await text(readCriLog(file, { timestamps: false, follow: false, tailLines: 3 })), want(lines.length - 3));
    assert.equal(tailStart(file, 1), Buffer.byteLength(lines.slice(0, -1).join('\n') + '\n'));
    assert.equal(await text(readCriLog(file, { timestamps: false, follow: false })), want(0));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('follow streams new entries until the container stops', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pna-crilog-'));
  try {
    const file = join(dir, '0.log');
    writeFileSync(file, '2024-01-01T00:00:01Z stdout F first\n');
    let running = true;
    const r = readCriLog(file, { timestamps: false, follow: true, running: () => running, pollMs: 20 });
    const got = text(r);
    await new Promise((res) => setTimeout(res, 60));
    appendFileSync(file, '2024-01-01T00:00:02Z stdout F second\n');
    running = false;
    assert.equal(await got, 'first\nsecond\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('plain log files (the agent mirror pod): whole lines, tail and since by their leading timestamp', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plain-log-'));
  try {
    const path = join(dir, 'agent.log');
    writeFileSync(path, '2026-12-07T10:00:00.000Z registered node n1\n2026-12-07T10:00:05.000Z agent ready\nno timestamp here\n');
    const read = async (opts: object) => { let s = ''; for await (const c of readCriLog(path, { timestamps: false, follow: false, parse: plainLogLine, ...opts })) s += c; return s; };
    assert.equal(await read({}), '2026-12-07T10:00:00.000Z registered node n1\n2026-12-07T10:00:05.000Z agent ready\nno timestamp here\n');
    assert.equal(await read({ tailLines: 1 }), 'no timestamp here\n');
    assert.equal(await read({ sinceMs: Date.parse('2026-12-07T10:00:01Z') }), '2026-12-07T10:00:05.000Z agent ready\n');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
