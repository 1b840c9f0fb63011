// ControllerRevisions (upstream pkg/controller/history): the template history DaemonSets and
// StatefulSets keep so that `kubectl rollout history|undo` work. A revision's data is the strategic
// merge patch that puts its template back (`{"spec":{"template":{..., "$patch":"replace"}}}`), which is
// exactly what `kubectl rollout undo` sends; its number grows with every new or re-used template.
import { isDeepStrictEqual } from 'node:util';
import type { ApiClient } from '../../core/api/client.js';
import { isApiError } from '../../core/api/errors.js';
import type { JsonObject, KubeObject } from '../../core/api/object.js';
import type { Selector } from '../../core/api/labels.js';
import { claim } from './controller-ref.js';
import { newControllerRef } from './pod-util.js';

import { CONTROLLER_REVISION_HASH } from '../../core/api/workload-keys.js';

export type Revision = KubeObject & { data?: JsonObject; revision?: number };

/** The revision data of a DaemonSet or StatefulSet (upstream getPatch). */
export function revisionData(owner: KubeObject): JsonObject {
  const template = structuredClone((owner as JsonObject).spec?.template ?? {});
  template.$patch = 'replace';
  return { spec: { template } };
}

/** Go's hash/fnv New32 (FNV-1, not 1a), which HashControllerRevision uses. */
function fnv32(bytes: Uint8Array, h = 0x811c9dc5): number {
  for (const b of bytes) { h = Math.imul(h, 0x01000193) >>> 0; h ^= b; }
  return h >>> 0;
}

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** HashControllerRevision: FNV-1 over the data's JSON and the collision count, safe-encoded. */
export function hashRevision(data: JsonObject, collisionCount?: number): string {
  let h = fnv32(new TextEncoder().encode(JSON.stringify(data)));
  if (collisionCount !== undefined && collisionCount !== null) h = fnv32(new TextEncoder().encode(String(collisionCount)), h);
  return [...String(h)].map((c) => SAFE_ALPHABET[c.charCodeAt(0) % SAFE_ALPHABET.length]).join('');
}

/** `<owner>-<hash>`, the owner part cut so that the name stays a valid subdomain (ControllerRevisionName). */
export function revisionName(owner: string, hash: string): string {
  return `${owner.length > 223 ? owner.slice(0, 223) : owner}-${hash}`;
}

export function revisionNumber(r: Revision): number {
  return typeof r.revision === 'number' ? r.revision : 0;
}

/** Oldest revision first (upstream history.SortControllerRevisions: revision, then creation, then name). */
export function sortRevisions(rs: Revision[]): Revision[] {
  return [...rs].sort((a, b) => revisionNumber(a) - revisionNumber(b) ||
    (Date.parse(a.metadata.creationTimestamp ?? '') || 0) - (Date.parse(b.metadata.creationTimestamp ?? '') || 0) ||
    (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
}

/** True when a revision holds the template of `data` (equal ignoring JSON key order). */
export function revisionMatches(r: Revision, data: JsonObject): boolean {
  return isDeepStrictEqual(r.data ?? null, data);
}

/** The revisions `owner` controls (adopting and releasing by selector as for pods). */
export async function ownedRevisions(client: ApiClient, owner: KubeObject, selector: Selector | undefined, candidates: Revision[]): Promise<Revision[]> {
  return await claim({ client, resource: 'controllerrevisions.apps', owner, selector }, candidates) as Revision[];
}

export interface NewRevision {
  owner: KubeObject;
  data: JsonObject;
  revision: number;
  /** The hash that names the revision (and labels it). */
  hash: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/**
 * Creates a revision; when one of that name already exists with other data (a hash collision), returns
 * undefined so the caller bumps its collisionCount and tries again (upstream CreateControllerRevision).
 */
export async function createRevision(client: ApiClient, r: NewRevision): Promise<Revision | undefined> {
  const name = revisionName(r.owner.metadata.name!, r.hash);
  const obj: Revision = {
    apiVersion: 'apps/v1', kind: 'ControllerRevision',
    metadata: {
      name, namespace: r.owner.metadata.namespace,
      labels: { ...(r.labels ?? {}), [CONTROLLER_REVISION_HASH]: r.hash },
      ownerReferences: [newControllerRef(r.owner)],
      ...(r.annotations && Object.keys(r.annotations).length ? { annotations: { ...r.annotations } } : {}),
    },
    data: r.data, revision: r.revision,
  };
  try {
    return await client.create('controllerrevisions.apps', obj) as Revision;
  } catch (e) {
    if (!isApiError(e, 'AlreadyExists')) throw e;
    const existing = await client.get('controllerrevisions.apps', r.owner.metadata.namespace, name) as Revision | undefined;
    if (existing && existing.metadata.ownerReferences?.some((o) => o.uid === r.owner.metadata.uid) && revisionMatches(existing, r.data)) return existing;
    return undefined;
  }
}

/** Gives a re-used revision the newest number (a rollback makes an old template current again). */
export async function bumpRevision(client: ApiClient, r: Revision, revision: number): Promise<Revision> {
  const next = structuredClone(r);
  next.revision = revision;
  return await client.update('controllerrevisions.apps', next) as Revision;
}

/** Deletes the oldest revisions beyond `limit` that no live pod uses (upstream cleanupHistory). */
export async function truncateHistory(client: ApiClient, revisions: Revision[], live: Set<string>, limit: number): Promise<void> {
  const deletable = sortRevisions(revisions).filter((r) => !live.has(r.metadata.name!) && !live.has(r.metadata.labels?.[CONTROLLER_REVISION_HASH] ?? ''));
  const excess = deletable.length - limit;
  for (const r of deletable.slice(0, Math.max(0, excess))) {
    try {
      await client.delete('controllerrevisions.apps', r.metadata.namespace, r.metadata.name!, { preconditions: { uid: r.metadata.uid } });
    } catch (e) {
      if (!isApiError(e, 'NotFound')) throw e;
    }
  }
}
