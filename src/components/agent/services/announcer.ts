// LoadBalancer addresses on bare metal, node side (MetalLB's layer-2 mode, done by the kernel): the
// LoadBalancer controller picks one node per address and writes it into the Service's
// `podnet.io/announcing-node` annotation; that node adds the address to its underlay link as
// `<ip>/32 noprefixroute`, labelled `<dev>:lb`, so its kernel answers ARP for it. The proxy's rules
// (prerouting DNAT on every node) take the traffic from there; only the announcing node receives it
// from the underlay because only it answers ARP.
//
// Why an address and not a proxy-ARP entry (`ip neigh add proxy`): the kernel answers proxy-ARP only for
// addresses routed through another interface than the one asking, and delays answers by proxy_delay
// (up to 0.8 s); a /32 address is answered at once and needs no route. `noprefixroute` keeps the routing
// table as it was, a /32 is never picked as the source of the node's own traffic to the underlay (the
// /24 subnet route names the node IP as its source), and the label marks the addresses as ours, so a
// restarted agent withdraws what it no longer should announce and never touches other addresses.
//
// Taking over an address: the host's neighbour cache still maps it to the previous node's MAC. With
// net.ipv4.conf.<dev>.arp_notify=1 (set with the node's prerequisites) the kernel sends gratuitous ARP
// for every address of the link when the link's address changes, and setting the MAC to itself counts:
// the host learns the new owner at once instead of after its entry goes stale.
import { isIPv4 } from '../../../core/net/index.js';
import { addAddress, deleteAddress, listAddresses } from '../../../linux/addr.js';
import { getLink, setLinkAddress } from '../../../linux/link.js';
import type { Service } from '../../../core/proxy/index.js';

/** Written by the LoadBalancer controller (controllers/loadbalancer-announcer.ts). */
export const ANNOTATION_ANNOUNCING_NODE = 'podnet.io/announcing-node';
const LABEL_SUFFIX = ':lb';

/** The LoadBalancer addresses this node must answer ARP for, each with the Service that holds it. */
export function announcedAddresses(services: readonly Service[], nodeName: string): Map<string, string> {
  const out = new Map<string, string>();
  const sorted = [...services].sort((a, b) => key(a).localeCompare(key(b)));
  for (const svc of sorted) {
    if (svc.spec?.type !== 'LoadBalancer') continue;
    if (svc.metadata.annotations?.[ANNOTATION_ANNOUNCING_NODE] !== nodeName) continue;
    for (const ing of svc.status?.loadBalancer?.ingress ?? []) {
      // ipMode Proxy: traffic reaches the nodes already addressed to them; nothing to announce.
      if (ing.ip && isIPv4(ing.ip) && ing.ipMode !== 'Proxy' && !out.has(ing.ip)) out.set(ing.ip, key(svc));
    }
  }
  return out;
}

function key(svc: Service): string {
  return `${svc.metadata.namespace ?? 'default'}/${svc.metadata.name ?? ''}`;
}

export interface AnnouncerOptions {
  /** The underlay link (the node's eth0). */
  device?: string;
  /** Named namespace to program (tests); the agent runs inside its node's. */
  netns?: string;
  log?: (line: string) => void;
}

export class LoadBalancerAnnouncer {
  readonly device: string;
  private readonly label: string;
  private readonly netns?: string;
  private readonly log: (line: string) => void;

  constructor(opts: AnnouncerOptions = {}) {
    this.device = opts.device ?? 'eth0';
    this.label = this.device + LABEL_SUFFIX;
    if (this.label.length > 15) {
      throw new Error(`underlay link name "${this.device}" is too long to label its LoadBalancer addresses (${this.label} > 15 characters): use a name of at most 12`);
    }
    this.netns = opts.netns;
    this.log = opts.log ?? (() => {});
  }

  /** The addresses announced now (ours, by label). */
  async announced(): Promise<string[]> {
    return (await this.addresses()).filter((a) => a.ours).map((a) => a.ip);
  }

  private async addresses(): Promise<Array<{ ip: string; ours: boolean }>> {
    const addrs = await listAddresses({ netns: this.netns, dev: this.device, family: 'inet' });
    return addrs.map((a) => ({ ip: a.local, ours: a.prefixlen === 32 && a.label === this.label }));
  }

  /** Adds what `wanted` has and the link lacks, withdraws our addresses it no longer has; returns the changes. */
  async reconcile(wanted: Map<string, string>): Promise<{ added: string[]; removed: string[] }> {
    const all = await this.addresses();
    const have = new Set(all.filter((a) => a.ours).map((a) => a.ip));
    const foreign = new Set(all.filter((a) => !a.ours).map((a) => a.ip));
    const removed: string[] = [];
    for (const ip of have) {
      if (wanted.has(ip)) continue;
      await this.del(ip);
      removed.push(ip);
      this.log(`stopped announcing LoadBalancer address ${ip} on ${this.device}`);
    }
    const added: string[] = [];
    for (const [ip, svc] of wanted) {
      if (have.has(ip)) continue;
      if (foreign.has(ip)) {
        this.log(`cannot announce ${ip} of Service ${svc}: ${this.device} already has that address (not a LoadBalancer address of podnet); `
          + 'choose a loadBalancerPool that excludes the node addresses');
        continue;
      }
      await addAddress(this.device, `${ip}/32`, { netns: this.netns, label: this.label, noPrefixRoute: true });
      added.push(ip);
      this.log(`announcing LoadBalancer address ${ip} of Service ${svc} on ${this.device}`);
    }
    if (added.length) await this.gratuitousArp();
    return { added, removed };
  }

  /** Withdraws every address this announcer added (agent removed from the node). */
  async withdrawAll(): Promise<void> {
    for (const ip of await this.announced()) await this.del(ip);
  }

  private async del(ip: string): Promise<void> {
    await deleteAddress(this.device, `${ip}/32`, { netns: this.netns, label: this.label });
  }

  /** Makes the kernel send gratuitous ARP for the link's addresses (arp_notify on an address change). */
  private async gratuitousArp(): Promise<void> {
    const link = await getLink(this.device, { netns: this.netns });
    if (!link?.address) return;
    await setLinkAddress(this.device, link.address, { netns: this.netns });
  }
}
