// Jobs and CronJobs (pkg/apis/batch/validation ValidateJob, ValidateCronJobCreate and their updates),
// with upstream's field paths and messages.
import { type FieldError, invalid, notSupported, required } from '../errors.js';
import type { JsonObject, KubeObject } from '../object.js';
import { CronParseError, isKnownTimeZone, parseSchedule } from '../../cron/schedule.js';
import { goStringMap, invalidGo, isObj, labelSelectorString, obj, str, strMap } from './go-values.js';
import {
  FIELD_IMMUTABLE, nameIsDNSSubdomain, selectorMatches, selectorParses, validateLabelSelector, validateNonnegative,
  validateObjectMeta, validateObjectMetaUpdate,
} from './meta.js';
import { validatePodTemplateSpec } from './pod.js';
import { isDeepStrictEqual } from 'node:util';

const has = (v: unknown) => v !== undefined && v !== null;

/** validateJobSpec: the parts a Job and a CronJob's jobTemplate share. */
function validateJobSpecCommon(spec: JsonObject, field: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished', 'backoffLimitPerIndex', 'maxFailedIndexes']) {
    if (has(spec[k])) errs.push(...validateNonnegative(spec[k], `${field}.${k}`));
  }
  if (has(spec.completionMode)) {
    const mode = str(spec.completionMode);
    if (mode !== 'NonIndexed' && mode !== 'Indexed') errs.push(notSupported(`${field}.completionMode`, mode, ['NonIndexed', 'Indexed']));
    if (mode === 'Indexed' && !has(spec.completions)) errs.push(required(`${field}.completions`, 'when completion mode is Indexed'));
    if (mode !== 'Indexed' && has(spec.backoffLimitPerIndex)) errs.push(invalid(`${field}.backoffLimitPerIndex`, spec.backoffLimitPerIndex, 'requires indexed completion mode'));
  }
  const template = obj(spec.template);
  errs.push(...validatePodTemplateSpec(template, `${field}.template`));
  // SetDefaults_PodSpec turns an unset restartPolicy into Always, so both mean "not chosen".
  const rp = str(obj(template.spec).restartPolicy);
  if (rp === 'Always' || rp === '') errs.push(required(`${field}.template.spec.restartPolicy`, 'valid values: "OnFailure", "Never"'));
  else if (rp !== 'OnFailure' && rp !== 'Never') errs.push(notSupported(`${field}.template.spec.restartPolicy`, rp, ['OnFailure', 'Never']));
  return errs;
}

function validateJobSpec(spec: JsonObject): FieldError[] {
  const errs = validateJobSpecCommon(spec, 'spec');
  const sel = spec.selector;
  if (!isObj(sel)) errs.push(required('spec.selector', ''));
  else errs.push(...validateLabelSelector(sel, 'spec.selector'));
  if (isObj(sel) && selectorParses(sel)) {
    const labels = strMap(obj(obj(spec.template).metadata).labels);
    if (!selectorMatches(sel, labels)) {
      errs.push(invalidGo('spec.template.metadata.labels', goStringMap(obj(obj(spec.template).metadata).labels ?? null), '`selector` does not match template `labels`'));
    }
  }
  return errs;
}

export function validateJob(job: KubeObject): FieldError[] {
  return [...validateObjectMeta(job, true, nameIsDNSSubdomain), ...validateJobSpec(obj((job as JsonObject).spec))];
}

export function validateJobUpdate(next: KubeObject, old: KubeObject): FieldError[] {
  const errs = [...validateObjectMetaUpdate(next, old), ...validateJobSpec(obj((next as JsonObject).spec))];
  const s = obj((next as JsonObject).spec), o = obj((old as JsonObject).spec);
  if (!isDeepStrictEqual(s.selector ?? null, o.selector ?? null)) errs.push(invalidGo('spec.selector', labelSelectorString(isObj(s.selector) ? s.selector : undefined), FIELD_IMMUTABLE));
  if (!isDeepStrictEqual(s.template ?? null, o.template ?? null)) {
    // Upstream allows the scheduling directives of a suspended Job that never started to change; the
    // rest of the template is fixed once the Job exists.
    const strip = (t: JsonObject) => { const c = structuredClone(t ?? {}); for (const k of ['nodeSelector', 'tolerations', 'affinity', 'schedulingGates']) delete c.spec?.[k]; return c; };
    const mayChange = o.suspend === true && !((old as JsonObject).status?.startTime);
    if (!mayChange || !isDeepStrictEqual(strip(s.template), strip(o.template))) errs.push(invalidGo('spec.template', 'core.PodTemplateSpec{...}', FIELD_IMMUTABLE));
  }
  if ((s.completionMode ?? null) !== (o.completionMode ?? null)) errs.push(invalid('spec.completionMode', s.completionMode ?? null, FIELD_IMMUTABLE));
  if (!isDeepStrictEqual(s.completions ?? null, o.completions ?? null)) {
    // Elastic Indexed Jobs: completions may follow parallelism.
    if (!(s.completionMode === 'Indexed' && s.completions === s.parallelism)) errs.push(invalid('spec.completions', s.completions ?? null, FIELD_IMMUTABLE));
  }
  return errs;
}

// ---- CronJob -------------------------------------------------------------------------------------

function validateSchedule(schedule: string, timeZone: unknown, allowTZ: boolean): FieldError[] {
  const errs: FieldError[] = [];
  try { parseSchedule(schedule); } catch (e) {
    if (!(e instanceof CronParseError)) throw e;
    errs.push(invalid('spec.schedule', schedule, e.message));
  }
  if (has(timeZone) && schedule.includes('TZ')) errs.push(invalid('spec.schedule', schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
  else if (!allowTZ && schedule.includes('TZ')) errs.push(invalid('spec.schedule', schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  return errs;
}

function validateTimeZone(tz: unknown): FieldError[] {
  if (!has(tz)) return [];
  const s = str(tz);
  if (s.length === 0) return [invalid('spec.timeZone', s, 'timeZone must be nil or non-empty string')];
  if (s.toLowerCase() === 'local') return [invalid('spec.timeZone', s, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones')];
  if (!isKnownTimeZone(s)) return [invalid('spec.timeZone', s, `unknown time zone ${s}`)];
  return [];
}

function validateCronJobSpec(spec: JsonObject, old?: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  const schedule = str(spec.schedule);
  if (schedule.length === 0) errs.push(required('spec.schedule', ''));
  else errs.push(...validateSchedule(schedule, spec.timeZone, !!old && str(old.schedule).includes('TZ')));
  if (has(spec.startingDeadlineSeconds)) errs.push(...validateNonnegative(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
  if (!old || (old.timeZone ?? null) !== (spec.timeZone ?? null)) errs.push(...validateTimeZone(spec.timeZone));
  const cp = str(spec.concurrencyPolicy);
  if (cp === '') errs.push(required('spec.concurrencyPolicy', ''));
  else if (!['Allow', 'Forbid', 'Replace'].includes(cp)) errs.push(notSupported('spec.concurrencyPolicy', cp, ['Allow', 'Forbid', 'Replace']));
  const jt = obj(spec.jobTemplate), js = obj(jt.spec);
  errs.push(...validateJobSpecCommon(js, 'spec.jobTemplate.spec'));
  if (has(js.selector)) errs.push(invalidGo('spec.jobTemplate.spec.selector', labelSelectorString(obj(js.selector)), '`selector` will be auto-generated'));
  if (js.manualSelector === true) errs.push(notSupported('spec.jobTemplate.spec.manualSelector', true, ['nil', 'false']));
  for (const k of ['successfulJobsHistoryLimit', 'failedJobsHistoryLimit']) if (has(spec[k])) errs.push(...validateNonnegative(spec[k], `spec.${k}`));
  return errs;
}

export function validateCronJob(cj: KubeObject): FieldError[] {
  const errs = [...validateObjectMeta(cj, true, nameIsDNSSubdomain), ...validateCronJobSpec(obj((cj as JsonObject).spec))];
  // Jobs are named `<cronjob>-<minutes since epoch>` (11 characters more) and must fit in 63.
  const name = str(cj.metadata?.name);
  if (name.length > 52) errs.push(invalid('metadata.name', name, 'must be no more than 52 characters'));
  return errs;
}

export function validateCronJobUpdate(next: KubeObject, old: KubeObject): FieldError[] {
  return [...validateObjectMetaUpdate(next, old), ...validateCronJobSpec(obj((next as JsonObject).spec), obj((old as JsonObject).spec))];
}
