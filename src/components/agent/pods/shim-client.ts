// The agent's side of the shim protocol: one control connection per pod (requests, exit events) and one
// extra connection per attach session.
import { connect, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import {
  Channel, FrameReader, LineReader, frame,
  type ContainerExit, type ContainerInfo, type ContainerSpec, type ExitEvent, type Response,
} from './shim-protocol.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function open(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(path);
    s.once('connect', () => { s.off('error', reject); resolve(s); });
    s.once('error', reject);
  });
}

export interface AttachSession {
  stdin?: PassThrough;
  stdout: PassThrough;
  stderr?: PassThrough;
  exit: Promise<ContainerExit | undefined>;
  resize(width: number, height: number): void;
  detach(): void;
}

export class ShimClient {
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private exitListener?: (e: ExitEvent) => void;
  private closed = false;
  private onClose?: () => void;

  private constructor(readonly socketPath: string, private readonly sock: Socket) {
    const lines = new LineReader((line) => {
      let msg: Response | ExitEvent;
      try { msg = JSON.parse(line); } catch { return; }
      if ('event' in msg) { this.exitListener?.(msg); return; }
      const p = this.pending.get(msg.seq);
      if (!p) return;
      this.pending.delete(msg.seq);
      if (msg.ok) p.resolve(msg.result); else p.reject(new Error(msg.error));
    });
    sock.on('data', (d: Buffer) => lines.push(d));
    sock.on('error', () => { /* reported through close */ });
    sock.on('close', () => {
      this.closed = true;
      for (const p of this.pending.values()) p.reject(new Error(`the pod shim at ${socketPath} closed the connection`));
      this.pending.clear();
      this.onClose?.();
    });
  }

  /** Connects, retrying while the shim is still starting (no socket yet, or not yet listening). */
  static async connect(socketPath: string, timeoutMs = 10_000, alive?: () => boolean): Promise<ShimClient> {
    const deadline = Date.now() + timeoutMs;
    for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
      try {
        return new ShimClient(socketPath, await open(socketPath));
      } catch (e) {
        if (Date.now() > deadline || (alive && !alive())) {
          throw new Error(`cannot reach the pod shim at ${socketPath}: ${(e as Error).message}`);
        }
        await sleep(delay);
      }
    }
  }

  get isClosed(): boolean { return this.closed; }

  /** Called once when the shim's connection ends (the shim exited). */
  onDisconnect(fn: () => void): void { this.onClose = fn; }

  private request<T>(body: Record<string, unknown>): Promise<T> {
    if (this.closed) return Promise.reject(new Error(`the pod shim at ${this.socketPath} is gone`));
    const seq = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(seq, { resolve: resolve as (v: unknown) => void, reject });
      this.sock.write(JSON.stringify({ ...body, seq }) + '\n');
    });
  }

  start(spec: ContainerSpec): Promise<ContainerInfo> { return this.request({ op: 'start', spec }); }
  signal(id: string, signal: NodeJS.Signals): Promise<void> { return this.request({ op: 'signal', id, signal }); }
  list(): Promise<ContainerInfo[]> { return this.request({ op: 'list' }); }
  remove(id: string): Promise<void> { return this.request({ op: 'remove', id }); }
  shutdown(): Promise<void> { return this.request({ op: 'shutdown' }); }

  /** Subscribes to container exits. */
  async watch(onExit: (e: ExitEvent) => void): Promise<void> {
    this.exitListener = onExit;
    await this.request({ op: 'watch' });
  }

  close(): void { this.sock.destroy(); }

  /** Attaches to a running container's stdio. */
  async attach(id: string, opts: { stdin: boolean; tty: boolean }): Promise<AttachSession> {
    const sock = await open(this.socketPath);
    sock.write(JSON.stringify({ op: 'attach', id, stdin: opts.stdin }) + '\n');
    const stdout = new PassThrough();
    const stderr = opts.tty ? undefined : new PassThrough();
    let exitResolve!: (e: ContainerExit | undefined) => void;
    const exit = new Promise<ContainerExit | undefined>((r) => (exitResolve = r));
    let error: string | undefined;
    const reader = new FrameReader((channel, payload) => {
      if (channel === Channel.stdout) stdout.write(payload);
      else if (channel === Channel.stderr) (stderr ?? stdout).write(payload);
      else if (channel === Channel.exit) { try { exitResolve(JSON.parse(payload.toString())); } catch { exitResolve(undefined); } }
      else if (channel === Channel.error) error = payload.toString();
    });
    sock.on('data', (d: Buffer) => reader.push(d));
    sock.on('error', () => { /* ends below */ });
    sock.on('close', () => {
      stdout.end(); stderr?.end();
      if (error) stdout.destroy(new Error(error));
      exitResolve(undefined);
    });
    let stdin: PassThrough | undefined;
    if (opts.stdin) {
      stdin = new PassThrough();
      stdin.on('data', (d: Buffer) => { if (!sock.destroyed) sock.write(frame(Channel.stdin, d)); });
      stdin.on('end', () => { if (!sock.destroyed) sock.write(frame(Channel.closeStdin, '')); });
    }
    return {
      stdin, stdout, stderr, exit,
      resize: (width, height) => { if (!sock.destroyed) sock.write(frame(Channel.resize, JSON.stringify({ width, height }))); },
      detach: () => sock.end(),
    };
  }
}
