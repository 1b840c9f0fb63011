// Long-running processes inside network namespaces: the API server, node agents, pod workloads. They are
// started detached (they outlive `podnet up`), write to a log file, and are later found again by pid. A
// pid alone can be reused by an unrelated process after ours died, so a process is identified by its pid,
// its command line and its start time (field 22 of /proc/<pid>/stat, fixed at fork, kept across exec).
import { fork, spawn, type ChildProcess, type ChildProcessWithoutNullStreams, type StdioOptions } from 'node:child_process';
import { argvIn } from './exec.js';

export type { ChildProcess };
import { openSync, closeSync, readFileSync, mkdirSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { validateNetnsName, NETNS_RUN_DIR } from './netns.js';

/** What identifies one process of ours; saved in pid files so `podnet down` can find and check it. */
export interface ProcessIdentity {
  pid: number;
  /** The argv the process runs (after `ip netns exec` has exec'd it), as /proc/<pid>/cmdline shows it. */
  argv: string[];
  /** Start time in clock ticks after boot; tells a reused pid from ours. */
  startTime: number;
  /** Namespace it was started in, for display. */
  netns?: string;
}

export interface SpawnOptions {
  /** Named network namespace to run in (`ip netns exec NS argv...`); the root namespace when absent. */
  netns?: string;
  /** File that receives stdout and stderr, appended to; its directory is created. */
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * Starts `argv` detached (own session, stdin from /dev/null, output appended to `logFile`), inside
 * `netns` when given, and resolves once it has been spawned with its identity. `ip netns exec` execs the
 * command in place, so the pid is the command's own.
 */
export async function spawnDetached(argv: readonly string[], opts: SpawnOptions): Promise<ProcessIdentity> {
  if (argv.length === 0) throw new Error('spawnDetached needs a command');
  if (opts.netns !== undefined) validateNetnsName(opts.netns);
  const full = opts.netns !== undefined ? ['ip', 'netns', 'exec', opts.netns, ...argv] : [...argv];
  mkdirSync(dirname(opts.logFile), { recursive: true });
  const fd = openSync(opts.logFile, 'a');
  try {
    const child = spawn(full[0], full.slice(1), {
      detached: true, stdio: ['ignore', fd, fd], env: opts.env ?? process.env, cwd: opts.cwd,
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (e) => reject(new Error(`cannot start ${full.join(' ')}: ${e.message}`)));
    });
    child.unref();
    const pid = child.pid!;
    const startTime = readStat(pid)?.startTime;
    if (startTime === undefined) {
      throw new Error(`${full.join(' ')} exited immediately (exit ${child.exitCode}); see ${opts.logFile}`);
    }
    return { pid, argv: [...argv], startTime, ...(opts.netns !== undefined ? { netns: opts.netns } : {}) };
  } finally {
    closeSync(fd);
  }
}

/** State letter and start time from /proc/<pid>/stat, or undefined when there is no such process. */
function readStat(pid: number): { state: string; startTime: number } | undefined {
  let text: string;
  try { text = readFileSync(`/proc/${pid}/stat`, 'utf8'); } catch { return undefined; }
  // "pid (comm) state ppid ..." where comm may itself contain spaces and parentheses.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: rest[0], startTime: Number(rest[19]) };
}

/** The process's argv from /proc/<pid>/cmdline, or undefined when it does not exist. */
export function readCmdline(pid: number): string[] | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter((_, i, a) => i < a.length - 1 || a[i] !== '');
  } catch {
    return undefined;
  }
}

/** Whether a process with this pid exists and is not a zombie (a zombie has exited; only its entry remains). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  const stat = readStat(pid);
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}

/**
 * Whether `id` still names our process: alive, same start time, and running the same argv (or still
 * `ip netns exec NS argv...` in the instant before the exec, or nothing yet in the instant during it).
 */
export function isOurProcess(id: ProcessIdentity): boolean {
  if (!isAlive(id.pid)) return false;
  if (readStat(id.pid)?.startTime !== id.startTime) return false;
  const cmdline = readCmdline(id.pid);
  if (!cmdline) return false;
  // In the middle of an execve the new image has no arguments yet (the kernel sets them up after it
  // switched memory maps), so cmdline reads empty for an instant; pid and start time already say it is ours.
  if (cmdline.length === 0) return true;
  const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  return same(cmdline, id.argv) || (id.netns !== undefined && same(cmdline, ['ip', 'netns', 'exec', id.netns, ...id.argv]));
}

export type StopResult = 'terminated' | 'killed' | 'not-running' | 'not-ours';

/** Sends a signal to our process; refuses when the pid now belongs to another process. */
export function signalProcess(id: ProcessIdentity, signal: NodeJS.Signals): void {
  if (!isOurProcess(id)) throw new Error(`process ${id.pid} (${id.argv.join(' ')}) is no longer running`);
  process.kill(id.pid, signal);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Stops our process: SIGTERM, then SIGKILL if it is still alive after `graceMs`. Refuses ('not-ours')
 * when the pid now belongs to another process, and reports 'not-running' when it is already gone.
 */
export async function stopProcess(id: ProcessIdentity, opts: { graceMs?: number } = {}): Promise<StopResult> {
  if (!isAlive(id.pid)) return 'not-running';
  if (!isOurProcess(id)) return 'not-ours';
  const signal = (sig: NodeJS.Signals) => { try { process.kill(id.pid, sig); } catch { /* exited meanwhile */ } };
  signal('SIGTERM');
  // A process stopped on purpose (`podnet node stop`) handles SIGTERM only once it runs again.
  signal('SIGCONT');
  const deadline = Date.now() + (opts.graceMs ?? 5000);
  while (Date.now() < deadline) {
    if (!isAlive(id.pid)) return 'terminated';
    await sleep(25);
  }
  signal('SIGKILL');
  // SIGKILL cannot be caught; the process is gone as soon as the kernel has torn it down.
  for (let i = 0; i < 200 && isAlive(id.pid); i++) await sleep(10);
  return 'killed';
}

/**
 * Pids of every process whose network namespace is the named one (compares /proc/<pid>/ns/net with the
 * namespace's inode). Teardown uses it to find processes left in a namespace, e.g. by an agent that
 * crashed before stopping its pods, since such a process keeps the namespace alive after `ip netns delete`.
 */
export function pidsInNetns(name: string): number[] {
  validateNetnsName(name);
  let ino: number;
  try { ino = statSync(`${NETNS_RUN_DIR}/${name}`).ino; } catch { return []; }
  const want = `net:[${ino}]`;
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/ns/net`) === want) pids.push(Number(entry));
    } catch { /* exited, or a kernel thread */ }
  }
  return pids.filter((p) => p !== process.pid && isAlive(p));
}

export interface AttachedOptions {
  /** A namespace name or path to run in (see argvIn in exec.ts); this process's own when absent. */
  netns?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Default: all three piped. */
  stdio?: StdioOptions;
}

/**
 * Starts `argv` attached to this process, for commands whose streams the caller pumps while they run
 * (`kubectl exec` into a sandbox, socat for port-forward): inside `netns` when given. The caller owns
 * the child and ends it. Short commands that run to completion go through run() in exec.ts instead.
 */
export function spawnAttached(argv: readonly string[], opts: AttachedOptions = {}): ChildProcess {
  if (argv.length === 0) throw new Error('spawnAttached needs a command');
  const full = argvIn(argv, opts.netns);
  return spawn(full[0], full.slice(1), { env: opts.env ?? process.env, cwd: opts.cwd, stdio: opts.stdio ?? ['pipe', 'pipe', 'pipe'] });
}

/** spawnAttached with stdin, stdout and stderr all piped. */
export function spawnPiped(argv: readonly string[], opts: Omit<AttachedOptions, 'stdio'> = {}): ChildProcessWithoutNullStreams {
  return spawnAttached(argv, { ...opts, stdio: ['pipe', 'pipe', 'pipe'] }) as ChildProcessWithoutNullStreams;
}

/**
 * Starts a Node.js worker of this process: the same Node, flags and environment, running `entry`, with an
 * IPC channel (sockets can be handed to it) and this process's output. It stays in this process's
 * namespaces; the caller owns it (and ends it) through the returned ChildProcess.
 */
export function forkWorker(entry: string): ChildProcess {
  return fork(entry, [], { execArgv: process.execArgv, env: process.env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}
