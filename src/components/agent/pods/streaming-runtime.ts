// The streaming server's runtime on real pods: exec (nsenter into the sandbox, through a pseudo-terminal
// with `script` for -t, resizable), attach (to the container's own stdio, held by the shim), logs (the
// CRI log files, kubelet's options) and port-forward (socat connecting to 127.0.0.1:<port> inside the pod's
// network namespace; socat is the Debian package of that name).
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { Duplex, type Readable } from 'node:stream';
import { NETNS_RUN_DIR } from '../../../linux/netns.js';
import { spawnAttached, spawnPiped } from '../../../linux/process.js';
import type { LogOptions, PodRef, StreamingRuntime, StreamProcess } from '../streaming/runtime.js';
import { StreamRequestError } from '../streaming/runtime.js';
import { isRunning, type ContainerState } from './container-state.js';
import { plainLogLine, readCriLog } from './cri-log.js';
import type { PodManager } from './pod-manager.js';
import type { PodWorker } from './pod-worker.js';
import { childrenOf, ttyOf } from './proc.js';
import { spawnInSandbox } from './sandbox-exec.js';

/** A pod whose log is a plain file rather than a container's: the agent's mirror pod. */
export interface FileLogPod { namespace: string; name: string; container: string; path: string }

export class PodStreamingRuntime implements StreamingRuntime {
  constructor(private readonly pods: PodManager, private readonly fileLogs: FileLogPod[] = []) {}

  private find(pod: PodRef, container?: string): { w: PodWorker; c?: ContainerState } {
    const w = this.pods.worker(pod.namespace, pod.name);
    if (!w) throw new StreamRequestError(`pod "${pod.name}" in namespace "${pod.namespace}" does not run on this node`, 404, 'NotFound');
    if (container === undefined) return { w };
    const c = w.containers.get(container);
    if (!c) throw new StreamRequestError(`container ${container} is not valid for pod ${pod.name}`, 400, 'BadRequest');
    return { w, c };
  }

  private running(pod: PodRef, container: string): { w: PodWorker; c: ContainerState; shimPid: number } {
    const { w, c } = this.find(pod, container);
    const shimPid = w.record?.shim?.pid;
    if (!c || !isRunning(c) || !shimPid) {
      throw new StreamRequestError(`container ${container} is not running in pod ${pod.namespace}/${pod.name}${c?.waiting ? ` (${c.waiting.reason})` : ''}`, 400, 'BadRequest');
    }
    return { w, c, shimPid };
  }

  async exec(pod: PodRef, container: string, command: string[], opts: { tty: boolean; stdin: boolean }): Promise<StreamProcess> {
    const { c, shimPid } = this.running(pod, container);
    const i = c.instance!;
    const env = { ...i.env, ...(opts.tty ? { TERM: i.env.TERM ?? 'xterm' } : {}) };
    const child = spawnInSandbox(shimPid, command, { env, cwd: i.cwd, tty: opts.tty, stdin: opts.stdin || opts.tty });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (e) => reject(new StreamRequestError(`exec failed: ${e.message}`, 500, 'InternalError')));
    });
    const exit = new Promise<{ code: number | null; signal?: string | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
    return {
      stdin: child.stdin ?? undefined,
      stdout: child.stdout!,
      stderr: opts.tty ? undefined : child.stderr!,
      exit,
      kill: () => { try { child.kill('SIGKILL'); } catch { /* gone */ } },
      resize: opts.tty ? (width, height) => resizePty(child.pid!, width, height) : undefined,
    };
  }

  async attach(pod: PodRef, container: string, opts: { tty: boolean; stdin: boolean }): Promise<StreamProcess> {
    const { w, c } = this.running(pod, container);
    if (opts.stdin && !c.spec.stdin) throw new StreamRequestError(`container ${container} in pod ${pod.name} does not keep stdin open: set stdin: true in its spec to attach with -i`, 400, 'BadRequest');
    const session = await w.shim!.attach(c.instance!.id, { stdin: opts.stdin, tty: c.instance!.tty });
    // As kubelet's attach: the session ends when the container's streams end, without an exit code
    // (kubectl learns how the container ended from the pod status).
    const exit = session.exit.then(() => ({ code: 0, signal: null }));
    return {
      stdin: session.stdin, stdout: session.stdout, stderr: session.stderr, exit,
      resize: c.instance!.tty ? (width, height) => session.resize(width, height) : undefined,
      // The client leaving ends the attach session, not the container.
      kill: () => session.detach(),
    };
  }

  async logs(pod: PodRef, container: string, opts: LogOptions): Promise<Readable> {
    const file = this.fileLogs.find((f) => f.namespace === pod.namespace && f.name === pod.name);
    if (file) {
      if (container !== file.container) throw new StreamRequestError(`container ${container} is not valid for pod ${pod.name}`, 400, 'BadRequest');
      if (opts.previous) throw new StreamRequestError(`previous terminated container "${container}" in pod "${pod.name}" not found`, 400, 'BadRequest');
      const sinceMs = opts.sinceTime ? Date.parse(opts.sinceTime) : opts.sinceSeconds !== undefined ? Date.now() - opts.sinceSeconds * 1000 : undefined;
      return readCriLog(file.path, {
        tailLines: opts.tailLines !== undefined && opts.tailLines >= 0 ? opts.tailLines : undefined,
        sinceMs, timestamps: opts.timestamps, limitBytes: opts.limitBytes, follow: opts.follow, parse: plainLogLine,
      });
    }
    const { w, c } = this.find(pod, container);
    const cs = c!;
    const i = cs.instance;
    // A pod that finished before this agent started has no instance in memory, but its log files stay.
    const current = i?.logPath ?? this.pods.paths.containerLog(w.namespace, w.name, w.uid, container, cs.restartCount);
    if (!i && !existsSync(current)) {
      throw new StreamRequestError(`container "${container}" in pod "${pod.name}" is waiting to start: ${cs.waiting?.reason ?? 'ContainerCreating'}`, 400, 'BadRequest');
    }
    let path = current;
    if (opts.previous) {
      if (cs.restartCount === 0) throw new StreamRequestError(`previous terminated container "${container}" in pod "${pod.name}" not found`, 400, 'BadRequest');
      path = path.replace(/\/(\d+)\.log$/, `/${cs.restartCount - 1}.log`);
    }
    const sinceMs = opts.sinceTime ? Date.parse(opts.sinceTime) : opts.sinceSeconds !== undefined ? Date.now() - opts.sinceSeconds * 1000 : undefined;
    return readCriLog(path, {
      tailLines: opts.tailLines !== undefined && opts.tailLines >= 0 ? opts.tailLines : undefined,
      sinceMs, timestamps: opts.timestamps, limitBytes: opts.limitBytes, follow: opts.follow && !opts.previous,
      running: () => i !== undefined && cs.instance === i && isRunning(cs),
    });
  }

  async portForward(pod: PodRef, port: number): Promise<Duplex> {
    const { w } = this.find(pod);
    const record = w.record;
    if (!record || !w.shim || w.shim.isClosed) throw new StreamRequestError(`pod ${pod.namespace}/${pod.name} has no running sandbox`, 400, 'BadRequest');
    if (!record.netns) {
      // hostNetwork: the pod's network namespace is the node's, where the agent runs.
      const s = connect({ host: '127.0.0.1', port });
      await new Promise<void>((resolve, reject) => { s.once('connect', resolve); s.once('error', reject); });
      return s;
    }
    const child = spawnPiped(['socat', '-d', '-d', '-', `TCP:127.0.0.1:${port}`], { netns: `${NETNS_RUN_DIR}/${record.netns}` });
    await new Promise<void>((resolve, reject) => {
      let err = '';
      child.once('error', (e) => reject(new Error(`cannot run socat for port-forward (install the socat package): ${e.message}`)));
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (/successfully connected/.test(err)) resolve();
      });
      child.once('close', () => reject(new Error(`error forwarding port ${port} to pod ${pod.namespace}/${pod.name}: ${err.split('\n').find((l) => / E /.test(l))?.replace(/^.* E /, '') ?? `socat exited`}`)));
    });
    // Not Duplex.from: when the pod closes the connection, socat exits and its stdin closes, which
    // Duplex.from treats as a premature close and destroys the stream, dropping the pod's last bytes
    // still on their way through stdout. Here the read side ends only with stdout.
    child.stdin.on('error', () => { /* socat has gone; its stdout says the rest */ });
    const duplex = new Duplex({
      // The pod's side ending ends ours too (then the stream closes), as a TCP socket without half-open.
      allowHalfOpen: false,
      read: () => { child.stdout.resume(); },
      write: (chunk: Buffer, _enc, cb) => { if (child.stdin.writable) child.stdin.write(chunk, () => cb()); else cb(); },
      final: (cb) => { child.stdin.end(); cb(); },
      destroy: (err, cb) => { try { child.kill(); } catch { /* gone */ } cb(err); },
    });
    child.stdout.on('data', (d: Buffer) => { if (!duplex.push(d)) child.stdout.pause(); });
    child.stdout.on('end', () => duplex.push(null));
    return duplex;
  }
}

/** Resizes the terminal of an exec session: the pty is on the stdin of `script`'s child. */
function resizePty(pid: number, width: number, height: number, attempt = 0): void {
  const tty = childrenOf(pid).map(ttyOf).find((t) => t !== undefined);
  if (!tty) {
    // The first size comes as the session starts, possibly before `script` has made the terminal.
    if (attempt < 20) setTimeout(() => resizePty(pid, width, height, attempt + 1), 50).unref();
    return;
  }
  spawnAttached(['stty', '-F', tty, 'rows', String(Math.max(1, height)), 'cols', String(Math.max(1, width))], { stdio: 'ignore' }).on('error', () => undefined);
}
