// Running a command inside a pod's sandbox, for exec probes and `kubectl exec`: nsenter into the shim's
// network, mount and UTS namespaces (so the command sees the pod's eth0, /etc/hosts, /etc/resolv.conf
// and hostname), with the container's environment and working directory.
import { spawnAttached, type ChildProcess } from '../../../linux/process.js';
import { ttyCommand } from './shim-protocol.js';

export interface ExecOptions {
  env: Record<string, string>;
  cwd: string;
  /** Run on a pseudo-terminal (through `script`), stdout and stderr merged. */
  tty?: boolean;
}

/** argv that runs `command` in the sandbox of the shim `shimPid`. */
export function nsenterArgv(shimPid: number, command: string[], opts: { cwd: string; tty?: boolean }): string[] {
  const inner = opts.tty ? ['script', '-qfec', ttyCommand(command), '/dev/null'] : command;
  return ['nsenter', '-t', String(shimPid), '-n', '-m', '-u', `--wd=${opts.cwd}`, '--', ...inner];
}

/** Spawns `command` in the sandbox with piped stdio. */
export function spawnInSandbox(shimPid: number, command: string[], opts: ExecOptions & { stdin: boolean }): ChildProcess {
  const argv = nsenterArgv(shimPid, command, opts);
  return spawnAttached(argv, { env: opts.env, stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', opts.tty ? 'ignore' : 'pipe'] });
}

/** Runs a command to completion (exec probes): exit code and combined output; rejects {timedOut} after timeoutMs. */
export function execInSandbox(shimPid: number, command: string[], opts: ExecOptions & { timeoutMs: number }): Promise<{ exitCode: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawnInSandbox(shimPid, command, { ...opts, stdin: false });
    let output = '';
    const add = (d: Buffer) => { if (output.length < 10_240) output += d.toString(); };
    child.stdout?.on('data', add);
    child.stderr?.on('data', add);
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(Object.assign(new Error('timed out'), { timedOut: true })); }, opts.timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code) => { clearTimeout(timer); resolve({ exitCode: code ?? 137, output }); });
  });
}
