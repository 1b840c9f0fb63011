// exec/attach over the channel protocol: what a client sends while the process is still starting (attach
// opening its connection to the shim, exec spawning) reaches the process, in order, with the close of
// stdin after it — `printf 'hostname\nexit\n' | kubectl run -i` sends its input at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { WebSocket } from 'ws';
import { serveExec } from './exec.js';
import type { StreamProcess } from './runtime.js';

class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  readonly sent: Buffer[] = [];
  closed = false;
  send(data: Buffer): void { this.sent.push(data); }
  close(): void { this.closed = true; this.readyState = 3; }
  fromClient(channel: number, body: string | number[]): void {
    this.emit('message', Buffer.concat([Buffer.from([channel]), Buffer.from(body as string)]), true);
  }
}

function process(): { proc: StreamProcess; stdin: PassThrough; stdout: PassThrough; finish(): void; killed: () => boolean } {
  const stdin = new PassThrough(), stdout = new PassThrough();
  let done!: (r: { code: number }) => void;
  let killed = false;
  const proc: StreamProcess = { stdin, stdout, exit: new Promise((r) => (done = r)), kill: () => { killed = true; } };
  return { proc, stdin, stdout, finish: () => { stdout.end(); done({ code: 0 }); }, killed: () => killed };
}

test('stdin sent before the process started is delivered, in order, then closed', async () => {
  const ws = new FakeSocket();
  const p = process();
  let start!: (proc: StreamProcess) => void;
  serveExec(ws as unknown as WebSocket, new Promise((r) => (start = r)), { stdin: true, stdout: true, stderr: false, tty: false }, String);
  ws.fromClient(0, 'hostname\n');
  ws.fromClient(0, 'exit\n');
  ws.fromClient(255, [0]);
  let received = '';
  p.stdin.on('data', (d) => (received += d));
  const ended = new Promise((r) => p.stdin.on('end', r));
  start(p.proc);
  await ended;
  assert.equal(received, 'hostname\nexit\n');
  p.finish();
  await new Promise((r) => setTimeout(r, 10));
  assert.ok(ws.closed);
  assert.equal(ws.sent.at(-1)![0], 3, 'the final Status on channel 3');
});

test('a client that left before the process started does not leave it running', async () => {
  const ws = new FakeSocket();
  const p = process();
  let start!: (proc: StreamProcess) => void;
  serveExec(ws as unknown as WebSocket, new Promise((r) => (start = r)), { stdin: true, stdout: true, stderr: false, tty: false }, String);
  ws.emit('close');
  start(p.proc);
  await new Promise((r) => setTimeout(r, 10));
  assert.ok(p.killed());
});

test('a process that cannot start is reported on channel 3', async () => {
  const ws = new FakeSocket();
  serveExec(ws as unknown as WebSocket, Promise.reject(new Error('container c is not running')), { stdin: true, stdout: true, stderr: false, tty: false }, (e) => (e as Error).message);
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(ws.sent[0][0], 3);
  assert.match(ws.sent[0].subarray(1).toString(), /container c is not running/);
  assert.ok(ws.closed);
});
