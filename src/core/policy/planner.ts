// The NetworkPolicy planner: NetworkPolicies + Pods + Namespaces → for each pod, whether it is isolated
// for ingress and for egress, and the union of what the policies selecting it allow, as address
// intervals × (protocol, port intervals). Pure and deterministic; the agent's programmer turns a node's
// plans into nftables sets (nft.ts), explain.ts answers "which policy decided" from the same plans.
//
// Semantics (networking.k8s.io/v1, reference/ingress-policy.md §4):
//  - a pod is isolated for a direction iff a policy of its namespace selects it and lists that direction
//    in policyTypes (default: Ingress, plus Egress when the policy has egress rules);
//  - allowed = union over the selecting policies' rules; a rule allows what matches one of its peers
//    (none listed: every address) AND one of its ports (none listed: every protocol and port);
//  - peers: podSelector (the policy's namespace), namespaceSelector (every pod there), both (AND),
//    ipBlock (cidr minus except; it also matches pod IPs, as upstream e2e expects);
//  - a named port is resolved on the destination pod: the selected pod for ingress, each peer pod for
//    egress (cluster-wide when the rule names no peer), with the rule's protocol; a name no pod has
//    allows nothing;
//  - hostNetwork pods are treated as their node (the API's option (b)): no selector matches them and a
//    policy never selects them; their traffic is node traffic.
import { fromLabelSelector, type LabelSelector, matches, type Selector } from '../api/labels.js';
import { CIDR } from '../net/index.js';
import { ALL_ADDRESSES, ALL_PORTS, cidrRange, ipRange, type Range, subtractRanges, unionRanges } from './ranges.js';
import type {
  ContainerPort, Direction, Namespace, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicyRule, Pod,
  PolicyInput, Protocol,
} from './types.js';

/** One protocol's port interval. */
export interface PortGrant { proto: Protocol; ports: Range }

/** Addresses, and the ports open to them (undefined: every protocol and port, ICMP included). */
export interface Grant { addrs: Range[]; ports?: PortGrant[] }

/** What one rule (`spec.ingress[index]` or `spec.egress[index]`) of one policy allows for one pod. */
export interface AllowRule { policy: string; index: number; grants: Grant[] }

export interface DirectionPlan {
  /** `namespace/name` of every policy isolating the pod in this direction, sorted. */
  policies: string[];
  rules: AllowRule[];
}

export interface PodPlan {
  namespace: string;
  name: string;
  ip: string;
  node?: string;
  /** Undefined when the pod is not isolated in that direction (everything allowed). */
  ingress?: DirectionPlan;
  egress?: DirectionPlan;
}

export const METADATA_NAME_LABEL = 'kubernetes.io/metadata.name';

const keyOf = (o: { metadata?: { namespace?: string; name?: string } }) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

/** The pod's IPv4 address as the policy sees it, or undefined when it has none or takes part as its node. */
export function policyPodIP(pod: Pod): string | undefined {
  if (pod.spec?.hostNetwork) return undefined;
  const phase = pod.status?.phase;
  // A terminal pod's IP may already belong to a new pod.
  if (phase === 'Succeeded' || phase === 'Failed') return undefined;
  const ips = pod.status?.podIPs?.map((p) => p.ip) ?? (pod.status?.podIP ? [pod.status.podIP] : []);
  return ips.find((ip) => ipRange(ip) !== undefined);
}

/** policyTypes as the API defaults them (the API server stores them defaulted; this covers other sources). */
export function policyTypes(np: NetworkPolicy): Direction[] {
  const given = np.spec?.policyTypes;
  if (given && given.length) return given.map((t) => (t === 'Egress' ? 'egress' : 'ingress'));
  return np.spec?.egress?.length ? ['ingress', 'egress'] : ['ingress'];
}

/** A spec selector: absent counts as `{}` (every pod), as the Go struct decodes it. */
const selectorOf = (ls: LabelSelector | null | undefined): Selector => fromLabelSelector(ls ?? {}) ?? [];

export function containerPortByName(pod: Pod, name: string, proto: Protocol): number | undefined {
  const all: ContainerPort[] = [];
  for (const c of pod.spec?.containers ?? []) all.push(...(c.ports ?? []));
  for (const c of pod.spec?.initContainers ?? []) all.push(...(c.ports ?? []));
  return all.find((p) => p.name === name && (p.protocol ?? 'TCP') === proto)?.containerPort;
}

/** A pod with its IPv4 address, as text and as a number (parsed once). */
interface PodEntry { pod: Pod; ip: string; n: number }

interface PolicyEntry { np: NetworkPolicy; key: string; selector: Selector; types: Direction[] }

/**
 * An index over one snapshot of the cluster: plans pods one at a time, caching what does not depend on
 * the pod (peer addresses of each rule), so planning a node with N pods under M policies is cheap.
 */
export class PolicyIndex {
  private readonly nsLabels = new Map<string, Record<string, string>>();
  private readonly podsByNs = new Map<string, PodEntry[]>();
  private readonly allPods: PodEntry[] = [];
  private readonly policiesByNs = new Map<string, PolicyEntry[]>();
  private readonly podByIP = new Map<string, Pod>();
  private readonly peerCache = new Map<string, Range[] | undefined>();

  constructor(readonly input: PolicyInput) {
    for (const ns of input.namespaces) {
      const name = ns.metadata?.name ?? '';
      // The control plane sets kubernetes.io/metadata.name on every namespace; rely on it even if a
      // source (a test, an older server) left it out.
      this.nsLabels.set(name, { ...ns.metadata?.labels, [METADATA_NAME_LABEL]: name });
    }
    for (const pod of input.pods) {
      const ip = policyPodIP(pod);
      if (!ip) continue;
      const ns = pod.metadata?.namespace ?? 'default';
      const entry: PodEntry = { pod, ip, n: ipRange(ip)![0] };
      this.allPods.push(entry);
      let list = this.podsByNs.get(ns);
      if (!list) this.podsByNs.set(ns, list = []);
      list.push(entry);
      // Two pods with one IP (a dying pod and its successor): the one that is not being deleted wins.
      const prev = this.podByIP.get(ip);
      if (!prev || (prev.metadata?.deletionTimestamp && !pod.metadata?.deletionTimestamp)) this.podByIP.set(ip, pod);
    }
    const sorted = [...input.policies].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
    for (const np of sorted) {
      const ns = np.metadata?.namespace ?? 'default';
      let list = this.policiesByNs.get(ns);
      if (!list) this.policiesByNs.set(ns, list = []);
      list.push({ np, key: keyOf(np), selector: selectorOf(np.spec?.podSelector), types: policyTypes(np) });
    }
  }

  namespaceLabels(ns: string): Record<string, string> {
    return this.nsLabels.get(ns) ?? { [METADATA_NAME_LABEL]: ns };
  }

  /** The (non-hostNetwork, running) pod that has this IP. */
  podAt(ip: string): Pod | undefined {
    return this.podByIP.get(ip);
  }

  /** `namespace/name` of the policies that select the pod, per direction. */
  selecting(pod: Pod): Record<Direction, PolicyEntry[]> {
    const out: Record<Direction, PolicyEntry[]> = { ingress: [], egress: [] };
    if (pod.spec?.hostNetwork) return out;
    const ns = pod.metadata?.namespace ?? 'default';
    for (const e of this.policiesByNs.get(ns) ?? []) {
      if (!matches(e.selector, pod.metadata?.labels)) continue;
      for (const t of e.types) out[t].push(e);
    }
    return out;
  }

  /** The plan of one pod (with an IP); undefined when it has none. */
  planPod(pod: Pod): PodPlan | undefined {
    const ip = policyPodIP(pod);
    if (!ip) return undefined;
    const plan: PodPlan = { namespace: pod.metadata?.namespace ?? 'default', name: pod.metadata?.name ?? '', ip, node: pod.spec?.nodeName };
    const sel = this.selecting(pod);
    for (const dir of ['ingress', 'egress'] as const) {
      if (!sel[dir].length) continue;
      const rules: AllowRule[] = [];
      for (const e of sel[dir]) {
        const list: NetworkPolicyRule[] = (dir === 'ingress' ? e.np.spec?.ingress : e.np.spec?.egress) ?? [];
        list.forEach((rule, index) => {
          const grants = this.ruleGrants(e, dir, rule, index, pod);
          if (grants.length) rules.push({ policy: e.key, index, grants });
        });
      }
      plan[dir] = { policies: sel[dir].map((e) => e.key), rules };
    }
    return plan;
  }

  /** Plans of the pods bound to `node` (every pod with an IP when node is undefined). */
  planNode(node?: string): PodPlan[] {
    const out: PodPlan[] = [];
    for (const pod of this.nodePods(node)) {
      const p = this.planPod(pod);
      if (p) out.push(p);
    }
    return out;
  }

  /** The pods of `node` that get a plan: with an IP, and owning it. */
  nodePods(node?: string): Pod[] {
    const out: Pod[] = [];
    for (const { pod, ip } of this.allPods) {
      if (node !== undefined && pod.spec?.nodeName !== node) continue;
      // One plan per address: a dying pod whose IP a new pod already has gives way to the new one.
      if (this.podByIP.get(ip) === pod) out.push(pod);
    }
    return out;
  }

  /** Whether `np` (of this snapshot's namespaces) selects `pod` as a target. */
  selects(np: NetworkPolicy, pod: Pod): boolean {
    if (pod.spec?.hostNetwork) return false;
    if ((np.metadata?.namespace ?? 'default') !== (pod.metadata?.namespace ?? 'default')) return false;
    return matches(selectorOf(np.spec?.podSelector), pod.metadata?.labels);
  }

  /**
   * Whether what `np` allows may depend on `pod` as a peer: a podSelector/namespaceSelector peer matches
   * it, or an egress rule names a port (resolved on every peer pod, whatever selected it).
   */
  dependsOnPeer(np: NetworkPolicy, pod: Pod): boolean {
    const rules = [...(np.spec?.ingress ?? []).map((r) => r.from), ...(np.spec?.egress ?? []).map((r) => r.to)];
    if ((np.spec?.egress ?? []).some((r) => (r.ports ?? []).some((p) => typeof p.port === 'string' && !/^\d+$/.test(p.port)))) return true;
    if (!policyPodIP(pod)) return false;
    const podNs = pod.metadata?.namespace ?? 'default';
    const policyNs = np.metadata?.namespace ?? 'default';
    for (const peers of rules) {
      for (const peer of peers ?? []) {
        if (peer.ipBlock || (!peer.podSelector && !peer.namespaceSelector)) continue;
        const inNs = peer.namespaceSelector ? matches(selectorOf(peer.namespaceSelector), this.namespaceLabels(podNs)) : podNs === policyNs;
        if (inNs && matches(peer.podSelector ? selectorOf(peer.podSelector) : [], pod.metadata?.labels)) return true;
      }
    }
    return false;
  }

  private ruleGrants(e: PolicyEntry, dir: Direction, rule: NetworkPolicyRule, index: number, target: Pod): Grant[] {
    const peers = (dir === 'ingress' ? rule.from : rule.to) ?? [];
    const cacheKey = `${e.key}\0${dir}\0${index}`;
    let addrs = this.peerCache.get(cacheKey);
    if (!this.peerCache.has(cacheKey)) {
      addrs = peers.length ? unionRanges(peers.flatMap((p) => this.peerRanges(p, e.np.metadata?.namespace ?? 'default'))) : undefined;
      this.peerCache.set(cacheKey, addrs);
    }
    const peerAddrs = addrs ?? [ALL_ADDRESSES];
    if (peerAddrs.length === 0) return [];
    const ports = rule.ports ?? [];
    if (ports.length === 0) return [{ addrs: peerAddrs }];

    const numeric: PortGrant[] = [];
    const named: Array<{ name: string; proto: Protocol }> = [];
    for (const p of ports) {
      const proto = p.protocol ?? 'TCP';
      const g = numericPort(p);
      if (g) numeric.push(g);
      else if (typeof p.port === 'string') named.push({ name: p.port, proto });
    }
    const grants: Grant[] = [];
    if (dir === 'ingress') {
      // Named ports of an ingress rule name ports of the selected pod itself.
      for (const n of named) {
        const port = containerPortByName(target, n.name, n.proto);
        if (port !== undefined) numeric.push({ proto: n.proto, ports: [port, port] });
      }
      if (numeric.length) grants.push({ addrs: peerAddrs, ports: numeric });
      return grants;
    }
    if (numeric.length) grants.push({ addrs: peerAddrs, ports: numeric });
    if (named.length) grants.push(...this.egressNamedGrants(cacheKey, peerAddrs, named));
    return grants;
  }

  private readonly namedCache = new Map<string, Grant[]>();

  /** Egress named ports: one grant per destination pod (inside the peers) that has such a port. */
  private egressNamedGrants(cacheKey: string, peerAddrs: Range[], named: Array<{ name: string; proto: Protocol }>): Grant[] {
    const cached = this.namedCache.get(cacheKey);
    if (cached) return cached;
    const out: Grant[] = [];
    for (const { pod, n: addr } of this.allPods) {
      if (!peerAddrs.some(([lo, hi]) => addr >= lo && addr <= hi)) continue;
      const ports: PortGrant[] = [];
      for (const n of named) {
        const port = containerPortByName(pod, n.name, n.proto);
        if (port !== undefined) ports.push({ proto: n.proto, ports: [port, port] });
      }
      if (ports.length) out.push({ addrs: [[addr, addr]], ports });
    }
    this.namedCache.set(cacheKey, out);
    return out;
  }

  private peerRanges(peer: NetworkPolicyPeer, policyNs: string): Range[] {
    if (peer.ipBlock) return ipBlockRanges(peer.ipBlock);
    if (!peer.podSelector && !peer.namespaceSelector) return [];
    const podSel = peer.podSelector ? selectorOf(peer.podSelector) : [];
    const out: Range[] = [];
    const take = (ns: string) => {
      for (const { pod, n } of this.podsByNs.get(ns) ?? []) {
        if (matches(podSel, pod.metadata?.labels)) out.push([n, n]);
      }
    };
    if (!peer.namespaceSelector) take(policyNs);
    else {
      const nsSel = selectorOf(peer.namespaceSelector);
      const names = new Set([...this.nsLabels.keys(), ...this.podsByNs.keys()]);
      for (const ns of names) if (matches(nsSel, this.namespaceLabels(ns))) take(ns);
    }
    return out;
  }
}

/**
 * The IPv4 addresses of an ipBlock: cidr minus except. The cluster is single-stack IPv4 (so are its
 * policy tables), and an IPv6 block matches no packet in it, as upstream plugins treat one in an IPv4-only
 * cluster: it neither opens nor closes IPv4 traffic. A rule whose only peers are IPv6 blocks allows
 * nothing (its policy still isolates the pods it selects); beside other peers it adds nothing. The API
 * accepts such blocks, as upstream validation does (either family; except within cidr, same family).
 */
export function ipBlockRanges(block: { cidr: string; except?: string[] | null }): Range[] {
  let cidr: CIDR;
  try { cidr = CIDR.parse(block.cidr); } catch { return []; /* validation refuses it */ }
  if (cidr.family === 6) return [];
  const holes: Range[] = [];
  for (const ex of block.except ?? []) {
    let hole: CIDR;
    try { hole = CIDR.parse(ex); } catch { continue; /* validation refuses it */ }
    // An IPv6 except inside an IPv4 cidr is refused by validation; were one stored, it removes nothing.
    if (hole.family === 4) holes.push(cidrRange(hole)!);
  }
  return subtractRanges([cidrRange(cidr)!], holes);
}

/** A numeric port entry as an interval (undefined for a named port). No port: all ports of the protocol. */
function numericPort(p: NetworkPolicyPort): PortGrant | undefined {
  const proto = p.protocol ?? 'TCP';
  if (p.port === undefined || p.port === null) return { proto, ports: ALL_PORTS };
  if (typeof p.port === 'number') return { proto, ports: [p.port, Math.max(p.port, p.endPort ?? p.port)] };
  if (/^\d+$/.test(p.port)) { const n = Number(p.port); return { proto, ports: [n, Math.max(n, p.endPort ?? n)] }; }
  return undefined;
}

/** Plans every pod of `node` (all pods when omitted). */
export function planPolicies(input: PolicyInput, node?: string): PodPlan[] {
  return new PolicyIndex(input).planNode(node);
}
