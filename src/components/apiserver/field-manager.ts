// The registry's side of managed fields and server-side apply: which manager a request writes as, the
// type of each kind (from the same OpenAPI schemas /openapi/v3 serves), and the checks kube-apiserver
// makes on an apply configuration before it merges it. The field ownership logic itself is
// core/apply's.
import { ApiError, badRequestError, invalidError, invalid, required, forbidden, tooLong, type FieldError } from '../../core/api/errors.js';
import type { KubeObject } from '../../core/api/object.js';
import { apiVersionOf, type ResourceInfo } from '../../core/api/resources.js';
import {
  apply, recordUpdate, typeModelFor, validate, zeroObject, TypedError, type ApplyResult, type Context, type TypeNode,
} from '../../core/apply/index.js';
import { hasStatusSubresource, nowTimestamp } from './strategy.js';

/** The manager of writes made inside `podnet server` (its controllers), as upstream's controllers write. */
export const IN_PROCESS_MANAGER = 'kube-controller-manager';

const UNTYPED: TypeNode = { kind: 'untyped' };

/** managerOrUserAgent: `?fieldManager=`, else the user agent up to its first `/` (kubectl/v1.32 → kubectl). */
export function managerOf(fieldManager: string | null | undefined, userAgent: string | undefined): string {
  if (fieldManager) return fieldManager;
  const ua = (userAgent ?? '').split('/')[0];
  return ua.slice(0, 128) || 'unknown';
}

/** ValidateFieldManager and the apply-only options, as PatchOptions validation words them. */
export function checkPatchOptions(fieldManager: string | null, force: boolean, isApply: boolean): void {
  const errs: FieldError[] = [];
  if (isApply && !fieldManager) errs.push(required('fieldManager', 'is required for apply patch'));
  if (!isApply && force) errs.push(forbidden('force', 'may not be specified for non-apply patch'));
  if (fieldManager && Buffer.byteLength(fieldManager) > 128) errs.push(tooLong('fieldManager', 'may not be more than 128 bytes'));
  if (fieldManager && /\p{C}/u.test(fieldManager)) errs.push(invalid('fieldManager', fieldManager, 'must only contain printable characters'));
  if (errs.length) {
    throw invalidError({ group: 'meta.k8s.io', version: 'v1', kind: 'PatchOptions', listKind: '', resource: 'patchoptions',
      singular: '', namespaced: false, shortNames: [], categories: [], subresources: [], verbs: [] }, '', errs);
  }
}

const types = new Map<ResourceInfo, TypeNode>();

export function typeOf(info: ResourceInfo): TypeNode {
  let t = types.get(info);
  if (!t) {
    const gvk = { group: info.group, version: info.version, kind: info.kind };
    t = typeModelFor([gvk]).kind(gvk) ?? UNTYPED;
    types.set(info, t);
  }
  return t;
}

function context(info: ResourceInfo, subresource: string | undefined): Context {
  return { type: typeOf(info), scope: { subresource, hasStatus: hasStatusSubresource(info) }, now: nowTimestamp() };
}

/** Records a create by `manager` on `obj` (already defaulted). */
export function recordCreate(info: ResourceInfo, obj: KubeObject, manager: string): KubeObject {
  const ctx = context(info, undefined);
  return recordUpdate(zeroObject(obj.apiVersion, obj.kind, ctx.type), obj, manager, ctx);
}

/** Records an update (or a non-apply patch) of `current` into `next` by `manager`. */
export function recordChange(info: ResourceInfo, current: KubeObject, next: KubeObject, manager: string, subresource?: string): KubeObject {
  // Through a subresource the request cannot set managedFields (upstream ignores them there).
  return recordUpdate(current, next, manager, context(info, subresource), subresource === undefined);
}

/**
 * Checks an apply configuration as upstream does before merging it: a JSON object of this kind and
 * version, no managedFields, every field known to the kind's schema.
 */
export function checkApplyConfig(info: ResourceInfo, config: unknown, namespace: string | undefined, name: string): KubeObject {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw badRequestError('error decoding YAML: the apply configuration must be a YAML or JSON object');
  }
  const c = config as KubeObject;
  const want = apiVersionOf(info);
  if (c.apiVersion !== want) {
    throw badRequestError(`Incorrect version specified in apply patch. Specified patch version: ${c.apiVersion ?? ''}, expected: ${want}`);
  }
  if (c.kind !== info.kind) {
    throw badRequestError(`Incorrect kind specified in apply patch. Specified patch kind: ${c.kind ?? ''}, expected: ${info.kind}`);
  }
  if (c.metadata !== undefined && (typeof c.metadata !== 'object' || c.metadata === null || Array.isArray(c.metadata))) {
    throw badRequestError('error decoding YAML: metadata must be an object');
  }
  c.metadata ??= {};
  if (c.metadata.managedFields !== undefined && c.metadata.managedFields !== null) throw badRequestError('metadata.managedFields must be nil');
  const errs = validate(config, typeOf(info));
  if (errs.length) {
    const gvk = `${info.group}/${info.version}, Kind=${info.kind}`;
    throw typedPatchError(`failed to create typed patch object (${namespace ?? ''}/${name}; ${gvk}): ${errs.join('\n')}`);
  }
  return c;
}

/** Upstream answers errors of the typed conversion as plain errors: a 500 with no reason. */
function typedPatchError(message: string): ApiError {
  return new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, code: 500 });
}

/** Server-side apply of `config` to `live` (undefined: the object does not exist yet and is created). */
export function applyConfig(info: ResourceInfo, live: KubeObject | undefined, config: KubeObject, manager: string,
  force: boolean, subresource?: string): ApplyResult {
  const ctx = context(info, subresource);
  try {
    return live
      ? apply(live, config, manager, force, ctx)
      : apply(zeroObject(config.apiVersion, config.kind, ctx.type), config, manager, force, ctx, true);
  } catch (e) {
    if (e instanceof TypedError) throw typedPatchError(`failed to merge config: ${e.message}`);
    throw e;
  }
}
