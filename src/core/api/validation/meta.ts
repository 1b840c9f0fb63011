// ObjectMeta, labels, annotations and label selectors, as apimachinery's pkg/api/validation and
// pkg/apis/meta/v1/validation check them on create and on update.
import { isDeepStrictEqual } from 'node:util';
import { type FieldError, forbidden, invalid, required, tooLong } from '../errors.js';
import type { JsonObject, KubeObject } from '../object.js';
import {
  byteLength, isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue,
} from './formats.js';
import { arr, goStringSlice, invalidGo, isObj, obj, str, strMap } from './go-values.js';

/** A ValidateNameFunc: `prefix` is true for generateName, whose trailing dash is allowed. */
export type NameFn = (name: string, prefix: boolean) => string[];

/** generateName may end in '-': upstream replaces a trailing dash before checking. */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name;
}

export const nameIsDNSSubdomain: NameFn = (n, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(n) : n);
export const nameIsDNSLabel: NameFn = (n, prefix) => isDNS1123Label(prefix ? maskTrailingDash(n) : n);
export const nameIsDNS1035Label: NameFn = (n, prefix) => isDNS1035Label(prefix ? maskTrailingDash(n) : n);

export const FIELD_IMMUTABLE = 'field is immutable';
export const IS_NEGATIVE = 'must be greater than or equal to 0';
const TOTAL_ANNOTATION_SIZE = 256 * 1024;

/** field.TooLong's detail in 1.32. */
export const tooLongDetail = (max: number): string => `may not be more than ${max} ${max === 1 ? 'byte' : 'bytes'}`;

export function validateNonnegative(value: unknown, field: string): FieldError[] {
  return typeof value === 'number' && value < 0 ? [invalid(field, value, IS_NEGATIVE)] : [];
}

export function validateLabelName(key: string, field: string): FieldError[] {
  return isQualifiedName(key).map((m) => invalid(field, key, m));
}

/** Labels: qualified-name keys and label values, both reported at the map's path. */
export function validateLabels(labels: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(strMap(labels))) {
    errs.push(...validateLabelName(k, field));
    errs.push(...isValidLabelValue(str(v)).map((m) => invalid(field, str(v), m)));
  }
  return errs;
}

export function validateAnnotations(annotations: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(strMap(annotations))) {
    // Annotation keys are qualified names in any case.
    errs.push(...isQualifiedName(k.toLowerCase()).map((m) => invalid(field, k, m)));
    total += byteLength(k) + byteLength(str(v));
  }
  if (total > TOTAL_ANNOTATION_SIZE) errs.push(tooLong(field, tooLongDetail(TOTAL_ANNOTATION_SIZE)));
  return errs;
}

export interface SelectorOptions { allowInvalidLabelValue?: boolean }

export function validateLabelSelector(sel: unknown, field: string, opts: SelectorOptions = {}): FieldError[] {
  if (!isObj(sel)) return [];
  const errs = validateLabels(sel.matchLabels, `${field}.matchLabels`);
  arr(sel.matchExpressions).forEach((e, i) => {
    const p = `${field}.matchExpressions[${i}]`;
    const r = obj(e);
    const values = arr(r.values);
    switch (r.operator) {
      case 'In': case 'NotIn':
        if (values.length === 0) errs.push(required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists': case 'DoesNotExist':
        if (values.length > 0) errs.push(forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(invalid(`${p}.operator`, str(r.operator), 'not a valid selector operator'));
    }
    errs.push(...validateLabelName(str(r.key), `${p}.key`));
    if (!opts.allowInvalidLabelValue) {
      values.forEach((v, j) => errs.push(...isValidLabelValue(str(v)).map((m) => invalid(`${p}.values[${j}]`, str(v), m))));
    }
  });
  return errs;
}

/** The label selector matches no label set at all when it has an operator Go cannot parse. */
export function selectorParses(sel: JsonObject): boolean {
  return arr(sel.matchExpressions).every((e) => ['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(obj(e).operator) &&
    (!['In', 'NotIn'].includes(obj(e).operator) || arr(obj(e).values).length > 0) &&
    (['In', 'NotIn'].includes(obj(e).operator) || arr(obj(e).values).length === 0) &&
    isQualifiedName(str(obj(e).key)).length === 0) &&
    Object.entries(strMap(sel.matchLabels)).every(([k, v]) => isQualifiedName(k).length === 0 && isValidLabelValue(str(v)).length === 0);
}

/** Whether a (parsable) LabelSelector selects the given labels; the empty selector selects everything. */
export function selectorMatches(sel: JsonObject, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(strMap(sel.matchLabels))) if (labels[k] !== v) return false;
  for (const e of arr(sel.matchExpressions)) {
    const r = obj(e);
    const key = str(r.key), has = Object.prototype.hasOwnProperty.call(labels, key);
    const values = arr(r.values).map(str);
    if (r.operator === 'In' && !(has && values.includes(labels[key]))) return false;
    if (r.operator === 'NotIn' && has && values.includes(labels[key])) return false;
    if (r.operator === 'Exists' && !has) return false;
    if (r.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

function validateOwnerReferences(refs: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  let firstController = '';
  for (const ref of arr(refs)) {
    const r = obj(ref);
    const apiVersion = str(r.apiVersion);
    const version = apiVersion.includes('/') ? apiVersion.split('/').slice(1).join('/') : apiVersion;
    if (!version) errs.push(invalid(`${field}.apiVersion`, apiVersion, 'version must not be empty'));
    if (!str(r.kind)) errs.push(invalid(`${field}.kind`, str(r.kind), 'must not be empty'));
    if (!str(r.name)) errs.push(invalid(`${field}.name`, str(r.name), 'must not be empty'));
    if (!str(r.uid)) errs.push(invalid(`${field}.uid`, str(r.uid), 'must not be empty'));
    if (apiVersion === 'v1' && r.kind === 'Event') {
      errs.push(invalid(field, r, '/v1, Kind=Event is disallowed from being an owner'));
    }
    if (r.controller === true) {
      const name = `${str(r.kind)}/${str(r.name)}`;
      if (firstController) {
        errs.push(invalid(field, refs, `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${name}`));
      } else firstController = name;
    }
  }
  return errs;
}

function validateFinalizers(finalizers: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const list = arr(finalizers).map(str);
  list.forEach((f, i) => {
    errs.push(...isQualifiedName(f).map((m) => invalid(field, f, m)));
    // Kubernetes' own check runs per index: an unprefixed name must be one of the standard ones.
    if (!f.includes('/') && !STANDARD_FINALIZERS.has(f)) {
      errs.push(invalid(`${field}[${i}]`, f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  });
  if (list.includes('orphan') && list.includes('foregroundDeletion')) {
    errs.push(invalidGo(field, goStringSlice(list), 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return errs;
}

function validateMetaCommon(meta: JsonObject, namespaced: boolean, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const ns = str(meta.namespace);
  if (namespaced) {
    if (!ns) errs.push(required(`${field}.namespace`));
    else errs.push(...isDNS1123Label(ns).map((m) => invalid(`${field}.namespace`, ns, m)));
  } else if (ns) {
    errs.push(forbidden(`${field}.namespace`, 'not allowed on this type'));
  }
  errs.push(...validateNonnegative(meta.generation, `${field}.generation`));
  errs.push(...validateLabels(meta.labels, `${field}.labels`));
  errs.push(...validateAnnotations(meta.annotations, `${field}.annotations`));
  errs.push(...validateOwnerReferences(meta.ownerReferences, `${field}.ownerReferences`));
  errs.push(...validateFinalizers(meta.finalizers, `${field}.finalizers`));
  return errs;
}

/** ValidateObjectMeta for a create: generateName, name (with the kind's name rule), namespace, labels, ... */
export function validateObjectMeta(o: KubeObject, namespaced: boolean, nameFn: NameFn, field = 'metadata'): FieldError[] {
  const meta = obj(o.metadata);
  const errs: FieldError[] = [];
  const generateName = str(meta.generateName);
  if (generateName) errs.push(...nameFn(generateName, true).map((m) => invalid(`${field}.generateName`, generateName, m)));
  const name = str(meta.name);
  if (!name) errs.push(required(`${field}.name`, 'name or generateName is required'));
  else errs.push(...nameFn(name, false).map((m) => invalid(`${field}.name`, name, m)));
  errs.push(...validateMetaCommon(meta, namespaced, field));
  return errs;
}

/** ValidateObjectMetaUpdate: what the server owns may not change, and the rest must still be valid. */
export function validateObjectMetaUpdate(o: KubeObject, old: KubeObject, field = 'metadata'): FieldError[] {
  const meta = obj(o.metadata), oldMeta = obj(old.metadata);
  const errs: FieldError[] = [];
  if (oldMeta.deletionTimestamp) {
    const before = new Set(arr(oldMeta.finalizers).map(str));
    const extra = [...new Set(arr(meta.finalizers).map(str))].filter((f) => !before.has(f)).sort();
    if (extra.length) {
      errs.push(forbidden(`${field}.finalizers`, `no new finalizers can be added if the object is being deleted, found new finalizers ${goStringSlice(extra)}`));
    }
  }
  if (!str(meta.resourceVersion)) errs.push(invalid(`${field}.resourceVersion`, str(meta.resourceVersion), 'must be specified for an update'));
  if (typeof meta.generation === 'number' && typeof oldMeta.generation === 'number' && meta.generation < oldMeta.generation) {
    errs.push(invalid(`${field}.generation`, meta.generation, 'must not be decremented'));
  }
  for (const k of ['name', 'namespace', 'uid']) {
    if (str(meta[k]) !== str(oldMeta[k])) errs.push(invalid(`${field}.${k}`, str(meta[k]), FIELD_IMMUTABLE));
  }
  for (const k of ['creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds']) {
    if (!isDeepStrictEqual(meta[k] ?? null, oldMeta[k] ?? null)) errs.push(invalid(`${field}.${k}`, meta[k] ?? null, FIELD_IMMUTABLE));
  }
  errs.push(...validateLabels(meta.labels, `${field}.labels`));
  errs.push(...validateAnnotations(meta.annotations, `${field}.annotations`));
  errs.push(...validateOwnerReferences(meta.ownerReferences, `${field}.ownerReferences`));
  errs.push(...validateFinalizers(meta.finalizers, `${field}.finalizers`));
  return errs;
}

/** ValidateImmutableField for plain JSON values. */
export function validateImmutable(next: unknown, old: unknown, field: string): FieldError[] {
  return isDeepStrictEqual(next ?? null, old ?? null) ? [] : [invalid(field, next ?? null, FIELD_IMMUTABLE)];
}
