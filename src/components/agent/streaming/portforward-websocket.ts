// Port-forward over a plain channel WebSocket, as kubelet serves it (pkg/kubelet/cri/streaming/portforward/
// websocket.go) to clients that do not tunnel SPDY — the official Python client among them. The requested
// ports come in the query (`ports=80,8080`); each gets two channels, numbered in order from 0: data (read/
// write) then error (write only). The first frame on each channel is the port number, 2 bytes little-endian.
// Every port is dialled at once; the WebSocket closes when every port's connection has ended.
// Protocols: `v4.channel.k8s.io` and "" (binary frames, first byte the channel) and
// `v4.base64.channel.k8s.io` (text frames: the channel as an ASCII digit, then base64).
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { PodRef, StreamingRuntime } from './runtime.js';
import { closeSession } from './exec.js';

export const PORTFORWARD_CHANNEL_PROTOCOLS = ['v4.channel.k8s.io', 'v4.base64.channel.k8s.io'];

/** Encodes one channel frame in the negotiated framing. */
export function channelFrame(channel: number, data: Buffer, base64: boolean): Buffer | string {
  if (base64) return String.fromCharCode(48 + channel) + data.toString('base64');
  return Buffer.concat([Buffer.from([channel]), data]);
}

/** Decodes one frame into channel and payload; undefined for an empty or malformed frame. */
export function parseChannelFrame(raw: Buffer, isBinary: boolean, base64: boolean): { channel: number; data: Buffer } | undefined {
  if (raw.length === 0) return undefined;
  if (base64 && !isBinary) {
    const channel = raw[0] - 48;
    if (channel < 0 || channel > 9) return undefined;
    return { channel, data: Buffer.from(raw.subarray(1).toString('latin1'), 'base64') };
  }
  return { channel: raw[0], data: raw.subarray(1) };
}

export function portBytes(port: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(port);
  return b;
}

export function serveWebSocketPortForward(ws: WebSocket, protocol: string | undefined, ports: number[], runtime: StreamingRuntime,
  pod: PodRef, log?: (l: string) => void, transport?: Duplex): void {
  const base64 = protocol === 'v4.base64.channel.k8s.io';
  const send = (channel: number, data: Buffer) => {
    if (ws.readyState === ws.OPEN) ws.send(channelFrame(channel, data, base64), { binary: !base64 });
  };
  const sockets: (Duplex | undefined)[] = ports.map(() => undefined);
  const pendingIn: Buffer[][] = ports.map(() => []);
  let open = ports.length;
  const ended = () => { if (--open === 0 && ws.readyState === ws.OPEN) closeSession(ws, transport); };

  ports.forEach((port, i) => {
    send(2 * i, portBytes(port));
    send(2 * i + 1, portBytes(port));
    let done = false;
    const finish = (error?: string) => {
      if (done) return;
      done = true;
      if (error) send(2 * i + 1, Buffer.from(error));
      ended();
    };
    runtime.portForward(pod, port).then((socket) => {
      if (ws.readyState !== ws.OPEN) { socket.destroy(); return; }
      sockets[i] = socket;
      for (const b of pendingIn[i]) socket.write(b);
      pendingIn[i] = [];
      let drained = false;
      socket.on('data', (d: Buffer) => send(2 * i, d));
      socket.on('end', () => { drained = true; });
      // Once the pod's side has ended, an error is only the teardown of the pipe to it, not a failed
      // forward: an error message would make clients (the Python client) drop data still buffered.
      socket.on('error', (e) => finish(drained ? undefined : `error forwarding port ${port} to pod ${pod.namespace}/${pod.name}: ${e.message}`));
      socket.on('close', () => finish());
    }, (e: Error) => finish(`error forwarding port ${port} to pod ${pod.namespace}/${pod.name}: ${e.message}`));
  });

  ws.on('message', (raw: Buffer, isBinary: boolean) => {
    const f = parseChannelFrame(Buffer.isBuffer(raw) ? raw : Buffer.from(raw), isBinary, base64);
    // As kubelet: frames for an unknown channel or a write-only (error) channel are dropped.
    if (!f || f.channel % 2 !== 0 || f.channel / 2 >= ports.length) return;
    const i = f.channel / 2;
    const s = sockets[i];
    if (s) { if (!s.writableEnded) s.write(f.data); } else pendingIn[i].push(Buffer.from(f.data));
  });
  ws.on('close', () => { for (const s of sockets) s?.destroy(); });
  ws.on('error', (e) => log?.(`port-forward to ${pod.namespace}/${pod.name}: ${e.message}`));
}
