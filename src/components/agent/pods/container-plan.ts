// What starting one container means, decided before anything runs, as kubelet's generateContainerConfig:
// the environment (a missing ConfigMap or Secret keeps the container waiting with
// CreateContainerConfigError), what the image runs (ErrImagePull / InvalidImageName when podnet cannot
// run it), the argv with the executable resolved through $PATH, the working directory, and the
// StartError the runtime would report when the executable or the directory does not exist.
import { existsSync, statSync } from 'node:fs';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { containerLaunch, DEFAULT_PATH, ImageError, resolveExecutable } from './container-command.js';
import { EnvConfigError, resolveEnv, type EnvSources, type NodeFacts } from './env.js';
import { podHostnameAndDomain } from './hosts-file.js';
import { builtinArgv } from './node-command.js';

export interface PlannedEvent { type: 'Normal' | 'Warning'; reason: string; message: string }

export type ContainerPlan =
  | {
    kind: 'run';
    argv: string[];
    env: Record<string, string>;
    cwd: string;
    imageID: string;
    /** Set when the run cannot start (exit code 128, reason StartError, as runc reports it). */
    startError?: string;
    /** A built-in workload: reported started once it says it listens (src/workloads/listening.ts). */
    signalsListening: boolean;
    events: PlannedEvent[];
  }
  | { kind: 'wait'; reason: string; message: string; events: PlannedEvent[]; retryMs?: number };

export interface PlanContext {
  node: NodeFacts;
  clusterDomain: string;
  envSources: EnvSources;
  podIPs: string[];
  /** Given to built-in workloads that read the API (cluster DNS, the ingress controller) as KUBECONFIG. */
  apiKubeconfig?: string;
}

export async function planContainer(pod: V1Pod, spec: V1Container, ctx: PlanContext): Promise<ContainerPlan> {
  const events: PlannedEvent[] = [];
  let env: Record<string, string>;
  try {
    const resolved = await resolveEnv(pod, spec, ctx.node, ctx.podIPs, ctx.envSources);
    for (const w of resolved.warnings) events.push({ type: 'Warning', reason: 'InvalidEnvironmentVariableNames', message: w });
    env = resolved.env;
  } catch (e) {
    if (!(e instanceof EnvConfigError)) throw e;
    return { kind: 'wait', reason: e.reason, message: e.message, retryMs: 10_000, events: [{ type: 'Warning', reason: 'Failed', message: `Error: ${e.message}` }] };
  }
  let launch;
  try {
    launch = containerLaunch(spec, env);
  } catch (e) {
    if (!(e instanceof ImageError)) throw e;
    return {
      kind: 'wait', reason: e.reason, message: e.message,
      events: [
        { type: 'Warning', reason: 'Failed', message: `Failed to pull image "${spec.image}": ${e.message}` },
        { type: 'Warning', reason: 'Failed', message: `Error: ${e.reason}` },
      ],
    };
  }
  events.push({ type: 'Normal', reason: 'Pulled', message: `Container image "${spec.image}" already present on machine` });

  const fullEnv: Record<string, string> = {
    PATH: DEFAULT_PATH, HOSTNAME: podHostnameAndDomain(pod, ctx.clusterDomain).hostname, HOME: '/root',
    ...(spec.tty ? { TERM: 'xterm' } : {}), ...env,
  };
  const cwd = spec.workingDir || '/';
  let argv: string[];
  let imageID: string;
  let startError: string | undefined;
  if (launch.kind === 'builtin') {
    argv = builtinArgv(launch.workload, launch.args);
    imageID = `podnet://builtin/${launch.workload}`;
    if ((launch.workload === 'dns' || launch.workload === 'ingress') && ctx.apiKubeconfig && !fullEnv.KUBECONFIG) fullEnv.KUBECONFIG = ctx.apiKubeconfig;
  } else {
    const exe = resolveExecutable(launch.argv[0], fullEnv.PATH);
    argv = exe ? [exe, ...launch.argv.slice(1)] : launch.argv;
    imageID = exe ? `podnet://host${exe}` : 'podnet://host';
    if (!exe) startError = `exec: "${launch.argv[0]}": executable file not found in $PATH`;
  }
  if (!startError && !(existsSync(cwd) && statSync(cwd).isDirectory())) {
    startError = `chdir to cwd ("${cwd}") set in config.json failed: no such file or directory`;
  }
  return { kind: 'run', argv, env: fullEnv, cwd, imageID, startError, events, signalsListening: launch.kind === 'builtin' };
}
