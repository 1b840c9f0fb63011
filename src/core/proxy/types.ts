// What the service proxy reads from the API: the fields of v1 Service and discovery.k8s.io/v1
// EndpointSlice that decide packet handling, plus the node it runs on. Loose shapes, so that objects
// straight from an informer (KubeObject JSON) fit without conversion.
import type { ObjectMeta } from '../api/object.js';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface ServicePort {
  name?: string;
  protocol?: Protocol;
  port: number;
  /** Number or the name of a container port; the EndpointSlice controller resolves it, the proxy reads
   * the resolved number from the slice port that carries this service port's name. */
  targetPort?: number | string;
  nodePort?: number;
}

export interface Service {
  metadata: ObjectMeta;
  spec?: {
    type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
    clusterIP?: string;
    clusterIPs?: string[];
    ports?: ServicePort[];
    externalIPs?: string[];
    externalTrafficPolicy?: 'Cluster' | 'Local';
    internalTrafficPolicy?: 'Cluster' | 'Local';
    sessionAffinity?: 'None' | 'ClientIP';
    sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } };
    loadBalancerSourceRanges?: string[];
    [key: string]: unknown;
  };
  status?: {
    loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string; ipMode?: 'VIP' | 'Proxy' }> };
  };
}

export interface EndpointConditions { ready?: boolean | null; serving?: boolean | null; terminating?: boolean | null }

export interface Endpoint {
  addresses: string[];
  conditions?: EndpointConditions;
  nodeName?: string;
  zone?: string;
}

export interface EndpointPort { name?: string | null; protocol?: Protocol; port?: number | null }

export interface EndpointSlice {
  metadata: ObjectMeta;
  addressType: 'IPv4' | 'IPv6' | 'FQDN';
  endpoints?: Endpoint[] | null;
  ports?: EndpointPort[] | null;
}

/** The node the proxy programs. */
export interface ProxyNode {
  name: string;
  /** Addresses that accept NodePorts (the node's InternalIPs; kube-proxy nftables' "primary" default). */
  ips: string[];
  /** This node's pod range; pods here are the local endpoints' home. */
  podCIDR?: string;
  /** The whole pod network: sources inside it are "in cluster" and are not masqueraded (detect-local). */
  clusterCIDR: string;
}

export interface ProxyOptions {
  /**
   * 'maps' (default): endpoint lists are map elements picked by a few shared chains; only services with
   * ClientIP affinity get their own chains. 'chains': kube-proxy's nftables layout with one chain per
   * service and per endpoint (kept for comparison and for affinity services).
   */
  layout?: 'maps' | 'chains';
  /** Masquerade all traffic to ClusterIPs, not just traffic from outside the cluster CIDR. */
  masqueradeAll?: boolean;
  /** Service CIDRs: traffic to an address in them that is no ClusterIP is dropped (nftables mode). */
  serviceCIDRs?: string[];
  /** nft table name (family ip); default `podnet`. */
  table?: string;
  /** The bit of the packet mark that means "masquerade me"; default 14 (0x4000), as kube-proxy. */
  masqueradeBit?: number;
}

export interface ProxyInput {
  services: Service[];
  endpointSlices: EndpointSlice[];
  node: ProxyNode;
  options?: ProxyOptions;
}

/** Label that hands a Service to another proxy; the default proxy must ignore such services. */
export const LABEL_SERVICE_PROXY_NAME = 'service.kubernetes.io/service-proxy-name';
/** Label that makes the proxy treat a Service as headless. */
export const LABEL_HEADLESS = 'service.kubernetes.io/headless';
/** Label linking an EndpointSlice to its Service. */
export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
export const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10800;
