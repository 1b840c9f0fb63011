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

/** Joins a started process to the WebSocket until it exits or the client leaves. */
export function serveExec(ws: WebSocket, proc: StreamProcess, opts: ExecOptions, protocol = 'v5.channel.k8s.io', transport?: Duplex): void {
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
  if (opts.stdout || opts.tty) pipe(proc.stdout, STDOUT); else proc.stdout.resume();
  if (opts.stderr && !opts.tty) pipe(proc.stderr, STDERR); else proc.stderr?.resume();

  ws.on('message', (raw: Buffer, isBinary: boolean) => {
    const msg = isBinary ? raw : Buffer.from(raw);
    if (msg.length === 0) return;
    const channel = msg[0], body = msg.subarray(1);
    if (channel === STDIN && proc.stdin && !proc.stdin.writableEnded) proc.stdin.write(body);
    else if (channel === RESIZE) {
      try { const { Width, Height } = JSON.parse(body.toString()); proc.resize?.(Width, Height); } catch { /* ignore a bad size */ }
    } else if (channel === CLOSE && body[0] === STDIN) proc.stdin?.end();
  });
  ws.on('close', () => proc.kill());
  proc.stdin?.on('error', () => { /* the process closed its stdin */ });

  void proc.exit.then(async (r) => {
    await Promise.race([Promise.all(pending), new Promise((res) => setTimeout(res, 2000))]);
    // v4 and v5 carry a Status on the error channel; the older channel protocols only an error's text.
    if (/^v[45]\./.test(protocol)) send(ws, ERROR, JSON.stringify(statusFor(r.code, r.signal)));
    else if (r.code !== 0) send(ws, ERROR, (statusFor(r.code, r.signal) as { message: string }).message);
    closeSession(ws, transport);
  });
}
