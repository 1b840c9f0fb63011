// Adoption and release by controller reference (upstream ControllerRefManager): a controller owns the
// objects whose controller ownerReference carries its uid; it adopts orphans its selector matches and
// releases the ones it owns that its selector no longer matches. Deployments claim ReplicaSets this way,
// ReplicaSets claim Pods, so that `kubectl apply` of a ReplicaSet over existing pods does not double them.
import type { ApiClient } from '../../core/api/client.js';
import { isApiError } from '../../core/api/errors.js';
import type { KubeObject } from '../../core/api/object.js';
import { matches, type Selector } from '../../core/api/labels.js';
import { controllerRefOf, newControllerRef } from './pod-util.js';

export interface ClaimOptions {
  client: ApiClient;
  /** Resource of the dependents: 'pods' or 'replicasets.apps'. */
  resource: string;
  owner: KubeObject;
  /** The owner's selector; undefined (no selector) matches nothing. */
  selector: Selector | undefined;
  /** Extra condition for adoption (e.g. not being deleted). */
  canAdopt?: (obj: KubeObject) => boolean;
}

/**
 * Returns the dependents the owner controls after adopting matching orphans and releasing owned
 * objects that no longer match. Candidates are read from a cache; writes use their resourceVersion, so
 * a stale candidate fails with a Conflict and the caller's sync is retried.
 */
export async function claim(opts: ClaimOptions, candidates: KubeObject[]): Promise<KubeObject[]> {
  const { client, resource, owner, selector } = opts;
  const ownerDeleting = !!owner.metadata.deletionTimestamp;
  const claimed: KubeObject[] = [];
  for (const obj of candidates) {
    const ref = controllerRefOf(obj);
    const matchesSelector = !!selector && selector.length > 0 && matches(selector, obj.metadata.labels);
    if (ref) {
      if (ref.uid !== owner.metadata.uid) continue;
      if (matchesSelector) { claimed.push(obj); continue; }
      // Owned but no longer selected: let go of it, unless the owner is on its way out anyway.
      if (!ownerDeleting) await release(client, resource, owner, obj);
      continue;
    }
    if (!matchesSelector || ownerDeleting || obj.metadata.deletionTimestamp) continue;
    if (opts.canAdopt && !opts.canAdopt(obj)) continue;
    const adopted = await adopt(client, resource, owner, obj);
    if (adopted) claimed.push(adopted);
  }
  return claimed;
}

async function adopt(client: ApiClient, resource: string, owner: KubeObject, obj: KubeObject): Promise<KubeObject | undefined> {
  const next = structuredClone(obj);
  next.metadata.ownerReferences = [...(next.metadata.ownerReferences ?? []), newControllerRef(owner)];
  try {
    return await client.update(resource, next);
  } catch (e) {
    if (isApiError(e, 'NotFound')) return undefined;
    throw e;
  }
}

async function release(client: ApiClient, resource: string, owner: KubeObject, obj: KubeObject): Promise<void> {
  const next = structuredClone(obj);
  next.metadata.ownerReferences = (next.metadata.ownerReferences ?? []).filter((r) => r.uid !== owner.metadata.uid);
  if (next.metadata.ownerReferences.length === 0) delete next.metadata.ownerReferences;
  try {
    await client.update(resource, next);
  } catch (e) {
    if (isApiError(e, 'NotFound')) return;
    throw e;
  }
}
