// The scheduling parts of a PodSpec: tolerations, node and pod affinity, topology spread constraints
// (pkg/apis/core/validation ValidateTolerations, validateAffinity, validateTopologySpreadConstraints).
import { type FieldError, duplicate, forbidden, invalid, notSupported, required } from '../errors.js';
import type { JsonObject } from '../object.js';
import { isDNS1123Label, isDNS1123Subdomain, isValidLabelValue } from './formats.js';
import { arr, isObj, num, obj, str } from './go-values.js';
import { validateLabelName, validateLabelSelector } from './meta.js';

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export function validateTaintEffect(effect: string, allowEmpty: boolean, field: string): FieldError[] {
  if (!allowEmpty && effect === '') return [required(field)];
  return TAINT_EFFECTS.includes(effect) ? [] : [notSupported(field, effect, TAINT_EFFECTS)];
}

export function validateTolerations(tolerations: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  arr(tolerations).forEach((t, i) => {
    const tol = obj(t);
    const p = `${field}[${i}]`;
    const key = str(tol.key), op = str(tol.operator), value = str(tol.value), effect = str(tol.effect);
    if (key) errs.push(...validateLabelName(key, `${p}.key`));
    if (!key && op !== 'Exists') {
      errs.push(invalid(`${p}.operator`, op, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (tol.tolerationSeconds !== undefined && tol.tolerationSeconds !== null && effect !== 'NoExecute') {
      errs.push(invalid(`${p}.effect`, effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (op === 'Equal' || op === '') {
      const msgs = isValidLabelValue(value);
      if (msgs.length) errs.push(invalid(`${p}.operator`, value, msgs.join(';')));
    } else if (op === 'Exists') {
      if (value) errs.push(invalid(`${p}.operator`, value, "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(notSupported(`${p}.operator`, op, ['Equal', 'Exists']));
    }
    if (effect) errs.push(...validateTaintEffect(effect, true, `${p}.effect`));
  });
  return errs;
}

function validateNodeSelectorRequirement(rq: JsonObject, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const values = arr(rq.values).map(str);
  switch (rq.operator) {
    case 'In': case 'NotIn':
      if (values.length === 0) errs.push(required(`${field}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists': case 'DoesNotExist':
      if (values.length > 0) errs.push(forbidden(`${field}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case 'Gt': case 'Lt':
      if (values.length !== 1) errs.push(required(`${field}.values`, "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
    default:
      errs.push(invalid(`${field}.operator`, str(rq.operator), 'not a valid selector operator'));
  }
  errs.push(...validateLabelName(str(rq.key), `${field}.key`));
  values.forEach((v, i) => errs.push(...isValidLabelValue(v).map((m) => invalid(`${field}.values[${i}]`, v, m))));
  return errs;
}

function validateNodeFieldSelectorRequirement(rq: JsonObject, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const values = arr(rq.values).map(str);
  if (rq.operator === 'In' || rq.operator === 'NotIn') {
    if (values.length !== 1) errs.push(required(`${field}.values`, "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
  } else {
    errs.push(invalid(`${field}.operator`, str(rq.operator), 'not a valid selector operator'));
  }
  if (rq.key !== 'metadata.name') errs.push(invalid(`${field}.key`, str(rq.key), 'not a valid field selector key'));
  else values.forEach((v, i) => errs.push(...isDNS1123Subdomain(v).map((m) => invalid(`${field}.values[${i}]`, v, m))));
  return errs;
}

function validateNodeSelectorTerm(term: JsonObject, field: string): FieldError[] {
  const errs: FieldError[] = [];
  arr(term.matchExpressions).forEach((r, j) => errs.push(...validateNodeSelectorRequirement(obj(r), `${field}.matchExpressions[${j}]`)));
  arr(term.matchFields).forEach((r, j) => errs.push(...validateNodeFieldSelectorRequirement(obj(r), `${field}.matchFields[${j}]`)));
  return errs;
}

function validatePodAffinityTerm(term: JsonObject, field: string): FieldError[] {
  const errs = validateLabelSelector(term.labelSelector, `${field}.labelSelector`);
  errs.push(...validateLabelSelector(term.namespaceSelector, `${field}.namespaceSelector`));
  for (const ns of arr(term.namespaces).map(str)) errs.push(...isDNS1123Label(ns).map((m) => invalid(`${field}.namespace`, ns, m)));
  const topologyKey = str(term.topologyKey);
  if (!topologyKey) errs.push(required(`${field}.topologyKey`, 'can not be empty'));
  errs.push(...validateLabelName(topologyKey, `${field}.topologyKey`));
  return errs;
}

function validatePodAffinity(pa: JsonObject, field: string): FieldError[] {
  const errs: FieldError[] = [];
  arr(pa.requiredDuringSchedulingIgnoredDuringExecution).forEach((t, i) =>
    errs.push(...validatePodAffinityTerm(obj(t), `${field}.requiredDuringSchedulingIgnoredDuringExecution[${i}]`)));
  arr(pa.preferredDuringSchedulingIgnoredDuringExecution).forEach((w, i) => {
    const p = `${field}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
    const weight = num(obj(w).weight);
    if (weight <= 0 || weight > 100) errs.push(invalid(`${p}.weight`, weight, 'must be in the range 1-100'));
    errs.push(...validatePodAffinityTerm(obj(obj(w).podAffinityTerm), `${p}.podAffinityTerm`));
  });
  return errs;
}

export function validateAffinity(affinity: unknown, field: string): FieldError[] {
  if (!isObj(affinity)) return [];
  const errs: FieldError[] = [];
  if (isObj(affinity.nodeAffinity)) {
    const na = affinity.nodeAffinity;
    const p = `${field}.nodeAffinity`;
    if (isObj(na.requiredDuringSchedulingIgnoredDuringExecution)) {
      const terms = arr(na.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms);
      const tp = `${p}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms`;
      if (terms.length === 0) errs.push(required(tp, 'must have at least one node selector term'));
      terms.forEach((t, i) => errs.push(...validateNodeSelectorTerm(obj(t), `${tp}[${i}]`)));
    }
    arr(na.preferredDuringSchedulingIgnoredDuringExecution).forEach((t, i) => {
      const tp = `${p}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
      const weight = num(obj(t).weight);
      if (weight <= 0 || weight > 100) errs.push(invalid(`${tp}.weight`, weight, 'must be in the range 1-100'));
      errs.push(...validateNodeSelectorTerm(obj(obj(t).preference), `${tp}.preference`));
    });
  }
  if (isObj(affinity.podAffinity)) errs.push(...validatePodAffinity(affinity.podAffinity, `${field}.podAffinity`));
  if (isObj(affinity.podAntiAffinity)) errs.push(...validatePodAffinity(affinity.podAntiAffinity, `${field}.podAntiAffinity`));
  return errs;
}

export function validateTopologySpreadConstraints(constraints: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const list = arr(constraints).map(obj);
  list.forEach((c, i) => {
    const p = `${field}[${i}]`;
    if (num(c.maxSkew) <= 0) errs.push(invalid(`${p}.maxSkew`, num(c.maxSkew), 'must be greater than zero'));
    if (!str(c.topologyKey)) errs.push(required(`${p}.topologyKey`, 'can not be empty'));
    const wu = str(c.whenUnsatisfiable);
    if (wu !== 'DoNotSchedule' && wu !== 'ScheduleAnyway') errs.push(notSupported(`${p}.whenUnsatisfiable`, wu, ['DoNotSchedule', 'ScheduleAnyway']));
    if (list.slice(i + 1).some((o) => str(o.topologyKey) === str(c.topologyKey) && str(o.whenUnsatisfiable) === wu)) {
      errs.push(duplicate(`${p}.{topologyKey, whenUnsatisfiable}`, `{${str(c.topologyKey)}, ${wu}}`));
    }
    if (typeof c.minDomains === 'number') {
      if (c.minDomains <= 0) errs.push(invalid(`${p}.minDomains`, c.minDomains, 'must be greater than zero'));
      if (wu !== 'DoNotSchedule') errs.push(invalid(`${p}.minDomains`, c.minDomains, `can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${wu}`));
    }
    for (const k of ['nodeAffinityPolicy', 'nodeTaintsPolicy']) {
      if (c[k] !== undefined && c[k] !== null && c[k] !== 'Honor' && c[k] !== 'Ignore') errs.push(notSupported(`${p}.${k}`, str(c[k]), ['Honor', 'Ignore']));
    }
    errs.push(...validateLabelSelector(c.labelSelector, `${p}.labelSelector`));
  });
  return errs;
}
