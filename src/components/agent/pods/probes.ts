// Container probes, as kubelet's prober workers run them (pkg/kubelet/prober/worker.go): one worker per
// container and probe kind, first after initialDelaySeconds, then every periodSeconds, each attempt
// bounded by timeoutSeconds; the result flips only after failureThreshold consecutive failures or
// successThreshold consecutive successes. Readiness starts as failure, liveness as success, startup as
// unknown; liveness and readiness wait until the startup probe succeeded.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { V1Container, V1Probe } from '@kubernetes/client-node';

export type ProbeKind = 'liveness' | 'readiness' | 'startup';
export type ProbeResult = 'success' | 'failure' | 'unknown';

export interface AttemptResult { ok: boolean; output: string }

/** Threshold bookkeeping of one probe worker (pure). */
export class ProbeTracker {
  result: ProbeResult;
  private streak = 0;
  private last?: boolean;

  constructor(readonly kind: ProbeKind, readonly probe: V1Probe) {
    this.result = kind === 'liveness' ? 'success' : kind === 'readiness' ? 'failure' : 'unknown';
  }

  get failureThreshold(): number { return this.probe.failureThreshold ?? 3; }
  get successThreshold(): number { return this.kind === 'readiness' ? this.probe.successThreshold ?? 1 : 1; }

  /** Records one attempt; returns true when the result changed. */
  record(ok: boolean): boolean {
    this.streak = this.last === ok ? this.streak + 1 : 1;
    this.last = ok;
    const before = this.result;
    if (ok && this.streak >= this.successThreshold) this.result = 'success';
    if (!ok && this.streak >= this.failureThreshold) this.result = 'failure';
    return before !== this.result;
  }
}

export interface ProbeTarget {
  /** The pod's IP (the node's with hostNetwork): where httpGet and tcpSocket connect by default. */
  podIP: string;
  container: V1Container;
  /** Runs a command in the container (nsenter); rejects with {timedOut} on timeout. */
  exec(command: string[], timeoutMs: number): Promise<{ exitCode: number; output: string }>;
}

/** A named port (`http`) resolved from the container's ports, as kubelet's findPortByName. */
export function resolvePort(port: number | string | undefined, container: V1Container): number {
  if (typeof port === 'number') return port;
  if (port !== undefined && /^\d+$/.test(port)) return Number(port);
  const named = container.ports?.find((p) => p.name === port);
  if (!named) throw new Error(`couldn't find port: ${port} in ${JSON.stringify(container.ports ?? [])}`);
  return named.containerPort;
}

const hostPort = (host: string, port: number) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

function httpProbe(p: NonNullable<V1Probe['httpGet']>, t: ProbeTarget, timeoutMs: number): Promise<AttemptResult> {
  const host = p.host || t.podIP;
  const port = resolvePort(p.port as number | string, t.container);
  const scheme = (p.scheme ?? 'HTTP').toLowerCase();
  const path = p.path ? (p.path.startsWith('/') ? p.path : `/${p.path}`) : '/';
  const url = `${scheme}://${hostPort(host, port)}${path}`;
  const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.32', Accept: '*/*' };
  for (const h of p.httpHeaders ?? []) headers[h.name] = h.value;
  const send = scheme === 'https' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = send(url, { method: 'GET', headers, timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { if (body.length < 10_240) body += d.toString(); });
      res.on('end', () => {
        const code = res.statusCode ?? 0;
        if (code >= 200 && code < 400) resolve({ ok: true, output: body });
        else resolve({ ok: false, output: `HTTP probe failed with statuscode: ${code}` });
      });
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'PROBE_TIMEOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => {
      const why = e.code === 'PROBE_TIMEOUT' ? 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)'
        : e.code === 'ECONNREFUSED' ? `dial tcp ${hostPort(host, port)}: connect: connection refused` : e.message;
      resolve({ ok: false, output: `Get "${url}": ${why}` });
    });
    req.end();
  });
}

function tcpProbe(p: NonNullable<V1Probe['tcpSocket']>, t: ProbeTarget, timeoutMs: number): Promise<AttemptResult> {
  const host = p.host || t.podIP;
  const port = resolvePort(p.port as number | string, t.container);
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const timer = setTimeout(() => { s.destroy(); resolve({ ok: false, output: `dial tcp ${hostPort(host, port)}: i/o timeout` }); }, timeoutMs);
    s.once('connect', () => { clearTimeout(timer); s.destroy(); resolve({ ok: true, output: '' }); });
    s.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, output: e.code === 'ECONNREFUSED' ? `dial tcp ${hostPort(host, port)}: connect: connection refused` : `dial tcp ${hostPort(host, port)}: ${e.message}` });
    });
  });
}

/** One probe attempt. */
export async function runProbe(probe: V1Probe, t: ProbeTarget): Promise<AttemptResult> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  try {
    if (probe.httpGet) return await httpProbe(probe.httpGet, t, timeoutMs);
    if (probe.tcpSocket) return await tcpProbe(probe.tcpSocket, t, timeoutMs);
    if (probe.exec) {
      const cmd = probe.exec.command ?? [];
      try {
        const r = await t.exec(cmd, timeoutMs);
        return { ok: r.exitCode === 0, output: r.output };
      } catch (e) {
        if ((e as { timedOut?: boolean }).timedOut) return { ok: false, output: `command ${JSON.stringify(cmd.join(' '))} timed out` };
        throw e;
      }
    }
    if (probe.grpc) return { ok: false, output: 'gRPC probes are not supported by podnet: use httpGet, tcpSocket or exec' };
    return { ok: false, output: 'probe has no handler: set httpGet, tcpSocket or exec' };
  } catch (e) {
    return { ok: false, output: (e as Error).message };
  }
}

/**
 * A probe worker: runs the probe on its schedule while `active()` allows, and reports every attempt
 * (for Unhealthy events) and every change of result.
 */
export class ProbeWorker {
  readonly tracker: ProbeTracker;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    readonly kind: ProbeKind,
    probe: V1Probe,
    private readonly target: () => ProbeTarget | undefined,
    private readonly active: () => boolean,
    private readonly onAttempt: (w: ProbeWorker, r: AttemptResult, changed: boolean) => void,
  ) {
    this.tracker = new ProbeTracker(kind, probe);
  }

  start(): void {
    this.schedule((this.tracker.probe.initialDelaySeconds ?? 0) * 1000);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const t = this.target();
    if (t && this.active()) {
      const r = await runProbe(this.tracker.probe, t);
      if (this.stopped) return;
      const changed = this.tracker.record(r.ok);
      this.onAttempt(this, r, changed);
      // A startup probe that succeeded has done its job.
      if (this.kind === 'startup' && this.tracker.result === 'success') return;
    }
    this.schedule((this.tracker.probe.periodSeconds ?? 10) * 1000);
  }
}
