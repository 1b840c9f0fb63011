// Field errors and Status objects, with the message formats of apimachinery (pkg/util/validation/field,
// pkg/api/errors) so that kubectl prints exactly what a user of a real cluster sees.
import { type ResourceInfo, qualifiedKind } from './resources.js';

export type FieldErrorType =
  | 'FieldValueNotFound' | 'FieldValueRequired' | 'FieldValueDuplicate' | 'FieldValueInvalid'
  | 'FieldValueNotSupported' | 'FieldValueForbidden' | 'FieldValueTooLong' | 'FieldValueTooMany'
  | 'InternalError' | 'FieldValueTypeInvalid';

const TYPE_TEXT: Record<FieldErrorType, string> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  InternalError: 'Internal error',
  FieldValueTypeInvalid: 'Invalid value',
};

/** Marks a field error that has no bad value to print (apimachinery's omitValue). */
export const OMIT_VALUE = Symbol('omitValue');

export interface FieldError {
  type: FieldErrorType;
  field: string;
  badValue?: unknown;
  detail?: string;
}

/** Go's %v/%q rendering of a bad value, as field.Error.ErrorBody does it. */
function renderValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** The part of the message after the field path, e.g. `Invalid value: "Bad_Name": a lowercase ...`. */
export function fieldErrorBody(e: FieldError): string {
  let s = TYPE_TEXT[e.type];
  const bare = e.type === 'FieldValueRequired' || e.type === 'FieldValueForbidden' ||
    e.type === 'FieldValueTooLong' || e.type === 'InternalError' || e.badValue === OMIT_VALUE;
  if (!bare) s += `: ${renderValue(e.badValue)}`;
  if (e.detail) s += `: ${e.detail}`;
  return s;
}

export function fieldErrorString(e: FieldError): string {
  return `${e.field}: ${fieldErrorBody(e)}`;
}

// Constructors named after apimachinery's field.Required, field.Invalid, ...
export const required = (field: string, detail = ''): FieldError => ({ type: 'FieldValueRequired', field, detail });
export const invalid = (field: string, badValue: unknown, detail = ''): FieldError =>
  ({ type: 'FieldValueInvalid', field, badValue, detail });
export const notSupported = (field: string, badValue: unknown, supported: string[]): FieldError => ({
  type: 'FieldValueNotSupported', field, badValue,
  detail: supported.length ? `supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}` : '',
});
export const duplicate = (field: string, badValue: unknown): FieldError => ({ type: 'FieldValueDuplicate', field, badValue });
export const forbidden = (field: string, detail: string): FieldError => ({ type: 'FieldValueForbidden', field, detail });
export const notFound = (field: string, badValue: unknown): FieldError => ({ type: 'FieldValueNotFound', field, badValue });
export const tooLong = (field: string, detail: string): FieldError => ({ type: 'FieldValueTooLong', field, detail });
export const tooMany = (field: string, actual: number, max: number): FieldError =>
  ({ type: 'FieldValueTooMany', field, badValue: actual, detail: `must have at most ${max} items` });
export const internalError = (field: string, detail: string): FieldError => ({ type: 'InternalError', field, detail });

export interface StatusCause { reason?: string; message?: string; field?: string }

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { name?: string; group?: string; kind?: string; uid?: string; causes?: StatusCause[]; retryAfterSeconds?: number };
  code: number;
}

/** An error that the API server answers with the Status it carries. */
export class ApiError extends Error {
  constructor(readonly status: Status) {
    super(status.message);
    this.name = 'ApiError';
  }
  get code(): number { return this.status.code; }
  get reason(): string | undefined { return this.status.reason; }
}

export function isApiError(e: unknown, reason?: string): e is ApiError {
  return e instanceof ApiError && (reason === undefined || e.status.reason === reason);
}

function status(code: number, reason: string, message: string, details?: Status['details']): Status {
  const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details) s.details = details;
  return s;
}

function qualifiedResourceText(info: ResourceInfo): string {
  return info.group ? `${info.resource}.${info.group}` : info.resource;
}

function resourceDetails(info: ResourceInfo, name: string): Status['details'] {
  const d: Status['details'] = { name, kind: info.resource };
  if (info.group) d.group = info.group;
  return d;
}

export function notFoundError(info: ResourceInfo, name: string): ApiError {
  return new ApiError(status(404, 'NotFound', `${qualifiedResourceText(info)} "${name}" not found`, resourceDetails(info, name)));
}

export function alreadyExistsError(info: ResourceInfo, name: string): ApiError {
  return new ApiError(status(409, 'AlreadyExists', `${qualifiedResourceText(info)} "${name}" already exists`, resourceDetails(info, name)));
}

export const CONFLICT_MODIFIED = 'the object has been modified; please apply your changes to the latest version and try again';

export function conflictError(info: ResourceInfo, name: string, why = CONFLICT_MODIFIED): ApiError {
  return new ApiError(status(409, 'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResourceText(info)} "${name}": ${why}`, resourceDetails(info, name)));
}

/** 422 Invalid with one cause per field error, formatted as apimachinery's NewInvalid. */
export function invalidError(info: ResourceInfo, name: string, errs: FieldError[]): ApiError {
  const seen = new Set<string>();
  const unique = errs.filter((e) => { const s = fieldErrorString(e); if (seen.has(s)) return false; seen.add(s); return true; });
  const texts = unique.map(fieldErrorString);
  const agg = texts.length === 1 ? texts[0] : `[${texts.join(', ')}]`;
  const details: Status['details'] = {
    name, kind: info.kind,
    causes: unique.map((e) => ({ reason: e.type, message: fieldErrorBody(e), field: e.field })),
  };
  if (info.group) details.group = info.group;
  return new ApiError(status(422, 'Invalid', `${qualifiedKind(info)} "${name}" is invalid: ${agg}`, details));
}

export function badRequestError(message: string): ApiError {
  return new ApiError(status(400, 'BadRequest', message));
}

export function methodNotAllowedError(message: string): ApiError {
  return new ApiError(status(405, 'MethodNotAllowed', message));
}

export function unsupportedMediaTypeError(contentType: string): ApiError {
  return new ApiError(status(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got ${contentType})`));
}

export function notAcceptableError(message: string): ApiError {
  return new ApiError(status(406, 'NotAcceptable', message));
}

export function expiredError(message: string): ApiError {
  return new ApiError(status(410, 'Expired', message));
}

export function forbiddenError(info: ResourceInfo, name: string, why: string): ApiError {
  return new ApiError(status(403, 'Forbidden',
    `${qualifiedResourceText(info)} "${name}" is forbidden: ${why}`, resourceDetails(info, name)));
}

export function internalServerError(message: string): ApiError {
  return new ApiError(status(500, 'InternalError', `Internal error occurred: ${message}`));
}

export function unauthorizedError(): ApiError {
  return new ApiError(status(401, 'Unauthorized', 'Unauthorized'));
}

export function pathNotFoundError(path: string): ApiError {
  return new ApiError(status(404, 'NotFound', `the server could not find the requested resource (path ${path})`));
}

export function serviceUnavailableError(message: string): ApiError {
  return new ApiError(status(503, 'ServiceUnavailable', message));
}

export function successStatus(info: ResourceInfo, name: string, uid?: string): Status {
  const details = resourceDetails(info, name)!;
  if (uid) details.uid = uid;
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details, code: 200 };
}
