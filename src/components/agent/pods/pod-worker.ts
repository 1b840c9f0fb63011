// One pod's worker, kubelet's pod worker + SyncPod: every change (the pod object, a container exit, a
// probe result, a back-off expiring) triggers a sync, one at a time per pod. A sync admits the pod (host
// ports), makes the sandbox, runs init containers in order and then the containers, restarts them per
// restartPolicy with crash-loop back-off, kills them when a liveness or startup probe fails, writes the
// status, and on deletion stops everything gracefully, tears the sandbox down and removes the pod.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { CoreV1Api, V1Pod, V1PodStatus } from '@kubernetes/client-node';
import { PodApi } from './pod-api.js';
import { backoffKey, goDuration, type CrashLoopBackoff } from './backoff.js';
import { containerStatus, hasSucceeded, isRunning, newContainerState, terminationOf, type ContainerState } from './container-state.js';
import type { EnvSources, NodeFacts } from './env.js';
import { planContainer } from './container-plan.js';
import { containerFieldPath, type PodEventRecorder } from './events.js';
import { hostNetworkHostsFile, managedHostsFile, podHostnameAndDomain } from './hosts-file.js';
import { hostPortConflict, hostPortRejection } from '../../../core/net/index.js';
import { writeRecord, type SandboxRecord } from './pod-record.js';
import { buildPodStatus, rejectedPodStatus } from './pod-status.js';
import { startProbes, stopProbes } from './container-probes.js';
import { podDnsConfig, renderResolvConf, type DnsConfig } from './resolv-conf.js';
import { createSandbox, destroySandbox, reconnectSandbox, SandboxError, shimAlive, type SandboxEnv } from './sandbox.js';
import type { ShimClient } from './shim-client.js';
import type { ContainerInfo, ExitEvent } from './shim-protocol.js';
import { execInSandbox } from './sandbox-exec.js';
import { isActive, transition, type LifecycleEvent, type PodLifecycle } from './pod-lifecycle.js';

export interface WorkerDeps {
  sandbox: SandboxEnv;
  core: CoreV1Api;
  events: PodEventRecorder;
  node: NodeFacts;
  clusterDomain: string;
  clusterDNS: string[];
  /** Credentials for built-in workloads that read the API (cluster DNS), as a pod's service account would. */
  apiKubeconfig: string;
  hostResolv(): DnsConfig;
  hostHosts(): string;
  envSources: EnvSources;
  /** NetworkPolicy's gate: resolves once the new sandbox's addresses have their policy rules. */
  networkReady?(pod: V1Pod, podIPs: string[]): Promise<void>;
  backoff: CrashLoopBackoff;
  /** Pods this node admitted and has not finished (for the host port check). */
  activePods(): V1Pod[];
  log(line: string): void;
  /** The worker is done: the pod is gone and everything it had is torn down. */
  onGone(uid: string): void;
  /** Delay before retrying a failed sandbox teardown (default teardownBackoffMs; tests shorten it). */
  teardownBackoff?: (failures: number) => number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Retry delay after the n-th failed teardown: 500 ms doubling up to 30 s (kubelet retries a failed kill at its next sync). */
export function teardownBackoffMs(failures: number): number {
  return Math.min(500 * 2 ** Math.max(0, failures - 1), 30_000);
}
/** How often a pod is synced without a reason, as kubelet's resync. */
const RESYNC_MS = 10_000;

export class PodWorker {
  readonly uid: string;
  /** Where the pod is in its life on this node (pod-lifecycle.ts). */
  private state: PodLifecycle = { kind: 'pending' };
  record?: SandboxRecord;
  shim?: ShimClient;
  readonly containers = new Map<string, ContainerState>();
  private teardownFailures = 0;
  private startTime?: Date;
  private syncing = false;
  private dirty = false;
  private timers = new Set<NodeJS.Timeout>();
  private readonly api: PodApi;
  private sandboxFailures = 0;
  private resync?: NodeJS.Timeout;
  private readonly earlyExits = new Map<string, ExitEvent>();
  private leftover?: SandboxRecord;

  constructor(public pod: V1Pod, private readonly deps: WorkerDeps) {
    this.uid = pod.metadata!.uid!;
    this.api = new PodApi(deps.core, pod.metadata?.namespace ?? 'default', pod.metadata?.name ?? '', this.uid, pod.status);
    if (pod.status?.startTime) this.startTime = new Date(pod.status.startTime);
    for (const c of pod.spec?.initContainers ?? []) this.containers.set(c.name, newContainerState(c, true));
    for (const c of pod.spec?.containers ?? []) this.containers.set(c.name, newContainerState(c, false));
    this.resync = setInterval(() => this.trigger(), RESYNC_MS);
    this.resync.unref();
  }

  get namespace(): string { return this.pod.metadata?.namespace ?? 'default'; }
  get name(): string { return this.pod.metadata?.name ?? ''; }
  /** Admitted, not finished and not rejected: holds its host ports. */
  get active(): boolean { return isActive(this.state); }

  private to(event: LifecycleEvent): void { this.state = transition(this.state, event); }

  update(pod: V1Pod): void {
    this.pod = pod;
    this.api.observe(pod.status);
    this.trigger();
  }

  /** The pod object is gone from the API: stop everything at once. */
  remove(): void {
    this.to('removed');
    this.trigger();
  }

  trigger(): void {
    this.dirty = true;
    if (this.syncing) return;
    this.syncing = true;
    void this.loop();
  }

  private async loop(): Promise<void> {
    while (this.dirty) {
      this.dirty = false;
      try {
        if (await this.sync() === 'gone') { this.dispose(); this.deps.onGone(this.uid); return; }
      } catch (e) {
        this.deps.log(`pod ${this.namespace}/${this.name}: sync failed: ${(e as Error).stack ?? e}`);
        this.after(2000);
      }
    }
    this.syncing = false;
  }

  private after(ms: number): void {
    const t = setTimeout(() => { this.timers.delete(t); this.trigger(); }, Math.max(0, ms));
    t.unref();
    this.timers.add(t);
  }

  private dispose(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.resync) clearInterval(this.resync);
    for (const c of this.containers.values()) this.stopProbes(c);
    this.shim?.close();
  }

  /**
   * A pod that finished before this agent started (its sandbox is gone): nothing runs for it, its status
   * stays, and its logs stay readable until it is deleted.
   */
  adoptFinished(): void {
    this.to('finish');
    for (const s of [...(this.pod.status?.containerStatuses ?? []), ...(this.pod.status?.initContainerStatuses ?? [])]) {
      const c = this.containers.get(s.name);
      if (c) c.restartCount = s.restartCount;
    }
  }

  /** Takes over a sandbox a previous agent made, if its shim still runs (same IP, same processes). */
  async adopt(record: SandboxRecord): Promise<boolean> {
    this.to('admit');
    this.startTime ??= new Date(record.createdAt);
    if (record.state !== 'ready' || !shimAlive(record)) { this.record = record; return false; }
    const shim = await reconnectSandbox(record);
    this.record = record;
    this.shim = shim;
    shim.onDisconnect(() => this.trigger());
    await shim.watch((e) => this.onExit(e));
    const infos = await shim.list();
    for (const c of this.containers.values()) this.adoptContainer(c, infos.filter((i) => i.name === c.spec.name));
    return true;
  }

  private adoptContainer(c: ContainerState, infos: ContainerInfo[]): void {
    if (infos.length === 0) return;
    infos.sort((a, b) => a.restartCount - b.restartCount);
    const cur = infos[infos.length - 1];
    const prev = infos.length > 1 ? infos[infos.length - 2] : undefined;
    c.restartCount = cur.restartCount;
    c.instance = { id: cur.id, pid: cur.pid, startTicks: cur.startTicks, startedAt: cur.startedAt, logPath: cur.logPath, env: cur.env, cwd: cur.cwd, tty: cur.tty, stdin: cur.stdin, exit: cur.exit };
    const fromStatus = [...(this.pod.status?.containerStatuses ?? []), ...(this.pod.status?.initContainerStatuses ?? [])].find((s) => s.name === c.spec.name);
    c.imageID = fromStatus?.imageID ?? '';
    if (prev?.exit) c.lastTermination = terminationOf({ ...prev, exit: prev.exit });
    else if (fromStatus?.lastState?.terminated) c.lastTermination = fromStatus.lastState.terminated;
    if (isRunning(c)) this.startProbes(c);
  }

  // ---- sync -------------------------------------------------------------------------------------

  private async sync(): Promise<'gone' | undefined> {
    const pod = this.pod;
    if (this.state.kind === 'removed') {
      await this.killAll(0);
      // A failed step is retried with back-off (teardown says so on the pod and schedules the retry).
      if (!(await this.teardown())) return undefined;
      // The pod is gone for good: its logs go too, as kubelet's garbage collection removes them.
      rmSync(this.deps.sandbox.paths.podLogDir(this.namespace, this.name, this.uid), { recursive: true, force: true });
      return 'gone';
    }
    if (pod.metadata?.deletionTimestamp) {
      if (this.state.kind !== 'terminating') {
        this.to('deletion');
        const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
        await this.killAll(grace);
      }
      // Every sync until the pod is deleted retries what is left: the sandbox, then the final status and delete.
      if (this.state.kind === 'terminating' && this.state.deleteSent) return undefined;
      if (!(await this.teardown())) return undefined;
      await this.writeStatus(true);
      await this.api.deleteNow();
      this.to('deleteSent');
      return undefined;
    }
    // A finished pod whose sandbox could not be torn down yet: try again.
    if (this.state.kind === 'finished' && (this.record || this.leftover)) { await this.teardown(); return undefined; }
    if (this.state.kind === 'rejected' || this.state.kind === 'finished') return undefined;
    if (this.state.kind === 'pending' && !(await this.admit())) return undefined;
    this.startTime ??= new Date();

    if (!(await this.ensureSandbox())) { await this.writeStatus(false); return undefined; }

    const restartPolicy = pod.spec?.restartPolicy ?? 'Always';
    let initDone = true;
    for (const c of pod.spec?.initContainers ?? []) {
      const cs = this.containers.get(c.name)!;
      if (c.restartPolicy === 'Always') { // a sidecar: started in order, then kept running like a container
        if (!isRunning(cs)) await this.runOrRestart(cs, 'Always');
        if (!cs.startupDone) { initDone = false; break; }
        continue;
      }
      if (hasSucceeded(cs)) continue;
      initDone = false;
      if (isRunning(cs)) break;
      if (cs.instance?.exit && restartPolicy === 'Never') break;
      await this.runOrRestart(cs, restartPolicy === 'Never' ? 'Never' : 'OnFailure');
      break;
    }
    if (initDone) {
      for (const c of pod.spec?.containers ?? []) {
        const cs = this.containers.get(c.name)!;
        if (cs.killing && isRunning(cs)) { await this.killContainer(cs, this.graceSeconds(cs), cs.killing); continue; }
        if (!isRunning(cs)) await this.runOrRestart(cs, restartPolicy);
      }
    }
    const status = await this.writeStatus(false);
    if ((status.phase === 'Succeeded' || status.phase === 'Failed') && ![...this.containers.values()].some(isRunning)) {
      // kubelet stops the sandbox of a finished pod (releasing its IP); the status stays as it is.
      this.to('finish');
      for (const c of this.containers.values()) this.stopProbes(c);
      await this.teardown();
    }
    return undefined;
  }

  private async admit(): Promise<boolean> {
    const conflict = hostPortConflict(this.pod, this.deps.activePods());
    if (conflict) {
      const r = hostPortRejection(conflict);
      this.to('reject');
      this.deps.events.pod(this.pod, 'Warning', r.reason, `${r.message}: ${r.detail}`);
      await this.api.patchStatus(rejectedPodStatus(this.pod, r.reason, `${r.message}: ${r.detail}`, this.deps.node.hostIP, new Date()));
      return false;
    }
    this.to('admit');
    return true;
  }

  private graceSeconds(cs: ContainerState): number {
    const probeGrace = cs.probes.find((p) => p.tracker.result === 'failure' && p.kind !== 'readiness')?.tracker.probe.terminationGracePeriodSeconds;
    return probeGrace ?? this.pod.spec?.terminationGracePeriodSeconds ?? 30;
  }

  // ---- sandbox ----------------------------------------------------------------------------------

  private sandboxFiles() {
    const pod = this.pod;
    const { hostname } = podHostnameAndDomain(pod, this.deps.clusterDomain);
    const dns = podDnsConfig(pod, { clusterDNS: this.deps.clusterDNS, clusterDomain: this.deps.clusterDomain, host: this.deps.hostResolv() });
    for (const w of dns.warnings) this.deps.events.pod(pod, 'Warning', 'DNSConfigForming', w);
    const hostNetwork = pod.spec?.hostNetwork === true;
    return {
      hostname: hostNetwork ? this.deps.node.nodeName : hostname,
      resolvConf: renderResolvConf(dns.config),
      hosts: (ips: string[]) => (hostNetwork ? hostNetworkHostsFile(pod, this.deps.hostHosts()) : managedHostsFile(pod, ips, this.deps.clusterDomain)),
    };
  }

  /** Makes sure a live sandbox exists; false (with an event, and a retry scheduled) when it cannot be made. */
  private async ensureSandbox(): Promise<boolean> {
    if (this.record && this.shim && !this.shim.isClosed && shimAlive(this.record)) return true;
    if (this.leftover) {
      // A sandbox that failed half-way and could not be torn down then: it goes before another is made.
      await destroySandbox(this.deps.sandbox, this.leftover);
      this.leftover = undefined;
    }
    if (this.record) {
      this.deps.events.pod(this.pod, 'Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');
      for (const c of this.containers.values()) {
        if (c.instance && !c.instance.exit) c.instance.exit = { exitCode: 137, finishedAt: new Date().toISOString() };
        if (c.instance) { c.instance.reason ??= 'ContainerStatusUnknown'; c.instance.message ??= 'The container could not be located when the pod was terminated'; }
        this.stopProbes(c);
      }
      await destroySandbox(this.deps.sandbox, this.record, this.shim);
      this.record = undefined;
      this.shim = undefined;
    }
    try {
      const { record, shim } = await createSandbox(this.deps.sandbox, this.pod, this.sandboxFiles());
      if (!record.hostNetwork && this.deps.networkReady) {
        // No container may run (and listen, or send) before the pod's NetworkPolicy rules exist.
        try {
          await this.deps.networkReady(this.pod, record.podIPs);
        } catch (e) {
          await destroySandbox(this.deps.sandbox, record, shim);
          throw new Error(`network policy rules for ${record.podIPs.join(', ')} could not be programmed: ${(e as Error).message}`);
        }
      }
      this.record = record;
      this.shim = shim;
      this.sandboxFailures = 0;
      shim.onDisconnect(() => this.trigger());
      await shim.watch((e) => this.onExit(e));
      return true;
    } catch (e) {
      if (e instanceof SandboxError && e.leftover) this.leftover = e.leftover;
      this.sandboxFailures++;
      this.deps.events.pod(this.pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${(e as Error).message}`);
      this.after(Math.min(1000 * 2 ** Math.min(this.sandboxFailures, 6), 60_000));
      return false;
    }
  }

  /**
   * Tears the sandbox down (and a half-made one left from a failed create). When a step fails — a CNI
   * DEL that timed out under load, say — the pod says so with an event, as kubelet's FailedKillPod with
   * its KillPodSandboxError, and the next sync tries again after a back-off, for as long as the pod
   * exists: false then. The pod goes only once the step succeeded.
   */
  private async teardown(): Promise<boolean> {
    for (const c of this.containers.values()) this.stopProbes(c);
    try {
      if (this.leftover) { await destroySandbox(this.deps.sandbox, this.leftover); this.leftover = undefined; }
      if (this.record) {
        await destroySandbox(this.deps.sandbox, this.record, this.shim);
        this.record = undefined;
        this.shim = undefined;
      }
    } catch (e) {
      this.teardownFailures++;
      const message = (e as Error).message;
      const retryMs = (this.deps.teardownBackoff ?? teardownBackoffMs)(this.teardownFailures);
      this.deps.log(`pod ${this.namespace}/${this.name}: tearing the sandbox down failed (attempt ${this.teardownFailures}, next in ${retryMs} ms): ${message}`);
      const sandboxId = (this.record ?? this.leftover)?.sandboxId ?? this.uid;
      this.deps.events.pod(this.pod, 'Warning', 'FailedKillPod',
        `error killing pod: failed to "KillPodSandbox" for "${this.uid}" with KillPodSandboxError: "failed to destroy network for sandbox \\"${sandboxId}\\": ${message}"`);
      this.after(retryMs);
      return false;
    }
    this.teardownFailures = 0;
    return true;
  }

  private onExit(e: ExitEvent): void {
    const c = [...this.containers.values()].find((x) => x.instance?.id === e.id);
    if (c) {
      c.instance!.exit = e.exit;
      this.stopProbes(c);
    } else {
      // The exit of a run that ended before its start was even answered: applied when it is recorded.
      this.earlyExits.set(e.id, e);
    }
    this.trigger();
  }

  // ---- containers -------------------------------------------------------------------------------

  /** Starts a container that never ran, or restarts one per policy and back-off. */
  private async runOrRestart(cs: ContainerState, policy: string): Promise<void> {
    const i = cs.instance;
    if (i?.exit) {
      const failed = i.exit.exitCode !== 0 || i.reason !== undefined;
      if (policy === 'Never' || (policy === 'OnFailure' && !failed)) return;
      const key = backoffKey(this.uid, cs.spec.name);
      const finishedAt = Date.parse(i.exit.finishedAt);
      const b = this.deps.backoff.inBackoff(key, finishedAt, Date.now());
      if (b.waiting) {
        cs.waiting = {
          reason: 'CrashLoopBackOff',
          message: `back-off ${goDuration(b.backoffMs)} restarting failed container=${cs.spec.name} pod=${this.name}_${this.namespace}(${this.uid})`,
        };
        if (cs.backoffNotedFor !== i.exit.finishedAt) {
          cs.backoffNotedFor = i.exit.finishedAt;
          this.deps.events.pod(this.pod, 'Warning', 'BackOff', `Back-off restarting failed container ${cs.spec.name} in pod ${this.name}_${this.namespace}(${this.uid})`, containerFieldPath(this.pod, cs.spec.name));
        }
        this.after(b.remainingMs + 50);
        return;
      }
      this.deps.backoff.next(key, finishedAt);
    }
    await this.startContainer(cs);
  }

  private async startContainer(cs: ContainerState): Promise<void> {
    const pod = this.pod, spec = cs.spec, name = spec.name;
    const fieldPath = containerFieldPath(pod, name);
    const podIPs = this.record?.hostNetwork ? [this.deps.node.hostIP] : this.record?.podIPs ?? [];
    const plan = await planContainer(pod, spec, {
      node: this.deps.node, clusterDomain: this.deps.clusterDomain, envSources: this.deps.envSources, podIPs,
      apiKubeconfig: this.deps.apiKubeconfig,
    });
    if (plan.kind === 'wait') {
      // Reported once per reason and message, not at every sync.
      if (cs.waiting?.message !== plan.message) for (const e of plan.events) this.deps.events.pod(pod, e.type, e.reason, e.message, fieldPath);
      cs.waiting = { reason: plan.reason, message: plan.message };
      if (plan.retryMs) this.after(plan.retryMs);
      return;
    }
    for (const e of plan.events) this.deps.events.pod(pod, e.type, e.reason, e.message, fieldPath);
    const { argv, env: fullEnv, cwd } = plan;
    let startError = plan.startError;
    cs.imageID = plan.imageID;
    const tty = spec.tty === true;
    const restartCount = cs.instance ? cs.restartCount + 1 : cs.restartCount;
    const previous = cs.instance;
    const id = randomBytes(32).toString('hex');
    const logPath = this.deps.sandbox.paths.containerLog(this.namespace, this.name, this.uid, name, restartCount);

    this.deps.events.pod(pod, 'Normal', 'Created', `Created container: ${name}`, fieldPath);
    if (previous) {
      cs.lastTermination = terminationOf(previous);
      // Keep only the previous run in the shim (for its exit record); older ones are forgotten.
      void this.shim?.list().then((all) => {
        for (const x of all) if (x.name === name && x.id !== previous.id && x.exit) void this.shim?.remove(x.id).catch(() => undefined);
      }).catch(() => undefined);
    }
    cs.restartCount = restartCount;
    cs.waiting = undefined;
    cs.killing = undefined;
    cs.startupDone = false;
    const now = new Date().toISOString();
    if (!startError) {
      try {
        const info = await this.shim!.start({
          id, name, restartCount, init: cs.init, argv, env: fullEnv, cwd, logPath,
          stdin: spec.stdin === true, stdinOnce: spec.stdinOnce === true, tty, signalsListening: plan.signalsListening,
        });
        cs.instance = { id, pid: info.pid, startTicks: info.startTicks, startedAt: info.startedAt, logPath, env: fullEnv, cwd, tty, stdin: spec.stdin === true };
        const early = this.earlyExits.get(id);
        if (early) { this.earlyExits.delete(id); cs.instance.exit = early.exit; }
        this.record!.containers[name] = { id, pid: info.pid, startTicks: info.startTicks };
        writeRecord(this.deps.sandbox.paths, this.record!);
        this.deps.events.pod(pod, 'Normal', 'Started', `Started container ${name}`, fieldPath);
        this.startProbes(cs);
        return;
      } catch (e) {
        startError = (e as Error).message;
      }
    }
    // The run could not start: a terminated run with StartError, exit code 128, restarted under back-off.
    cs.instance = { id, pid: 0, startTicks: 0, startedAt: now, logPath, env: fullEnv, cwd, tty, stdin: false, exit: { exitCode: 128, finishedAt: now }, reason: 'StartError', message: startError };
    this.deps.events.pod(pod, 'Warning', 'Failed', `Error: failed to start container "${name}": ${startError}`, fieldPath);
    this.after(100);
  }

  /** SIGTERM, then SIGKILL after the grace period; resolves once the run exited. */
  private async killContainer(cs: ContainerState, graceSeconds: number, message?: string): Promise<void> {
    const i = cs.instance;
    if (!i || i.exit || !this.shim) return;
    this.deps.events.pod(this.pod, 'Normal', 'Killing', message ?? `Stopping container ${cs.spec.name}`, containerFieldPath(this.pod, cs.spec.name));
    this.stopProbes(cs);
    await this.shim.signal(i.id, 'SIGTERM').catch(() => undefined);
    const deadline = Date.now() + Math.max(graceSeconds, 0) * 1000;
    while (!i.exit && Date.now() < deadline && !this.shim.isClosed) await sleep(50);
    if (!i.exit && !this.shim.isClosed) {
      await this.shim.signal(i.id, 'SIGKILL').catch(() => undefined);
      for (let n = 0; n < 100 && !i.exit && !this.shim.isClosed; n++) await sleep(20);
    }
    cs.killing = undefined;
  }

  private async killAll(graceSeconds: number): Promise<void> {
    await Promise.all([...this.containers.values()].filter(isRunning).map((c) => this.killContainer(c, graceSeconds)));
  }

  // ---- probes -----------------------------------------------------------------------------------

  private startProbes(cs: ContainerState): void {
    const instance = cs.instance;
    startProbes(cs, {
      target: () => {
        if (!this.record || !instance) return undefined;
        const podIP = this.record.hostNetwork ? this.deps.node.hostIP : this.record.podIPs[0];
        const shimPid = this.record.shim!.pid;
        return {
          podIP, container: cs.spec,
          exec: (command: string[], timeoutMs: number) => execInSandbox(shimPid, command, { env: instance.env, cwd: instance.cwd, timeoutMs }),
        };
      },
      unhealthy: (message) => this.deps.events.pod(this.pod, 'Warning', 'Unhealthy', message, containerFieldPath(this.pod, cs.spec.name)),
      changed: () => this.trigger(),
    });
  }

  private stopProbes(cs: ContainerState): void {
    stopProbes(cs);
  }

  // ---- status and deletion ----------------------------------------------------------------------

  private computeStatus(podIsTerminal: boolean): V1PodStatus {
    const pod = { ...this.pod, status: this.api.lastStatus ?? this.pod.status };
    const anyInitPending = (pod.spec?.initContainers ?? []).some((c) => !hasSucceeded(this.containers.get(c.name)!));
    const init = (pod.spec?.initContainers ?? []).map((c) => containerStatus(this.containers.get(c.name)!, 'PodInitializing'));
    const regular = (pod.spec?.containers ?? []).map((c) => containerStatus(this.containers.get(c.name)!, anyInitPending ? 'PodInitializing' : 'ContainerCreating'));
    const hostNetwork = pod.spec?.hostNetwork === true;
    const podIPs = hostNetwork ? [this.deps.node.hostIP] : this.record?.podIPs ?? this.api.lastStatus?.podIPs?.map((p) => p.ip) ?? [];
    return buildPodStatus({
      pod, init, containers: regular, sandboxReady: this.record?.state === 'ready' && !!this.shim && !this.shim.isClosed,
      hostIP: this.deps.node.hostIP, podIPs, startTime: this.startTime, now: new Date(), podIsTerminal,
    });
  }

  private async writeStatus(podIsTerminal: boolean): Promise<V1PodStatus> {
    const status = this.computeStatus(podIsTerminal);
    await this.api.patchStatus(status);
    return status;
  }
}
