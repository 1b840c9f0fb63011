// Errors of the patch engines. A PatchError is an ApiError, so the API server answers it with the Status it
// carries, with the HTTP code kube-apiserver uses for the same failure (pkg/endpoints/handlers/patch.go):
//
// - malformed directives (mergepatch.ErrBadPatchFormatFor*), undecodable patches: 400 BadRequest;
// - lists of lists, failed JSON-patch operations: 422 Invalid;
// - every other strategic-merge failure (a list element without its merge key, an unknown `$patch` value,
//   mismatched element types): kube-apiserver passes the raw error up and answers 500 with an empty reason,
//   which kubectl prints as `Error from server: <message>`. podnet keeps that code so kubectl prints the same.
//
// Messages are the upstream texts (apimachinery pkg/util/mergepatch, evanphx/json-patch v4) because they are
// what users search for.
import { ApiError, type Status } from '../api/errors.js';
import { goTypeName, goValue } from './go-format.js';

export class PatchError extends ApiError {
  constructor(code: number, reason: string | undefined, message: string) {
    const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, code };
    if (reason) status.reason = reason;
    super(status);
    this.name = 'PatchError';
  }
}

export const badRequest = (message: string): PatchError => new PatchError(400, 'BadRequest', message);
export const invalid = (message: string): PatchError => new PatchError(422, 'Invalid', message);
/** A failure kube-apiserver does not classify: 500 without a reason, exactly as upstream answers it. */
export const unclassified = (message: string): PatchError => new PatchError(500, undefined, message);

// The sentinel errors of apimachinery pkg/util/mergepatch/errors.go.
export const ERR_BAD_PATCH_FORMAT_FOR_PRIMITIVE_LIST = 'invalid patch format of primitive list';
export const ERR_BAD_PATCH_FORMAT_FOR_RETAIN_KEYS = 'invalid patch format of retainKeys';
export const ERR_BAD_PATCH_FORMAT_FOR_SET_ELEMENT_ORDER_LIST = 'invalid patch format of setElementOrder list';
export const ERR_NO_LIST_OF_LISTS = 'lists of lists are not supported';

/** mergepatch.ErrNoMergeKey: a list element that must carry the list's merge key does not. */
export function errNoMergeKey(m: unknown, key: string): PatchError {
  return unclassified(`map: ${goValue(m)} does not contain declared merge key: ${key}`);
}

/** mergepatch.ErrBadArgType: a value of the wrong JSON type where a list or an object was expected. */
export function errBadArgType(expected: 'map' | 'slice', actual: unknown): PatchError {
  const want = expected === 'map' ? 'map[string]interface {}' : '[]interface {}';
  return unclassified(`expected a ${want}, but received a ${goTypeName(actual)}`);
}

/** mergepatch.ErrBadPatchType: a `$patch` directive with a value other than replace, delete (or merge in lists). */
export function errBadPatchType(directive: unknown, m: unknown): PatchError {
  const d = typeof directive === 'string' ? directive : `%!s(${goTypeName(directive)}=${goValue(directive)})`;
  return unclassified(`unknown patch type: ${d} in map: ${goValue(m)}`);
}

/** The 415 kube-apiserver gives a strategic merge patch for a kind it has no Go struct (merge strategies) for. */
export function unsupportedStrategicKind(apiVersion: string, kind: string): PatchError {
  return new PatchError(415, 'UnsupportedMediaType',
    'the body of the request was in an unknown format - accepted media types include: ' +
    'application/json-patch+json, application/merge-patch+json ' +
    `(strategic merge patch is not supported for ${apiVersion}, Kind=${kind}; use --type=merge or --type=json)`);
}
