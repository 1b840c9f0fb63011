// Debian's nginx as a child process: the data plane of podnet's ingress controller. nginx runs in the
// foreground (`daemon off;` in the config) as a child of the controller, so it lives and dies with the
// container; its pid file, temp directories and config live in a per-pod directory (-p <dir>).
// Changes are applied as upstream nginx intends: `nginx -t` on the new file first, then SIGHUP to the
// master, which starts workers with the new config and lets the old ones finish their connections.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { run, CommandError } from './exec.js';

export const NGINX_BINARY = '/usr/sbin/nginx';

export class NginxConfigError extends Error {
  constructor(readonly output: string) {
    super(`nginx refused the configuration: ${output.trim()}`);
    this.name = 'NginxConfigError';
  }
}

/** `nginx -t`: resolves when the file is valid, else throws NginxConfigError with nginx's own words. */
export async function testNginxConfig(confFile: string, prefix: string, binary = NGINX_BINARY): Promise<void> {
  try {
    await run([binary, '-t', '-q', '-p', prefix, '-e', 'stderr', '-c', confFile], { timeoutMs: 60_000 });
  } catch (e) {
    if (e instanceof CommandError) throw new NginxConfigError(e.stderr || e.stdout || e.message);
    throw e;
  }
}

export interface NginxProcess {
  readonly pid: number;
  /**
   * Graceful reload: SIGHUP to the master (it re-reads the file it was started with). Resolves once the
   * new configuration takes new connections: new workers run and every old one is shutting down (or gone),
   * so whoever is told "reloaded" and connects at once gets the new rules.
   */
  reload(): Promise<void>;
  /** SIGQUIT (graceful shutdown), SIGTERM after graceMs; resolves when the master exited. */
  stop(graceMs?: number): Promise<void>;
  /** Resolves with the exit code when the master exits. */
  readonly exited: Promise<number | null>;
}

/** Starts the nginx master on confFile (which must say `daemon off;`); its output goes to ours. */
export async function startNginx(confFile: string, prefix: string, binary = NGINX_BINARY): Promise<NginxProcess> {
  const child: ChildProcess = spawn(binary, ['-p', prefix, '-e', 'stderr', '-c', confFile], { stdio: ['ignore', 'inherit', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (e) => reject(new Error(`cannot start ${binary}: ${e.message}; install Debian's nginx (apt-get install -y nginx)`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const pid = child.pid!;
  // The master opens the listening sockets before it forks workers: with a worker running, nginx serves.
  await until(() => workersOf(pid).length > 0, exited);
  return {
    pid,
    exited,
    async reload() {
      const old = new Set(workersOf(pid));
      child.kill('SIGHUP');
      await until(() => {
        const now = workersOf(pid);
        return now.some((w) => !old.has(w)) && [...old].every((w) => !now.includes(w) || shuttingDown(w));
      }, exited);
    },
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGQUIT');
      const t = setTimeout(() => child.kill('SIGTERM'), graceMs);
      await exited;
      clearTimeout(t);
    },
  };
}

/** The pids of the master's worker processes (children of pid), from /proc. */
function workersOf(pid: number): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(e));
    } catch { /* exited meanwhile */ }
  }
  return out;
}

/** Whether an nginx worker got the master's QUIT: it renames itself "worker process is shutting down". */
function shuttingDown(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('shutting down');
  } catch {
    return true;
  }
}

/** Polls check every 5 ms until it holds, nginx exits, or 10 s pass (nginx then serves what it serves). */
async function until(check: () => boolean, exited: Promise<unknown>): Promise<void> {
  let gone = false;
  void exited.then(() => { gone = true; });
  const deadline = Date.now() + 10_000;
  while (!gone && Date.now() < deadline && !check()) await new Promise((r) => setTimeout(r, 5));
}
