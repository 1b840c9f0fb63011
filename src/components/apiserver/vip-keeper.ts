// Keeps the API servers' one address (core/cluster/apiserver-vip.ts) pointing at the live servers.
// Every server of the cluster runs a keeper: each probes every server's port (a TCP connect to
// 127.0.0.1, refused at once when the process is gone) and rewrites the table when the set of live
// servers it sees differs from what it last wrote. All keepers see the same processes, so they write the
// same table; there is no keeper to elect, and the table follows a server's death as long as any server
// lives. A server stopping on purpose takes itself out first.
import { connect } from 'node:net';
import type { ClusterConfig } from '../../core/cluster/config.js';
import { apiServerVipTable, renderApiServerVip } from '../../core/cluster/apiserver-vip.js';
import { nftApply } from '../../linux/nft.js';

export interface VipKeeperOptions {
  /** How often the servers are probed (ms); a dead server gets new connections for at most about this long. */
  intervalMs?: number;
  log?: (line: string) => void;
}

/** Whether something accepts TCP connections on 127.0.0.1:port (within timeoutMs). */
export function listening(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => { s.destroy(); resolve(ok); };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

export class VipKeeper {
  private timer?: NodeJS.Timeout;
  private written?: string;
  private stopped = false;
  private round?: Promise<void>;
  private rounds = 0;
  private readonly intervalMs: number;
  private readonly log: (line: string) => void;

  constructor(private readonly config: ClusterConfig, opts: VipKeeperOptions = {}) {
    if (!config.servers?.length) throw new Error('VipKeeper: the cluster has no servers list (podnet up --servers N)');
    this.intervalMs = opts.intervalMs ?? 1000;
    this.log = opts.log ?? (() => undefined);
  }

  private render(backends: number[]): string {
    return renderApiServerVip({
      table: apiServerVipTable(this.config.name), addresses: ['127.0.0.1', this.config.hostIP],
      port: this.config.apiServerPort, backends,
    });
  }

  /** Probes once and writes the table if it changed (and every 10th round, in case someone removed it). */
  async sync(exclude?: number): Promise<void> {
    const ports = this.config.servers!.map((s) => s.port).filter((p) => p !== exclude);
    const live = (await Promise.all(ports.map(async (p) => (await listening(p)) ? p : undefined))).filter((p): p is number => p !== undefined);
    const text = this.render(live);
    if (text === this.written && this.rounds++ % 10 !== 0) return;
    await nftApply(text);
    if (text !== this.written) this.log(`API server address ${this.config.hostIP}:${this.config.apiServerPort}: live servers on ports ${live.join(', ') || 'none'}`);
    this.written = text;
  }

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.round = this.sync().catch((e) => this.log(`API server address: ${(e as Error).message}`))
        .finally(() => { if (!this.stopped) this.timer = setTimeout(tick, this.intervalMs); });
    };
    tick();
  }

  /** Stops probing and writes the table without this server (own port), so new connections go elsewhere. */
  async stop(ownPort: number): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.round;
    await this.sync(ownPort).catch((e) => this.log(`API server address: ${(e as Error).message}`));
  }
}
