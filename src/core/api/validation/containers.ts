// Container-level validation of a PodSpec (pkg/apis/core/validation: validateContainerCommon and the
// checks it calls): name, image, ports, env, volume mounts, pull policy, resources, probes, lifecycle.
import { type FieldError, duplicate, forbidden, internalError, invalid, notFound, notSupported, required } from '../errors.js';
import type { JsonObject } from '../object.js';
import {
  isConfigMapKey, isDNS1123Label, isHTTPHeaderName, isQualifiedName, isRelaxedEnvVarName, isValidPortName, isValidPortNum,
} from './formats.js';
import { arr, isObj, num, obj, str } from './go-values.js';
import { nameIsDNSSubdomain, validateNonnegative } from './meta.js';
import { validateResources } from './resources.js';

export const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

/** Volume names of the pod, mapped to their source, for mount checks. */
export type VolumeMap = Map<string, JsonObject>;

export function validateContainerPorts(ports: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  arr(ports).forEach((p, i) => {
    const port = obj(p);
    const path = `${field}[${i}]`;
    const name = str(port.name);
    if (name) {
      const msgs = isValidPortName(name);
      if (msgs.length) errs.push(...msgs.map((m) => invalid(`${path}.name`, name, m)));
      else if (names.has(name)) errs.push(duplicate(`${path}.name`, name));
      else names.add(name);
    }
    const cp = num(port.containerPort);
    if (cp === 0) errs.push(required(`${path}.containerPort`));
    else errs.push(...isValidPortNum(cp).map((m) => invalid(`${path}.containerPort`, cp, m)));
    const hp = num(port.hostPort);
    if (hp !== 0) errs.push(...isValidPortNum(hp).map((m) => invalid(`${path}.hostPort`, hp, m)));
    const proto = str(port.protocol);
    if (!proto) errs.push(required(`${path}.protocol`));
    else if (!PROTOCOLS.includes(proto)) errs.push(notSupported(`${path}.protocol`, proto, PROTOCOLS));
  });
  return errs;
}

const ENV_FIELD_PATHS = ['metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName',
  'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs'];
const RESOURCE_FIELD_PATHS = ['limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory'];

/** An ObjectFieldSelector (downward API): env allows the paths above, volumes a smaller set. */
export function validateObjectFieldSelector(fs: JsonObject, allowed: string[], field: string): FieldError[] {
  if (!str(fs.apiVersion)) return [required(`${field}.apiVersion`)];
  const path = str(fs.fieldPath);
  if (!path) return [required(`${field}.fieldPath`)];
  const sub = /^(metadata\.(?:labels|annotations))\['([^']*)'\]$/.exec(path);
  if (sub) {
    const key = sub[1] === 'metadata.annotations' ? sub[2].toLowerCase() : sub[2];
    return isQualifiedName(key).map((m) => invalid(field, key, m));
  }
  if (path.includes('[')) return [invalid(field, path.slice(0, path.indexOf('[')), 'does not support subscript')];
  if (!allowed.includes(path)) return [notSupported(`${field}.fieldPath`, path, [...allowed].sort())];
  return [];
}

function validateResourceFieldSelector(fs: JsonObject, field: string, volume: boolean): FieldError[] {
  if (volume && !str(fs.containerName)) return [required(`${field}.containerName`)];
  const res = str(fs.resource);
  if (!res) return [required(`${field}.resource`)];
  if (!RESOURCE_FIELD_PATHS.includes(res) && !/^(requests|limits)\.hugepages-/.test(res)) {
    return [notSupported(`${field}.resource`, res, RESOURCE_FIELD_PATHS)];
  }
  return [];
}

function validateKeySelector(s: JsonObject, field: string): FieldError[] {
  const errs = nameIsDNSSubdomain(str(s.name), false).map((m) => invalid(`${field}.name`, str(s.name), m));
  const key = str(s.key);
  if (!key) errs.push(required(`${field}.key`));
  else errs.push(...isConfigMapKey(key).map((m) => invalid(`${field}.key`, key, m)));
  return errs;
}

export function validateEnv(env: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  arr(env).forEach((e, i) => {
    const ev = obj(e);
    const path = `${field}[${i}]`;
    const name = str(ev.name);
    if (!name) errs.push(required(`${path}.name`));
    else errs.push(...isRelaxedEnvVarName(name).map((m) => invalid(`${path}.name`, name, m)));
    if (!isObj(ev.valueFrom)) return;
    const vf = ev.valueFrom;
    const vfPath = `${path}.valueFrom`;
    let sources = 0;
    if (isObj(vf.fieldRef)) { sources++; errs.push(...validateObjectFieldSelector(vf.fieldRef, ENV_FIELD_PATHS, `${vfPath}.fieldRef`)); }
    if (isObj(vf.resourceFieldRef)) { sources++; errs.push(...validateResourceFieldSelector(vf.resourceFieldRef, `${vfPath}.resourceFieldRef`, false)); }
    if (isObj(vf.configMapKeyRef)) { sources++; errs.push(...validateKeySelector(vf.configMapKeyRef, `${vfPath}.configMapKeyRef`)); }
    if (isObj(vf.secretKeyRef)) { sources++; errs.push(...validateKeySelector(vf.secretKeyRef, `${vfPath}.secretKeyRef`)); }
    if (sources === 0) errs.push(invalid(vfPath, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    else if (str(ev.value)) errs.push(invalid(vfPath, '', 'may not be specified when `value` is not empty'));
    else if (sources > 1) errs.push(invalid(vfPath, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

export function validateEnvFrom(envFrom: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  arr(envFrom).forEach((e, i) => {
    const ev = obj(e);
    const path = `${field}[${i}]`;
    const prefix = str(ev.prefix);
    if (prefix) errs.push(...isRelaxedEnvVarName(prefix).map((m) => invalid(`${path}.prefix`, prefix, m)));
    let sources = 0;
    for (const k of ['configMapRef', 'secretRef']) {
      if (!isObj(ev[k])) continue;
      sources++;
      const name = str(ev[k].name);
      if (!name) errs.push(required(`${path}.${k}.name`));
      else errs.push(...nameIsDNSSubdomain(name, true).map((m) => invalid(`${path}.${k}.name`, name, m)));
    }
    if (sources === 0) errs.push(invalid(field, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (sources > 1) errs.push(invalid(field, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

function validateVolumeMounts(mounts: unknown, volumes: VolumeMap, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const paths = new Set<string>();
  arr(mounts).forEach((m, i) => {
    const mnt = obj(m);
    const path = `${field}[${i}]`;
    const name = str(mnt.name), mountPath = str(mnt.mountPath);
    if (!name) errs.push(required(`${path}.name`));
    if (!volumes.has(name)) errs.push(notFound(`${path}.name`, name));
    if (!mountPath) errs.push(required(`${path}.mountPath`));
    if (paths.has(mountPath)) errs.push(invalid(`${path}.mountPath`, mountPath, 'must be unique'));
    paths.add(mountPath);
    if (str(mnt.subPath)) errs.push(...validateLocalDescendingPath(str(mnt.subPath), `${field}.subPath`));
    if (str(mnt.subPathExpr)) {
      if (str(mnt.subPath)) errs.push(invalid(`${path}.subPathExpr`, str(mnt.subPathExpr), 'subPathExpr and subPath are mutually exclusive'));
      errs.push(...validateLocalDescendingPath(str(mnt.subPathExpr), `${field}.subPathExpr`));
    }
  });
  return errs;
}

/** A relative path that stays below its root: not absolute, no '..' element. */
export function validateLocalDescendingPath(p: string, field: string): FieldError[] {
  const errs: FieldError[] = [];
  if (p.startsWith('/')) errs.push(invalid(field, p, 'must be a relative path'));
  if (p.split('/').includes('..')) errs.push(invalid(field, p, "must not contain '..'"));
  return errs;
}

const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];

export function validatePullPolicy(policy: unknown, field: string): FieldError[] {
  const p = str(policy);
  if (!p) return [required(field)];
  return PULL_POLICIES.includes(p) ? [] : [notSupported(field, p, PULL_POLICIES)];
}

/** Fields common to regular, init and ephemeral containers. */
export function validateContainerCommon(c: JsonObject, volumes: VolumeMap, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(c.name);
  if (!name) errs.push(required(`${path}.name`));
  else errs.push(...isDNS1123Label(name).map((m) => invalid(`${path}.name`, name, m)));
  if (!str(c.image)) errs.push(required(`${path}.image`));
  const tmp = str(c.terminationMessagePolicy);
  if (!tmp) errs.push(required(`${path}.terminationMessagePolicy`));
  else if (tmp !== 'File' && tmp !== 'FallbackToLogsOnError') {
    errs.push(notSupported(`${path}.terminationMessagePolicy`, tmp, ['File', 'FallbackToLogsOnError']));
  }
  errs.push(...validateContainerPorts(c.ports, `${path}.ports`));
  errs.push(...validateEnv(c.env, `${path}.env`));
  errs.push(...validateEnvFrom(c.envFrom, `${path}.envFrom`));
  errs.push(...validateVolumeMounts(c.volumeMounts, volumes, `${path}.volumeMounts`));
  errs.push(...validatePullPolicy(c.imagePullPolicy, `${path}.imagePullPolicy`));
  errs.push(...validateResources(c.resources, `${path}.resources`));
  errs.push(...validateSecurityContext(c.securityContext, `${path}.securityContext`));
  return errs;
}

function validateSecurityContext(sc: unknown, field: string): FieldError[] {
  if (!isObj(sc)) return [];
  const errs: FieldError[] = [];
  for (const k of ['runAsUser', 'runAsGroup']) {
    if (typeof sc[k] === 'number' && (sc[k] < 0 || sc[k] > 2147483647)) {
      errs.push(invalid(`${field}.${k}`, sc[k], 'must be between 0 and 2147483647, inclusive'));
    }
  }
  if (sc.procMount !== undefined && sc.procMount !== 'Default' && sc.procMount !== 'Unmasked') {
    errs.push(notSupported(`${field}.procMount`, str(sc.procMount), ['Default', 'Unmasked']));
  }
  return errs;
}

// ---- probes and lifecycle handlers ----

/** A port given as a number or an IANA service name (ValidatePortNumOrName). */
export function validatePortNumOrName(port: unknown, field: string): FieldError[] {
  if (typeof port === 'number') return isValidPortNum(port).map((m) => invalid(field, port, m));
  if (typeof port === 'string') return isValidPortName(port).map((m) => invalid(field, port, m));
  return [internalError(field, `unknown type: ${port === undefined ? 0 : typeof port}`)];
}

function validateHandler(h: JsonObject, kinds: string[], grace: number | undefined, field: string): FieldError[] {
  const errs: FieldError[] = [];
  let n = 0;
  for (const kind of kinds) {
    if (!isObj(h[kind])) continue;
    if (n > 0) { errs.push(forbidden(`${field}.${kind}`, 'may not specify more than 1 handler type')); continue; }
    n++;
    const a = h[kind];
    const p = `${field}.${kind}`;
    switch (kind) {
      case 'exec':
        if (arr(a.command).length === 0) errs.push(required(`${p}.command`));
        break;
      case 'httpGet':
        if (!str(a.path)) errs.push(required(`${p}.path`));
        errs.push(...validatePortNumOrName(a.port, `${p}.port`));
        if (!['HTTP', 'HTTPS'].includes(str(a.scheme))) errs.push(notSupported(`${p}.scheme`, str(a.scheme), ['HTTP', 'HTTPS']));
        for (const hdr of arr(a.httpHeaders)) {
          errs.push(...isHTTPHeaderName(str(obj(hdr).name)).map((m) => invalid(`${p}.httpHeaders`, str(obj(hdr).name), m)));
        }
        break;
      case 'tcpSocket':
        errs.push(...validatePortNumOrName(a.port, `${p}.port`));
        break;
      case 'grpc':
        errs.push(...validatePortNumOrName(num(a.port), `${p}.port`));
        break;
      case 'sleep': {
        const s = num(a.seconds);
        if (grace !== undefined && (s <= 0 || s > grace)) {
          errs.push(invalid(p, s, `must be greater than 0 and less than terminationGracePeriodSeconds (${grace}). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.`));
        }
        break;
      }
    }
  }
  if (n === 0) errs.push(required(field, 'must specify a handler type'));
  return errs;
}

export function validateProbe(probe: unknown, kind: 'liveness' | 'readiness' | 'startup', grace: number | undefined, field: string): FieldError[] {
  if (!isObj(probe)) return [];
  const errs = validateHandler(probe, ['exec', 'httpGet', 'tcpSocket', 'grpc'], grace, field);
  for (const k of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    errs.push(...validateNonnegative(probe[k], `${field}.${k}`));
  }
  const tgps = probe.terminationGracePeriodSeconds;
  if (typeof tgps === 'number' && tgps <= 0) errs.push(invalid(`${field}.terminationGracePeriodSeconds`, tgps, 'must be greater than 0'));
  if (kind !== 'readiness' && num(probe.successThreshold) !== 1) {
    errs.push(invalid(`${field}.successThreshold`, num(probe.successThreshold), 'must be 1'));
  }
  if (kind === 'readiness' && tgps !== undefined && tgps !== null) {
    errs.push(invalid(`${field}.terminationGracePeriodSeconds`, tgps, 'must not be set for readinessProbes'));
  }
  return errs;
}

export function validateLifecycle(lc: unknown, grace: number | undefined, field: string): FieldError[] {
  if (!isObj(lc)) return [];
  const errs: FieldError[] = [];
  for (const k of ['postStart', 'preStop']) {
    if (isObj(lc[k])) errs.push(...validateHandler(lc[k], ['exec', 'httpGet', 'tcpSocket', 'sleep'], grace, `${field}.${k}`));
  }
  return errs;
}
