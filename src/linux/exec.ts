// The one way podnet runs kernel tools (ip, nft, sysctl, ...): an argv array, never a shell string,
// optional stdin (for `ip -batch -` and `nft -f -`), and an error that names the command and its stderr.
import { spawn } from 'node:child_process';

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
  /** Run inside this named network namespace (`ip netns exec NS argv...`). */
  netns?: string;
  /** Exit codes that count as success besides 0. */
  okExitCodes?: number[];
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export interface RunResult { stdout: string; stderr: string; exitCode: number }

/** Runs argv and resolves with its output; rejects with CommandError on a non-zero exit. */
export function run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const full = opts.netns ? ['ip', 'netns', 'exec', opts.netns, ...argv] : [...argv];
  return new Promise((resolve, reject) => {
    const child = spawn(full[0], full.slice(1), {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
      timeout: opts.timeoutMs,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new CommandError(full, null, String(e.message), '')));
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).toString();
      const stderr = Buffer.concat(err).toString();
      const exitCode = code ?? -1;
      if (exitCode === 0 || opts.okExitCodes?.includes(exitCode)) resolve({ stdout, stderr, exitCode });
      else reject(new CommandError(full, code, stderr, stdout));
    });
    child.stdin.on('error', () => { /* the command may exit before reading stdin; its exit code tells */ });
    child.stdin.end(opts.input ?? '');
  });
}

/** Runs argv and parses its standard output as JSON (`ip -j`, `nft -j`). Empty output parses as []. */
export async function runJson<T = unknown>(argv: readonly string[], opts: RunOptions = {}): Promise<T> {
  const { stdout } = await run(argv, opts);
  const text = stdout.trim();
  return (text ? JSON.parse(text) : []) as T;
}

/** Throws a clear error unless the process runs as root, for code and tests that need the kernel. */
export function requireRoot(what: string): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error(`${what} needs root (network namespaces, links and nftables): run it as root, e.g. with sudo`);
  }
}
