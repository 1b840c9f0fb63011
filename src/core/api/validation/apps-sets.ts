// DaemonSets, StatefulSets and ControllerRevisions (pkg/apis/apps/validation ValidateDaemonSet,
// ValidateStatefulSet, ValidateControllerRevision, and their update rules), with upstream's messages.
import { type FieldError, forbidden, invalid, notSupported, required } from '../errors.js';
import type { JsonObject, KubeObject } from '../object.js';
import {
  intOrPercentValue, percentValue, validatePositiveIntOrPercent, validateSelectorAndTemplate,
} from './apps.js';
import { goQuote, intOrStringText, invalidGo, isObj, labelSelectorString, notSupportedGo, obj, str } from './go-values.js';
import {
  FIELD_IMMUTABLE, nameIsDNSLabel, nameIsDNSSubdomain, validateNonnegative, validateObjectMeta, validateObjectMetaUpdate,
} from './meta.js';
import { isDeepStrictEqual } from 'node:util';

// ---- DaemonSet -----------------------------------------------------------------------------------

function validateDaemonSetUpdateStrategy(strategy: unknown): FieldError[] {
  const s = obj(strategy);
  const field = 'spec.updateStrategy';
  const type = str(s.type);
  if (type === 'OnDelete') return [];
  if (type !== 'RollingUpdate') {
    const ru = isObj(s.rollingUpdate) ? '(*apps.RollingUpdateDaemonSet)(0xc000000000)' : '(*apps.RollingUpdateDaemonSet)(nil)';
    return [notSupportedGo(field, `apps.DaemonSetUpdateStrategy{Type:${goQuote(type)}, RollingUpdate:${ru}}`, ['RollingUpdate', 'OnDelete'])];
  }
  if (!isObj(s.rollingUpdate)) return [required(`${field}.rollingUpdate`)];
  const ru = s.rollingUpdate;
  const p = `${field}.rollingUpdate`;
  const errs = [
    ...validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`),
    ...validatePositiveIntOrPercent(ru.maxSurge, `${p}.maxSurge`),
  ];
  for (const k of ['maxUnavailable', 'maxSurge']) {
    const pct = percentValue(ru[k]);
    if (pct !== undefined && pct > 100) errs.push(invalidGo(`${p}.${k}`, intOrStringText(ru[k]), 'must not be greater than 100%'));
  }
  // Exactly one of the two may be non-zero (ValidateRollingUpdateDaemonSet).
  const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0, hasSurge = intOrPercentValue(ru.maxSurge) !== 0;
  if (hasUnavailable && hasSurge) errs.push(invalidGo(`${p}.maxSurge`, intOrStringText(ru.maxSurge), 'may not be set when maxUnavailable is non-zero'));
  if (!hasUnavailable && !hasSurge) errs.push(required(`${p}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
  return errs;
}

function validateDaemonSetSpec(spec: JsonObject): FieldError[] {
  const errs = validateSelectorAndTemplate(spec, 'daemonset', 'DaemonSet');
  errs.push(...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...validateNonnegative(spec.templateGeneration, 'spec.templateGeneration'));
  errs.push(...validateDaemonSetUpdateStrategy(spec.updateStrategy));
  errs.push(...validateNonnegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  return errs;
}

export function validateDaemonSet(ds: KubeObject): FieldError[] {
  return [...validateObjectMeta(ds, true, nameIsDNSSubdomain), ...validateDaemonSetSpec(obj((ds as JsonObject).spec))];
}

function selectorImmutable(next: KubeObject, old: KubeObject): FieldError[] {
  const sel = obj((next as JsonObject).spec).selector, oldSel = obj((old as JsonObject).spec).selector;
  return isDeepStrictEqual(sel ?? null, oldSel ?? null) ? [] : [invalidGo('spec.selector', labelSelectorString(isObj(sel) ? sel : undefined), FIELD_IMMUTABLE)];
}

export function validateDaemonSetUpdate(next: KubeObject, old: KubeObject): FieldError[] {
  return [...validateObjectMetaUpdate(next, old), ...validateDaemonSetSpec(obj((next as JsonObject).spec)), ...selectorImmutable(next, old)];
}

// ---- StatefulSet ---------------------------------------------------------------------------------

/**
 * podnet has no storage (no PersistentVolumes, no provisioner, no volume plugins in its pod sandboxes),
 * so a StatefulSet asking for claims is refused rather than run without the storage it depends on.
 */
export const NO_STORAGE = 'podnet has no storage (no PersistentVolumes or provisioner): remove volumeClaimTemplates, ' +
  'and give the pod template an emptyDir volume if the containers only need scratch space';

function validateStatefulSetSpec(spec: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  const pmp = str(spec.podManagementPolicy);
  if (pmp === '') errs.push(required('spec.podManagementPolicy', ''));
  else if (pmp !== 'OrderedReady' && pmp !== 'Parallel') errs.push(invalid('spec.podManagementPolicy', pmp, "must be 'OrderedReady' or 'Parallel'"));
  const us = obj(spec.updateStrategy);
  switch (str(us.type)) {
    case '': errs.push(required('spec.updateStrategy', '')); break;
    case 'OnDelete':
      if (isObj(us.rollingUpdate)) errs.push(invalid('spec.updateStrategy.rollingUpdate', us.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"));
      break;
    case 'RollingUpdate':
      if (isObj(us.rollingUpdate)) errs.push(...validateNonnegative(us.rollingUpdate.partition, 'spec.updateStrategy.rollingUpdate.partition'));
      break;
    default: errs.push(invalid('spec.updateStrategy', us, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  const pr = obj(spec.persistentVolumeClaimRetentionPolicy);
  for (const k of ['whenDeleted', 'whenScaled']) {
    const v = str(pr[k]);
    if (v !== 'Retain' && v !== 'Delete') errs.push(notSupported(`spec.persistentVolumeClaimRetentionPolicy.${k}`, v, ['Retain', 'Delete']));
  }
  errs.push(...validateNonnegative(spec.replicas, 'spec.replicas'));
  errs.push(...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  if (isObj(spec.ordinals)) errs.push(...validateNonnegative(spec.ordinals.start, 'spec.ordinals.start'));
  errs.push(...validateSelectorAndTemplate(spec, 'statefulset', 'StatefulSet'));
  if (Array.isArray(spec.volumeClaimTemplates) && spec.volumeClaimTemplates.length > 0) {
    errs.push(forbidden('spec.volumeClaimTemplates', NO_STORAGE));
  }
  if (spec.serviceName !== undefined && spec.serviceName !== null && str(spec.serviceName) !== '') {
    errs.push(...nameIsDNSLabel(str(spec.serviceName), false).map((m) => invalid('spec.serviceName', spec.serviceName, m)));
  }
  return errs;
}

export function validateStatefulSet(sts: KubeObject): FieldError[] {
  return [...validateObjectMeta(sts, true, nameIsDNSSubdomain), ...validateStatefulSetSpec(obj((sts as JsonObject).spec))];
}

const STS_UPDATABLE = "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', " +
  "'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

export function validateStatefulSetUpdate(next: KubeObject, old: KubeObject): FieldError[] {
  const errs = [...validateObjectMetaUpdate(next, old), ...validateStatefulSetSpec(obj((next as JsonObject).spec))];
  const a = { ...obj((next as JsonObject).spec) }, b = { ...obj((old as JsonObject).spec) };
  for (const k of ['replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds']) {
    delete a[k]; delete b[k];
  }
  if (!isDeepStrictEqual(a, b)) errs.push(forbidden('spec', STS_UPDATABLE));
  return errs;
}

// ---- ControllerRevision --------------------------------------------------------------------------

export function validateControllerRevision(cr: KubeObject): FieldError[] {
  const o = cr as JsonObject;
  const errs = validateObjectMeta(cr, true, nameIsDNSSubdomain);
  if (o.data === undefined || o.data === null) errs.push(required('data', ''));
  errs.push(...validateNonnegative(o.revision, 'revision'));
  return errs;
}

export function validateControllerRevisionUpdate(next: KubeObject, old: KubeObject): FieldError[] {
  const errs = [...validateObjectMetaUpdate(next, old), ...validateControllerRevision(next)];
  if (!isDeepStrictEqual((next as JsonObject).data ?? null, (old as JsonObject).data ?? null)) errs.push(invalid('data', 'data', FIELD_IMMUTABLE));
  return errs;
}
