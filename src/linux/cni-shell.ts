// A small pool of long-lived /bin/sh co-processes that run kernel tools for the CNI plugin.
//
// Why: spawning a process from Node costs 4-7 ms on this machine (Node forks a big process), while
// a shell that is already running forks `ip` in about 1.4 ms. A bridge ADD needs three tool runs,
// so this halves its latency. Each request is a shell snippet built by the caller from validated
// names and quoted strings (see shQuote); its stdout, stderr and exit status come back separately,
// delimited by a per-shell random marker. A snippet never reads the shell's own stdin (it runs
// with </dev/null; tools get their input from here-documents).
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface ShellResult {
  status: number;
  stdout: string;
  stderr: string;
}

const MAX_SHELLS = 4;
const DEFAULT_TIMEOUT_MS = 30_000;

/** Single-quotes a string for sh. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A here-document feeding `content` to the command before it; the tag is unique per call. */
export function heredoc(content: string): { redirect: string; body: string } {
  const tag = `PNC_${randomBytes(6).toString('hex')}`;
  return { redirect: `<<'${tag}'`, body: `\n${content}${content.endsWith('\n') ? '' : '\n'}${tag}` };
}

class Shell {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly marker = `@@PNC-END-${randomBytes(8).toString('hex')}`;
  private out = '';
  private err = '';
  private pending: { resolve: (r: ShellResult) => void; reject: (e: Error) => void; timer: NodeJS.Timeout } | null = null;
  dead = false;

  constructor(onExit: (s: Shell) => void) {
    this.proc = spawn('/bin/sh', [], {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true, // own process group, so a timed-out request can be killed with its children
      env: { ...process.env, LC_ALL: 'C', PATH: `${process.env.PATH ?? ''}:/usr/local/sbin:/usr/sbin:/sbin:/usr/bin:/bin` },
    });
    this.proc.stdout.setEncoding('utf8');
    this.proc.stderr.setEncoding('utf8');
    this.proc.stdout.on('data', (d: string) => { this.out += d; this.check(); });
    this.proc.stderr.on('data', (d: string) => { this.err += d; this.check(); });
    this.proc.stdin.on('error', () => { /* reported through exit */ });
    this.proc.on('exit', () => {
      this.dead = true;
      const p = this.pending;
      this.pending = null;
      if (p) { clearTimeout(p.timer); p.reject(new Error(`the helper shell exited while running a command (stderr: ${this.err.trim()})`)); }
      onExit(this);
    });
    this.idle();
  }

  private idle(): void {
    // An idle shell must not keep the process alive (the stand-alone plugin exits right after its answer).
    this.proc.unref();
    (this.proc.stdout as unknown as { unref?: () => void }).unref?.();
    (this.proc.stderr as unknown as { unref?: () => void }).unref?.();
    (this.proc.stdin as unknown as { unref?: () => void }).unref?.();
  }

  private busy(): void {
    this.proc.ref();
    (this.proc.stdout as unknown as { ref?: () => void }).ref?.();
    (this.proc.stderr as unknown as { ref?: () => void }).ref?.();
    (this.proc.stdin as unknown as { ref?: () => void }).ref?.();
  }

  private check(): void {
    if (!this.pending) return;
    const m = new RegExp(`\\n${this.marker} (\\d+)\\n`).exec(this.out);
    const e = this.err.indexOf(`\n${this.marker}\n`);
    if (!m || e < 0) return;
    const result: ShellResult = {
      status: Number(m[1]),
      stdout: this.out.slice(0, m.index),
      stderr: this.err.slice(0, e),
    };
    this.out = this.out.slice(m.index + m[0].length);
    this.err = this.err.slice(e + this.marker.length + 2);
    const p = this.pending;
    this.pending = null;
    clearTimeout(p.timer);
    this.idle();
    p.resolve(result);
  }

  run(script: string, timeoutMs: number): Promise<ShellResult> {
    if (this.dead) return Promise.reject(new Error('the helper shell is gone; retry the call'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = null;
        this.dead = true;
        try { process.kill(-this.proc.pid!, 'SIGKILL'); } catch { /* already gone */ }
        reject(new Error(`command timed out after ${timeoutMs} ms: ${script.split('\n')[0]}`));
      }, timeoutMs);
      this.pending = { resolve, reject, timer };
      this.busy();
      this.proc.stdin.write(`{\n${script}\n} </dev/null\nprintf '\\n%s %d\\n' '${this.marker}' $?\nprintf '\\n%s\\n' '${this.marker}' >&2\n`);
    });
  }

  close(): void {
    this.proc.stdin.end();
  }
}

const idle: Shell[] = [];
const all = new Set<Shell>();
const waiting: ((s: Shell) => void)[] = [];

function acquire(): Promise<Shell> {
  while (idle.length) {
    const s = idle.pop()!;
    if (!s.dead) return Promise.resolve(s);
  }
  if (all.size < MAX_SHELLS) {
    const s = new Shell((dead) => { all.delete(dead); const i = idle.indexOf(dead); if (i >= 0) idle.splice(i, 1); });
    all.add(s);
    return Promise.resolve(s);
  }
  return new Promise((resolve) => waiting.push(resolve));
}

function release(s: Shell): void {
  if (s.dead) {
    // Hand a waiter a fresh shell instead.
    const w = waiting.shift();
    if (w) void acquire().then(w);
    return;
  }
  const w = waiting.shift();
  if (w) w(s);
  else idle.push(s);
}

/** Runs a shell snippet on a pooled shell; resolves with its status and outputs (never rejects on a non-zero status). */
export async function shellRun(script: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ShellResult> {
  const s = await acquire();
  try {
    return await s.run(script, timeoutMs);
  } finally {
    release(s);
  }
}

/** Ends the pooled shells (tests and the stand-alone plugin call it before exiting). */
export function closeShells(): void {
  for (const s of all) s.close();
  all.clear();
  idle.length = 0;
}
