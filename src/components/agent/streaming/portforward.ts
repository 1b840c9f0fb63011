// kubectl port-forward over SPDY: for every local connection the client opens an error stream and a
// data stream sharing a requestID and naming the pod port; the server dials that port inside the pod's
// network namespace and joins it to the data stream, reporting a failed dial on the error stream.
import type { Duplex } from 'node:stream';
import { SpdyConnection, type SpdyStream } from './spdy.js';
import type { PodRef, StreamingRuntime } from './runtime.js';

interface Pair { error?: SpdyStream; data?: SpdyStream }

export function servePortForward(transport: Duplex, runtime: StreamingRuntime, pod: PodRef, log?: (l: string) => void): SpdyConnection {
  const conn = new SpdyConnection(transport);
  const pairs = new Map<string, Pair>();
  conn.on('error', (e: Error) => log?.(`port-forward to ${pod.namespace}/${pod.name}: ${e.message}`));
  conn.on('stream', (stream: SpdyStream) => {
    const type = stream.headers['streamtype'];
    const key = stream.headers['requestid'] ?? String(type === 'error' ? stream.id : stream.id - 2);
    void stream.reply();
    stream.on('error', () => { /* the pair's other half reports */ });
    const pair = pairs.get(key) ?? {};
    pairs.set(key, pair);
    if (type === 'error') { pair.error = stream; stream.resume(); }
    else if (type === 'data') { pair.data = stream; void forward(key, pair, stream); }
    else stream.reset();
  });

  async function forward(key: string, pair: Pair, data: SpdyStream): Promise<void> {
    const port = Number(data.headers['port']);
    const fail = (message: string) => {
      const e = pair.error;
      if (e && !e.destroyed) e.end(message);
      data.end();
      pairs.delete(key);
    };
    if (!Number.isInteger(port) || port < 1 || port > 65535) return fail(`invalid port: ${data.headers['port']}`);
    let socket: Duplex;
    try {
      socket = await runtime.portForward(pod, port);
    } catch (e) {
      return fail(`error forwarding port ${port} to pod ${pod.namespace}/${pod.name}: ${(e as Error).message}`);
    }
    socket.on('error', (e) => fail(`error forwarding port ${port} to pod ${pod.namespace}/${pod.name}: ${e.message}`));
    data.pipe(socket);
    socket.pipe(data);
    const done = () => { pair.error?.end(); pairs.delete(key); };
    socket.on('close', () => { if (!data.writableEnded) data.end(); done(); });
    data.on('close', () => socket.destroy());
  }
  return conn;
}
