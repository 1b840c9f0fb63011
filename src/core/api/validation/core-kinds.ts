// The small core/v1 kinds: ConfigMap, Secret, ServiceAccount, Namespace, Node and Event
// (pkg/apis/core/validation and events.go), with upstream's field paths and messages.
import { isDeepStrictEqual } from 'node:util';
import { type FieldError, duplicate, forbidden, invalid, required, tooLong } from '../errors.js';
import type { JsonObject, KubeObject } from '../object.js';
import { cidrErrors, isConfigMapKey, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, isValidPathSegmentName } from './formats.js';
import { parseCIDR } from '../../net/index.js';
import { arr, goStringSlice, invalidGo, obj, str, strMap } from './go-values.js';
import {
  nameIsDNSLabel, nameIsDNSSubdomain, tooLongDetail, validateImmutable, validateLabelName, validateObjectMeta,
  validateObjectMetaUpdate,
} from './meta.js';
import { validateTaintEffect } from './scheduling.js';

const MAX_SECRET_SIZE = 1024 * 1024;

/** Decoded size of a base64 value, as Go counts the []byte after decoding. */
const base64Size = (v: unknown): number => Buffer.from(str(v), 'base64').length;

export function validateConfigMap(cm: KubeObject): FieldError[] {
  const o = cm as JsonObject;
  const errs = validateObjectMeta(cm, true, nameIsDNSSubdomain);
  const binary = strMap(o.binaryData);
  let total = 0;
  for (const [k, v] of Object.entries(strMap(o.data))) {
    errs.push(...isConfigMapKey(k).map((m) => invalid(`data[${k}]`, k, m)));
    if (k in binary) errs.push(invalid(`data[${k}]`, k, 'duplicate of key present in binaryData'));
    total += Buffer.byteLength(str(v));
  }
  for (const [k, v] of Object.entries(binary)) {
    errs.push(...isConfigMapKey(k).map((m) => invalid(`binaryData[${k}]`, k, m)));
    total += base64Size(v);
  }
  if (total > MAX_SECRET_SIZE) errs.push(tooLong('', tooLongDetail(MAX_SECRET_SIZE)));
  return errs;
}

/** ConfigMaps and Secrets marked immutable keep their data (and the flag) forever. */
function validateImmutableData(next: JsonObject, old: JsonObject, fields: string[]): FieldError[] {
  if (old.immutable !== true) return [];
  const errs: FieldError[] = [];
  if (next.immutable !== true) errs.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const f of fields) {
    if (!isDeepStrictEqual(next[f] ?? null, old[f] ?? null)) errs.push(forbidden(f, 'field is immutable when `immutable` is set'));
  }
  return errs;
}

export function validateConfigMapUpdate(cm: KubeObject, old: KubeObject): FieldError[] {
  return [
    ...validateObjectMetaUpdate(cm, old),
    ...validateImmutableData(cm as JsonObject, old as JsonObject, ['data', 'binaryData']),
    ...validateConfigMap(cm),
  ];
}

export function validateSecret(secret: KubeObject): FieldError[] {
  const o = secret as JsonObject;
  const errs = validateObjectMeta(secret, true, nameIsDNSSubdomain);
  const data = strMap(o.data);
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    errs.push(...isConfigMapKey(k).map((m) => invalid(`data[${k}]`, k, m)));
    total += base64Size(v);
  }
  if (total > MAX_SECRET_SIZE) errs.push(tooLong('data', tooLongDetail(MAX_SECRET_SIZE)));
  const need = (key: string) => { if (!(key in data)) errs.push(required(`data[${key}]`)); };
  const jsonKey = (key: string) => {
    if (!(key in data)) { errs.push(required(`data[${key}]`)); return; }
    try { JSON.parse(Buffer.from(str(data[key]), 'base64').toString('utf8')); } catch (e) {
      errs.push(invalid(`data[${key}]`, '<secret contents redacted>', (e as Error).message));
    }
  };
  switch (str(o.type)) {
    case 'kubernetes.io/service-account-token':
      if (!str(obj(secret.metadata.annotations)['kubernetes.io/service-account.name'])) {
        errs.push(required('metadata.annotations[kubernetes.io/service-account.name]'));
      }
      break;
    case 'kubernetes.io/dockercfg': jsonKey('.dockercfg'); break;
    case 'kubernetes.io/dockerconfigjson': jsonKey('.dockerconfigjson'); break;
    case 'kubernetes.io/basic-auth':
      if (!('username' in data) && !('password' in data)) { need('username'); need('password'); }
      break;
    case 'kubernetes.io/ssh-auth':
      if (!str(data['ssh-privatekey'])) errs.push(required('data[ssh-privatekey]'));
      break;
    case 'kubernetes.io/tls': need('tls.crt'); need('tls.key'); break;
  }
  return errs;
}

export function validateSecretUpdate(secret: KubeObject, old: KubeObject): FieldError[] {
  return [
    ...validateObjectMetaUpdate(secret, old),
    ...validateImmutable((secret as JsonObject).type, (old as JsonObject).type, 'type'),
    ...validateImmutableData(secret as JsonObject, old as JsonObject, ['data']),
    ...validateSecret(secret),
  ];
}

export const validateServiceAccount = (sa: KubeObject): FieldError[] => validateObjectMeta(sa, true, nameIsDNSSubdomain);

export function validateNamespace(ns: KubeObject): FieldError[] {
  const errs = validateObjectMeta(ns, false, nameIsDNSLabel);
  for (const f of arr(obj((ns as JsonObject).spec).finalizers).map(str)) {
    errs.push(...isQualifiedName(f).map((m) => invalid('spec.finalizers', f, m)));
    if (!f.includes('/') && f !== 'kubernetes' && f !== 'orphan' && f !== 'foregroundDeletion') {
      errs.push(invalid('spec.finalizers', f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  }
  return errs;
}

/** Namespace updates check metadata only (spec moves through /finalize, status through /status). */
export function validateNamespaceUpdate(ns: KubeObject, old: KubeObject): FieldError[] {
  const errs = validateObjectMetaUpdate(ns, old);
  const phase = str(obj((ns as JsonObject).status).phase);
  if (phase && !ns.metadata.deletionTimestamp && phase !== 'Active') {
    errs.push(invalid('status.Phase', phase, "may only be 'Active' if `deletionTimestamp` is empty"));
  } else if (phase && ns.metadata.deletionTimestamp && phase !== 'Terminating') {
    errs.push(invalid('status.Phase', phase, "may only be 'Terminating' if `deletionTimestamp` is not empty"));
  }
  return errs;
}

/** The node's podCIDRs: v1's podCIDR converts to podCIDRs[0], so errors are reported there. */
function nodePodCIDRs(spec: JsonObject): string[] {
  const cidrs = arr(spec.podCIDRs).map(str);
  return cidrs.length === 0 && str(spec.podCIDR) ? [str(spec.podCIDR)] : cidrs;
}

function validateTaints(taints: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Map<string, Set<string>>();
  arr(taints).map(obj).forEach((t, i) => {
    const p = `${field}[${i}]`;
    errs.push(...validateLabelName(str(t.key), `${p}.key`));
    const msgs = isValidLabelValue(str(t.value));
    if (msgs.length) errs.push(invalid(`${p}.value`, str(t.value), msgs.join(';')));
    errs.push(...validateTaintEffect(str(t.effect), false, `${p}.effect`));
    const keys = seen.get(str(t.effect)) ?? new Set<string>();
    if (keys.has(str(t.key))) {
      errs.push({ ...duplicate(p, t), detail: 'taints must be unique by key and effect pair' });
      return;
    }
    keys.add(str(t.key));
    seen.set(str(t.effect), keys);
  });
  return errs;
}

export function validateNode(node: KubeObject): FieldError[] {
  const spec = obj((node as JsonObject).spec);
  const errs = validateObjectMeta(node, false, nameIsDNSSubdomain);
  // Upstream reports taint errors under metadata.taints.
  errs.push(...validateTaints(spec.taints, 'metadata.taints'));
  const cidrs = nodePodCIDRs(spec);
  const bad = cidrs.map((c, i) => cidrErrors(c).map((m) => invalid(`spec.podCIDRs[${i}]`, c, m)));
  errs.push(...bad.flat());
  if (cidrs.length > 1) {
    if (bad.every((b) => b.length === 0)) {
      const parsed = cidrs.map((c) => parseCIDR(c));
      const dual = cidrs.length === 2 && parsed[0].family !== parsed[1].family;
      if (!dual) errs.push(invalidGo('spec.podCIDRs', goStringSlice(cidrs), 'may specify no more than one CIDR for each IP family'));
    }
    const seen = new Set<string>();
    cidrs.forEach((c, i) => { if (seen.has(c)) errs.push(duplicate(`spec.podCIDRs[${i}]`, c)); seen.add(c); });
  }
  return errs;
}

export function validateNodeUpdate(node: KubeObject, old: KubeObject): FieldError[] {
  const errs = validateObjectMetaUpdate(node, old);
  const spec = obj((node as JsonObject).spec), oldSpec = obj((old as JsonObject).spec);
  const seen = new Set<string>();
  arr(obj((node as JsonObject).status).addresses).forEach((a, i) => {
    const key = `${str(obj(a).type)}/${str(obj(a).address)}`;
    if (seen.has(key)) errs.push(duplicate(`status.addresses[${i}]`, a));
    seen.add(key);
  });
  // The IPAM controller may set podCIDR once; after that it never changes.
  const oldCIDRs = nodePodCIDRs(oldSpec), cidrs = nodePodCIDRs(spec);
  if (oldCIDRs.length > 0 && (oldCIDRs.length !== cidrs.length || oldCIDRs.some((c, i) => c !== cidrs[i]))) {
    errs.push(forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
  }
  if (str(oldSpec.providerID) && str(oldSpec.providerID) !== str(spec.providerID)) {
    errs.push(forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  }
  errs.push(...validateTaints(spec.taints, 'metadata.taints'));
  if (str(spec.externalID) !== str(oldSpec.externalID)) errs.push(forbidden('spec.externalID', 'may not be updated'));
  return errs;
}

/** core/v1 Events keep the legacy rules: namespaces must agree, and new-style events carry their reporter. */
export function validateEvent(ev: KubeObject): FieldError[] {
  const e = ev as JsonObject;
  const errs: FieldError[] = [];
  const ns = str(ev.metadata.namespace);
  const involvedNs = str(obj(e.involvedObject).namespace);
  if (!e.eventTime) {
    if (!involvedNs) {
      if (ns !== '' && ns !== 'default') errs.push(invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
    } else if (ns !== involvedNs) {
      errs.push(invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
    }
  } else {
    if (!involvedNs && ns !== 'default' && ns !== 'kube-system') errs.push(invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
    const controller = str(e.reportingComponent);
    if (!controller) errs.push(required('reportingComponent'));
    errs.push(...isQualifiedName(controller).map((m) => invalid('reportingComponent', controller, m)));
    const limits: Array<[string, number, boolean]> = [['reportingInstance', 128, true], ['action', 128, true], ['reason', 128, true], ['message', 1024, false]];
    for (const [k, max, needed] of limits) {
      const v = str(e[k]);
      if (needed && !v) errs.push(required(k));
      if (v.length > max) errs.push(invalid(k, '', `can have at most ${max} characters`));
    }
  }
  errs.push(...isDNS1123Subdomain(ns).map((m) => invalid('namespace', ns, m)));
  // The generic create checks run after the kind's: a name must be usable as a path segment.
  if (errs.length === 0) {
    const name = str(ev.metadata.name);
    if (!name) errs.push(required('metadata.name', 'name or generateName is required'));
    else errs.push(...isValidPathSegmentName(name).map((m) => invalid('metadata.name', name, m)));
    if (!ns) errs.push(required('metadata.namespace'));
  }
  return errs;
}

export function validateEventUpdate(ev: KubeObject, old: KubeObject): FieldError[] {
  return [...validateEvent(ev), ...validateObjectMetaUpdate(ev, old)];
}
