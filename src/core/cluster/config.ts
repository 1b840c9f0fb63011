// The cluster's configuration: written by `podnet up` to <stateDir>/cluster.json and read by
// `podnet server` and every `podnet agent`. Defaults follow kubeadm and flannel.
import type { DatastoreConfig } from './etcd-plan.js';

export type OverlayMode = 'vxlan' | 'host-gw';

export interface NodeConfig {
  /** Node name, also the name of the node's network namespace. */
  name: string;
  /** The node's address on the underlay bridge (its InternalIP). */
  ip: string;
  /** The link that holds `ip` (VXLAN's underlay device, where LoadBalancer addresses go); eth0 when absent. */
  uplink?: string;
  /** Labels the agent puts on its Node at registration, as kubelet's --node-labels. */
  labels?: Record<string, string>;
}

export interface ApiServerConfig {
  /** The supervised name (server-1, ...), also the start of its Lease holderIdentity. */
  name: string;
  /** The port it listens on, on 127.0.0.1 and hostIP. */
  port: number;
}

export interface ClusterConfig {
  name: string;
  /** Directory holding everything this cluster keeps on disk (pki, store, logs, pids). */
  stateDir: string;
  /** Underlay subnet joining the host and the nodes, e.g. 172.31.250.0/24. */
  underlayCIDR: string;
  /** The host's address on the underlay bridge; the API server listens there and on 127.0.0.1. */
  hostIP: string;
  /** Name of the underlay bridge in the root namespace (at most 15 characters). */
  bridge: string;
  apiServerPort: number;
  clusterCIDR: string;       // 10.244.0.0/16
  nodeCIDRMaskSize: number;  // 24
  serviceCIDR: string;       // 10.96.0.0/12
  nodePortRange: string;     // 30000-32767
  clusterDomain: string;     // cluster.local
  dnsServiceIP: string;      // 10.96.0.10
  overlay: OverlayMode;
  /**
   * Addresses for LoadBalancer Services (status.loadBalancer.ingress), announced on the underlay by one
   * node each: comma-separated IPv4 CIDRs and `first-last` ranges, e.g. "172.31.250.200-172.31.250.250".
   * Optional: without it the pool is the upper part of underlayCIDR (.200-.250 of a /24). The host's
   * and the nodes' addresses are never handed out. Changing it needs a restart of `podnet server`.
   */
  loadBalancerPool?: string;
  /**
   * How long an Event lives after its last write (kube-apiserver's --event-ttl), a Go duration such as
   * "1h" or "90s"; absent means 1h.
   */
  eventTTL?: string;
  nodes: NodeConfig[];
  /**
   * Node lifecycle, as kube-controller-manager's --node-monitor-grace-period (seconds a node's agent may
   * be silent before the node is Unknown; 50 when absent) and kube-apiserver's
   * --default-not-ready-toleration-seconds / --default-unreachable-toleration-seconds (how long pods
   * without tolerations of their own stay on such a node; 300 when absent).
   */
  nodeMonitorGracePeriodSeconds?: number;
  defaultNotReadyTolerationSeconds?: number;
  defaultUnreachableTolerationSeconds?: number;
  /**
   * Several API servers (`podnet up --servers N`, N > 1, etcd only): each listens on its own port on
   * 127.0.0.1 and hostIP, and apiServerPort on those addresses is a virtual address that nftables
   * (table ip podnet-api-<name>, kept by the servers) forwards to the live ones. Absent: one server
   * listening on apiServerPort itself.
   */
  servers?: ApiServerConfig[];
  /** The controller manager's leader election (kube-controller-manager's --leader-elect-* flags); 15/10/2 s when absent. */
  leaderElection?: { leaseDurationSeconds: number; renewDeadlineSeconds: number; retryPeriodSeconds: number };
  /** Where the API server keeps objects: SQLite at paths.store when absent. */
  datastore?: DatastoreConfig;
  /** Paths inside stateDir. */
  paths: {
    caCert: string;
    caKey: string;
    serverCert: string;
    serverKey: string;
    /** Bearer token file: one token, used by kubectl and by the agents. */
    token: string;
    /** A kubeconfig for this cluster alone (agents and tests use it). */
    kubeconfig: string;
    store: string;
    logs: string;
  };
}

export const DEFAULTS = {
  nodes: 3,
  clusterCIDR: '10.244.0.0/16',
  nodeCIDRMaskSize: 24,
  serviceCIDR: '10.96.0.0/12',
  nodePortRange: '30000-32767',
  clusterDomain: 'cluster.local',
  dnsServiceIP: '10.96.0.10',
  overlay: 'vxlan' as OverlayMode,
  apiServerPort: 6443,
  eventTTL: '1h',
  stateRoot: '/var/lib/podnet',
};
