// How a built-in workload tells the pod's shim that it listens. A real nginx or agnhost has its sockets
// bound within milliseconds of starting; podnet's built-in workloads are Node.js programs that take a
// moment longer, so the shim gives them a pipe (its fd number in PODNET_LISTENING_FD) and reports the
// container started only once a line arrives on it (or the pipe closes). `kubectl wait
// --for=condition=Ready` followed at once by a request then finds the port open, as with the real images.
import { closeSync, writeSync } from 'node:fs';

export const LISTENING_FD_ENV = 'PODNET_LISTENING_FD';

let signalled = false;

/** Tells the shim that every socket is bound (once; a no-op when not started by a shim). */
export function signalListening(): void {
  if (signalled) return;
  signalled = true;
  const fd = Number(process.env[LISTENING_FD_ENV]);
  delete process.env[LISTENING_FD_ENV];
  if (!Number.isInteger(fd) || fd < 3) return;
  try { writeSync(fd, 'listening\n'); } catch { /* the shim stopped waiting */ }
  try { closeSync(fd); } catch { /* closed */ }
}

/** Signals once every listen/bind given has completed. */
export function signalWhenListening(bound: Array<Promise<unknown>>): void {
  void Promise.all(bound).then(signalListening);
}
