// The node's kube-proxy: what `podnet agent` runs for Services.
//   const services = await startServiceProxy(kc, config, nodeName, { log });   ...   await services.stop();
// It watches Services, EndpointSlices and its Node, feeds them to the ServiceProxy (planner +
// nftables programmer, table `ip podnet`), and after every sync does what kube-proxy does after
// syncProxyRules: healthCheckNodePort servers, stale UDP conntrack entries, and (podnet's bare-metal
// LoadBalancer) the ARP announcement of the addresses the LoadBalancer controller gave this node. It
// serves /healthz, /livez and /metrics on <node IP>:10256, and the Service environment variables that
// the pod runtime gives containers (serviceEnv).
import type { KubeConfig } from '@kubernetes/client-node';
import type { ClusterConfig } from '../../../core/cluster/config.js';
import { serviceEnvironment, type EnvPod } from '../../../core/service-env/index.js';
import { ServiceProxy, type ProxySyncResult } from '../../proxy/index.js';
import { LoadBalancerAnnouncer, announcedAddresses } from './announcer.js';
import { StaleUdpCleaner } from './conntrack.js';
import { ProxyHealth } from './health.js';
import { HEALTHZ_PORT, ProxyHealthServer } from './health-server.js';
import { HealthCheckNodePorts, healthCheckTargets } from './healthcheck-nodeports.js';
import { ProxyMetrics } from './metrics.js';
import { proxyNodeOf, sameProxyNode } from './node.js';
import { setNodePrerequisites } from './prerequisites.js';
import { kubeProxySources, type ProxySources, type SourceKind } from './sources.js';

export { ProxyHealth, healthzResponse, livezResponse, DEFAULT_HEALTH_TIMEOUT_MS } from './health.js';
export { ProxyMetrics } from './metrics.js';
export { HEALTHZ_PORT } from './health-server.js';
export { LoadBalancerAnnouncer, announcedAddresses, ANNOTATION_ANNOUNCING_NODE } from './announcer.js';
export { healthCheckTargets, HealthCheckNodePorts, type HealthCheckTarget } from './healthcheck-nodeports.js';
export { cleanStaleUdpEntries, StaleUdpCleaner } from './conntrack.js';
export { proxyNodeOf, nodeEligible } from './node.js';

/** Coalesces a burst of informer events (a rollout's pod and slice updates) into one hand-over. */
const COALESCE_MS = 10;
/** How often an unchanged LoadBalancer announcement is checked against the link anyway. */
const ANNOUNCE_RECHECK_MS = 30_000;

export interface ServiceProxyOptions {
  log?: (line: string) => void;
  /** Run kernel commands in this named namespace (tests); the agent runs inside its node's. */
  netns?: string;
  /** nft table name (family ip); default `podnet`. */
  table?: string;
  /** Where /healthz, /metrics and the healthCheckNodePorts listen; default the node's IP. */
  bindAddress?: string;
  /** Default 10256; 0 picks a free port (tests). */
  healthzPort?: number;
  /** The node's underlay link, where LoadBalancer addresses are announced; default eth0. */
  device?: string;
  /** kube-proxy --min-sync-period, in ms; default 20 ms (ServiceProxy). */
  minSyncPeriodMs?: number;
  /** Unhealthy when a change waits longer than this to be programmed; default 60 s (2 × syncPeriod). */
  healthTimeoutMs?: number;
  /** Tests: Services/EndpointSlices/Node from elsewhere than the API. */
  sources?: ProxySources;
}

export interface RunningServiceProxy {
  readonly proxy: ServiceProxy;
  readonly health: ProxyHealth;
  readonly metrics: ProxyMetrics;
  /** The port /healthz and /metrics listen on. */
  readonly healthzPort: number;
  /** The Service variables a container of `pod` starts with (kubelet's service links), from the cache now. */
  serviceEnv(pod: EnvPod): Promise<Record<string, string>>;
  /** Resolves when everything seen so far is programmed and the work after that sync is done. */
  flush(): Promise<void>;
  /** Stops; with `cleanup` also deletes the table and withdraws LoadBalancer addresses (node removed). */
  stop(opts?: { cleanup?: boolean }): Promise<void>;
}

export async function startServiceProxy(kc: KubeConfig, config: ClusterConfig, nodeName: string, opts: ServiceProxyOptions = {}): Promise<RunningServiceProxy> {
  const log = opts.log ?? ((line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`));
  const self = config.nodes.find((n) => n.name === nodeName);
  if (!self) throw new Error(`node ${JSON.stringify(nodeName)} is not in ${config.stateDir}/cluster.json (its nodes: ${config.nodes.map((n) => n.name).join(', ')})`);
  const device = opts.device ?? 'eth0';
  const host = opts.bindAddress ?? self.ip;
  const table = opts.table ?? 'podnet';
  await setNodePrerequisites({ device, netns: opts.netns });

  const health = new ProxyHealth({ healthTimeoutMs: opts.healthTimeoutMs });
  const metrics = new ProxyMetrics();
  const healthServer = new ProxyHealthServer({ health, metrics, nodeName });
  const healthzPort = await healthServer.start(host, opts.healthzPort ?? HEALTHZ_PORT);
  const healthChecks = new HealthCheckNodePorts({ host, proxyHealthy: () => health.isHealthy(), log });
  const announcer = new LoadBalancerAnnouncer({ device, netns: opts.netns, log });
  const conntrack = new StaleUdpCleaner({ netns: opts.netns });
  let announced = { sig: '', at: 0 };
  const sources = opts.sources ?? kubeProxySources(kc, nodeName, log);

  let node = proxyNodeOf(nodeName, self.ip, config.clusterCIDR);
  let lastError = '';
  let lastWarnings = '';
  const proxy: ServiceProxy = new ServiceProxy({
    // The hand-over below already waits COALESCE_MS for changes that arrive together.
    node, netns: opts.netns, minSyncPeriodMs: opts.minSyncPeriodMs, syncWindowMs: 0,
    options: { table, serviceCIDRs: [config.serviceCIDR] },
    onSync: (r) => onSync(r),
    onError: (e) => {
      metrics.syncFailures.inc();
      if (e.message !== lastError) log(`service proxy: sync failed, retrying: ${e.message}`);
      lastError = e.message;
    },
  });

  function onSync(r: ProxySyncResult): void {
    metrics.observeSync(r);
    // Everything queued before this sync started is programmed now; flush() tells when the rest is.
    const seq = health.lastQueued;
    proxy.flush().then(() => health.updatedUpTo(seq), () => {});
    if (r.full || r.recoveredFrom || lastError) {
      log(`service proxy: ${r.full ? 'programmed' : 'updated'} table ip ${table} with ${r.services} Services `
        + `(${r.lines} lines, plan ${r.planMs.toFixed(1)} ms, nft ${r.nftMs.toFixed(1)} ms)${r.recoveredFrom ? ` after a failed update: ${r.recoveredFrom}` : ''}`);
    }
    lastError = '';
    const warnings = r.warnings.join('; ');
    if (warnings && warnings !== lastWarnings) log(`service proxy: ${warnings}`);
    lastWarnings = warnings;
    afterSync();
  }

  // After-sync work runs one pass at a time; a sync during a pass asks for one more pass.
  let passing: Promise<void> | undefined;
  let again = false;
  function afterSync(): Promise<void> {
    if (passing) { again = true; return passing; }
    passing = (async () => {
      do {
        again = false;
        const services = sources.services(), slices = sources.endpointSlices();
        await step('LoadBalancer announcement', async () => {
          // The link is read back when the wanted addresses change, and at least every 30 s (repairs).
          const wanted = announcedAddresses(services, nodeName);
          const sig = [...wanted.keys()].sort().join(',');
          if (sig === announced.sig && Date.now() - announced.at < ANNOUNCE_RECHECK_MS) return;
          await announcer.reconcile(wanted);
          announced = { sig, at: Date.now() };
        });
        await step('healthCheckNodePorts', () => healthChecks.sync(healthCheckTargets(services, slices, nodeName)));
        await step('UDP conntrack cleanup', async () => {
          const n = await conntrack.clean(services, slices);
          if (n) { metrics.conntrackDeleted.inc(n); log(`service proxy: deleted ${n} stale UDP conntrack entries`); }
        });
      } while (again && !stopped);
      passing = undefined;
    })();
    return passing;
  }
  const stepErrors = new Map<string, string>();
  async function step(what: string, fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
      stepErrors.delete(what);
    } catch (e) {
      const msg = (e as Error).message;
      if (stepErrors.get(what) !== msg) log(`service proxy: ${what} failed (retried after the next sync): ${msg}`);
      stepErrors.set(what, msg);
    }
  }

  // Informer events → one hand-over per burst: the Node first (addresses, podCIDR), then the caches.
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const changed = new Set<SourceKind>();
  function handOver(): void {
    timer = undefined;
    if (stopped) return;
    const kinds = new Set(changed);
    changed.clear();
    const me = sources.node();
    health.syncNode(me);
    const next = proxyNodeOf(nodeName, self!.ip, config.clusterCIDR, me);
    const nodeChanged = !sameProxyNode(node, next);
    if (kinds.has('services')) metrics.serviceChanges.inc();
    if (kinds.has('endpointslices')) metrics.endpointChanges.inc();
    if (!nodeChanged && !kinds.has('services') && !kinds.has('endpointslices')) return;
    const seq = health.queued();
    metrics.lastQueuedTimestamp.set(Date.now() / 1000);
    if (nodeChanged) { node = next; proxy.setNode(next); }
    proxy.update(sources.services(), sources.endpointSlices());
    proxy.flush().then(() => health.updatedUpTo(seq), () => {});
  }
  const onChange = (kind: SourceKind) => {
    changed.add(kind);
    if (!timer && !stopped) timer = setTimeout(handOver, COALESCE_MS);
  };

  await sources.start(onChange);
  changed.add('services');
  changed.add('endpointslices');
  handOver();
  log(`service proxy of ${nodeName}: following ${sources.services().length} Services and ${sources.endpointSlices().length} EndpointSlices; `
    + `/healthz and /metrics on ${host}:${healthzPort}`);

  return {
    proxy, health, metrics, healthzPort,
    async serviceEnv(pod) {
      return serviceEnvironment(pod, sources.services());
    },
    async flush() {
      if (timer) { clearTimeout(timer); handOver(); }
      await proxy.flush();
      await afterSync();
    },
    async stop(stopOpts = {}) {
      stopped = true;
      clearTimeout(timer);
      await sources.stop();
      await proxy.stop({ cleanup: stopOpts.cleanup });
      await passing;
      await healthChecks.stop();
      await healthServer.stop();
      if (stopOpts.cleanup) await announcer.withdrawAll();
      log(`service proxy of ${nodeName} stopped${stopOpts.cleanup ? ' (table and LoadBalancer addresses removed)' : ''}`);
    },
  };
}
