// The data of a trace: the cluster as the model reads it (a snapshot of API objects plus the few kernel
// facts a planner cannot know), the ends of the path, and the path itself as hops. Each hop names the
// object that decided it and why, and carries what `--prove` must see in the kernel to confirm it.
import type { EndpointSlice, Service } from '../proxy/index.js';
import type { OverlayMode } from '../cluster/config.js';
import type { NetworkPolicy } from '../policy/index.js';

/** The fields of a v1 Pod the trace reads (informer objects and API JSON both fit). */
export interface PodLike {
  metadata: { name?: string; namespace?: string; labels?: Record<string, string>; uid?: string; deletionTimestamp?: unknown };
  spec?: {
    nodeName?: string;
    hostNetwork?: boolean;
    containers?: Array<{ name?: string; ports?: Array<{ name?: string; containerPort?: number; protocol?: string }> }>;
  };
  status?: { phase?: string; podIP?: string; conditions?: Array<{ type?: string; status?: string }> };
}

export interface NodeLike {
  metadata?: { name?: string; annotations?: Record<string, string> };
  spec?: { podCIDR?: string; podCIDRs?: string[] };
  status?: { addresses?: Array<{ type: string; address: string }> };
}

/** A Namespace: its labels decide NetworkPolicy namespaceSelectors. */
export interface NamespaceLike { metadata?: { name?: string; labels?: Record<string, string> } }

export interface ServiceLike extends Service {
  spec?: Service['spec'] & { selector?: Record<string, string>; externalName?: string };
}

/** What `podnet trace` reads from the API server, plus the cluster's configuration. */
export interface ClusterSnapshot {
  clusterCIDR: string;
  serviceCIDR: string;
  clusterDomain: string;
  dnsServiceIP: string;
  overlay: OverlayMode;
  /** The host's address on the underlay bridge. */
  hostIP: string;
  nodes: NodeLike[];
  pods: PodLike[];
  services: ServiceLike[];
  endpointSlices: EndpointSlice[];
  namespaces: NamespaceLike[];
  /** networking.k8s.io/v1 NetworkPolicies (absent: none, every pod non-isolated). */
  networkPolicies?: NetworkPolicy[];
  ingresses?: unknown[];
  /** networking.k8s.io/v1 IngressClasses: which Ingresses the controller serves. */
  ingressClasses?: unknown[];
  /** The cluster DNS Corefile (ConfigMap kube-system/coredns); absent: kubeadm's default. */
  corefile?: string;
}

/** A socket listening in a pod's network namespace (`ss -ltn` / `ss -lun`). */
export interface Listener { proto: 'tcp' | 'udp'; addr: string; port: number }

/** Kernel facts the model takes as input, read by the component through src/linux. */
export interface KernelFacts {
  /** `ns/pod` → the pod's /etc/resolv.conf as written by its node (absent: formed as kubelet forms it). */
  resolvConf?: Map<string, { servers: string[]; searches: string[]; options: string[] }>;
  /** `ns/pod` → sockets listening in the pod netns; absent: not read (listener unverified). */
  listeners?: Map<string, Listener[]>;
}

export type Proto = 'tcp' | 'udp';

/** One end of a trace as the user named it, resolved against the snapshot. */
export type Endpoint =
  | { kind: 'pod'; pod: PodLike; key: string }
  | { kind: 'node'; node: string; ip: string }
  | { kind: 'host'; ip: string };

export type Target =
  | { kind: 'pod'; pod: PodLike; key: string; port?: number }
  | { kind: 'service'; namespace: string; name: string; port?: number }
  | { kind: 'dns'; name: string; port?: number }
  | { kind: 'ingress'; url: string; host: string; path: string; port: number; scheme: 'http' | 'https' }
  | { kind: 'ip'; ip: string; port?: number };

/** What `--prove` must see to confirm a hop. */
export type Expectation =
  | { kind: 'dns'; server: string; queries: Array<{ name: string; rcode: 'NOERROR' | 'NXDOMAIN'; answers: string[] }> }
  /** A packet of the flow passes through this namespace (optionally in/out of these devices). */
  | { kind: 'seen'; ns: NsRef; iif?: string; oif?: string }
  /** After the proxy, the packet leaves `ns` for one of these `ip:port` (empty: no DNAT). */
  | { kind: 'dnat'; ns: NsRef; candidates: string[] }
  /**
   * The pod's NetworkPolicy chain on its node (`ns`, table ip podnet-policy) passes the flow's first packet
   * on, or drops it (then the connection times out).
   */
  | { kind: 'policy'; ns: NsRef; table: string; chain: string; allowed: boolean }
  /** The proxy rejects/drops the packet in `ns`. */
  | { kind: 'refused'; ns: NsRef; how: 'reject' | 'drop' }
  /** The connection's outcome at the destination socket. */
  | { kind: 'connect'; result: 'connected' | 'refused' | 'timeout' };

/** A namespace in topology terms; the component maps it to a kernel netns. */
export type NsRef = { kind: 'host' } | { kind: 'node'; node: string } | { kind: 'pod'; key: string; node?: string };

export type HopKind =
  | 'dns' | 'source' | 'bridge' | 'service' | 'route' | 'overlay' | 'underlay' | 'policy' | 'ingress' | 'destination' | 'listener';

export interface Proof {
  status: 'confirmed' | 'contradicted' | 'unverified';
  /** What the kernel showed (trace lines, dig answers, the connection's result). */
  evidence: string[];
}

export interface Hop {
  kind: HopKind;
  /** Where it happens, as the seeds say it: `pod default/client`, `node node-1`, `host`. */
  where: string;
  ns?: NsRef;
  /** The API object or kernel object that decided it: `Service my-app/web`, `route 10.244.2.0/24`. */
  decidedBy: string;
  /** One line: what happens. */
  summary: string;
  /** Why: the matching rule, record, route, entry. */
  why: string[];
  ok: boolean;
  /** When not ok: the obvious fix, in the reader's words. */
  fix?: string;
  expect?: Expectation;
  proof?: Proof;
}

/** The path after the service proxy picked one endpoint. */
export interface Branch {
  /** `ip:port` the proxy DNATs to (or the destination itself when no Service is involved). */
  endpoint: string;
  /** The pod behind it, `ns/name`, when it is a pod. */
  pod?: string;
  node?: string;
  probability: number;
  hops: Hop[];
}

export interface TraceResult {
  from: string;
  to: string;
  proto: Proto;
  /** Source address of the first packet. */
  srcIP: string;
  /** Destination address and port as the source sends them (after name resolution). */
  dstIP?: string;
  dstPort?: number;
  /** Hops before the endpoint choice. */
  hops: Hop[];
  /** One per endpoint the proxy may choose (one branch when there is no choice). */
  branches: Branch[];
  /** True when every hop of the first branch (and the common part) is ok. */
  ok: boolean;
  /** When not ok: the first failing hop's words. */
  verdict: string;
  /** Where the answer's time went (filled by the component): reading the API, the model, --prove. */
  timings?: { snapshotMs: number; factsMs: number; modelMs: number; proveMs?: number };
  /** --prove: the branch the kernel took, and disagreements between model and kernel. */
  proved?: { branch?: number; connect?: string; bugs: string[] };
  /**
   * An Ingress URL is two connections: the client's to the controller (this trace), and nginx's own from
   * the controller pod to one of the backend Service's endpoints (this second leg).
   */
  next?: TraceResult;
}

/** Verdict hops from features built elsewhere (NetworkPolicy, Ingress): a small interface to plug them in. */
export interface PolicyQuery {
  src: { ip: string; pod?: PodLike };
  /** The endpoint after Service DNAT: policies see it, not the ClusterIP. */
  dst: { ip: string; pod?: PodLike };
  /** The source address the destination's node sees (another node's address after masquerade); default src.ip. */
  seenSrc?: string;
  port: number;
  proto: Proto;
}
export interface PolicyVerdict {
  allowed: boolean;
  direction: 'egress' | 'ingress';
  decidedBy: string;
  why: string[];
  fix?: string;
  /** Where the kernel decides: the nft table and chain on the pod's node (a deny shows there as a drop). */
  table?: string;
  chain?: string;
}
export interface IngressRoute {
  /** `namespace/name` of the Ingress whose rule matched, and the rule as text (host, path, match kind). */
  ingress: string;
  rule: string;
  /** The backend Service and the ready endpoints nginx balances over (it connects to them, not the ClusterIP). */
  service?: { namespace: string; name: string; port: number | string };
  endpoints: Array<{ ip: string; port: number }>;
  /** nginx answers by itself (no endpoints: 503, ssl-redirect: 308, …): status and reason. */
  answer?: { status: number; reason: string };
  why: string[];
}

export interface TracePlugins {
  /** NetworkPolicy: one verdict per direction that isolates the pods (empty: no policy applies). */
  policy?: (q: PolicyQuery, snap: ClusterSnapshot) => PolicyVerdict[];
  /** Ingress: the route an Ingress controller would pick for host + path, or undefined (nginx answers 404). */
  ingress?: (host: string, path: string, snap: ClusterSnapshot) => IngressRoute | undefined;
  /** Where the Ingress controller's Service lives (namespace/name), for host → Ingress traces. */
  ingressService?: { namespace: string; name: string };
}
