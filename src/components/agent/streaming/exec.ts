// exec and attach over WebSocket, protocol v5.channel.k8s.io (v4 also accepted): binary messages whose
// first byte is the channel — 0 stdin, 1 stdout, 2 stderr, 3 error (the final Status), 4 resize, and in
// v5 255 = close, with the closed channel as second byte. The exit code travels as a Status on channel 3
// (v4, v5; the Python client speaks v4), as plain text in channel.k8s.io, v2 and v3.
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { StreamProcess } from './runtime.js';
import { podExecOptionsFrom } from '../../../core/api/query-params.js';

const STDIN = 0, STDOUT = 1, STDERR = 2, ERROR = 3, RESIZE = 4, CLOSE = 255;

export interface ExecOptions { stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean }

/** The streams asked for, read as apimachinery reads booleans (`stdout=True` from the Python client is true). */
export function execOptionsFrom(q: URLSearchParams): ExecOptions {
  const { stdin, stdout, stderr, tty } = podExecOptionsFrom(q);
  return { stdin, stdout, stderr, tty };
}

function statusFor(code: number | null, signal?: string | null): object {
  if (code === 0) return { metadata: {}, status: 'Success' };
  const exit = code ?? 137;
  return {
    metadata: {}, status: 'Failure', reason: 'NonZeroExitCode',
    message: signal ? `command terminated by signal ${signal}` : `command terminated with non-zero exit code: error executing command, exit status ${exit}`,
    details: { causes: [{ reason: 'ExitCode', message: String(exit) }] },
  };
}

function send(ws: WebSocket, channel: number, data: Buffer | string): void {
  if (ws.readyState !== ws.OPEN) return;
  const body = typeof data === 'string' ? Buffer.from(data) : data;
  ws.send(Buffer.concat([Buffer.from([channel]), body]), { binary: true });
}

/**
 * Ends a session as kubelet does: the close frame, then at once the end of the connection. Waiting for the
 * client's close frame (ws's default, up to 30 s) stalls clients that wait for the socket to become
 * readable: the Python client selects on the raw socket while the Status and the close frame already sit
 * in its TLS buffer, and sees them only when the connection ends.
 */
export function closeSession(ws: WebSocket, transport?: Duplex): void {
  ws.close(1000);
  transport?.end();
}

/** Reports a failure before or instead of running anything, then closes. */
export function sendFailure(ws: WebSocket, message: string, transport?: Duplex): void {
  send(ws, ERROR, JSON.stringify({ metadata: {}, status: 'Failure', message, reason: 'InternalError' }));
  closeSession(ws, transport);
}

/**
 * Joins a process to the WebSocket until it exits or the client leaves. The process is still starting
 * when the WebSocket opens (attach connects to the pod's shim, exec spawns), and a client with piped
 * input (`printf ... | kubectl run -i`, `kubectl exec -i`) sends stdin at once: what arrives meanwhile
 * is kept and delivered, in order, once the process is there, as the CRI streaming server does.
 */
export function serveExec(ws: WebSocket, started: Promise<StreamProcess>, opts: ExecOptions, failure: (e: unknown) => string,
  protocol = 'v5.channel.k8s.io', transport?: Duplex): void {
  let proc: StreamProcess | undefined;
  let left = false;
  const early: Buffer[] = [];
  const deliver = (msg: Buffer) => {
    const p = proc!;
    const channel = msg[0], body = msg.subarray(1);
    if (channel === STDIN && p.stdin && !p.stdin.writableEnded) p.stdin.write(body);
    else if (channel === RESIZE) {
      try { const { Width, Height } = JSON.parse(body.toString()); p.resize?.(Width, Height); } catch { /* ignore a bad size */ }
    } else if (channel === CLOSE && body[0] === STDIN) p.stdin?.end();
  };
  ws.on('message', (raw: Buffer, isBinary: boolean) => {
    const msg = isBinary ? raw : Buffer.from(raw);
    if (msg.length === 0) return;
    if (proc) deliver(msg); else early.push(msg);
  });
  ws.on('close', () => { left = true; proc?.kill(); });

  started.then((p) => {
    proc = p;
    // The client left while it started: an attach session just ends, an exec'd process is stopped.
    if (left) { p.kill(); return; }
    const pending: Promise<void>[] = [];
    const pipe = (stream: NodeJS.ReadableStream | undefined, channel: number) => {
      if (!stream) return;
      pending.push(new Promise((resolve) => {
        stream.on('data', (d: Buffer) => send(ws, channel, d));
        stream.on('end', () => resolve());
        stream.on('close', () => resolve());
        stream.on('error', () => resolve());
      }));
    };
    if (opts.stdout || opts.tty) pipe(p.stdout, STDOUT); else p.stdout.resume();
    if (opts.stderr && !opts.tty) pipe(p.stderr, STDERR); else p.stderr?.resume();
    p.stdin?.on('error', () => { /* the process closed its stdin */ });
    for (const m of early.splice(0)) deliver(m);

    void p.exit.then(async (r) => {
      await Promise.race([Promise.all(pending), new Promise((res) => setTimeout(res, 2000))]);
      // v4 and v5 carry a Status on the error channel; the older channel protocols only an error's text.
      if (/^v[45]\./.test(protocol)) send(ws, ERROR, JSON.stringify(statusFor(r.code, r.signal)));
      else if (r.code !== 0) send(ws, ERROR, (statusFor(r.code, r.signal) as { message: string }).message);
      closeSession(ws, transport);
    });
  }, (e) => sendFailure(ws, failure(e), transport));
}
