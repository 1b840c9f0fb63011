// API discovery, in both forms kubectl understands: aggregated (two requests, /api and /apis answered as
// APIGroupDiscoveryList) and legacy (APIVersions, APIGroupList, APIGroup, APIResourceList per version).
import { RESOURCES, type ResourceInfo, type Subresource } from '../../core/api/resources.js';

const SUBRESOURCE_KIND: Record<Subresource, { group: string; version: string; kind?: string; verbs: string[] }> = {
  status: { group: '', version: '', verbs: ['get', 'patch', 'update'] },
  scale: { group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] },
  log: { group: '', version: 'v1', kind: 'Pod', verbs: ['get'] },
  exec: { group: '', version: 'v1', kind: 'PodExecOptions', verbs: ['create', 'get'] },
  attach: { group: '', version: 'v1', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
  portforward: { group: '', version: 'v1', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
  binding: { group: '', version: 'v1', kind: 'Binding', verbs: ['create'] },
  finalize: { group: '', version: '', verbs: ['update'] },
};

/** Group names in the order kube-apiserver lists them (core first). */
export function groups(): string[] {
  return [...new Set(RESOURCES.map((r) => r.group))];
}

function resourcesOf(group: string): ResourceInfo[] {
  return RESOURCES.filter((r) => r.group === group);
}

function subresourceKind(info: ResourceInfo, s: Subresource) {
  const k = SUBRESOURCE_KIND[s];
  return { group: k.kind ? k.group : info.group, version: k.kind ? k.version : info.version, kind: k.kind ?? info.kind };
}

export const AGGREGATED_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/** True when the Accept header asks for aggregated discovery (v2 or v2beta1). */
export function wantsAggregated(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  if (!accept || !accept.includes('as=APIGroupDiscoveryList')) return undefined;
  for (const part of accept.split(',')) {
    if (!part.includes('as=APIGroupDiscoveryList')) continue;
    if (/v=v2(;|$|\s)/.test(part) || /v=v2$/.test(part.trim())) return 'v2';
    if (part.includes('v=v2beta1')) return 'v2beta1';
  }
  return undefined;
}

function aggregatedGroup(group: string) {
  const byVersion = new Map<string, ResourceInfo[]>();
  for (const r of resourcesOf(group)) byVersion.set(r.version, [...(byVersion.get(r.version) ?? []), r]);
  return {
    metadata: group ? { name: group } : {},
    versions: [...byVersion.entries()].map(([version, list]) => ({
      version, freshness: 'Current',
      resources: list.map((r) => ({
        resource: r.resource, singularResource: r.singular, scope: r.namespaced ? 'Namespaced' : 'Cluster',
        responseKind: { group: r.group, version: r.version, kind: r.kind },
        verbs: r.verbs,
        ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
        ...(r.categories.length ? { categories: r.categories } : {}),
        ...(r.subresources.length ? {
          subresources: r.subresources.map((s) => ({
            subresource: s, responseKind: subresourceKind(r, s), verbs: SUBRESOURCE_KIND[s].verbs,
          })),
        } : {}),
      })),
    })),
  };
}

/** The APIGroupDiscoveryList for /api (core only) or /apis (every named group). */
export function aggregatedDiscovery(core: boolean, version: 'v2' | 'v2beta1') {
  const names = groups().filter((g) => (core ? g === '' : g !== ''));
  return {
    kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {},
    items: names.map(aggregatedGroup),
  };
}

export function legacyApiVersions(serverAddress: string) {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function apiGroup(group: string) {
  const versions = [...new Set(resourcesOf(group).map((r) => r.version))].map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return { kind: 'APIGroup', apiVersion: 'v1', name: group, versions, preferredVersion: versions[0] };
}

export function legacyGroupList() {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups().filter((g) => g !== '').map(apiGroup).map(({ kind, apiVersion, ...g }) => g) };
}

export function legacyGroup(group: string) {
  return resourcesOf(group).length ? apiGroup(group) : undefined;
}

/** APIResourceList for /api/v1 or /apis/{group}/{version}; undefined if that group-version is not served. */
export function resourceList(group: string, version: string) {
  const list = resourcesOf(group).filter((r) => r.version === version);
  if (!list.length) return undefined;
  const resources: object[] = [];
  for (const r of list) {
    resources.push({
      name: r.resource, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs,
      ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
      ...(r.categories.length ? { categories: r.categories } : {}),
    });
    for (const s of r.subresources) {
      const k = subresourceKind(r, s);
      resources.push({
        name: `${r.resource}/${s}`, singularName: '', namespaced: r.namespaced, kind: k.kind, verbs: SUBRESOURCE_KIND[s].verbs,
        ...(k.group !== r.group ? { group: k.group, version: k.version } : {}),
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}
