// The pod shim: one process per pod sandbox, like containerd's shim. It is started by the agent as
// `ip netns exec <pod netns> unshare --uts --mount --propagation private node shim-main.js <config>`, so it
// *is* the sandbox: it holds the pod's network, UTS and mount namespaces, sets the hostname, bind-mounts
// the pod's /etc/hosts, /etc/resolv.conf and /etc/hostname, and starts the containers as its children
// (they inherit the namespaces). It owns their stdio: output goes to CRI-format log files and to attached
// clients, stdin stays open for `kubectl attach`/`run -it`. It outlives the agent, so pods keep running
// (and logging) while the agent restarts, and records exit codes the agent collects when it comes back.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { CriLineSplitter } from './cri-log.js';
import {
  Channel, FrameReader, LineReader, SIGNAL_NUMBERS, frame, ttyCommand,
  type AttachRequest, type ContainerExit, type ContainerInfo, type ContainerSpec, type Request, type Response,
} from './shim-protocol.js';
import { childrenOf, signalGroup, startTicks, ttyOf } from './proc.js';
import { LISTENING_FD_ENV } from '../../../workloads/listening.js';

export interface ShimConfig {
  socket: string;
  hostname: string;
  /** Files bind-mounted over their targets in the pod's mount namespace. */
  binds: Array<{ source: string; target: string }>;
}

interface Container {
  info: ContainerInfo;
  child: ChildProcess;
  logFd: number;
  attached: Set<Socket>;
  stdinOnce: boolean;
  stdinClosed: boolean;
}

const containers = new Map<string, Container>();
const watchers = new Set<Socket>();

function log(line: string): void {
  process.stderr.write(`${new Date().toISOString()} shim ${process.pid}: ${line}\n`);
}

function setUp(config: ShimConfig): void {
  // We run in our own UTS namespace (unshare --uts): this sets the pod's hostname only.
  writeFileSync('/proc/sys/kernel/hostname', config.hostname);
  for (const b of config.binds) {
    const r = spawnSync('mount', ['--bind', b.source, b.target], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`mount --bind ${b.source} ${b.target} failed: ${(r.stderr || r.error?.message || '').trim()}`);
  }
}

function broadcast(c: Container, channel: number, data: Buffer): void {
  if (c.attached.size === 0) return;
  const f = frame(channel, data);
  for (const s of c.attached) s.write(f);
}

function exitOf(code: number | null, signal: NodeJS.Signals | null): ContainerExit {
  const exitCode = code ?? 128 + (signal ? SIGNAL_NUMBERS[signal] ?? 0 : 0);
  return { exitCode, ...(signal ? { signal } : {}), finishedAt: new Date().toISOString() };
}

/**
 * How long a built-in workload may take to say it listens before it is reported started anyway (then
 * only its probes tell whether it serves): the cluster DNS, for one, first reads its Corefile from the API.
 */
const LISTENING_TIMEOUT_MS = 30_000;

/** Resolves when the workload wrote its line on the listening pipe, closed it, or exited. */
function whenListening(child: ChildProcess, name: string): Promise<void> {
  const pipe = child.stdio[LISTENING_FD] as NodeJS.ReadableStream | null | undefined;
  if (!pipe) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => { log(`container ${name} did not say it listens within ${LISTENING_TIMEOUT_MS} ms: reported started anyway`); done(); }, LISTENING_TIMEOUT_MS);
    function done() { clearTimeout(timer); pipe!.removeAllListeners('data'); (pipe as unknown as { destroy(): void }).destroy(); resolve(); }
    pipe.on('data', done);
    pipe.on('end', done);
    pipe.on('error', done);
    child.once('exit', done);
  });
}

/** The fd a built-in workload finds its listening pipe on (PODNET_LISTENING_FD). */
const LISTENING_FD = 3;

function start(spec: ContainerSpec): Promise<ContainerInfo> {
  mkdirSync(dirname(spec.logPath), { recursive: true });
  const logFd = openSync(spec.logPath, 'a');
  const argv = spec.tty ? ['script', '-qfec', ttyCommand(spec.argv), '/dev/null'] : spec.argv;
  const listening = spec.signalsListening === true && !spec.tty;
  const child = spawn(argv[0], argv.slice(1), {
    cwd: spec.cwd, env: listening ? { ...spec.env, [LISTENING_FD_ENV]: String(LISTENING_FD) } : spec.env, detached: true,
    stdio: [spec.stdin ? 'pipe' : 'ignore', 'pipe', spec.tty ? 'ignore' : 'pipe', ...(listening ? ['pipe' as const] : [])],
  });
  return new Promise((resolve, reject) => {
    child.once('error', (e) => { closeSync(logFd); reject(e); });
    child.once('spawn', () => {
      const pid = child.pid!;
      const info: ContainerInfo = {
        id: spec.id, name: spec.name, restartCount: spec.restartCount, init: spec.init, pid, startTicks: startTicks(pid) ?? 0, startedAt: new Date().toISOString(),
        logPath: spec.logPath, tty: spec.tty, stdin: spec.stdin, env: spec.env, cwd: spec.cwd,
      };
      const c: Container = { info, child, logFd, attached: new Set(), stdinOnce: spec.stdinOnce, stdinClosed: false };
      containers.set(spec.id, c);
      const write = (entry: string) => { try { writeSync(logFd, entry); } catch { /* disk full: keep running */ } };
      const out = new CriLineSplitter('stdout', write);
      const err = new CriLineSplitter('stderr', write);
      child.stdout!.on('data', (d: Buffer) => { out.push(d); broadcast(c, Channel.stdout, d); });
      child.stderr?.on('data', (d: Buffer) => { err.push(d); broadcast(c, Channel.stderr, d); });
      child.stdin?.on('error', () => { /* the container closed its stdin */ });
      let exited: ContainerExit | undefined;
      let closed = false;
      const finish = () => {
        if (closed || !exited) return;
        closed = true;
        out.end(); err.end();
        try { closeSync(logFd); } catch { /* closed */ }
        info.exit = exited;
        const payload = JSON.stringify(exited);
        for (const s of c.attached) { s.write(frame(Channel.exit, payload)); s.end(); }
        c.attached.clear();
        const event = JSON.stringify({ event: 'exit', id: info.id, name: info.name, exit: exited }) + '\n';
        for (const w of watchers) w.write(event);
      };
      child.once('exit', (code, signal) => {
        exited = exitOf(code, signal);
        // Output still buffered in the pipes arrives before 'close'; a grandchild that keeps the pipe
        // open must not hold the exit back for long.
        setTimeout(finish, 2000).unref();
      });
      child.once('close', () => finish());
      if (listening) void whenListening(child, spec.name).then(() => resolve(info));
      else resolve(info);
    });
  });
}

function resize(c: Container, width: number, height: number): void {
  if (!c.info.tty) return;
  // `script` holds the pty master; its child has the terminal on stdin.
  const tty = childrenOf(c.info.pid).map(ttyOf).find((t) => t !== undefined);
  if (!tty) return;
  spawnSync('stty', ['-F', tty, 'rows', String(Math.max(1, height)), 'cols', String(Math.max(1, width))]);
}

function attach(sock: Socket, req: AttachRequest, rest: Buffer): void {
  const c = containers.get(req.id);
  if (!c) { sock.end(frame(Channel.error, `no container ${req.id} in this pod`)); return; }
  if (c.info.exit) { sock.end(frame(Channel.exit, JSON.stringify(c.info.exit))); return; }
  c.attached.add(sock);
  const reader = new FrameReader((channel, payload) => {
    if (channel === Channel.stdin && req.stdin && c.child.stdin && !c.stdinClosed) c.child.stdin.write(payload);
    else if (channel === Channel.resize) {
      try { const { width, height } = JSON.parse(payload.toString()); resize(c, width, height); } catch { /* bad size */ }
    } else if (channel === Channel.closeStdin && req.stdin) closeStdin(c);
  });
  sock.on('data', (d: Buffer) => reader.push(d));
  sock.on('close', () => {
    c.attached.delete(sock);
    if (req.stdin && c.stdinOnce) closeStdin(c);
  });
  sock.on('error', () => { /* the client went away */ });
  if (rest.length) reader.push(rest);
}

function closeStdin(c: Container): void {
  if (c.stdinClosed) return;
  c.stdinClosed = true;
  c.child.stdin?.end();
}

async function handle(sock: Socket, req: Request): Promise<void> {
  const reply = (r: Response) => { if (!sock.destroyed) sock.write(JSON.stringify(r) + '\n'); };
  try {
    switch (req.op) {
      case 'start': return reply({ seq: req.seq, ok: true, result: await start(req.spec) });
      case 'signal': {
        const c = containers.get(req.id);
        if (c && !c.info.exit) signalGroup(c.info.pid, req.signal);
        return reply({ seq: req.seq, ok: true });
      }
      case 'list': return reply({ seq: req.seq, ok: true, result: [...containers.values()].map((c) => c.info) });
      case 'remove': {
        const c = containers.get(req.id);
        if (c?.info.exit) containers.delete(req.id);
        return reply({ seq: req.seq, ok: true });
      }
      case 'watch': watchers.add(sock); sock.on('close', () => watchers.delete(sock)); return reply({ seq: req.seq, ok: true });
      case 'shutdown': reply({ seq: req.seq, ok: true }); return shutdown(0);
    }
  } catch (e) {
    reply({ seq: (req as { seq: number }).seq, ok: false, error: (e as Error).message });
  }
}

function onConnection(sock: Socket): void {
  let mode: 'json' | 'attach' = 'json';
  let pending = Buffer.alloc(0);
  const lines = new LineReader((line) => {
    let req: Request;
    try { req = JSON.parse(line); } catch { sock.end(); return; }
    void handle(sock, req);
  });
  sock.on('error', () => { /* the agent went away */ });
  sock.on('data', function first(d: Buffer) {
    if (mode !== 'json') return;
    pending = Buffer.concat([pending, d]);
    const nl = pending.indexOf(0x0a);
    if (nl < 0) return;
    const head = pending.subarray(0, nl).toString();
    let parsed: { op?: string } = {};
    try { parsed = JSON.parse(head); } catch { /* handled as a bad request */ }
    if (parsed.op === 'attach') {
      mode = 'attach';
      sock.off('data', first);
      attach(sock, parsed as AttachRequest, pending.subarray(nl + 1));
      return;
    }
    // A control connection: from now on every chunk goes to the line reader.
    sock.off('data', first);
    lines.push(pending);
    sock.on('data', (more: Buffer) => lines.push(more));
  });
}

let socketPath = '';

function shutdown(code: number): void {
  for (const c of containers.values()) if (!c.info.exit) signalGroup(c.info.pid, 'SIGKILL');
  try { rmSync(socketPath, { force: true }); } catch { /* gone */ }
  setTimeout(() => process.exit(code), 50);
}

function main(): void {
  const file = process.argv[2];
  if (!file) { log('usage: shim-main <config.json>'); process.exit(2); }
  const config = JSON.parse(readFileSync(file, 'utf8')) as ShimConfig;
  socketPath = config.socket;
  try {
    setUp(config);
  } catch (e) {
    log(`cannot set up the sandbox: ${(e as Error).message}`);
    process.exit(1);
  }
  mkdirSync(dirname(socketPath), { recursive: true });
  rmSync(socketPath, { force: true });
  const server = createServer(onConnection);
  server.on('error', (e) => { log(`socket ${socketPath}: ${e.message}`); process.exit(1); });
  server.listen(socketPath, () => log(`sandbox ready, hostname ${config.hostname}, socket ${socketPath}`));
  // Stopping the sandbox (SIGTERM from the agent or podnet down) ends whatever still runs in it.
  process.on('SIGTERM', () => shutdown(0));
  process.on('SIGINT', () => shutdown(0));
  process.on('SIGHUP', () => { /* the agent's terminal went away: keep running */ });
  // The shim holds the pod: a bug in one request must not take the containers' stdio down with it.
  process.on('uncaughtException', (e) => log(`unexpected error: ${e.stack ?? e}`));
}

main();
