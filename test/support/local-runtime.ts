// A StreamingRuntime for protocol tests: "containers" are host processes and port-forward dials loopback,
// so exec/logs/port-forward can be driven end to end through kubectl and the API server without namespaces.
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { Readable, type Duplex } from 'node:stream';
import type { LogOptions, PodRef, StreamingRuntime, StreamProcess } from '../../src/components/agent/streaming/index.js';
import { StreamRequestError } from '../../src/components/agent/streaming/index.js';

export class LocalRuntime implements StreamingRuntime {
  constructor(private readonly logsText: string, private readonly ports: Map<number, number>) {}

  async exec(_pod: PodRef, _container: string, command: string[], opts: { tty: boolean; stdin: boolean }): Promise<StreamProcess> {
    const child = spawn(command[0], command.slice(1), { stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    const exit = new Promise<{ code: number | null; signal?: string | null }>((resolve, reject) => {
      child.on('error', (e) => reject(new StreamRequestError(`exec failed: ${e.message}`)));
      child.on('exit', (code, signal) => resolve({ code, signal }));
    });
    await new Promise<void>((resolve, reject) => { child.on('spawn', () => resolve()); child.on('error', reject); });
    return { stdin: child.stdin ?? undefined, stdout: child.stdout!, stderr: child.stderr!, exit, kill: () => child.kill() };
  }

  async attach(): Promise<StreamProcess> {
    throw new StreamRequestError('attach is not supported by the local test runtime');
  }

  async logs(_pod: PodRef, _container: string, opts: LogOptions): Promise<Readable> {
    let lines = this.logsText.split('\n').filter(Boolean);
    if (opts.tailLines !== undefined) lines = lines.slice(-opts.tailLines);
    return Readable.from(lines.map((l) => l + '\n'));
  }

  async portForward(_pod: PodRef, port: number): Promise<Duplex> {
    const target = this.ports.get(port);
    if (!target) throw new Error(`nothing listens on port ${port}`);
    const socket = connect({ host: '127.0.0.1', port: target });
    await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
    return socket;
  }
}
