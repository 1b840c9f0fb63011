// Query parameters read as kube-apiserver reads them: apimachinery converts url.Values into typed option
// structs (ListOptions, DeleteOptions, PodLogOptions, PodExecOptions, PodPortForwardOptions ...) with the
// conversion functions of k8s.io/apimachinery/pkg/runtime/conversion.go, and then validates them. Clients
// other than kubectl lean on those rules: the Python client sends `watch=True`, `stdout=True`; curl users
// send `watch=1` or a bare `?watch`. Every parameter podnet reads goes through this file.
import { ApiError, forbidden, invalid, notSupported, type FieldError, fieldErrorString, fieldErrorBody } from './errors.js';

export type Query = URLSearchParams;

/**
 * Convert_Slice_string_To_bool: absent is false; otherwise the FIRST value decides, and only "0" and
 * "false" (any case) are false. Everything else — "true", "True", "1", "yes", even "" — is true.
 */
export function queryBool(q: Query, name: string): boolean {
  const v = q.getAll(name);
  if (v.length === 0) return false;
  return !(v[0] === '0' || v[0].toLowerCase() === 'false');
}

/** Convert_Slice_string_To_Pointer_bool: as queryBool, but absent stays unset. */
export function queryOptionalBool(q: Query, name: string): boolean | undefined {
  return q.has(name) ? queryBool(q, name) : undefined;
}

/** The first value, as Convert_Slice_string_To_string does; absent is undefined. */
export function queryString(q: Query, name: string): string | undefined {
  const v = q.getAll(name);
  return v.length ? v[0] : undefined;
}

const INT64_MAX = 9223372036854775807n, INT64_MIN = -9223372036854775808n;

/** Go's strconv.ParseInt(s, 10, 64) for a number a JavaScript number can hold; throws Go's error text. */
export function parseGoInt64(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax`);
  const n = BigInt(s);
  if (n > INT64_MAX || n < INT64_MIN) throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(s)}: value out of range`);
  return Number(n);
}

/**
 * Convert_Slice_string_To_int64 / _Pointer_int64: the first value, base 10, sign allowed; anything else is
 * a 400 (DecodeParameters fails before the handler runs). An empty value of an optional parameter is unset.
 */
export function queryInt64(q: Query, name: string): number | undefined {
  const v = queryString(q, name);
  if (v === undefined || v === '') return undefined;
  try {
    return parseGoInt64(v);
  } catch (e) {
    throw paramError(`${(e as Error).message} for query parameter "${name}"`);
  }
}

/**
 * Convert_Slice_string_To_Slice_int32 (pods/portforward `ports`): every value, each split on commas, each
 * a port number (strconv.ParseUint(p, 10, 16)).
 */
export function queryPorts(q: Query, name: string): number[] {
  const out: number[] = [];
  for (const v of q.getAll(name)) {
    for (const p of v.split(',')) {
      if (!/^\d+$/.test(p) || Number(p) > 65535) {
        throw paramError(`cannot convert to []int32: strconv.ParseUint: parsing ${JSON.stringify(p)}: ${/^\d+$/.test(p) ? 'value out of range' : 'invalid syntax'}`);
      }
      out.push(Number(p));
    }
  }
  return out;
}

function paramError(message: string): ApiError {
  return new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 400, reason: 'BadRequest', message });
}

/** errors.NewInvalid for an options kind of meta.k8s.io (ListOptions, CreateOptions ...), as upstream words it. */
export function optionsInvalid(kind: string, name: string, errs: FieldError[]): ApiError {
  const texts = errs.map(fieldErrorString);
  const agg = texts.length === 1 ? texts[0] : `[${texts.join(', ')}]`;
  const group = kind.startsWith('Pod') ? '' : 'meta.k8s.io';
  const qualified = group ? `${kind}.${group}` : kind;
  return new ApiError({
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 422, reason: 'Invalid',
    message: `${qualified} "${name}" is invalid: ${agg}`,
    details: { name, ...(group ? { group } : {}), kind, causes: errs.map((e) => ({ reason: e.type, message: fieldErrorBody(e), field: e.field })) },
  });
}

export interface ParsedListOptions {
  watch: boolean;
  allowWatchBookmarks: boolean;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
  timeoutSeconds?: number;
  limit?: number;
  continue?: string;
  sendInitialEvents?: boolean;
}

/** metav1.ListOptions from a query, validated as ValidateListOptions does (422 ListOptions.meta.k8s.io). */
export function listOptionsFrom(q: Query): ParsedListOptions {
  const o: ParsedListOptions = {
    watch: queryBool(q, 'watch'),
    allowWatchBookmarks: queryBool(q, 'allowWatchBookmarks'),
    labelSelector: queryString(q, 'labelSelector') || undefined,
    fieldSelector: queryString(q, 'fieldSelector') || undefined,
    resourceVersion: queryString(q, 'resourceVersion') || undefined,
    resourceVersionMatch: queryString(q, 'resourceVersionMatch') || undefined,
    timeoutSeconds: queryInt64(q, 'timeoutSeconds'),
    limit: queryInt64(q, 'limit'),
    continue: queryString(q, 'continue') || undefined,
    sendInitialEvents: queryOptionalBool(q, 'sendInitialEvents'),
  };
  const errs: FieldError[] = [];
  const match = o.resourceVersionMatch;
  if (o.watch) {
    if (o.sendInitialEvents !== undefined) {
      if (match !== 'NotOlderThan') errs.push(forbidden('resourceVersionMatch', 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan'));
      // podnet has no WatchList (streaming lists): answer as kube-apiserver with the feature gate off.
      errs.push(forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled'));
    }
    if (match) {
      if (o.sendInitialEvents === undefined) errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided'));
      if (match !== 'NotOlderThan') errs.push(notSupported('resourceVersionMatch', match, ['NotOlderThan']));
      if (o.continue) errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
    }
  } else {
    if (match) {
      if (!o.resourceVersion) errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided'));
      if (o.continue) errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
      if (match !== 'Exact' && match !== 'NotOlderThan') errs.push(notSupported('resourceVersionMatch', match, ['Exact', 'NotOlderThan', '']));
      if (match === 'Exact' && o.resourceVersion === '0') errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
    }
    if (o.sendInitialEvents !== undefined) errs.push(forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for list'));
  }
  if (errs.length) throw optionsInvalid('ListOptions', '', errs);
  return o;
}

export type WriteVerb = 'Create' | 'Update' | 'Patch' | 'Delete';

/**
 * dryRun (repeatable; only "All" is allowed) and fieldValidation (Ignore, Warn, Strict or empty), checked as
 * ValidateCreateOptions / ValidateUpdateOptions / ValidatePatchOptions / ValidateDeleteOptions do.
 */
export function writeOptionsFrom(q: Query, verb: WriteVerb): { dryRun: boolean } {
  const dryRun = q.getAll('dryRun');
  const errs: FieldError[] = [];
  if (dryRun.some((d) => d !== 'All')) errs.push(notSupported('dryRun', dryRun, ['All']));
  const fv = queryString(q, 'fieldValidation');
  if (verb !== 'Delete' && fv && !['Ignore', 'Warn', 'Strict'].includes(fv)) {
    errs.push(notSupported('fieldValidation', fv, ['Ignore', 'Strict', 'Warn']));
  }
  if (errs.length) throw optionsInvalid(`${verb}Options`, '', errs);
  return { dryRun: dryRun.length > 0 };
}

export interface QueryDeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: string;
  orphanDependents?: boolean;
}

/** The DeleteOptions a DELETE may carry in its query (a body, when sent, takes precedence field by field). */
export function deleteQueryOptions(q: Query): QueryDeleteOptions {
  return {
    gracePeriodSeconds: queryInt64(q, 'gracePeriodSeconds'),
    propagationPolicy: queryString(q, 'propagationPolicy') || undefined,
    orphanDependents: queryOptionalBool(q, 'orphanDependents'),
  };
}

export interface PodLogQuery {
  container?: string;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  limitBytes?: number;
  sinceSeconds?: number;
  sinceTime?: string;
  insecureSkipTLSVerifyBackend: boolean;
}

/** PodLogOptions from a query, validated as ValidatePodLogOptions (422 PodLogOptions). */
export function podLogOptionsFrom(q: Query, podName = ''): PodLogQuery {
  const o: PodLogQuery = {
    container: queryString(q, 'container') || undefined,
    follow: queryBool(q, 'follow'), previous: queryBool(q, 'previous'), timestamps: queryBool(q, 'timestamps'),
    tailLines: queryInt64(q, 'tailLines'), limitBytes: queryInt64(q, 'limitBytes'), sinceSeconds: queryInt64(q, 'sinceSeconds'),
    sinceTime: queryString(q, 'sinceTime') || undefined,
    insecureSkipTLSVerifyBackend: queryBool(q, 'insecureSkipTLSVerifyBackend'),
  };
  const errs: FieldError[] = [];
  if (o.tailLines !== undefined && o.tailLines < 0) errs.push(invalid('tailLines', o.tailLines, 'must be greater than or equal to 0'));
  if (o.limitBytes !== undefined && o.limitBytes < 1) errs.push(invalid('limitBytes', o.limitBytes, 'must be greater than 0'));
  if (o.sinceSeconds !== undefined && o.sinceTime !== undefined) {
    errs.push(forbidden('', 'at most one of `sinceTime` or `sinceSeconds` may be specified'));
  } else if (o.sinceSeconds !== undefined && o.sinceSeconds < 1) {
    errs.push(invalid('sinceSeconds', o.sinceSeconds, 'must be greater than 0'));
  }
  if (o.sinceTime !== undefined && Number.isNaN(Date.parse(o.sinceTime))) {
    throw paramError(`parsing time ${JSON.stringify(o.sinceTime)} as "2006-01-02T15:04:05Z07:00": cannot parse as RFC3339`);
  }
  if (errs.length) throw optionsInvalid('PodLogOptions', podName, errs);
  return o;
}

export interface PodExecQuery { stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean; container?: string; command: string[] }

/** PodExecOptions / PodAttachOptions: booleans as above, `command` repeated once per argv element. */
export function podExecOptionsFrom(q: Query): PodExecQuery {
  return {
    stdin: queryBool(q, 'stdin'), stdout: queryBool(q, 'stdout'), stderr: queryBool(q, 'stderr'), tty: queryBool(q, 'tty'),
    container: queryString(q, 'container') || undefined, command: q.getAll('command'),
  };
}
