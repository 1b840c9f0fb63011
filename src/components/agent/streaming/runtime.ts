// What the streaming server needs from the node's container runtime: processes it can talk to (exec,
// attach), a container's log, and a TCP connection to a port inside a pod's network namespace.
import type { Duplex, Readable, Writable } from 'node:stream';

export interface StreamProcess {
  stdin?: Writable;
  stdout: Readable;
  /** Absent with a tty: stderr is merged into stdout there. */
  stderr?: Readable;
  /** Terminal size changes (tty only). */
  resize?(width: number, height: number): void;
  /** Resolves when the process ends. */
  exit: Promise<{ code: number | null; signal?: string | null }>;
  /** Ends the process (the client went away). */
  kill(): void;
}

export interface LogOptions {
  follow: boolean;
  tailLines?: number;
  limitBytes?: number;
  sinceSeconds?: number;
  sinceTime?: string;
  timestamps: boolean;
  previous: boolean;
}

export interface PodRef { namespace: string; name: string }

/** A runtime error a client should see as a 4xx Status (unknown pod or container, container not running). */
export class StreamRequestError extends Error {
  constructor(message: string, readonly code = 400, readonly reason = 'BadRequest') {
    super(message);
    this.name = 'StreamRequestError';
  }
}

export interface StreamingRuntime {
  exec(pod: PodRef, container: string, command: string[], opts: { tty: boolean; stdin: boolean }): Promise<StreamProcess>;
  attach(pod: PodRef, container: string, opts: { tty: boolean; stdin: boolean }): Promise<StreamProcess>;
  logs(pod: PodRef, container: string, opts: LogOptions): Promise<Readable>;
  /** Connects to 127.0.0.1:port inside the pod's network namespace. */
  portForward(pod: PodRef, port: number): Promise<Duplex>;
}
