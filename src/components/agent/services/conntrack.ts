// Deletes stale UDP conntrack entries in the node's namespace with the `conntrack` CLI (conntrack-tools,
// the same tool kube-proxy shelled out to before it moved to netlink): one `conntrack -L -p udp` to list,
// then one `conntrack -D` per stale (frontend, endpoint) pair. Runs after a sync in which the UDP
// frontends or their serving endpoints changed (entries only go stale when those change), and only when
// some UDP service has serving endpoints (otherwise nothing can be stale).
import { deleteConntrack, listConntrackUdp, type ConntrackOptions } from '../../../linux/conntrack.js';
import type { EndpointSlice, Service } from '../../../core/proxy/index.js';
import { parseConntrackList, staleUdpFilters, udpFrontends, type UdpFrontends } from './stale-udp.js';

export type { ConntrackOptions } from '../../../linux/conntrack.js';

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
  const listing = await listConntrackUdp(opts);
  let deleted = 0;
  for (const f of staleUdpFilters(parseConntrackList(listing), frontends)) deleted += await deleteConntrack(f, opts);
  return deleted;
}
