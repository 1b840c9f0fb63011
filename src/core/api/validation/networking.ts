// networking.k8s.io/v1: Ingress, IngressClass and NetworkPolicy (pkg/apis/networking/validation, 1.32).
import { type FieldError, forbidden, invalid, notSupported, required, tooLong } from '../errors.js';
import type { JsonObject, KubeObject } from '../object.js';
import {
  cidrErrors, isDNS1123Subdomain, isDomainPrefixedPath, isValidPathSegmentName,
  isValidPortName, isValidPortNum, isWildcardDNS1123Subdomain, looksLikeIP,
} from './formats.js';
import { parseCIDR } from '../../net/index.js';
import { arr, invalidGo, isObj, num, obj, str } from './go-values.js';
import {
  nameIsDNS1035Label, nameIsDNSLabel, nameIsDNSSubdomain, tooLongDetail, validateImmutable,
  validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate,
} from './meta.js';

const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];
const INVALID_PATH_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_PATH_SUFFIXES = ['/..', '/.'];

function validateHost(host: string, field: string): FieldError[] {
  if (host.includes('*')) return isWildcardDNS1123Subdomain(host).map((m) => invalid(field, host, m));
  return isDNS1123Subdomain(host).map((m) => invalid(field, host, m));
}

function validateTypedLocalObjectReference(ref: JsonObject, field: string): FieldError[] {
  const errs: FieldError[] = [];
  if (ref.apiGroup !== undefined && ref.apiGroup !== null) {
    errs.push(...isDNS1123Subdomain(str(ref.apiGroup)).map((m) => invalid(`${field}.apiGroup`, str(ref.apiGroup), m)));
  }
  for (const k of ['kind', 'name']) {
    const v = str(ref[k]);
    if (!v) errs.push(required(`${field}.${k}`));
    else errs.push(...isValidPathSegmentName(v).map((m) => invalid(`${field}.${k}`, v, m)));
  }
  return errs;
}

function validateIngressBackend(b: JsonObject, field: string): FieldError[] {
  const hasResource = isObj(b.resource), hasService = isObj(b.service);
  if (hasResource && hasService) return [invalid(field, '', 'cannot set both resource and service backends')];
  if (hasResource) return validateTypedLocalObjectReference(b.resource, `${field}.resource`);
  if (!hasService) return [invalid(field, '', 'resource or service backend is required')];
  const svc = b.service;
  const errs: FieldError[] = [];
  const name = str(svc.name);
  if (!name) errs.push(required(`${field}.service.name`));
  else errs.push(...nameIsDNS1035Label(name, false).map((m) => invalid(`${field}.service.name`, name, m)));
  const port = obj(svc.port);
  const portName = str(port.name), portNumber = num(port.number);
  if (portName && portNumber !== 0) errs.push(invalid(field, '', 'cannot set both port name & port number'));
  else if (portName) errs.push(...isValidPortName(portName).map((m) => invalid(`${field}.service.port.name`, portName, m)));
  else if (portNumber !== 0) errs.push(...isValidPortNum(portNumber).map((m) => invalid(`${field}.service.port.number`, portNumber, m)));
  else errs.push(required(field, 'port name or number is required'));
  return errs;
}

function validateHTTPIngressPath(p: JsonObject, field: string): FieldError[] {
  if (p.pathType === undefined || p.pathType === null) return [required(`${field}.pathType`, 'pathType must be specified')];
  const errs: FieldError[] = [];
  const path = str(p.path);
  const pathType = str(p.pathType);
  if (pathType === 'Exact' || pathType === 'Prefix') {
    if (!path.startsWith('/')) errs.push(invalid(`${field}.path`, path, 'must be an absolute path'));
    if (path.length > 0) {
      for (const seq of INVALID_PATH_SEQUENCES) if (path.includes(seq)) errs.push(invalid(`${field}.path`, path, `must not contain '${seq}'`));
      for (const suf of INVALID_PATH_SUFFIXES) if (path.endsWith(suf)) errs.push(invalid(`${field}.path`, path, `cannot end with '${suf}'`));
    }
  } else if (pathType === 'ImplementationSpecific') {
    if (path.length > 0 && !path.startsWith('/')) errs.push(invalid(`${field}.path`, path, 'must be an absolute path'));
  } else {
    errs.push(notSupported(`${field}.pathType`, pathType, PATH_TYPES));
  }
  errs.push(...validateIngressBackend(obj(p.backend), `${field}.backend`));
  return errs;
}

function validateIngressSpec(spec: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  const rules = arr(spec.rules).map(obj);
  if (rules.length === 0 && !isObj(spec.defaultBackend)) {
    const goRules = Array.isArray(spec.rules) ? '[]networking.IngressRule{}' : '[]networking.IngressRule(nil)';
    errs.push(invalidGo('spec', goRules, 'either `defaultBackend` or `rules` must be specified'));
  }
  if (isObj(spec.defaultBackend)) errs.push(...validateIngressBackend(spec.defaultBackend, 'spec.defaultBackend'));
  rules.forEach((rule, i) => {
    const p = `spec.rules[${i}]`;
    const host = str(rule.host);
    if (host) {
      if (looksLikeIP(host)) errs.push(invalid(`${p}.host`, host, 'must be a DNS name, not an IP address'));
      errs.push(...validateHost(host, `${p}.host`));
    }
    if (isObj(rule.http)) {
      const paths = arr(rule.http.paths).map(obj);
      if (paths.length === 0) errs.push(required(`${p}.http.paths`));
      paths.forEach((path, j) => errs.push(...validateHTTPIngressPath(path, `${p}.http.paths[${j}]`)));
    }
  });
  arr(spec.tls).map(obj).forEach((tls, i) => {
    arr(tls.hosts).forEach((h, j) => errs.push(...validateHost(str(h), `spec.tls[${i}].hosts[${j}]`)));
    const secret = str(tls.secretName);
    if (secret) errs.push(...nameIsDNSSubdomain(secret, false).map((m) => invalid(`spec.tls[${i}].secretName`, secret, m)));
  });
  if (spec.ingressClassName !== undefined && spec.ingressClassName !== null) {
    const cls = str(spec.ingressClassName);
    errs.push(...nameIsDNSSubdomain(cls, false).map((m) => invalid('spec.ingressClassName', cls, m)));
  }
  return errs;
}

export function validateIngress(ing: KubeObject, create: boolean): FieldError[] {
  const spec = obj((ing as JsonObject).spec);
  const errs = validateObjectMeta(ing, true, nameIsDNSSubdomain);
  errs.push(...validateIngressSpec(spec));
  const annotation = obj(ing.metadata.annotations)['kubernetes.io/ingress.class'];
  if (create && annotation !== undefined && spec.ingressClassName !== undefined && spec.ingressClassName !== null && annotation !== spec.ingressClassName) {
    errs.push(invalid('annotations.kubernetes.io/ingress.class', str(annotation), 'must match `ingressClassName` when both are specified'));
  }
  return errs;
}

export function validateIngressUpdate(ing: KubeObject, old: KubeObject): FieldError[] {
  const errs = validateObjectMetaUpdate(ing, old);
  // An Ingress stored before these checks existed keeps its invalid secret names and wildcard rules.
  const oldSpec = obj((old as JsonObject).spec);
  const grandfathered = (e: FieldError) =>
    (e.field.endsWith('.secretName') && arr(oldSpec.tls).some((t) => str(obj(t).secretName) && nameIsDNSSubdomain(str(obj(t).secretName), false).length > 0));
  errs.push(...validateIngress(ing, false).filter((e) => !grandfathered(e)));
  return errs;
}

function validateIngressClassSpec(spec: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  const controller = str(spec.controller);
  if (!controller) errs.push(required('spec.controller'));
  else {
    if (controller.length > 250) errs.push(tooLong('spec.controller', tooLongDetail(250)));
    errs.push(...isDomainPrefixedPath(controller).map(([v, m]) => invalid('spec.controller', v, m)));
  }
  if (isObj(spec.parameters)) {
    const p = spec.parameters;
    errs.push(...validateTypedLocalObjectReference({ apiGroup: p.apiGroup, kind: p.kind, name: p.name }, 'spec.parameters'));
    const scope = p.scope;
    if (scope === undefined || scope === null) errs.push(required('spec.parameters.scope'));
    else if (scope !== 'Cluster' && scope !== 'Namespace') errs.push(notSupported('spec.parameters.scope', str(scope), ['Cluster', 'Namespace']));
    else if (scope === 'Namespace') {
      if (p.namespace === undefined || p.namespace === null) errs.push(required('spec.parameters.namespace', "`parameters.scope` is set to 'Namespace'"));
      else errs.push(...nameIsDNSLabel(str(p.namespace), false).map((m) => invalid('spec.parameters.namespace', str(p.namespace), m)));
    } else if (p.namespace !== undefined && p.namespace !== null) {
      errs.push(forbidden('spec.parameters.namespace', "`parameters.scope` is set to 'Cluster'"));
    }
  }
  return errs;
}

export function validateIngressClass(ic: KubeObject): FieldError[] {
  return [...validateObjectMeta(ic, false, nameIsDNSSubdomain), ...validateIngressClassSpec(obj((ic as JsonObject).spec))];
}

export function validateIngressClassUpdate(ic: KubeObject, old: KubeObject): FieldError[] {
  const errs = validateObjectMetaUpdate(ic, old);
  errs.push(...validateImmutable(obj((ic as JsonObject).spec).controller, obj((old as JsonObject).spec).controller, 'spec.controller'));
  errs.push(...validateIngressClass(ic));
  return errs;
}

// ---- NetworkPolicy ----

function validatePolicyPort(port: JsonObject, field: string): FieldError[] {
  const errs: FieldError[] = [];
  if (port.protocol !== undefined && port.protocol !== null && !['TCP', 'UDP', 'SCTP'].includes(str(port.protocol))) {
    errs.push(notSupported(`${field}.protocol`, str(port.protocol), ['TCP', 'UDP', 'SCTP']));
  }
  const hasEnd = typeof port.endPort === 'number';
  if (port.port !== undefined && port.port !== null) {
    if (typeof port.port === 'number') {
      errs.push(...isValidPortNum(port.port).map((m) => invalid(`${field}.port`, port.port, m)));
      if (hasEnd) {
        if (port.endPort < port.port) errs.push(invalid(`${field}.endPort`, port.endPort, 'must be greater than or equal to `port`'));
        errs.push(...isValidPortNum(port.endPort).map((m) => invalid(`${field}.endPort`, port.endPort, m)));
      }
    } else {
      if (hasEnd) errs.push(invalid(`${field}.endPort`, port.endPort, 'may not be specified when `port` is non-numeric'));
      errs.push(...isValidPortName(str(port.port)).map((m) => invalid(`${field}.port`, str(port.port), m)));
    }
  } else if (hasEnd) {
    errs.push(invalid(`${field}.endPort`, port.endPort, 'may not be specified when `port` is not specified'));
  }
  return errs;
}

function validateIPBlock(ipb: JsonObject, field: string): FieldError[] {
  const cidr = str(ipb.cidr);
  if (!cidr) return [required(`${field}.cidr`)];
  const bad = cidrErrors(cidr);
  if (bad.length) return bad.map((m) => invalid(`${field}.cidr`, cidr, m));
  const outer = parseCIDR(cidr);
  const errs: FieldError[] = [];
  arr(ipb.except).forEach((e, i) => {
    const p = `${field}.except[${i}]`;
    const text = str(e);
    const wrong = cidrErrors(text);
    if (wrong.length) { errs.push(...wrong.map((m) => invalid(p, text, m))); return; }
    // The except network must lie in cidr and its prefix must be strictly longer.
    const inner = parseCIDR(text);
    if (!outer.containsCIDR(inner) || outer.prefix >= inner.prefix) errs.push(invalid(p, text, 'must be a strict subset of `cidr`'));
  });
  return errs;
}

function validatePeer(peer: JsonObject, field: string): FieldError[] {
  const errs: FieldError[] = [];
  let n = 0;
  if (isObj(peer.podSelector)) { n++; errs.push(...validateLabelSelector(peer.podSelector, `${field}.podSelector`)); }
  if (isObj(peer.namespaceSelector)) { n++; errs.push(...validateLabelSelector(peer.namespaceSelector, `${field}.namespaceSelector`)); }
  if (isObj(peer.ipBlock)) { n++; errs.push(...validateIPBlock(peer.ipBlock, `${field}.ipBlock`)); }
  if (n === 0) errs.push(required(field, 'must specify a peer'));
  else if (n > 1 && isObj(peer.ipBlock)) errs.push(forbidden(field, 'may not specify both ipBlock and another peer'));
  return errs;
}

function validateNetworkPolicySpec(spec: JsonObject): FieldError[] {
  const errs = validateLabelSelector(spec.podSelector, 'spec.podSelector');
  for (const [dir, peers] of [['ingress', 'from'], ['egress', 'to']] as const) {
    arr(spec[dir]).map(obj).forEach((rule, i) => {
      const p = `spec.${dir}[${i}]`;
      arr(rule.ports).forEach((port, j) => errs.push(...validatePolicyPort(obj(port), `${p}.ports[${j}]`)));
      arr(rule[peers]).forEach((peer, j) => errs.push(...validatePeer(obj(peer), `${p}.${peers}[${j}]`)));
    });
  }
  const types = arr(spec.policyTypes).map(str);
  if (types.length > 2) {
    // Upstream passes &spec.PolicyTypes; field errors print the pointed-to slice with %#v.
    errs.push(invalidGo('spec.policyTypes', `[]networking.PolicyType{${types.map((t) => JSON.stringify(t)).join(', ')}}`, 'may not specify more than two policyTypes'));
    return errs;
  }
  types.forEach((t, i) => { if (t !== 'Ingress' && t !== 'Egress') errs.push(notSupported(`spec.policyTypes[${i}]`, t, ['Ingress', 'Egress'])); });
  return errs;
}

export function validateNetworkPolicy(np: KubeObject): FieldError[] {
  return [...validateObjectMeta(np, true, nameIsDNSSubdomain), ...validateNetworkPolicySpec(obj((np as JsonObject).spec))];
}

export function validateNetworkPolicyUpdate(np: KubeObject, old: KubeObject): FieldError[] {
  return [...validateObjectMetaUpdate(np, old), ...validateNetworkPolicySpec(obj((np as JsonObject).spec))];
}
