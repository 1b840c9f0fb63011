// Reading EndpointSlices as their consumers must (kube-proxy, its health check servers, cluster DNS): which
// Service a slice belongs to (the kubernetes.io/service-name label, in the slice's namespace) and what an
// endpoint's conditions mean when fields are unset. The API's rules (discovery/v1 EndpointConditions):
// a nil `ready` means ready; a nil `serving` takes the value of `ready`; a nil `terminating` means not
// terminating. One home, so the proxy's rules, the health check count and the stale-UDP cleanup agree.

import { LABEL_SERVICE_NAME } from './slice-reconciler.js';

/** The fields of an EndpointSlice read here (plain API JSON or a client-node model). */
export interface SliceLike {
  metadata: { namespace?: string; labels?: Record<string, string> | null };
  addressType?: string;
  endpoints?: EndpointLike[] | null;
}

export interface EndpointLike {
  addresses?: string[] | null;
  nodeName?: string | null;
  conditions?: { ready?: boolean | null; serving?: boolean | null; terminating?: boolean | null } | null;
}

export interface EndpointState { ready: boolean; serving: boolean; terminating: boolean }

/** An endpoint's conditions with the API's defaults applied. */
export function endpointState(ep: EndpointLike): EndpointState {
  const c = ep.conditions ?? {};
  const ready = c.ready ?? true;
  return { ready, serving: c.serving ?? ready, terminating: c.terminating ?? false };
}

const keyMemo = new WeakMap<object, string | null>();

/** `namespace/service` of the Service a slice belongs to, or undefined for a slice without the label. */
export function sliceServiceKey(slice: SliceLike): string | undefined {
  // Slices from informer caches are never changed in place, so the key is kept while the object lives.
  let key = keyMemo.get(slice);
  if (key === undefined) {
    const svc = slice.metadata.labels?.[LABEL_SERVICE_NAME];
    keyMemo.set(slice, key = svc ? `${slice.metadata.namespace ?? 'default'}/${svc}` : null);
  }
  return key ?? undefined;
}

/** Slices grouped by `namespace/service`; slices without the service-name label are left out. */
export function slicesByService<S extends SliceLike>(slices: readonly S[]): Map<string, S[]> {
  const out = new Map<string, S[]>();
  for (const s of slices) {
    const key = sliceServiceKey(s);
    if (key === undefined) continue;
    const list = out.get(key);
    if (list) list.push(s); else out.set(key, [s]);
  }
  return out;
}
