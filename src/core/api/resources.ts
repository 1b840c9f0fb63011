// The resource registry: every kind the API server serves, with the names discovery reports.
// Discovery, routing, storage keys, printers and validation all look kinds up here.

export type Subresource = 'status' | 'scale' | 'log' | 'exec' | 'attach' | 'portforward' | 'binding' | 'finalize';

export interface ResourceInfo {
  group: string;            // '' for the core group
  version: string;
  kind: string;
  listKind: string;
  resource: string;         // plural, as in URLs: 'pods'
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  subresources: Subresource[];
  verbs: string[];
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function r(
  group: string, version: string, kind: string, resource: string, namespaced: boolean,
  extra: { shortNames?: string[]; categories?: string[]; subresources?: Subresource[]; verbs?: string[] } = {},
): ResourceInfo {
  return {
    group, version, kind, listKind: `${kind}List`, resource, singular: kind.toLowerCase(), namespaced,
    shortNames: extra.shortNames ?? [], categories: extra.categories ?? [],
    subresources: extra.subresources ?? [], verbs: extra.verbs ?? ALL_VERBS,
  };
}

export const RESOURCES: readonly ResourceInfo[] = [
  r('', 'v1', 'Namespace', 'namespaces', false, { shortNames: ['ns'], subresources: ['status', 'finalize'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] }),
  r('', 'v1', 'Node', 'nodes', false, { shortNames: ['no'], subresources: ['status'] }),
  r('', 'v1', 'Pod', 'pods', true, { shortNames: ['po'], categories: ['all'],
    subresources: ['status', 'log', 'exec', 'attach', 'portforward', 'binding'] }),
  r('', 'v1', 'Service', 'services', true, { shortNames: ['svc'], categories: ['all'], subresources: ['status'] }),
  r('', 'v1', 'Endpoints', 'endpoints', true, { shortNames: ['ep'] }),
  r('', 'v1', 'ConfigMap', 'configmaps', true, { shortNames: ['cm'] }),
  r('', 'v1', 'Secret', 'secrets', true),
  r('', 'v1', 'Event', 'events', true, { shortNames: ['ev'] }),
  r('', 'v1', 'ServiceAccount', 'serviceaccounts', true, { shortNames: ['sa'] }),
  r('apps', 'v1', 'Deployment', 'deployments', true, { shortNames: ['deploy'], categories: ['all'],
    subresources: ['status', 'scale'] }),
  r('apps', 'v1', 'ReplicaSet', 'replicasets', true, { shortNames: ['rs'], categories: ['all'],
    subresources: ['status', 'scale'] }),
  r('apps', 'v1', 'DaemonSet', 'daemonsets', true, { shortNames: ['ds'], categories: ['all'], subresources: ['status'] }),
  r('apps', 'v1', 'StatefulSet', 'statefulsets', true, { shortNames: ['sts'], categories: ['all'],
    subresources: ['status', 'scale'] }),
  // The history DaemonSets and StatefulSets keep of their templates (`kubectl rollout history|undo`).
  r('apps', 'v1', 'ControllerRevision', 'controllerrevisions', true),
  r('batch', 'v1', 'Job', 'jobs', true, { categories: ['all'], subresources: ['status'] }),
  r('batch', 'v1', 'CronJob', 'cronjobs', true, { shortNames: ['cj'], categories: ['all'], subresources: ['status'] }),
  r('discovery.k8s.io', 'v1', 'EndpointSlice', 'endpointslices', true),
  r('networking.k8s.io', 'v1', 'Ingress', 'ingresses', true, { shortNames: ['ing'], subresources: ['status'] }),
  r('networking.k8s.io', 'v1', 'IngressClass', 'ingressclasses', false),
  r('networking.k8s.io', 'v1', 'NetworkPolicy', 'networkpolicies', true, { shortNames: ['netpol'] }),
  // Node heartbeats (kube-node-lease), as every kubelet writes them.
  r('coordination.k8s.io', 'v1', 'Lease', 'leases', true),
  // RBAC objects are stored and listed; the cluster's one user is an admin (system:masters), so they
  // grant nothing new, but manifests and charts that carry them apply as on any cluster.
  r('rbac.authorization.k8s.io', 'v1', 'Role', 'roles', true),
  r('rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', false),
  r('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings', true),
  r('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', false),
  // Reviews are answered, never stored (create only): `kubectl auth can-i`, `kubectl auth whoami`.
  r('authorization.k8s.io', 'v1', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews', false, { verbs: ['create'] }),
  r('authorization.k8s.io', 'v1', 'SelfSubjectRulesReview', 'selfsubjectrulesreviews', false, { verbs: ['create'] }),
  r('authorization.k8s.io', 'v1', 'SubjectAccessReview', 'subjectaccessreviews', false, { verbs: ['create'] }),
  r('authorization.k8s.io', 'v1', 'LocalSubjectAccessReview', 'localsubjectaccessreviews', true, { verbs: ['create'] }),
  r('authentication.k8s.io', 'v1', 'SelfSubjectReview', 'selfsubjectreviews', false, { verbs: ['create'] }),
];

/** Kinds the API server answers on create without storing anything (access and identity reviews). */
export function isReviewResource(info: ResourceInfo): boolean {
  return info.group === 'authorization.k8s.io' || info.group === 'authentication.k8s.io';
}

/** `pods`, `deployments.apps`, `endpointslices.discovery.k8s.io`: a resource's name with its group, as kubectl spells it. */
export function qualifiedResource(info: ResourceInfo): string {
  return info.group ? `${info.resource}.${info.group}` : info.resource;
}

/** `Pod`, `Deployment.apps`: the qualified kind that upstream puts in Invalid messages. */
export function qualifiedKind(info: ResourceInfo): string {
  return info.group ? `${info.kind}.${info.group}` : info.kind;
}

export function apiVersionOf(info: ResourceInfo): string {
  return info.group ? `${info.group}/${info.version}` : info.version;
}

const byQualified = new Map(RESOURCES.map((i) => [qualifiedResource(i), i]));
const byKind = new Map(RESOURCES.map((i) => [`${apiVersionOf(i)}/${i.kind}`, i]));

/** Looks a resource up by `pods` or `deployments.apps`. */
export function resourceByName(name: string): ResourceInfo | undefined {
  return byQualified.get(name);
}

export function mustResource(name: string): ResourceInfo {
  const info = byQualified.get(name);
  if (!info) throw new Error(`unknown resource ${name}`);
  return info;
}

/** Looks a resource up by group, version and plural, as they appear in a URL. */
export function resourceByPath(group: string, version: string, resource: string): ResourceInfo | undefined {
  const info = byQualified.get(group ? `${resource}.${group}` : resource);
  return info && info.version === version ? info : undefined;
}

/** Looks a resource up by apiVersion and kind, as they appear in an object. */
export function resourceByKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  return byKind.get(`${apiVersion}/${kind}`);
}

/**
 * kube-apiserver's etcd paths where they are not the resource's plural (its pkg/registry/<group>/<resource>/
 * storage packages): Services under services/specs with their Endpoints beside them, Nodes as the old
 * "minions", Ingresses in the singular.
 */
const STORAGE_PATHS: Record<string, string> = {
  services: 'services/specs',
  endpoints: 'services/endpoints',
  nodes: 'minions',
  'ingresses.networking.k8s.io': 'ingress',
};

/**
 * The datastore folder of a resource, as kube-apiserver lays out etcd: `/registry/<resource>/` (the plural
 * without its group, e.g. /registry/deployments/), with the exceptions above.
 */
export function storagePath(info: ResourceInfo): string {
  return `/registry/${STORAGE_PATHS[qualifiedResource(info)] ?? info.resource}/`;
}

/** The datastore key of one object: `/registry/<resource>/<namespace>/<name>` (see storagePath). */
export function storeKey(info: ResourceInfo, namespace: string | undefined, name: string): string {
  return info.namespaced ? `${storePrefix(info, namespace)}${name}` : `${storePrefix(info)}${name}`;
}

/** The key prefix of a list: all objects of a resource, or those of one namespace. */
export function storePrefix(info: ResourceInfo, namespace?: string): string {
  const base = storagePath(info);
  return info.namespaced && namespace ? `${base}${namespace}/` : base;
}
