// The one way podnet runs kernel tools (ip, nft, sysctl, conntrack, ...): an argv array, never a shell
// string, optional stdin (for `ip -batch -` and `nft -f -`), an optional network namespace, and an
// error that names the command and its stderr. Every wrapper in src/linux calls run()/runJson()/
// runSteps() here, which hand the work to the current Executor:
//   - the real one (exec-pool.ts) runs argv on a small pool of already running shells, which fork a
//     tool in ~1.4 ms where a Node spawn costs 4-7 ms, and quotes argv itself;
//   - the recording fake (exec-fake.ts) records argv and answers from a script, so that every wrapper
//     is tested without root.
import { existsSync, realpathSync } from 'node:fs';
import { PoolExecutor } from './exec-pool.js';

export class CommandError extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
    readonly stdout: string,
  ) {
    super(`${argv.join(' ')} failed (exit ${exitCode}): ${stderr.trim() || stdout.trim() || 'no output'}`);
    this.name = 'CommandError';
  }
}

export interface RunOptions {
  /** Written to the command's standard input, which is then closed. */
  input?: string;
  /**
   * Run inside this network namespace: a name of `ip netns` (`ip netns exec NS argv...`, or `ip -n NS`
   * for ip and bridge) or the path of one (`nsenter --net=PATH argv...`, e.g. a CNI_NETNS).
   */
  netns?: string;
  /** Exit codes that count as success besides 0; 'any' resolves with every exit code. */
  okExitCodes?: number[] | 'any';
  /** The whole environment of the command (it then runs from a fresh spawn, not from the pool). */
  env?: NodeJS.ProcessEnv;
  /** Variables set for this command on top of the inherited environment (cheap: still pooled). */
  setEnv?: Record<string, string>;
  timeoutMs?: number;
}

export interface RunResult { stdout: string; stderr: string; exitCode: number }

/**
 * One step of runSteps: a command, or sysctl writes (keys relative to /proc/sys, e.g.
 * "net/ipv4/ip_forward"), which need no process of their own.
 */
export type Step =
  | { argv: readonly string[]; input?: string }
  | { sysctls: readonly (readonly [string, string])[] };

export interface StepsOptions { netns?: string; timeoutMs?: number }

export interface Executor {
  /** Runs argv; resolves with its output, rejects with CommandError on an exit code that is not ok. */
  run(argv: readonly string[], opts?: RunOptions): Promise<RunResult>;
  /**
   * Runs the steps one after the other with a single entry into the namespace (the CNI plugin sets a
   * pod's sysctls and addresses with one nsenter). Never rejects on a non-zero exit: each step's
   * result says how it went. A failed sysctl write gives exitCode 1 and names the key on stderr.
   */
  runSteps(steps: readonly Step[], opts?: StepsOptions): Promise<RunResult[]>;
  /** Ends idle helper processes (tests and the stand-alone CNI plugin call it before exiting). */
  close(): void;
}

// Made on first use: exec-pool.ts imports this module, so it cannot be constructed while it loads.
let current: Executor | undefined;

/** The executor every wrapper uses. */
export function executor(): Executor {
  return current ??= new PoolExecutor();
}

/** Replaces the executor (the recording fake in tests); returns the previous one to restore. */
export function setExecutor(e: Executor): Executor {
  const prev = executor();
  current = e;
  return prev;
}

/** Runs argv and resolves with its output; rejects with CommandError on a non-zero exit. */
export function run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return executor().run(argv, opts);
}

/** Runs argv and parses its standard output as JSON (`ip -j`, `nft -j`). Empty output parses as []. */
export async function runJson<T = unknown>(argv: readonly string[], opts: RunOptions = {}): Promise<T> {
  const { stdout } = await run(argv, opts);
  const text = stdout.trim();
  return (text ? JSON.parse(text) : []) as T;
}

/** See Executor.runSteps. */
export function runSteps(steps: readonly Step[], opts: StepsOptions = {}): Promise<RunResult[]> {
  return executor().runSteps(steps, opts);
}

/** Ends the executor's idle helper processes. */
export function closeExecutor(): void {
  current?.close();
}

const NETNS_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,99}$/;
let runDirReal: string | null | undefined;

/** The `ip netns` name of a namespace given by name or by a /run/netns/NAME path, else undefined. */
export function netnsName(netns: string): string | undefined {
  if (!netns.startsWith('/')) {
    if (!NETNS_NAME.test(netns) || netns === '.' || netns === '..') {
      throw new Error(`invalid network namespace ${JSON.stringify(netns)}: give an ip netns name (letters, digits, '-', '_', '.') or an absolute path`);
    }
    return netns;
  }
  const m = /^(\/(?:var\/)?run\/netns)\/([^/]+)$/.exec(netns);
  if (!m || !NETNS_NAME.test(m[2])) return undefined;
  if (runDirReal === undefined) runDirReal = existsSync('/run/netns') ? realpathSync('/run/netns') : null;
  try {
    return runDirReal !== null && realpathSync(m[1]) === runDirReal ? m[2] : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The argv that runs `argv` inside `netns`: `ip -n NS ...` for ip and bridge (no extra process; also
 * for a /run/netns/NS path), `ip netns exec NS ...` for other tools of a namespace given by name (as
 * iproute2 users expect), and `nsenter --net=PATH ...` for one given by path (cheaper: no /sys remount).
 */
export function argvIn(argv: readonly string[], netns: string | undefined): string[] {
  if (netns === undefined) return [...argv];
  const name = netnsName(netns);
  if (name !== undefined && (argv[0] === 'ip' || argv[0] === 'bridge')) return [argv[0], '-n', name, ...argv.slice(1)];
  if (!netns.startsWith('/')) return ['ip', 'netns', 'exec', netns, ...argv];
  return ['nsenter', `--net=${netns}`, ...argv];
}

/** Whether the exit code counts as success under opts.okExitCodes. */
export function exitOk(code: number, ok: RunOptions['okExitCodes']): boolean {
  return code === 0 || ok === 'any' || (ok?.includes(code) ?? false);
}

/** Throws a clear error unless the process runs as root, for code and tests that need the kernel. */
export function requireRoot(what: string): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error(`${what} needs root (network namespaces, links and nftables): run it as root, e.g. with sudo`);
  }
}
