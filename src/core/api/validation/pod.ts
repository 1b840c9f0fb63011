// Pods, PodSpecs and pod templates (pkg/apis/core/validation ValidatePodSpec, ValidatePodCreate,
// ValidatePodUpdate, ValidatePodTemplateSpec), with upstream's field paths and messages.
import { isDeepStrictEqual } from 'node:util';
import { type FieldError, duplicate, forbidden, invalid, notSupported, required } from '../errors.js';
import type { JsonObject, KubeObject } from '../object.js';
import { inclusiveRangeError, ipErrors, isDNS1123Label, isDNS1123Subdomain, isQualifiedName } from './formats.js';
import { arr, goStringSlice, invalidGo, isObj, num, obj, str } from './go-values.js';
import { validateContainerCommon, validateLifecycle, validateProbe, type VolumeMap } from './containers.js';
import { nameIsDNSSubdomain, validateAnnotations, validateLabels, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { validateAffinity, validateTolerations, validateTopologySpreadConstraints } from './scheduling.js';
import { validateVolumes } from './volumes.js';

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const MAX_INT32 = 2147483647;

/** Host ports must be unique per protocol/hostIP/port across the given containers. */
function checkHostPortConflicts(containers: JsonObject[], field: string, seen = new Set<string>()): FieldError[] {
  const errs: FieldError[] = [];
  containers.forEach((c, ci) => arr(c.ports).forEach((p, pi) => {
    const port = obj(p);
    const hp = num(port.hostPort);
    if (hp === 0) return;
    const key = `${str(port.protocol)}/${str(port.hostIP)}/${hp}`;
    if (seen.has(key)) errs.push(duplicate(`${field}[${ci}].ports[${pi}].hostPort`, key));
    else seen.add(key);
  }));
  return errs;
}

function validateContainers(containers: JsonObject[], volumes: VolumeMap, grace: number | undefined, field: string): FieldError[] {
  if (containers.length === 0) return [required(field)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  containers.forEach((c, i) => {
    const p = `${field}[${i}]`;
    errs.push(...validateContainerCommon(c, volumes, p));
    if (names.has(str(c.name))) errs.push(duplicate(`${p}.name`, str(c.name)));
    else names.add(str(c.name));
    errs.push(...validateLifecycle(c.lifecycle, grace, `${p}.lifecycle`));
    errs.push(...validateProbe(c.livenessProbe, 'liveness', grace, `${p}.livenessProbe`));
    errs.push(...validateProbe(c.readinessProbe, 'readiness', grace, `${p}.readinessProbe`));
    errs.push(...validateProbe(c.startupProbe, 'startup', grace, `${p}.startupProbe`));
    if (c.restartPolicy !== undefined && c.restartPolicy !== null) errs.push(forbidden(`${p}.restartPolicy`, 'may not be set for non-init containers'));
  });
  errs.push(...checkHostPortConflicts(containers, field));
  return errs;
}

function validateInitContainers(inits: JsonObject[], regular: JsonObject[], volumes: VolumeMap, grace: number | undefined, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set(regular.map((c) => str(c.name)));
  inits.forEach((c, i) => {
    const p = `${field}[${i}]`;
    errs.push(...validateContainerCommon(c, volumes, p));
    let restartAlways = false;
    if (c.restartPolicy !== undefined && c.restartPolicy !== null) {
      if (c.restartPolicy !== 'Always') errs.push(notSupported(`${p}.restartPolicy`, str(c.restartPolicy), ['Always']));
      restartAlways = c.restartPolicy === 'Always';
    }
    if (names.has(str(c.name))) errs.push(duplicate(`${p}.name`, str(c.name)));
    else if (str(c.name)) names.add(str(c.name));
    errs.push(...checkHostPortConflicts([c], field));
    if (restartAlways) {
      errs.push(...validateLifecycle(c.lifecycle, grace, `${p}.lifecycle`));
      errs.push(...validateProbe(c.livenessProbe, 'liveness', grace, `${p}.livenessProbe`));
      errs.push(...validateProbe(c.readinessProbe, 'readiness', grace, `${p}.readinessProbe`));
      errs.push(...validateProbe(c.startupProbe, 'startup', grace, `${p}.startupProbe`));
    } else {
      for (const k of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
        if (isObj(c[k])) errs.push(forbidden(`${p}.${k}`, 'may not be set for init containers without restartPolicy=Always'));
      }
    }
    if (arr(c.resizePolicy).length > 0) errs.push(invalid(`${p}.resizePolicy`, c.resizePolicy, 'must not be set for init containers'));
  });
  return errs;
}

function validateDNSConfig(cfg: unknown, dnsPolicy: string, field: string): FieldError[] {
  if (dnsPolicy === 'None') {
    if (!isObj(cfg)) return [required(field, 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if (arr(cfg.nameservers).length === 0) return [required(`${field}.nameservers`, 'must provide at least one DNS nameserver when `dnsPolicy` is None')];
  }
  if (!isObj(cfg)) return [];
  const errs: FieldError[] = [];
  const nameservers = arr(cfg.nameservers).map(str);
  if (nameservers.length > 3) errs.push(invalidGo(`${field}.nameservers`, goStringSlice(nameservers), 'must not have more than 3 nameservers'));
  nameservers.forEach((ns, i) => errs.push(...ipErrors(ns).map((m) => invalid(`${field}.nameservers[${i}]`, ns, m))));
  const searches = arr(cfg.searches).map(str);
  if (searches.length > 32) errs.push(invalidGo(`${field}.searches`, goStringSlice(searches), 'must not have more than 32 search paths'));
  if (searches.join(' ').length > 2048) {
    errs.push(invalidGo(`${field}.searches`, goStringSlice(searches), 'must not have more than 2048 characters (including spaces) in the search list'));
  }
  searches.forEach((s, i) => {
    const trimmed = s.endsWith('.') ? s.slice(0, -1) : s;
    errs.push(...isDNS1123Subdomain(trimmed).map((m) => invalid(`${field}.searches[${i}]`, trimmed, m)));
  });
  arr(cfg.options).forEach((o, i) => { if (!str(obj(o).name)) errs.push(required(`${field}.options[${i}]`, 'must not be empty')); });
  return errs;
}

function validatePodSecurityContext(sc: unknown, field: string): FieldError[] {
  if (!isObj(sc)) return [];
  const errs: FieldError[] = [];
  for (const k of ['runAsUser', 'runAsGroup', 'fsGroup']) {
    if (typeof sc[k] === 'number' && (sc[k] < 0 || sc[k] > MAX_INT32)) errs.push(invalid(`${field}.${k}`, sc[k], inclusiveRangeError(0, MAX_INT32)));
  }
  arr(sc.supplementalGroups).forEach((g, i) => {
    if (typeof g === 'number' && (g < 0 || g > MAX_INT32)) errs.push(invalid(`${field}.supplementalGroups[${i}]`, g, inclusiveRangeError(0, MAX_INT32)));
  });
  if (sc.fsGroupChangePolicy !== undefined && !['Always', 'OnRootMismatch'].includes(str(sc.fsGroupChangePolicy))) {
    errs.push(notSupported(`${field}.fsGroupChangePolicy`, str(sc.fsGroupChangePolicy), ['Always', 'OnRootMismatch']));
  }
  arr(sc.sysctls).forEach((s, i) => {
    const name = str(obj(s).name);
    if (!name) errs.push(required(`${field}.sysctls[${i}].name`));
    else if (!/^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 253) {
      errs.push(invalid(`${field}.sysctls[${i}].name`, name, "must have at most 253 characters and match regex ^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$"));
    }
  });
  return errs;
}

/** ValidatePodSpec. `isPod` is true for a Pod (not a template): hostNetwork ports must then match exactly. */
export function validatePodSpec(spec: JsonObject, field: string, isPod: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const grace = typeof spec.terminationGracePeriodSeconds === 'number' ? spec.terminationGracePeriodSeconds : undefined;
  if (spec.terminationGracePeriodSeconds === undefined || spec.terminationGracePeriodSeconds === null) {
    errs.push(required(`${field}.terminationGracePeriodSeconds`));
  }
  const { errs: volErrs, byName } = validateVolumes(spec.volumes, `${field}.volumes`);
  errs.push(...volErrs);
  const containers = arr(spec.containers).map(obj);
  const inits = arr(spec.initContainers).map(obj);
  errs.push(...validateContainers(containers, byName, grace, `${field}.containers`));
  errs.push(...validateInitContainers(inits, containers, byName, grace, `${field}.initContainers`));
  if (spec.hostNetwork === true) {
    containers.forEach((c, i) => arr(c.ports).forEach((p, j) => {
      const hp = num(obj(p).hostPort), cp = num(obj(p).containerPort);
      if ((isPod || hp !== 0) && hp !== cp) {
        errs.push(invalid(`${field}.containers[${i}].ports[${j}].hostPort`, hp, 'must match `containerPort` when `hostNetwork` is true'));
      }
    }));
  }
  const rp = str(spec.restartPolicy);
  if (!rp) errs.push(required(`${field}.restartPolicy`));
  else if (!RESTART_POLICIES.includes(rp)) errs.push(notSupported(`${field}.restartPolicy`, rp, RESTART_POLICIES));
  const dp = str(spec.dnsPolicy);
  if (!dp) errs.push(required(`${field}.dnsPolicy`));
  else if (!DNS_POLICIES.includes(dp)) errs.push(notSupported(`${field}.dnsPolicy`, dp, DNS_POLICIES));
  errs.push(...validateLabels(spec.nodeSelector, `${field}.nodeSelector`));
  errs.push(...validatePodSecurityContext(spec.securityContext, `${field}.securityContext`));
  arr(spec.imagePullSecrets).forEach((s, i) => {
    const ref = obj(s);
    if (Object.keys(ref).some((k) => k !== 'name')) errs.push(invalid(`${field}.imagePullSecrets[${i}]`, ref, 'only name may be set'));
  });
  errs.push(...validateAffinity(spec.affinity, `${field}.affinity`));
  errs.push(...validateDNSConfig(spec.dnsConfig, dp, `${field}.dnsConfig`));
  arr(spec.readinessGates).forEach((g, i) => {
    const t = str(obj(g).conditionType);
    errs.push(...isQualifiedName(t).map((m) => invalid(`${field}.readinessGates[${i}].conditionType`, t, m)));
  });
  const gates = new Set<string>();
  arr(spec.schedulingGates).forEach((g, i) => {
    const n = str(obj(g).name);
    errs.push(...isQualifiedName(n).map((m) => invalid(`${field}.schedulingGates[${i}]`, n, m)));
    if (gates.has(n)) errs.push(duplicate(`${field}.schedulingGates[${i}]`, n));
    gates.add(n);
  });
  errs.push(...validateTopologySpreadConstraints(spec.topologySpreadConstraints, `${field}.topologySpreadConstraints`));
  for (const k of ['serviceAccountName', 'nodeName', 'priorityClassName']) {
    const v = str(spec[k]);
    if (v) errs.push(...nameIsDNSSubdomain(v, false).map((m) => invalid(`${field}.${k}`, v, m)));
  }
  if (typeof spec.activeDeadlineSeconds === 'number' && (spec.activeDeadlineSeconds < 1 || spec.activeDeadlineSeconds > MAX_INT32)) {
    errs.push(invalid(`${field}.activeDeadlineSeconds`, spec.activeDeadlineSeconds, inclusiveRangeError(1, MAX_INT32)));
  }
  for (const k of ['hostname', 'subdomain']) {
    const v = str(spec[k]);
    if (v) errs.push(...isDNS1123Label(v).map((m) => invalid(`${field}.${k}`, v, m)));
  }
  errs.push(...validateTolerations(spec.tolerations, `${field}.tolerations`));
  arr(spec.hostAliases).forEach((h, i) => {
    const ha = obj(h);
    errs.push(...ipErrors(str(ha.ip)).map((m) => invalid(`${field}.hostAliases[${i}].ip`, str(ha.ip), m)));
    arr(ha.hostnames).forEach((n, j) => errs.push(...isDNS1123Subdomain(str(n)).map((m) => invalid(`${field}.hostAliases[${i}].hostnames[${j}]`, str(n), m))));
  });
  if (spec.runtimeClassName !== undefined && spec.runtimeClassName !== null) {
    errs.push(...isDNS1123Subdomain(str(spec.runtimeClassName)).map((m) => invalid(`${field}.runtimeClassName`, str(spec.runtimeClassName), m)));
  }
  if (spec.preemptionPolicy !== undefined && spec.preemptionPolicy !== null) {
    const pp = str(spec.preemptionPolicy);
    if (!pp) errs.push(required(`${field}.preemptionPolicy`));
    else if (pp !== 'PreemptLowerPriority' && pp !== 'Never') errs.push(notSupported(`${field}.preemptionPolicy`, pp, ['PreemptLowerPriority', 'Never']));
  }
  if (isObj(spec.os)) {
    const os = str(spec.os.name);
    if (!os) errs.push(required(`${field}.os.name`, 'cannot be empty'));
    else if (os !== 'linux' && os !== 'windows') errs.push(notSupported(`${field}.os`, os, ['linux', 'windows']));
  }
  return errs;
}

function validatePodAnnotations(meta: JsonObject, spec: JsonObject, field: string): FieldError[] {
  const annotations = obj(meta.annotations);
  const errs: FieldError[] = [];
  if ('kubernetes.io/config.mirror' in annotations && !str(spec.nodeName)) {
    errs.push(invalid(`${field}[kubernetes.io/config.mirror]`, str(annotations['kubernetes.io/config.mirror']), 'must set spec.nodeName if mirror pod annotation is set'));
  }
  const cost = annotations['controller.kubernetes.io/pod-deletion-cost'];
  if (cost !== undefined && !(/^[+-]?[0-9]+$/.test(str(cost)) && Math.abs(Number(cost)) <= MAX_INT32 + (Number(cost) < 0 ? 1 : 0))) {
    errs.push(invalid(`${field}[controller.kubernetes.io/pod-deletion-cost]`, str(cost), 'must be a 32bit integer'));
  }
  return errs;
}

/** A Pod on create (also the first half of an update). */
export function validatePod(pod: KubeObject): FieldError[] {
  const spec = obj((pod as JsonObject).spec);
  const errs = validateObjectMeta(pod, true, nameIsDNSSubdomain);
  errs.push(...validatePodAnnotations(obj(pod.metadata), spec, 'metadata.annotations'));
  errs.push(...validatePodSpec(spec, 'spec', true));
  if (!str(spec.serviceAccountName)) {
    arr(spec.volumes).forEach((v, vi) => arr(obj(obj(v).projected).sources).forEach((s, si) => {
      if (isObj(obj(s).serviceAccountToken)) {
        errs.push(forbidden(`spec.volumes[${vi}].projected.sources[${si}].serviceAccountToken`, 'must not be specified when serviceAccountName is not set'));
      }
    }));
  }
  for (const list of ['containers', 'initContainers']) {
    arr(spec[list]).forEach((c, i) => {
      const image = str(obj(c).image);
      if (image !== image.trim()) errs.push(invalid(`spec.${list}[${i}].image`, image, 'must not have leading or trailing whitespace'));
    });
  }
  return errs;
}

/** A PodTemplateSpec inside a Deployment or ReplicaSet (field is e.g. `spec.template`). */
export function validatePodTemplateSpec(template: JsonObject, field: string): FieldError[] {
  const meta = obj(template.metadata);
  const spec = obj(template.spec);
  const errs = validateLabels(meta.labels, `${field}.labels`);
  errs.push(...validateAnnotations(meta.annotations, `${field}.annotations`));
  errs.push(...validatePodAnnotations(meta, spec, `${field}.annotations`));
  errs.push(...validatePodSpec(spec, `${field}.spec`, false));
  if (arr(spec.ephemeralContainers).length > 0) errs.push(forbidden(`${field}.spec.ephemeralContainers`, 'ephemeral containers not allowed in pod template'));
  return errs;
}

const UPDATABLE_POD_SPEC_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

function validateContainerUpdates(next: unknown, old: unknown, field: string): { errs: FieldError[]; stop: boolean } {
  const n = arr(next).map(obj), o = arr(old).map(obj);
  if (n.length !== o.length) return { errs: [forbidden(field, 'pod updates may not add or remove containers')], stop: true };
  const errs: FieldError[] = [];
  n.forEach((c, i) => {
    const image = str(c.image);
    if (!image) errs.push(required(`${field}[${i}].image`));
    if (image.trim().length !== image.length) errs.push(invalid(`${field}[${i}].image`, image, 'must not have leading or trailing whitespace'));
  });
  return { errs, stop: false };
}

/** Lines `- path: old` / `+ path: new` for the fields that differ, standing in for Go's cmp.Diff. */
export function jsonDiff(old: unknown, next: unknown, path = 'spec'): string[] {
  if (isDeepStrictEqual(old, next)) return [];
  if (isObj(old) && isObj(next)) {
    return [...new Set([...Object.keys(old), ...Object.keys(next)])].flatMap((k) => jsonDiff(old[k], next[k], `${path}.${k}`));
  }
  if (Array.isArray(old) && Array.isArray(next) && old.length === next.length) {
    return old.flatMap((v, i) => jsonDiff(v, next[i], `${path}[${i}]`));
  }
  const out: string[] = [];
  if (old !== undefined) out.push(`- ${path}: ${JSON.stringify(old)}`);
  if (next !== undefined) out.push(`+ ${path}: ${JSON.stringify(next)}`);
  return out;
}

function tolerationsOnlyAdded(next: unknown, old: unknown): boolean {
  const n = arr(next).map(obj);
  // Equal but for tolerationSeconds (which may change); an absent key and an undefined one are the same.
  const withoutSeconds = ({ tolerationSeconds: _, ...rest }: Record<string, unknown>) => rest;
  return arr(old).map(obj).every((o) => n.some((t) => isDeepStrictEqual(withoutSeconds(o), withoutSeconds(t))));
}

/** ValidatePodUpdate: the pod must stay valid and only a few spec fields may change. */
export function validatePodUpdate(pod: KubeObject, old: KubeObject): FieldError[] {
  const errs = validateObjectMetaUpdate(pod, old);
  errs.push(...validatePod(pod));
  const spec = obj((pod as JsonObject).spec), oldSpec = obj((old as JsonObject).spec);
  for (const list of ['containers', 'initContainers']) {
    const r = validateContainerUpdates(spec[list], oldSpec[list], `spec.${list}`);
    errs.push(...r.errs);
    if (r.stop) return errs;
  }
  const ads = spec.activeDeadlineSeconds, oldAds = oldSpec.activeDeadlineSeconds;
  if (typeof ads === 'number') {
    if (ads < 0 || ads > MAX_INT32) return [...errs, invalid('spec.activeDeadlineSeconds', ads, inclusiveRangeError(0, MAX_INT32))];
    if (typeof oldAds === 'number' && oldAds < ads) return [...errs, invalid('spec.activeDeadlineSeconds', ads, 'must be less than or equal to previous value')];
  } else if (typeof oldAds === 'number') {
    errs.push(invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  }
  // Added tolerations are checked like any others, which validatePod above already did.
  if (!tolerationsOnlyAdded(spec.tolerations, oldSpec.tolerations)) {
    errs.push(forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds'));
  }
  const oldGates = new Set(arr(oldSpec.schedulingGates).map((g) => str(obj(g).name)));
  arr(spec.schedulingGates).forEach((g, i) => {
    const n = str(obj(g).name);
    if (!oldGates.has(n)) errs.push(forbidden(`spec.schedulingGates[${i}].name`, `only deletion is allowed, but found new scheduling gate '${n}'`));
  });
  if (isDeepStrictEqual(spec, oldSpec)) return errs;
  // Put the updatable fields back to their old values; anything still different is forbidden.
  const munged = structuredClone(spec);
  arr(munged.containers).forEach((c, i) => { c.image = obj(arr(oldSpec.containers)[i]).image; });
  arr(munged.initContainers).forEach((c, i) => { c.image = obj(arr(oldSpec.initContainers)[i]).image; });
  setOrDelete(munged, 'activeDeadlineSeconds', oldSpec.activeDeadlineSeconds);
  setOrDelete(munged, 'schedulingGates', oldSpec.schedulingGates);
  setOrDelete(munged, 'tolerations', oldSpec.tolerations);
  if (typeof oldSpec.terminationGracePeriodSeconds === 'number' && oldSpec.terminationGracePeriodSeconds < 0 && munged.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = oldSpec.terminationGracePeriodSeconds;
  }
  if (!isDeepStrictEqual(munged, oldSpec)) {
    const diff = jsonDiff(oldSpec, munged).join('\n');
    errs.push(forbidden('spec', `pod updates may not change fields other than ${UPDATABLE_POD_SPEC_FIELDS.join(',')}\n${diff}`));
  }
  return errs;
}

function setOrDelete(o: JsonObject, k: string, v: unknown): void {
  if (v === undefined) delete o[k];
  else o[k] = structuredClone(v);
}
