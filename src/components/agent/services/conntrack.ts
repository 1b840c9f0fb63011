// Deletes stale UDP conntrack entries in the node's namespace with the `conntrack` CLI (conntrack-tools,
// the same tool kube-proxy shelled out to before it moved to netlink): one `conntrack -L -p udp` to list,
// then one `conntrack -D` per stale (frontend, endpoint) pair. Runs after a sync in which the UDP
// frontends or their serving endpoints changed (entries only go stale when those change), and only when
// some UDP service has serving endpoints (otherwise nothing can be stale).
import { CommandError, run } from '../../../linux/exec.js';
import type { EndpointSlice, Service } from '../../../core/proxy/index.js';
import { parseConntrackList, staleUdpFilters, udpFrontends, type ConntrackFilter, type UdpFrontends } from './stale-udp.js';

export interface ConntrackOptions {
  /** Named namespace to run in (tests); the agent runs inside its node's. */
  netns?: string;
}

function missingTool(e: unknown): boolean {
  return e instanceof CommandError && e.exitCode === null && /ENOENT/.test(e.message);
}

const HOW_TO_INSTALL = 'the conntrack command (conntrack-tools) is missing: install it (Debian/Ubuntu: apt-get install conntrack) '
  + 'so that UDP clients are not left talking to deleted pods';

export function deleteArgs(f: ConntrackFilter): string[] {
  const args = ['conntrack', '-D', '-f', 'ipv4', '-p', 'udp'];
  if (f.origDst) args.push('--orig-dst', f.origDst);
  args.push('--orig-port-dst', String(f.origPortDst), '--reply-src', f.replySrc);
  return args;
}

/** Lists UDP entries, deletes the stale ones; returns how many entries conntrack deleted. */
export async function cleanStaleUdpEntries(services: readonly Service[], slices: readonly EndpointSlice[], opts: ConntrackOptions = {}): Promise<number> {
  return cleanFrontends(udpFrontends(services, slices), opts);
}

/** A stable text of the frontends and their endpoints: equal text, nothing new can be stale. */
export function frontendsSignature(f: UdpFrontends): string {
  const part = (m: Map<string | number, Set<string>>) => [...m].map(([k, v]) => `${k}>${[...v].sort().join(',')}`).sort().join(';');
  return `${part(f.ipPorts)}|${part(f.nodePorts)}`;
}

/** cleanStaleUdpEntries that skips the listing when the UDP frontends did not change since its last clean. */
export class StaleUdpCleaner {
  private cleaned: string | undefined;

  constructor(private readonly opts: ConntrackOptions = {}) {}

  async clean(services: readonly Service[], slices: readonly EndpointSlice[]): Promise<number> {
    const frontends = udpFrontends(services, slices);
    const sig = frontendsSignature(frontends);
    if (sig === this.cleaned) return 0;
    const n = await cleanFrontends(frontends, this.opts);
    this.cleaned = sig;
    return n;
  }
}

async function cleanFrontends(frontends: UdpFrontends, opts: ConntrackOptions): Promise<number> {
  if (!frontends.ipPorts.size && !frontends.nodePorts.size) return 0;
  let listing: string;
  try {
    listing = (await run(['conntrack', '-L', '-f', 'ipv4', '-p', 'udp'], { netns: opts.netns })).stdout;
  } catch (e) {
    throw missingTool(e) ? new Error(HOW_TO_INSTALL) : e;
  }
  let deleted = 0;
  for (const f of staleUdpFilters(parseConntrackList(listing), frontends)) {
    // Exit 1 with "0 flow entries have been deleted": the entry went away meanwhile (it timed out).
    const r = await run(deleteArgs(f), { netns: opts.netns, okExitCodes: [1] });
    if (r.exitCode === 1 && !/0 flow entries have been deleted/.test(r.stderr)) {
      throw new CommandError(deleteArgs(f), 1, r.stderr, r.stdout);
    }
    const m = /(\d+) flow entries have been deleted/.exec(r.stderr);
    deleted += m ? Number(m[1]) : 0;
  }
  return deleted;
}
