// Debian's nginx as a child process: the data plane of podnet's ingress controller. nginx runs in the
// foreground (`daemon off;` in the config) as a child of the controller, so it lives and dies with the
// container; its pid file, temp directories and config live in a per-pod directory (-p <dir>).
// Changes are applied as upstream nginx intends: `nginx -t` on the new file first, then SIGHUP to the
// master, which starts workers with the new config and lets the old ones finish their connections.
import { spawn, type ChildProcess } from 'node:child_process';
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
  /** Graceful reload: SIGHUP to the master (it re-reads the file it was started with). */
  reload(): void;
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
  return {
    pid: child.pid!,
    exited,
    reload: () => { child.kill('SIGHUP'); },
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGQUIT');
      const t = setTimeout(() => child.kill('SIGTERM'), graceMs);
      await exited;
      clearTimeout(t);
    },
  };
}
