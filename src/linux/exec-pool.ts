// The real Executor: argv runs on a small pool of long-lived /bin/sh co-processes.
//
// Why: spawning a process from Node costs 4-7 ms on this machine (Node forks a big process), while a
// shell that is already running forks `ip` in about 1.4 ms; a CNI bridge ADD needs three tool runs, so
// this halves its latency, and every other kernel wrapper gets the same saving. Callers never write
// shell text: this file quotes every argv word (shQuote) and feeds stdin from a here-document with a
// random tag, so nothing a caller passes is ever parsed by the shell. Each request's stdout, stderr
// and exit status come back separately, delimited by a per-shell random marker. A request never reads
// the shell's own stdin (it runs with </dev/null unless it has input).
//
// A command runs from a fresh spawn instead when it needs its own whole environment, or stdin that a
// here-document cannot carry exactly (no trailing newline) or that is large (nft -f of a 10,000-Service
// ruleset: the shell would copy megabytes through its parser).
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import {
  CommandError, type Executor, type RunOptions, type RunResult, type Step, type StepsOptions, argvIn, exitOk,
} from './exec.js';

const MAX_SHELLS = 8;
const MAX_HEREDOC = 256 * 1024;

/** Single-quotes a string for sh. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A here-document feeding `content` (which must end with a newline) to the command before it. */
export function heredoc(content: string): { redirect: string; body: string } {
  const tag = `PNX_${randomBytes(6).toString('hex')}`;
  return { redirect: `<<'${tag}'`, body: `\n${content}${content.endsWith('\n') ? '' : '\n'}${tag}` };
}

interface ShellResult { status: number; stdout: string; stderr: string }

class Shell {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly marker = `@@PNX-END-${randomBytes(8).toString('hex')}`;
  // Output arrives in chunks; it is joined once, when the end marker shows up, because searching a
  // growing string per chunk would make a command with megabytes of output quadratic.
  private readonly out = new Chunks();
  private readonly err = new Chunks();
  private pending: { resolve: (r: ShellResult) => void; reject: (e: Error) => void; timer?: NodeJS.Timeout } | null = null;
  dead = false;

  constructor(onExit: (s: Shell) => void) {
    this.proc = spawn('/bin/sh', [], {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true, // own process group, so a timed-out request can be killed with its children
      // LC_ALL=C: callers match iproute2's and nft's English messages ("File exists").
      env: { ...process.env, LC_ALL: 'C', PATH: `${process.env.PATH ?? ''}:/usr/local/sbin:/usr/sbin:/sbin:/usr/bin:/bin` },
    });
    this.proc.stdout.setEncoding('utf8');
    this.proc.stderr.setEncoding('utf8');
    this.proc.stdout.on('data', (d: string) => { this.out.push(d); this.check(); });
    this.proc.stderr.on('data', (d: string) => { this.err.push(d); this.check(); });
    this.proc.stdin.on('error', () => { /* reported through exit */ });
    this.proc.on('exit', () => {
      this.dead = true;
      const p = this.pending;
      this.pending = null;
      if (p) { clearTimeout(p.timer); p.reject(new Error(`the helper shell exited while running a command (stderr: ${this.err.text().trim()})`)); }
      onExit(this);
    });
    this.idle();
  }

  private streams(): Array<{ ref?: () => void; unref?: () => void }> {
    return [this.proc.stdout, this.proc.stderr, this.proc.stdin] as unknown as Array<{ ref?: () => void; unref?: () => void }>;
  }

  private idle(): void {
    // An idle shell must not keep the process alive (the stand-alone plugin exits right after its answer).
    this.proc.unref();
    for (const s of this.streams()) s.unref?.();
  }

  private busy(): void {
    this.proc.ref();
    for (const s of this.streams()) s.ref?.();
  }

  private check(): void {
    if (!this.pending) return;
    const o = this.out.find(`\n${this.marker} `, '\n');
    if (!o) return;
    const e = this.err.find(`\n${this.marker}\n`, '');
    if (!e) return;
    const result: ShellResult = { status: Number(o.line), stdout: o.before, stderr: e.before };
    this.out.take(o.stop);
    this.err.take(e.stop);
    const p = this.pending;
    this.pending = null;
    clearTimeout(p.timer);
    this.idle();
    p.resolve(result);
  }

  run(script: string, timeoutMs: number | undefined): Promise<ShellResult> {
    if (this.dead) return Promise.reject(new Error('the helper shell is gone; retry the call'));
    return new Promise((resolve, reject) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
        this.pending = null;
        this.dead = true;
        try { process.kill(-this.proc.pid!, 'SIGKILL'); } catch { /* already gone */ }
        reject(new TimeoutError(timeoutMs));
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

/** A stream's text so far, in chunks; finds the end marker scanning each chunk once. */
class Chunks {
  private parts: string[] = [];
  private scanned = 0; // parts already scanned for the tag
  private carry = ''; // the end of the scanned text, in case a tag spans two chunks
  private seen = false; // the tag is somewhere in parts

  push(d: string): void {
    this.parts.push(d);
  }

  text(): string {
    return this.parts.join('');
  }

  /** Where `tag` followed by `end` (nothing when end is '') is: what came before, what lies between, where it stops. */
  find(tag: string, end: string): { before: string; line: string; stop: number } | null {
    while (!this.seen && this.scanned < this.parts.length) {
      const w = this.carry + this.parts[this.scanned++];
      if (w.includes(tag)) this.seen = true;
      else this.carry = w.slice(-(tag.length + 32));
    }
    if (!this.seen) return null;
    const all = this.parts.join('');
    this.parts = [all];
    this.scanned = 1;
    const i = all.indexOf(tag);
    const j = end ? all.indexOf(end, i + tag.length) : i + tag.length;
    if (i < 0 || j < 0) return null;
    return { before: all.slice(0, i), line: all.slice(i + tag.length, j), stop: j + end.length };
  }

  /** Drops everything up to `stop` (the end of a found marker). */
  take(stop: number): void {
    const rest = this.parts.join('').slice(stop);
    this.parts = rest ? [rest] : [];
    this.scanned = 0;
    this.carry = '';
    this.seen = false;
  }
}

class TimeoutError extends Error {
  constructor(readonly timeoutMs: number) { super(`timed out after ${timeoutMs} ms`); }
}

class ShellPool {
  private readonly idle: Shell[] = [];
  private readonly all = new Set<Shell>();
  private readonly waiting: ((s: Shell) => void)[] = [];

  private acquire(): Promise<Shell> {
    while (this.idle.length) {
      const s = this.idle.pop()!;
      if (!s.dead) return Promise.resolve(s);
    }
    if (this.all.size < MAX_SHELLS) {
      const s = new Shell((dead) => {
        this.all.delete(dead);
        const i = this.idle.indexOf(dead);
        if (i >= 0) this.idle.splice(i, 1);
      });
      this.all.add(s);
      return Promise.resolve(s);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(s: Shell): void {
    const w = this.waiting.shift();
    if (s.dead) {
      if (w) void this.acquire().then(w); // hand the waiter a fresh shell instead
      return;
    }
    if (w) w(s);
    else this.idle.push(s);
  }

  async exec(script: string, timeoutMs?: number): Promise<ShellResult> {
    const s = await this.acquire();
    try {
      return await s.run(script, timeoutMs);
    } finally {
      this.release(s);
    }
  }

  close(): void {
    for (const s of this.all) s.close();
    this.all.clear();
    this.idle.length = 0;
  }
}

/** The shell words for argv with stdin from `input` (none: the request's </dev/null). */
function commandText(argv: readonly string[], input: string | undefined, setEnv?: Record<string, string>): string {
  const env = Object.entries(setEnv ?? {}).map(([k, v]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`invalid environment variable name ${JSON.stringify(k)}`);
    return `${k}=${shQuote(v)} `;
  }).join('');
  const words = argv.map(shQuote).join(' ');
  if (!input) return `${env}${words}`;
  const h = heredoc(input);
  return `${env}${words} ${h.redirect}${h.body}`;
}

// Keys relative to /proc/sys; they are written by path, so nothing may climb out of it.
const SYSCTL_PATH = /^[A-Za-z0-9_][A-Za-z0-9_.:@-]*(\/[A-Za-z0-9_.:@-]+)*$/;

function checkSysctlPath(key: string): string {
  if (!SYSCTL_PATH.test(key) || key.split('/').some((p) => p === '..' || p === '.')) {
    throw new Error(`invalid sysctl path ${JSON.stringify(key)}: give it relative to /proc/sys, e.g. net/ipv4/ip_forward`);
  }
  return `/proc/sys/${key}`;
}

/**
 * The shell text writing sysctls with builtins only (no fork) and reporting them in one line,
 * "@@RC <step> <0|1> <what failed>": every write to the pipes wakes Node up, so a step says nothing else.
 */
function sysctlText(step: number, values: readonly (readonly [string, string])[]): string {
  return ["_r=0; _e=''", ...values.map(([k, v]) => {
    const path = checkSysctlPath(k);
    return `{ printf '%s\\n' ${shQuote(v)} > ${shQuote(path)}; } 2>/dev/null || { _r=1; _e="$_e"${shQuote(`cannot write ${path}; `)}; }`;
  }), `printf '%s\\n' "@@RC ${step} $_r $_e"`].join('\n');
}

/** Sysctl writes in this process's own namespace: plain file writes, no process at all. */
function writeSysctlsHere(values: readonly (readonly [string, string])[]): RunResult {
  const errors: string[] = [];
  for (const [k, v] of values) {
    const path = checkSysctlPath(k);
    try { writeFileSync(path, `${v}\n`); } catch (e) { errors.push(`cannot write ${path}: ${(e as Error).message}`); }
  }
  return { stdout: '', stderr: errors.map((e) => `${e}\n`).join(''), exitCode: errors.length ? 1 : 0 };
}

/** A command that a shell could not find becomes the error Node's spawn gives (exit code null, ENOENT). */
function notFound(argv: readonly string[], r: ShellResult): CommandError | null {
  if (r.status !== 127 || !/not found|No such file or directory/.test(r.stderr)) return null;
  return new CommandError(argv, null, `spawn ${argv[0]} ENOENT: ${r.stderr.trim()}`, '');
}

/** The old-fashioned way, for whole environments and big or unterminated stdin. */
function spawnRun(argv: readonly string[], opts: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: opts.env ?? (opts.setEnv ? { ...process.env, ...opts.setEnv } : process.env),
      timeout: opts.timeoutMs,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new CommandError(argv, null, String(e.message), '')));
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).toString();
      const stderr = Buffer.concat(err).toString();
      if (code !== null && exitOk(code, opts.okExitCodes)) resolve({ stdout, stderr, exitCode: code });
      else reject(new CommandError(argv, code, stderr, stdout));
    });
    child.stdin.on('error', () => { /* the command may exit before reading stdin; its exit code tells */ });
    child.stdin.end(opts.input ?? '');
  });
}

export class PoolExecutor implements Executor {
  private readonly pool = new ShellPool();

  async run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    if (argv.length === 0) throw new Error('run: empty argv');
    const full = argvIn(argv, opts.netns);
    const input = opts.input;
    if (opts.env || (input && (!input.endsWith('\n') || input.length > MAX_HEREDOC))) return spawnRun(full, opts);
    let r: ShellResult;
    try {
      r = await this.pool.exec(commandText(full, input, opts.setEnv), opts.timeoutMs);
    } catch (e) {
      if (e instanceof TimeoutError) throw new CommandError(full, null, e.message, '');
      throw e;
    }
    const missing = notFound(full, r);
    if (missing) throw missing;
    if (!exitOk(r.status, opts.okExitCodes)) throw new CommandError(full, r.status, r.stderr, r.stdout);
    return { stdout: r.stdout, stderr: r.stderr, exitCode: r.status };
  }

  async runSteps(steps: readonly Step[], opts: StepsOptions = {}): Promise<RunResult[]> {
    if (opts.netns === undefined) {
      // In our own namespace there is nothing to enter once: sysctls are file writes, commands run one by one.
      const out: RunResult[] = [];
      for (const s of steps) {
        if ('sysctls' in s) out.push(writeSysctlsHere(s.sysctls));
        else out.push(await this.run(s.argv, { input: s.input, okExitCodes: 'any', timeoutMs: opts.timeoutMs }).catch(asResult));
      }
      return out;
    }
    // One shell inside the namespace runs every step; the last command replaces it (exec: one fork less).
    // A command's output is cut from the next by "@@STEP i" lines, written only before the second and
    // later commands: output before any such line belongs to the first command.
    const lines: string[] = [];
    let commands = 0;
    steps.forEach((s, i) => {
      const last = i === steps.length - 1;
      if ('sysctls' in s) { lines.push(sysctlText(i, s.sysctls)); return; }
      if (commands++ > 0) lines.push(`echo '@@STEP ${i}'; echo '@@STEP ${i}' >&2`);
      if (last) lines.push(`exec ${commandText(s.argv, s.input)}`);
      else lines.push(commandText(s.argv, s.input), `echo "@@RC ${i} $?"`);
    });
    const outer = argvIn(['/bin/sh', '-s'], opts.netns);
    const h = heredoc(lines.join('\n'));
    let r: ShellResult;
    try {
      r = await this.pool.exec(`${outer.map(shQuote).join(' ')} ${h.redirect}${h.body}`, opts.timeoutMs);
    } catch (e) {
      if (e instanceof TimeoutError) throw new CommandError(outer, null, e.message, '');
      throw e;
    }
    return splitSteps(steps, r);
  }

  close(): void {
    this.pool.close();
  }
}

function asResult(e: unknown): RunResult {
  if (e instanceof CommandError) return { stdout: e.stdout, stderr: e.stderr, exitCode: e.exitCode ?? 127 };
  throw e;
}

/** Cuts a steps script's output at its "@@STEP i" and "@@RC i status [errors]" lines. */
function splitSteps(steps: readonly Step[], r: ShellResult): RunResult[] {
  const n = steps.length;
  const out: RunResult[] = Array.from({ length: n }, () => ({ stdout: '', stderr: '', exitCode: -1 }));
  const firstCommand = steps.findIndex((s) => !('sysctls' in s));
  const reported = new Set<number>();
  const cut = (text: string, key: 'stdout' | 'stderr') => {
    let cur = firstCommand;
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    for (const line of lines) {
      const b = /^@@STEP (\d+)$/.exec(line);
      const e = key === 'stdout' ? /^@@RC (\d+) (\d+)(?: (.*))?$/.exec(line) : null;
      if (b) cur = Number(b[1]);
      else if (e) {
        const i = Number(e[1]);
        reported.add(i);
        out[i].exitCode = Number(e[2]);
        if ('sysctls' in steps[i]) out[i].stderr = (e[3] ?? '').split('; ').map((x) => x.trim()).filter(Boolean).map((x) => `${x}\n`).join('');
      } else if (cur >= 0 && cur < n) out[cur][key] += `${line}\n`;
    }
  };
  cut(r.stdout, 'stdout');
  cut(r.stderr, 'stderr');
  // A sysctl step ahead of every command that reported nothing: the shell never ran (e.g. no such namespace).
  if (n && 'sysctls' in steps[0] && !reported.has(0)) {
    return out.map(() => ({ stdout: '', stderr: r.stderr.trim() ? r.stderr : `not run (exit ${r.status})`, exitCode: -1 }));
  }
  // The last command's status is the shell's (it was exec'd).
  if (!('sysctls' in steps[n - 1])) out[n - 1].exitCode = r.status;
  return out;
}
