// Deployments, ReplicaSets and the autoscaling/v1 Scale subresource (pkg/apis/apps/validation, the
// apps/v1 strategies' selector immutability, pkg/apis/autoscaling/validation ValidateScale).
import { type FieldError, forbidden, invalid, notSupported, required } from '../errors.js';
import type { JsonObject, KubeObject } from '../object.js';
import { isValidPercent } from './formats.js';
import {
  goQuote, goStringMap, intOrStringText, invalidGo, isObj, labelSelectorString, notSupportedGo, num, obj, str, strMap,
} from './go-values.js';
import {
  FIELD_IMMUTABLE, nameIsDNSSubdomain, selectorMatches, selectorParses, validateLabelSelector,
  validateNonnegative, validateObjectMeta, validateObjectMetaUpdate,
} from './meta.js';
import { validatePodTemplateSpec } from './pod.js';
import { isDeepStrictEqual } from 'node:util';

/**
 * Selector checks shared by the apps/v1 workloads; `what` is the kind the empty-selector message names,
 * `kind` the one the activeDeadlineSeconds message names.
 */
export function validateSelectorAndTemplate(spec: JsonObject, what: string, kind: string): FieldError[] {
  const errs: FieldError[] = [];
  const sel = spec.selector;
  if (!isObj(sel)) {
    errs.push(required('spec.selector'));
  } else {
    errs.push(...validateLabelSelector(sel, 'spec.selector'));
    if (Object.keys(strMap(sel.matchLabels)).length + (Array.isArray(sel.matchExpressions) ? sel.matchExpressions.length : 0) === 0) {
      errs.push(invalidGo('spec.selector', labelSelectorString(sel), `empty selector is invalid for ${what}`));
    }
  }
  if (isObj(sel) && !selectorParses(sel)) {
    errs.push(invalidGo('spec.selector', labelSelectorString(sel), 'invalid label selector'));
  } else {
    // A missing selector converts to "matches nothing", so the template check still runs against it.
    const template = obj(spec.template);
    const labels = strMap(obj(template.metadata).labels);
    const matches = isObj(sel) ? selectorMatches(sel, labels) : false;
    const empty = isObj(sel) && Object.keys(strMap(sel.matchLabels)).length === 0 && !(Array.isArray(sel.matchExpressions) && sel.matchExpressions.length);
    if (!matches && !empty) {
      errs.push(invalidGo('spec.template.metadata.labels', goStringMap(obj(template.metadata).labels ?? null), '`selector` does not match template `labels`'));
    }
    errs.push(...validatePodTemplateSpec(template, 'spec.template'));
    const rp = str(obj(template.spec).restartPolicy);
    if (rp !== 'Always') errs.push(notSupported('spec.template.spec.restartPolicy', rp, ['Always']));
    if (obj(template.spec).activeDeadlineSeconds !== undefined && obj(template.spec).activeDeadlineSeconds !== null) {
      errs.push(forbidden('spec.template.spec.activeDeadlineSeconds', `activeDeadlineSeconds in ${kind} is not Supported`));
    }
  }
  return errs;
}

/** intstr helpers of ValidateRollingUpdateDeployment. */
export function percentValue(v: unknown): number | undefined {
  return typeof v === 'string' && isValidPercent(v).length === 0 ? Number(v.slice(0, -1)) : undefined;
}
export const intOrPercentValue = (v: unknown): number => percentValue(v) ?? (typeof v === 'number' ? v : 0);

export function validatePositiveIntOrPercent(v: unknown, field: string): FieldError[] {
  if (typeof v === 'string') return isValidPercent(v).map((m) => invalidGo(field, intOrStringText(v), m));
  if (typeof v === 'number') return validateNonnegative(v, field);
  return [];
}

function validateStrategy(strategy: unknown): FieldError[] {
  const s = obj(strategy);
  const errs: FieldError[] = [];
  switch (s.type) {
    case 'Recreate':
      if (s.rollingUpdate !== undefined && s.rollingUpdate !== null) {
        errs.push(forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"));
      }
      break;
    case 'RollingUpdate': {
      if (!isObj(s.rollingUpdate)) { errs.push(required('spec.strategy.rollingUpdate', 'this should be defaulted and never be nil')); break; }
      const ru = s.rollingUpdate;
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, 'spec.strategy.rollingUpdate.maxUnavailable'));
      errs.push(...validatePositiveIntOrPercent(ru.maxSurge, 'spec.strategy.rollingUpdate.maxSurge'));
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
        errs.push(invalidGo('spec.strategy.rollingUpdate.maxUnavailable', intOrStringText(ru.maxUnavailable), 'may not be 0 when `maxSurge` is 0'));
      }
      const pct = percentValue(ru.maxUnavailable);
      if (pct !== undefined && pct > 100) {
        errs.push(invalidGo('spec.strategy.rollingUpdate.maxUnavailable', intOrStringText(ru.maxUnavailable), 'must not be greater than 100%'));
      }
      break;
    }
    default: {
      // Go prints the struct with %#v; a set rollingUpdate pointer prints as an address no client can predict.
      const ru = isObj(s.rollingUpdate) ? '(*apps.RollingUpdateDeployment)(0xc000000000)' : '(*apps.RollingUpdateDeployment)(nil)';
      errs.push(notSupportedGo('spec.strategy', `apps.DeploymentStrategy{Type:${goQuote(str(s.type))}, RollingUpdate:${ru}}`, ['Recreate', 'RollingUpdate']));
    }
  }
  return errs;
}

export function validateDeployment(d: KubeObject): FieldError[] {
  return [...validateObjectMeta(d, true, nameIsDNSSubdomain), ...validateDeploymentSpec(obj((d as JsonObject).spec))];
}

function validateDeploymentSpec(spec: JsonObject): FieldError[] {
  const errs = validateNonnegative(spec.replicas, 'spec.replicas');
  // Deployments reuse the ReplicaSet template check, messages included ("activeDeadlineSeconds in ReplicaSet").
  errs.push(...validateSelectorAndTemplate(spec, 'deployment', 'ReplicaSet'));
  errs.push(...validateStrategy(spec.strategy));
  errs.push(...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...validateNonnegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  if (typeof spec.progressDeadlineSeconds === 'number') {
    errs.push(...validateNonnegative(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds'));
    if (spec.progressDeadlineSeconds <= num(spec.minReadySeconds)) {
      errs.push(invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

export function validateReplicaSet(rs: KubeObject): FieldError[] {
  return [...validateObjectMeta(rs, true, nameIsDNSSubdomain), ...validateReplicaSetSpec(obj((rs as JsonObject).spec))];
}

function validateReplicaSetSpec(spec: JsonObject): FieldError[] {
  const errs = validateNonnegative(spec.replicas, 'spec.replicas');
  errs.push(...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  // Upstream's ReplicaSet message really says "deployment".
  errs.push(...validateSelectorAndTemplate(spec, 'deployment', 'ReplicaSet'));
  return errs;
}

/** Updates of apps/v1 Deployments and ReplicaSets: the selector is immutable (the strategies' check). */
export function validateAppsUpdate(next: KubeObject, old: KubeObject): FieldError[] {
  const errs = validateObjectMetaUpdate(next, old);
  const spec = obj((next as JsonObject).spec);
  errs.push(...(next.kind === 'Deployment' ? validateDeploymentSpec(spec) : validateReplicaSetSpec(spec)));
  const sel = obj((next as JsonObject).spec).selector, oldSel = obj((old as JsonObject).spec).selector;
  if (!isDeepStrictEqual(sel ?? null, oldSel ?? null)) {
    errs.push(invalidGo('spec.selector', labelSelectorString(isObj(sel) ? sel : undefined), FIELD_IMMUTABLE));
  }
  return errs;
}

/** autoscaling/v1 Scale (kubectl scale): replicas may not be negative. */
export function validateScale(scale: KubeObject): FieldError[] {
  const replicas = (scale as JsonObject).spec?.replicas;
  return typeof replicas === 'number' && replicas < 0 ? [invalid('spec.replicas', replicas, 'must be greater than or equal to 0')] : [];
}
