// `podnet up`: plan → state dir → PKI → underlay bridge → API server, node namespaces and agents
// (starting together) → /readyz → Nodes Ready → kubeconfig merge → manifests. The bridge comes before
// the server because the server listens on the bridge's address. Every object is recorded before it is made; on any failure
// everything made so far is torn down and the error says why.
import { DNS_ADDON, INGRESS_ADDON, installAddon } from './addons.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { DEFAULTS, type ClusterConfig } from '../../core/cluster/config.js';
import { planCluster, type PlanOptions } from '../../core/topology/plan.js';
import { validateClusterName } from '../../core/topology/names.js';
import { listRoutes } from '../../linux/route.js';
import { run, CommandError } from '../../linux/exec.js';
import type { ProcessIdentity } from '../../linux/process.js';
import { clusterConfigPath, clusterExists, stateRoot as defaultStateRoot, upFinishedPath } from './state.js';
import { Inventory } from './inventory.js';
import { generatePki } from './pki.js';
import { credentialsOf, kubeconfigEntryName, mergeKubeconfig, userKubeconfigPath, writeClusterKubeconfig } from './kubeconfig.js';
import { createBridge, createNode } from './underlay.js';
import { agentProcessName, keepLogs, logFileOf, mustBeAlive, startSupervised } from './supervisor.js';
import { waitForClusterDns, waitForNodesReady, waitForReadyz } from './readiness.js';
import { tearDown } from './down.js';
import { freeLoopbackPorts, planClusterEtcd, startEtcdMembers, waitForEtcd } from './etcd.js';
import { validateLeaderElection } from '../controllers/leader-election.js';
import type { Progress } from './progress.js';
import { publishClusterInfo } from './cluster-info.js';

export interface UpOptions extends Omit<PlanOptions, 'stateRoot' | 'apiServerPort'> {
  /** Files or directories for `kubectl apply -f`, applied once the nodes are Ready. */
  manifests?: string[];
  /** Where cluster DNS forwards names outside the cluster; none by default (see addons.ts). */
  dnsUpstream?: string;
  /** 'sqlite' (default): one file in the state directory; 'etcd': a 3-member etcd cluster podnet runs. */
  datastore?: 'sqlite' | 'etcd';
  /** An etcd cluster someone else runs (client URLs); implies datastore etcd. */
  datastoreEndpoints?: string[];
  /**
   * How many API servers (default 1). More than one needs etcd: they share the datastore, one address
   * (an nftables VIP) and elect the controller manager with a Lease.
   */
  servers?: number;
  /** The controller manager's leader election times (seconds); client-go's 15/10/2 when absent. */
  leaderElection?: ClusterConfig['leaderElection'];
  /** Node lifecycle settings (ClusterConfig's fields of the same names). */
  nodeMonitorGracePeriodSeconds?: number;
  defaultUnreachableTolerationSeconds?: number;
  defaultNotReadyTolerationSeconds?: number;
  /** Install the ingress-nginx controller (addons/ingress-nginx.yaml); default true (`--no-ingress`: false). */
  ingress?: boolean;
  /** The argv that runs this podnet CLI (node, its flags, main.js); `server` / `agent` are appended. */
  podnetCommand: string[];
  stateRoot?: string;
  /** The user's kubeconfig to merge into; $KUBECONFIG's first path or ~/.kube/config by default. */
  userKubeconfig?: string;
  readyTimeoutMs?: number;
  /** Return once the nodes are Ready and DNS is installed, without waiting for cluster DNS to answer (--no-wait). */
  noWait?: boolean;
  /** Aborts the bring-up between steps and while waiting (Ctrl-C); what was made is then torn down. */
  signal?: AbortSignal;
}

export interface UpResult {
  config: ClusterConfig;
  /** The user kubeconfig the context was merged into, and the context's name. */
  userKubeconfig: string;
  context: string;
}

export class ClusterExistsError extends Error {
  constructor(name: string) {
    super(`cluster "${name}" already exists; delete it with podnet down --name ${name}`);
    this.name = 'ClusterExistsError';
  }
}

/** A failure after something was made; everything made had been removed when this is thrown. */
export class UpFailedError extends Error {
  constructor(readonly reason: Error, readonly cleanupFailed: boolean) {
    super(reason.message, { cause: reason });
    this.name = 'UpFailedError';
  }
}

/** 6443 when nothing listens there on 127.0.0.1 (a wildcard listener counts), else a port the kernel picks. */
export async function chooseApiServerPort(preferred = DEFAULTS.apiServerPort): Promise<number> {
  const tryListen = (port: number) => new Promise<number | undefined>((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(undefined));
    s.listen(port, '127.0.0.1', () => {
      const got = (s.address() as { port: number }).port;
      s.close(() => resolve(got));
    });
  });
  return (await tryListen(preferred)) ?? (await tryListen(0))!;
}

async function requireKubectl(): Promise<void> {
  try {
    await run(['kubectl', 'version', '--client']);
  } catch (e) {
    if (e instanceof CommandError && e.exitCode === null) {
      throw new Error('kubectl is not installed, and -f needs it to apply manifests: install kubectl (https://kubernetes.io/docs/tasks/tools/) or run podnet up without -f');
    }
    throw e;
  }
}

/** Brings a cluster up. Throws (after tearing down what it made) with the reason. */
export async function bringUp(opts: UpOptions, outer: Progress): Promise<UpResult> {
  const aborted = () => {
    if (opts.signal?.aborted) throw new Error('interrupted');
  };
  // Every step first checks for an interrupt, so that nothing new is made once one came in.
  const progress: Progress = {
    step: (title, fn) => { aborted(); return outer.step(title, fn); },
    note: (line) => outer.note(line),
  };
  const root = opts.stateRoot ?? defaultStateRoot();
  const name = opts.name ?? 'podnet';
  validateClusterName(name);
  checkServers(opts);
  if (opts.leaderElection) validateLeaderElection(opts.leaderElection);
  if (clusterExists(name, root)) throw new ClusterExistsError(name);

  const warnings: string[] = [];
  const config = await progress.step('Planning the topology', async () => {
    if (opts.manifests?.length) await requireKubectl();
    const routes = await listRoutes({ table: 'all' });
    const port = await chooseApiServerPort();
    const planned = planCluster({ ...opts, name, stateRoot: root, apiServerPort: port }, routes, warnings);
    for (const k of ['nodeMonitorGracePeriodSeconds', 'defaultUnreachableTolerationSeconds', 'defaultNotReadyTolerationSeconds'] as const) {
      if (opts[k] !== undefined) planned[k] = opts[k];
    }
    if (opts.datastoreEndpoints?.length) planned.datastore = { type: 'etcd', endpoints: opts.datastoreEndpoints };
    else if (opts.datastore === 'etcd') {
      const members = await planClusterEtcd(planned.stateDir);
      planned.datastore = { type: 'etcd', endpoints: members.map((m) => m.clientURL), members };
    }
    if ((opts.servers ?? 1) > 1) {
      const ports = await freeLoopbackPorts(opts.servers!);
      planned.servers = ports.map((port, i) => ({ name: `server-${i + 1}`, port }));
    }
    if (opts.leaderElection) planned.leaderElection = opts.leaderElection;
    return planned;
  });
  for (const w of warnings) progress.note(`warning: ${w}`);
  progress.note(`underlay ${config.underlayCIDR} on ${config.bridge} (host ${config.hostIP}), API server port ${config.apiServerPort}, ` +
    `pods ${config.clusterCIDR}, services ${config.serviceCIDR}, ${config.overlay} overlay`);

  // From here on, a failure tears down what exists. mkdir without `recursive` on the last component
  // makes two concurrent `podnet up --name X` race safely: only one creates the directory.
  mkdirSync(root, { recursive: true });
  try {
    mkdirSync(config.stateDir, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new ClusterExistsError(name);
    throw e;
  }
  const inventory = new Inventory(config.stateDir);
  const configFile = clusterConfigPath(config.stateDir);
  try {
    await progress.step('Writing the state directory', async () => {
      mkdirSync(config.paths.logs, { recursive: true });
      writeFileSync(configFile, JSON.stringify(config, null, 2) + '\n');
    });
    await progress.step('Generating the CA, serving certificate and token', async () => {
      await generatePki(config);
      writeClusterKubeconfig(config);
    });
    await progress.step(`Creating the underlay bridge ${config.bridge} (${config.hostIP})`, () => createBridge(config, inventory));

    // The server and the agents are Node.js processes whose start is mostly loading code; starting them
    // together and creating the node namespaces meanwhile overlaps that time. Agents retry until the
    // server answers.
    const etcd = config.datastore?.type === 'etcd' ? config.datastore : undefined;
    if (etcd?.members) {
      const ids = await progress.step(`Starting etcd (${etcd.members.length} members on ${etcd.endpoints.join(', ')})`, () =>
        startEtcdMembers(config, inventory));
      const etcdAlive = () => {
        aborted();
        ids.forEach((id, i) => mustBeAlive(id, `etcd member ${etcd.members![i]!.name}`, logFileOf(config, etcd.members![i]!.name)));
      };
      await progress.step('Waiting for etcd to elect a leader', () => waitForEtcd(etcd.endpoints, { timeoutMs: 30_000, check: etcdAlive }));
    } else if (etcd) {
      await progress.step(`Checking etcd at ${etcd.endpoints.join(', ')}`, () => waitForEtcd(etcd.endpoints, { timeoutMs: 10_000 }));
    }

    const serverNames = config.servers?.map((x) => x.name) ?? ['server'];
    const started = await progress.step(serverNames.length > 1 ? `Starting ${serverNames.length} API servers behind ${config.hostIP}:${config.apiServerPort}` : 'Starting the API server', () =>
      Promise.all(serverNames.map((n) => startSupervised(config, inventory, n,
        [...opts.podnetCommand, 'server', '--config', configFile, ...(config.servers ? ['--id', n] : [])]))));
    const serverAlive = () => {
      aborted();
      started.forEach((id, i) => mustBeAlive(id, `podnet server ${serverNames[i]}`, logFileOf(config, serverNames[i]!)));
    };

    await progress.step(`Creating ${config.nodes.length} node namespace${config.nodes.length === 1 ? '' : 's'}`, () =>
      Promise.all(config.nodes.map((_, i) => createNode(config, i, inventory))).then(() => undefined));

    const agents: Array<{ node: string; id: ProcessIdentity }> = [];
    await progress.step('Starting the node agents', async () => {
      for (const node of config.nodes) {
        const id = await startSupervised(config, inventory, agentProcessName(node.name),
          [...opts.podnetCommand, 'agent', '--config', configFile, '--node', node.name], node.name);
        agents.push({ node: node.name, id });
      }
    });
    const allAlive = () => {
      serverAlive();
      for (const a of agents) mustBeAlive(a.id, `the agent of ${a.node}`, logFileOf(config, agentProcessName(a.node)));
    };
    await progress.step(`Waiting for https://127.0.0.1:${config.apiServerPort}/readyz`, () =>
      waitForReadyz(`https://127.0.0.1:${config.apiServerPort}`, config.paths.caCert, { timeoutMs: 60_000, check: allAlive }));
    await progress.step('Publishing cluster-info and kube-system/podnet-config (for podnet join)', () => publishClusterInfo(config));
    await progress.step('Waiting for the nodes to be Ready', () =>
      waitForNodesReady(config.paths.kubeconfig, config.nodes.map((n) => n.name), { timeoutMs: opts.readyTimeoutMs ?? 60_000, check: allAlive }));

    const userKubeconfig = opts.userKubeconfig ?? userKubeconfigPath();
    const context = kubeconfigEntryName(name);
    await progress.step(`Merging context ${context} into ${userKubeconfig}`, async () => {
      // Recorded first: down removes the entries even if the write below is interrupted.
      inventory.setKubeconfigMerge({ path: userKubeconfig, entry: context });
      const merged = mergeKubeconfig(userKubeconfig, context, credentialsOf(config, `https://127.0.0.1:${config.apiServerPort}`));
      inventory.setKubeconfigMerge({ path: userKubeconfig, entry: context, ...merged });
    });

    await progress.step('Installing cluster DNS (kube-dns at ' + config.dnsServiceIP + ')', async () => {
      await installAddon(DNS_ADDON, config, { dnsUpstream: opts.dnsUpstream });
    });
    if (opts.ingress !== false) {
      // Created, not waited for (as the DNS addon): the controller pod becomes Ready on its own.
      await progress.step('Installing the ingress-nginx controller (IngressClass nginx, the default)', async () => {
        await installAddon(INGRESS_ADDON, config);
      });
    }
    if (!opts.noWait) {
      const name = `kubernetes.default.svc.${config.clusterDomain}`;
      await progress.step(`Waiting for cluster DNS: kubernetes.default resolves from every node through ${config.dnsServiceIP}`, () =>
        waitForClusterDns(config.nodes.map((n) => n.name), config.dnsServiceIP, name, { timeoutMs: opts.readyTimeoutMs ?? 60_000, check: allAlive }));
    }

    for (const manifest of opts.manifests ?? []) {
      await progress.step(`Applying ${manifest}`, async () => {
        try {
          const { stdout } = await run(['kubectl', '--kubeconfig', config.paths.kubeconfig,
            '--cache-dir', `${config.stateDir}/kubectl-cache`, 'apply', '-f', manifest], { timeoutMs: 120_000 });
          for (const line of stdout.trim().split('\n').filter(Boolean)) progress.note(`  ${line}`);
        } catch (e) {
          const detail = e instanceof CommandError ? (e.stderr.trim() || e.stdout.trim()) : (e as Error).message;
          throw new Error(`kubectl apply -f ${manifest} failed: ${detail}`);
        }
      });
    }
    writeFileSync(upFinishedPath(config.stateDir), JSON.stringify({ at: new Date().toISOString() }) + '\n');
    return { config, userKubeconfig, context };
  } catch (e) {
    progress.note(`podnet up failed: ${(e as Error).message}`);
    const kept = keepLogs(config, `up-${name}`);
    if (kept) progress.note(`logs kept in ${kept}`);
    progress.note('removing what was made so far');
    let cleanupFailed = false;
    try {
      const down = await tearDown(name, { stateRoot: root }, outer);
      for (const f of down.failed) progress.note(`  could not remove ${f}`);
      cleanupFailed = down.failed.length > 0;
    } catch (err) {
      progress.note(`cleanup failed too: ${(err as Error).message}`);
      cleanupFailed = true;
    }
    throw new UpFailedError(e as Error, cleanupFailed);
  }
}

/** --servers: a whole number; more than one only on etcd (SQLite is one file that one process owns). */
function checkServers(opts: UpOptions): void {
  const n = opts.servers ?? 1;
  if (!Number.isInteger(n) || n < 1 || n > 7) throw new Error(`--servers expects a number from 1 to 7, got ${n}`);
  if (n > 1 && opts.datastore !== 'etcd' && !opts.datastoreEndpoints?.length) {
    throw new Error(`--servers ${n} needs --datastore etcd (or --datastore-endpoints): several API servers must share one datastore, ` +
      'and the SQLite store serves reads from an in-memory copy loaded at start and watch events from the process that wrote them, so a second server would never see the first one\'s writes');
  }
}
