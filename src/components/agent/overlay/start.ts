// The overlay loop of a node agent: follow the Nodes, and after every change (coalesced) and every
// resync period make the node namespace match the plan, then publish this node's flannel annotations
// when they differ. One sync runs at a time; changes arriving during a sync cause one more.
import { KubeConfig } from '@kubernetes/client-node';
import type { ClusterConfig } from '../../../core/cluster/config.js';
import { OverlayPlanError, missingAnnotations, nodeNameOf, podMTU, DEFAULT_UPLINK_MTU } from '../../../core/overlay/index.js';
import { OverlayProgrammer, type SyncResult } from './programmer.js';
import { kubeNodeSource, type NodeSource } from './node-source.js';

/** As flannel's host-gw route check: re-read and repair the kernel state this often. */
export const OVERLAY_RESYNC_MS = 10_000;
/** Events within this window are handled by one sync (a burst of node heartbeats is one pass). */
const COALESCE_MS = 20;
/** How long the loop trusts a patch it made to be on its way back through the watch. */
const REPUBLISH_AFTER_MS = 5_000;

export interface OverlayOptions {
  log?: (line: string) => void;
  resyncMs?: number;
  /** The node namespace to program; undefined (the default) when the agent runs inside it. */
  netns?: string;
  uplink?: string;
}

export interface RunningOverlay {
  /** Resolves after the first sync that programmed the node (it waits for the Node's podCIDR). */
  readonly ready: Promise<SyncResult>;
  /** The MTU pods of this node must use (1450 with vxlan on a 1500 uplink); known from config alone. */
  readonly podMTU: number;
  /** Runs a sync now (after the one in flight) and returns its result. */
  syncNow(): Promise<SyncResult>;
  lastResult(): SyncResult | undefined;
  stop(): Promise<void>;
}

/** The parts of the cluster configuration the overlay reads. */
export type OverlayConfig = Pick<ClusterConfig, 'overlay' | 'clusterCIDR' | 'nodes' | 'stateDir'>;

/**
 * Starts the overlay of node `nodeName`: `nodes` is a KubeConfig (an informer on Nodes through the API)
 * or any NodeSource. Resolves once the Nodes are listed; programming continues in the background.
 */
export async function startOverlay(nodes: KubeConfig | NodeSource, config: OverlayConfig, nodeName: string, opts: OverlayOptions = {}): Promise<RunningOverlay> {
  const log = opts.log ?? ((line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`));
  const self = config.nodes.find((n) => n.name === nodeName);
  if (!self) throw new Error(`node ${JSON.stringify(nodeName)} is not in ${config.stateDir}/cluster.json (its nodes: ${config.nodes.map((n) => n.name).join(', ')})`);
  const source = nodes instanceof KubeConfig ? kubeNodeSource(nodes, log) : nodes;
  const programmer = new OverlayProgrammer({
    mode: config.overlay, clusterCIDR: config.clusterCIDR, publicIP: self.ip, netns: opts.netns, uplink: opts.uplink,
  });

  let stopped = false;
  let last: SyncResult | undefined;
  let lastError = '';
  let lastSummary = '';
  let running: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let published: { values: Record<string, string>; at: number } = { values: {}, at: 0 };
  let resolveReady!: (r: SyncResult) => void;
  const ready = new Promise<SyncResult>((r) => { resolveReady = r; });
  const waiters: Array<{ resolve: (r: SyncResult) => void; reject: (e: Error) => void }> = [];

  async function syncOnce(): Promise<SyncResult> {
    const all = source.list();
    const me = all.find((n) => nodeNameOf(n) === nodeName);
    if (!me) throw new OverlayPlanError(`the Node ${nodeName} is not registered yet`);
    const result = await programmer.sync(me, all);
    const missing = missingAnnotations(me, result.annotations);
    // The watch event of our own patch may arrive after the next sync has started: do not patch the same
    // values again until the cache had time to catch up.
    const repeat = Object.entries(missing).every(([k, v]) => published.values[k] === v) && Date.now() - published.at < REPUBLISH_AFTER_MS;
    if (Object.keys(missing).length && !repeat) {
      await source.annotate(nodeName, missing);
      published = { values: { ...result.annotations }, at: Date.now() };
      log(`overlay: published ${Object.keys(missing).join(', ')} on Node ${nodeName}`);
    }
    return result;
  }

  // Runs syncs until no change arrived during the last one; one loop at a time.
  function kick(): Promise<void> {
    if (running) { again = true; return running; }
    running = (async () => {
      do {
        again = false;
        const mine = waiters.splice(0);
        try {
          const r = await syncOnce();
          last = r;
          lastError = '';
          const skippedText = r.skipped.map((s) => `${s.node}: ${s.reason}`).join('; ');
          const line = `${r.summary}${skippedText ? ` (waiting for ${skippedText})` : ''}`;
          if (r.summary !== 'nothing to change' || line !== lastSummary) log(`overlay ${config.overlay}: ${line}`);
          lastSummary = line;
          resolveReady(r);
          for (const w of mine) w.resolve(r);
        } catch (e) {
          const msg = (e as Error).message;
          // Waiting for a podCIDR is normal at start: say it once, not on every event.
          if (msg !== lastError) log(`overlay ${config.overlay}: ${e instanceof OverlayPlanError ? 'waiting: ' : 'sync failed: '}${msg}`);
          lastError = msg;
          for (const w of mine) w.reject(e as Error);
        }
      } while (again && !stopped);
      running = undefined;
    })();
    return running;
  }

  let pending: NodeJS.Timeout | undefined;
  const onChange = () => {
    if (stopped || pending) return;
    pending = setTimeout(() => { pending = undefined; void kick(); }, COALESCE_MS);
  };

  await source.start(onChange);
  void kick();
  timer = setInterval(() => { if (!stopped) void kick(); }, opts.resyncMs ?? OVERLAY_RESYNC_MS);

  return {
    ready,
    podMTU: podMTU(config.overlay, DEFAULT_UPLINK_MTU),
    syncNow() {
      return new Promise<SyncResult>((resolve, reject) => {
        waiters.push({ resolve, reject });
        if (running) again = true; else void kick();
      });
    },
    lastResult: () => last,
    async stop() {
      stopped = true;
      clearInterval(timer);
      clearTimeout(pending);
      await running;
      await source.stop();
    },
  };
}
