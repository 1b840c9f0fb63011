// What the policy planner reads from the API: the fields of networking.k8s.io/v1 NetworkPolicy, v1 Pod
// and v1 Namespace that decide which connections are allowed. Loose shapes, so that objects straight
// from an informer (KubeObject JSON or @kubernetes/client-node models) fit without conversion.
import type { LabelSelector } from '../api/labels.js';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface Meta { name?: string; namespace?: string; labels?: Record<string, string>; deletionTimestamp?: unknown }

export interface NetworkPolicyPort { protocol?: Protocol; port?: number | string; endPort?: number }

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector | null;
  namespaceSelector?: LabelSelector | null;
  ipBlock?: { cidr: string; except?: string[] | null } | null;
}

export interface NetworkPolicyRule { from?: NetworkPolicyPeer[] | null; to?: NetworkPolicyPeer[] | null; ports?: NetworkPolicyPort[] | null }

export interface NetworkPolicy {
  metadata?: Meta;
  spec?: {
    podSelector?: LabelSelector | null;
    policyTypes?: Array<'Ingress' | 'Egress'> | null;
    ingress?: NetworkPolicyRule[] | null;
    egress?: NetworkPolicyRule[] | null;
  };
}

export interface ContainerPort { name?: string; containerPort: number; protocol?: Protocol | string }

export interface Pod {
  metadata?: Meta;
  spec?: {
    nodeName?: string;
    hostNetwork?: boolean;
    containers?: Array<{ ports?: ContainerPort[] | null }>;
    initContainers?: Array<{ ports?: ContainerPort[] | null; restartPolicy?: string }> | null;
  };
  status?: { phase?: string; podIP?: string; podIPs?: Array<{ ip: string }> | null; hostIP?: string };
}

export interface Namespace { metadata?: Meta }

export interface PolicyInput {
  policies: readonly NetworkPolicy[];
  pods: readonly Pod[];
  namespaces: readonly Namespace[];
}

export type Direction = 'ingress' | 'egress';
