// Turns a request path into what it addresses, like kube-apiserver's RequestInfoFactory:
//   /api/v1/namespaces/default/pods/web/log  → core/v1 pods, namespace default, name web, subresource log
//   /apis/apps/v1/deployments                → apps/v1 deployments across all namespaces
import { type ResourceInfo, resourceByPath } from '../../core/api/resources.js';

export interface RequestInfo {
  group: string;
  version: string;
  /** The resource; undefined for discovery paths such as /api/v1 or /apis/apps/v1. */
  info?: ResourceInfo;
  /** The plural as it appeared in the URL (for a 404 when it is unknown). */
  resource?: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** Parses an API path; undefined when it is not under /api or /apis. */
export function parseApiPath(pathname: string): RequestInfo | undefined {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  let group: string, version: string, rest: string[];
  if (parts[0] === 'api') {
    if (parts.length < 2) return undefined;
    group = ''; version = parts[1]; rest = parts.slice(2);
  } else if (parts[0] === 'apis') {
    if (parts.length < 3) return undefined;
    group = parts[1]; version = parts[2]; rest = parts.slice(3);
  } else {
    return undefined;
  }
  if (rest.length === 0) return { group, version };
  let namespace: string | undefined;
  // /namespaces/{name}/status|finalize are a namespace's own subresources; /namespaces/{ns}/{resource}...
  // addresses namespaced objects.
  if (group === '' && rest[0] === 'namespaces' && rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize')) {
    return { group, version, info: resourceByPath('', version, 'namespaces'), resource: 'namespaces', name: rest[1], subresource: rest[2] };
  }
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, subresource] = rest;
  if (rest.length > 3) return { group, version, resource: rest.join('/') };
  const info = resourceByPath(group, version, resource);
  if (info && !info.namespaced && namespace !== undefined) return { group, version, resource };
  return { group, version, info, resource, namespace, name, subresource };
}
