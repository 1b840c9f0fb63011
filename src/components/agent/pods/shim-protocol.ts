// The protocol between the agent and a pod's shim, over the shim's unix socket. Control connections
// carry newline-delimited JSON: requests with a sequence number and their answers, and, once a
// connection sent `watch`, container exit events. An attach connection sends one JSON line
// ({op:'attach'}) and then carries frames: 1 byte channel, 4 bytes big-endian length, payload.

export interface ContainerSpec {
  /** The container instance id (64 hex characters, as CRI ids). */
  id: string;
  /** The pod's container name. */
  name: string;
  /** Which run of the container this is (kubelet's restartCount when it was started). */
  restartCount: number;
  /** Whether it is an init container. */
  init: boolean;
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  /** The CRI-format log file of this instance. */
  logPath: string;
  /** Keep a pipe to the container's stdin open for attach. */
  stdin: boolean;
  /** Close the stdin pipe when the first attach session ends. */
  stdinOnce: boolean;
  /** Run on a pseudo-terminal (stdout and stderr merged). */
  tty: boolean;
  /**
   * A built-in workload that says when it listens (src/workloads/listening.ts): `start` answers only once
   * it did (or exited, or closed the pipe), so the container is reported started when it serves.
   */
  signalsListening?: boolean;
}

export interface ContainerExit {
  exitCode: number;
  signal?: string;
  finishedAt: string;
}

export interface ContainerInfo {
  id: string;
  name: string;
  restartCount: number;
  init: boolean;
  pid: number;
  /** Start time in clock ticks after boot (field 22 of /proc/<pid>/stat): tells a reused pid apart. */
  startTicks: number;
  startedAt: string;
  logPath: string;
  tty: boolean;
  stdin: boolean;
  /** The environment and working directory it runs with (exec and exec probes use them too). */
  env: Record<string, string>;
  cwd: string;
  exit?: ContainerExit;
}

export type Request =
  | { seq: number; op: 'start'; spec: ContainerSpec }
  | { seq: number; op: 'signal'; id: string; signal: NodeJS.Signals }
  | { seq: number; op: 'list' }
  | { seq: number; op: 'remove'; id: string }
  | { seq: number; op: 'watch' }
  | { seq: number; op: 'shutdown' };

export type Response =
  | { seq: number; ok: true; result?: unknown }
  | { seq: number; ok: false; error: string };

export interface ExitEvent { event: 'exit'; id: string; name: string; exit: ContainerExit }

export interface AttachRequest { op: 'attach'; id: string; stdin: boolean }

export const Channel = { stdin: 0, stdout: 1, stderr: 2, exit: 3, resize: 4, closeStdin: 5, error: 6 } as const;

export function frame(channel: number, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const head = Buffer.alloc(5);
  head[0] = channel;
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

/** Reassembles frames from a byte stream. */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);
  constructor(private readonly onFrame: (channel: number, payload: Buffer) => void) {}
  push(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    while (this.buf.length >= 5) {
      const len = this.buf.readUInt32BE(1);
      if (this.buf.length < 5 + len) break;
      const channel = this.buf[0];
      const payload = this.buf.subarray(5, 5 + len);
      this.buf = this.buf.subarray(5 + len);
      this.onFrame(channel, payload);
    }
  }
}

/** Splits newline-delimited JSON; returns the bytes after the first `limit` lines when asked (attach handoff). */
export class LineReader {
  private buf = '';
  constructor(private readonly onLine: (line: string) => void) {}
  push(chunk: Buffer | string): void {
    this.buf += chunk.toString();
    for (;;) {
      const nl = this.buf.indexOf('\n');
      if (nl < 0) break;
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      if (line.trim()) this.onLine(line);
    }
  }
}

/** Shell-quotes argv for `script -c` (which runs its command through sh). */
export function shellQuote(argv: string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/**
 * The `script -c` command for a command on a new pseudo-terminal: a terminal starts as 80x24 (the client's
 * size follows with the first resize), then the command replaces the shell.
 */
export function ttyCommand(argv: string[]): string {
  return `stty cols 80 rows 24 2>/dev/null; exec ${shellQuote(argv)}`;
}

/** Signal numbers for the exit code a runtime reports for a signalled process (128 + n). */
export const SIGNAL_NUMBERS: Record<string, number> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9,
  SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15,
};
