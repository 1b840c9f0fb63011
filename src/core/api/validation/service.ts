// Services (pkg/apis/core/validation ValidateService, ValidateServiceUpdate and the ClusterIP checks),
// with upstream's messages. ClusterIP and NodePort allocation (range, collisions) is the allocator's
// job, not validation's.
import { type FieldError, duplicate, forbidden, invalid, notSupported, required } from '../errors.js';
import type { JsonObject, KubeObject } from '../object.js';
import { CIDR_ERROR, cidrErrors, ipErrors, ipFamily, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidPortNum } from './formats.js';
import { isCIDR, parseCIDR } from '../../net/index.js';
import { arr, duplicateGo, goIntOrString, goQuote, goStringSlice, invalidGo, isObj, num, obj, str } from './go-values.js';
import { PROTOCOLS, validatePortNumOrName } from './containers.js';
import { nameIsDNS1035Label, validateLabels, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const AFFINITIES = ['ClientIP', 'None'];
const MAX_AFFINITY_SECONDS = 86400;

/** ClusterIP and ClusterIPs as the strategy's NormalizeClusterIPs leaves them before validation. */
export function normalizedClusterIPs(spec: JsonObject, oldSpec?: JsonObject): string[] {
  const ips = Array.isArray(spec.clusterIPs) ? spec.clusterIPs.map(str) : [];
  const ip = str(spec.clusterIP);
  if (!oldSpec) return ip && ips.length === 0 ? [ip] : ips;
  const oldIPs = arr(oldSpec.clusterIPs).map(str);
  let out = ips;
  if (oldIPs.length > 0 && ips.length === 0 && str(oldSpec.clusterIP) === ip) out = oldIPs;
  if (str(oldSpec.clusterIP) !== ip) {
    const same = JSON.stringify(oldIPs) === JSON.stringify(ips);
    if (str(oldSpec.clusterIP) && !ip) { if (same) out = []; } else if (same) out = [ip];
  }
  return out;
}

const isHeadless = (ips: string[]) => ips.length === 1 && ips[0] === 'None';

/** apiservice.ExternallyAccessible: NodePort, LoadBalancer, or ClusterIP with external IPs. */
export const externallyAccessible = (spec: JsonObject): boolean =>
  spec.type === 'LoadBalancer' || spec.type === 'NodePort' || (spec.type === 'ClusterIP' && arr(spec.externalIPs).length > 0);

/** core.ServicePort as Go's %#v prints it in duplicate-port errors. */
function goServicePort(protocol: string, port: number): string {
  return `core.ServicePort{Name:"", Protocol:${goQuote(protocol)}, AppProtocol:(*string)(nil), Port:${port}, TargetPort:${goIntOrString(0)}, NodePort:0}`;
}

function validateServicePort(sp: JsonObject, requireName: boolean, names: Set<string>, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(sp.name);
  if (requireName && !name) errs.push(required(`${field}.name`));
  else if (name) {
    errs.push(...isDNS1123Label(name).map((m) => invalid(`${field}.name`, name, m)));
    if (names.has(name)) errs.push(duplicate(`${field}.name`, name));
    else names.add(name);
  }
  errs.push(...isValidPortNum(num(sp.port)).map((m) => invalid(`${field}.port`, num(sp.port), m)));
  const proto = str(sp.protocol);
  if (!proto) errs.push(required(`${field}.protocol`));
  else if (!PROTOCOLS.includes(proto)) errs.push(notSupported(`${field}.protocol`, proto, PROTOCOLS));
  errs.push(...validatePortNumOrName(sp.targetPort, `${field}.targetPort`));
  if (sp.appProtocol !== undefined && sp.appProtocol !== null) {
    errs.push(...isQualifiedName(str(sp.appProtocol)).map((m) => invalid(`${field}.appProtocol`, str(sp.appProtocol), m)));
  }
  return errs;
}

function validateClusterIPsRelatedFields(spec: JsonObject, ips: string[]): FieldError[] {
  if (spec.type === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const ip = str(spec.clusterIP);
  if (ip) {
    if (ips.length === 0) errs.push(required('spec.clusterIPs'));
    else if (ips[0] !== ip) errs.push(invalidGo('spec.clusterIPs', goStringSlice(ips), 'first value must match `clusterIP`'));
  } else if (ips.length !== 0) {
    errs.push(invalidGo('spec.clusterIPs', goStringSlice(ips), 'must be empty when `clusterIP` is not specified'));
  }
  const families = arr(spec.ipFamilies).map(str);
  const seen = new Set<string>();
  families.forEach((f, i) => {
    if (f !== 'IPv4' && f !== 'IPv6') errs.push(notSupported(`spec.ipFamilies[${i}]`, f, ['IPv4', 'IPv6']));
    if (seen.has(f)) errs.push(duplicate(`spec.ipFamilies[${i}]`, f));
    seen.add(f);
  });
  if (spec.ipFamilyPolicy !== undefined && spec.ipFamilyPolicy !== null &&
    !['PreferDualStack', 'RequireDualStack', 'SingleStack'].includes(str(spec.ipFamilyPolicy))) {
    errs.push(notSupported('spec.ipFamilyPolicy', str(spec.ipFamilyPolicy), ['PreferDualStack', 'RequireDualStack', 'SingleStack']));
  }
  let hasInvalid = false;
  ips.forEach((v, i) => {
    if (i === 0 && v === 'None') {
      if (ips.length > 1) { hasInvalid = true; errs.push(invalidGo('spec.clusterIPs', goStringSlice(ips), "'None' must be the first and only value")); }
      return;
    }
    const bad = ipErrors(v);
    if (bad.length) { hasInvalid = true; errs.push(...bad.map((m) => invalid(`spec.clusterIPs[${i}]`, v, m))); }
  });
  if (ips.length > 2) errs.push(invalidGo('spec.clusterIPs', goStringSlice(ips), 'may only hold up to 2 values'));
  if (hasInvalid) return errs;
  if (ips.length > 1 && ipFamily(ips[0]) === ipFamily(ips[1])) {
    errs.push(invalidGo('spec.clusterIPs', goStringSlice(ips), 'may specify no more than one IP for each IP family'));
  }
  if (!isHeadless(ips)) {
    ips.forEach((v, i) => {
      if (i >= families.length) return;
      if (families[i] === 'IPv4' && ipFamily(v) === 6) errs.push(invalid(`spec.clusterIPs[${i}]`, v, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
      if (families[i] === 'IPv6' && ipFamily(v) !== 6) errs.push(invalid(`spec.clusterIPs[${i}]`, v, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``));
    });
  }
  return errs;
}

/** ValidateNonSpecialIP: endpoints and external IPs may not be unspecified, loopback or link-local. */
export function validateNonSpecialIP(ip: string, field: string): FieldError[] {
  const fam = ipFamily(ip);
  if (!fam) return [invalid(field, ip, 'must be a valid IP address')];
  const errs: FieldError[] = [];
  const inRange = (cidr: string) => parseCIDR(cidr).contains(ip);
  if (inRange('0.0.0.0/32') || inRange('::/128')) errs.push(invalid(field, ip, `may not be unspecified (${ip})`));
  if (inRange('127.0.0.0/8') || inRange('::1/128')) errs.push(invalid(field, ip, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
  if (inRange('169.254.0.0/16') || inRange('fe80::/10')) errs.push(invalid(field, ip, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
  if (inRange('224.0.0.0/24') || inRange('ff02::/16')) errs.push(invalid(field, ip, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'));
  return errs;
}

/** ValidateService: the checks shared by create and update. */
export function validateService(svc: KubeObject, oldSpec?: JsonObject): FieldError[] {
  const errs = validateObjectMeta(svc, true, nameIsDNS1035Label);
  const spec = obj((svc as JsonObject).spec);
  const annotations = obj(svc.metadata.annotations);
  const mode = annotations['service.kubernetes.io/topology-mode'], hints = annotations['service.kubernetes.io/topology-aware-hints'];
  if (mode !== undefined && hints !== undefined && mode !== hints) {
    errs.push(invalid('metadata.annotations[service.kubernetes.io/topology-mode]', str(mode), 'must match annotations[service.kubernetes.io/topology-aware-hints] when both are specified'));
  }
  const ips = normalizedClusterIPs(spec, oldSpec);
  const headless = isHeadless(ips);
  const ports = arr(spec.ports).map(obj);
  const type = str(spec.type);
  if (ports.length === 0 && !headless && type !== 'ExternalName') errs.push(required('spec.ports'));
  if (type === 'LoadBalancer' && headless) errs.push(invalid('spec.clusterIPs[0]', ips[0], "may not be set to 'None' for LoadBalancer services"));
  if (type === 'NodePort' && headless) errs.push(invalid('spec.clusterIPs[0]', ips[0], "may not be set to 'None' for NodePort services"));
  if (type === 'ExternalName') {
    if (ips.length > 0) errs.push(forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    if (arr(spec.ipFamilies).length > 0) errs.push(forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
    if (spec.ipFamilyPolicy !== undefined && spec.ipFamilyPolicy !== null) errs.push(forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
    // A trailing dot marks the CNAME as fully qualified.
    const cname = str(spec.externalName).replace(/\.$/, '');
    if (cname) errs.push(...isDNS1123Subdomain(cname).map((m) => invalid('spec.externalName', cname, m)));
    else errs.push(required('spec.externalName'));
  }
  const names = new Set<string>();
  ports.forEach((p, i) => errs.push(...validateServicePort(p, ports.length > 1, names, `spec.ports[${i}]`)));
  if (spec.selector !== undefined && spec.selector !== null) errs.push(...validateLabels(spec.selector, 'spec.selector'));
  const affinity = str(spec.sessionAffinity);
  if (!affinity) errs.push(required('spec.sessionAffinity'));
  else if (!AFFINITIES.includes(affinity)) errs.push(notSupported('spec.sessionAffinity', affinity, AFFINITIES));
  if (affinity === 'ClientIP') errs.push(...validateClientIPAffinity(spec.sessionAffinityConfig));
  else if (affinity === 'None' && spec.sessionAffinityConfig !== undefined && spec.sessionAffinityConfig !== null) {
    errs.push(forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  }
  errs.push(...validateClusterIPsRelatedFields(spec, ips));
  arr(spec.externalIPs).forEach((ip, i) => {
    const p = `spec.externalIPs[${i}]`;
    const bad = ipErrors(str(ip));
    if (bad.length) errs.push(...bad.map((m) => invalid(p, str(ip), m)));
    else errs.push(...validateNonSpecialIP(str(ip), p));
  });
  if (!type) errs.push(required('spec.type'));
  else if (!SERVICE_TYPES.includes(type)) errs.push(notSupported('spec.type', type, SERVICE_TYPES));
  if (type === 'ClusterIP') {
    ports.forEach((p, i) => { if (num(p.nodePort) !== 0) errs.push(forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'")); });
  }
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    if (num(p.nodePort) === 0) return;
    const key = `${str(p.protocol)}/${num(p.nodePort)}`;
    if (nodePorts.has(key)) errs.push(duplicate(`spec.ports[${i}].nodePort`, num(p.nodePort)));
    nodePorts.add(key);
  });
  const portKeys = new Set<string>();
  ports.forEach((p, i) => {
    const key = `${str(p.protocol)}/${num(p.port)}`;
    if (portKeys.has(key)) errs.push(duplicateGo(`spec.ports[${i}]`, goServicePort(str(p.protocol), num(p.port))));
    portKeys.add(key);
  });
  errs.push(...validateSourceRanges(spec, annotations, type));
  if (spec.allocateLoadBalancerNodePorts !== undefined && spec.allocateLoadBalancerNodePorts !== null && type !== 'LoadBalancer') {
    errs.push(forbidden('spec.allocateLoadBalancerNodePorts', "may only be used when `type` is 'LoadBalancer'"));
  }
  if (type === 'LoadBalancer' && (spec.allocateLoadBalancerNodePorts === undefined || spec.allocateLoadBalancerNodePorts === null)) {
    errs.push(required('allocateLoadBalancerNodePorts'));
  }
  if (type === 'LoadBalancer') {
    if (spec.loadBalancerClass !== undefined && spec.loadBalancerClass !== null) {
      errs.push(...isQualifiedName(str(spec.loadBalancerClass)).map((m) => invalid('spec.loadBalancerClass', str(spec.loadBalancerClass), m)));
    }
  } else if (spec.loadBalancerClass !== undefined && spec.loadBalancerClass !== null) {
    errs.push(forbidden('spec.loadBalancerClass', "may only be used when `type` is 'LoadBalancer'"));
  }
  errs.push(...validateTrafficPolicies(spec, type));
  return errs;
}

function validateClientIPAffinity(cfg: unknown): FieldError[] {
  const detail = 'when session affinity type is ClientIP';
  if (!isObj(cfg)) return [required('spec.sessionAffinityConfig', detail)];
  if (!isObj(cfg.clientIP)) return [required('spec.sessionAffinityConfig.clientIP', detail)];
  const t = cfg.clientIP.timeoutSeconds;
  if (typeof t !== 'number') return [required('spec.sessionAffinityConfig.clientIP.timeoutSeconds', detail)];
  if (t <= 0 || t > MAX_AFFINITY_SECONDS) {
    return [invalid('spec.sessionAffinityConfig.clientIP.timeoutSeconds', t, `must be greater than 0 and less than ${MAX_AFFINITY_SECONDS}`)];
  }
  return [];
}

function validateSourceRanges(spec: JsonObject, annotations: JsonObject, type: string): FieldError[] {
  const errs: FieldError[] = [];
  const ranges = arr(spec.loadBalancerSourceRanges).map(str);
  if (ranges.length > 0) {
    // Upstream's path really is capitalised here.
    const p = 'spec.LoadBalancerSourceRanges';
    if (type !== 'LoadBalancer') errs.push(forbidden(p, "may only be used when `type` is 'LoadBalancer'"));
    ranges.forEach((r, i) => { const v = r.trim(); errs.push(...cidrErrors(v).map((m) => invalid(`${p}[${i}]`, v, m))); });
  } else if (annotations['service.beta.kubernetes.io/load-balancer-source-ranges'] !== undefined) {
    const p = 'metadata.annotations[service.beta.kubernetes.io/load-balancer-source-ranges]';
    if (type !== 'LoadBalancer') errs.push(forbidden(p, "may only be used when `type` is 'LoadBalancer'"));
    const val = str(annotations['service.beta.kubernetes.io/load-balancer-source-ranges']).trim();
    // The annotation is read by ParseIPNets: any CIDR, host bits allowed.
    if (val) for (const r of val.split(',')) { const v = r.trim(); if (!isCIDR(v)) errs.push(invalid(p, v, CIDR_ERROR)); }
  }
  return errs;
}

function validateTrafficPolicies(spec: JsonObject, type: string): FieldError[] {
  const errs: FieldError[] = [];
  const etp = str(spec.externalTrafficPolicy);
  if (!externallyAccessible(spec)) {
    if (etp) errs.push(invalid('spec.externalTrafficPolicy', etp, 'may only be set for externally-accessible services'));
  } else if (!etp) errs.push(required('spec.externalTrafficPolicy'));
  else if (etp !== 'Cluster' && etp !== 'Local') errs.push(notSupported('spec.externalTrafficPolicy', etp, ['Cluster', 'Local']));
  const needsHealthCheck = type === 'LoadBalancer' && etp === 'Local';
  const hc = num(spec.healthCheckNodePort);
  if (!needsHealthCheck) {
    if (hc !== 0) errs.push(invalid('spec.healthCheckNodePort', hc, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
  } else if (hc !== 0) {
    // Zero is left to the allocator, which podnet runs after this validation (upstream runs it before).
    errs.push(...isValidPortNum(hc).map((m) => invalid('spec.healthCheckNodePort', hc, m)));
  }
  const itp = spec.internalTrafficPolicy;
  if (itp === undefined || itp === null) {
    if (['NodePort', 'LoadBalancer', 'ClusterIP'].includes(type)) errs.push(required('spec.internalTrafficPolicy'));
  } else if (itp !== 'Cluster' && itp !== 'Local') errs.push(notSupported('spec.internalTrafficPolicy', str(itp), ['Cluster', 'Local']));
  if (spec.trafficDistribution !== undefined && spec.trafficDistribution !== null && spec.trafficDistribution !== 'PreferClose') {
    errs.push(notSupported('spec.trafficDistribution', str(spec.trafficDistribution), ['PreferClose']));
  }
  return errs;
}

/** ValidateServiceUpdate: ClusterIPs and families may only grow or shrink, never change. */
export function validateServiceUpdate(svc: KubeObject, old: KubeObject): FieldError[] {
  const errs = validateObjectMetaUpdate(svc, old);
  const spec = obj((svc as JsonObject).spec), oldSpec = obj((old as JsonObject).spec);
  const ips = normalizedClusterIPs(spec, oldSpec), oldIPs = arr(oldSpec.clusterIPs).length ? arr(oldSpec.clusterIPs).map(str) : normalizedClusterIPs(oldSpec);
  if (spec.type !== 'ExternalName' && oldSpec.type !== 'ExternalName' && !(isHeadless(ips) && isHeadless(oldIPs))) {
    if (oldIPs.length === ips.length) {
      oldIPs.forEach((ip, i) => { if (ip !== ips[i]) errs.push(invalidGo(`spec.clusterIPs[${i}]`, goStringSlice(ips), 'may not change once set')); });
    } else if (oldIPs.length > ips.length) {
      if (ips.length === 0) errs.push(invalidGo('spec.clusterIPs[0]', goStringSlice(ips), 'primary clusterIP can not be unset'));
      if (ips.length > 0 && ips[0] !== oldIPs[0]) errs.push(invalidGo('spec.clusterIPs[0]', goStringSlice(ips), 'may not change once set'));
      if (ips.length === 1 && spec.ipFamilyPolicy !== 'SingleStack') {
        errs.push(invalid('spec.ipFamilyPolicy', spec.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary clusterIP"));
      }
    } else if (oldIPs.length > 0 && ips[0] !== oldIPs[0]) {
      errs.push(invalidGo('spec.clusterIPs[0]', goStringSlice(ips), 'may not change once set'));
    }
  }
  if (spec.type === 'LoadBalancer' && oldSpec.type === 'LoadBalancer' && (spec.loadBalancerClass ?? null) !== (oldSpec.loadBalancerClass ?? null)) {
    errs.push(invalid('spec.loadBalancerClass', spec.loadBalancerClass ?? null, 'may not change once set'));
  }
  const needs = (s: JsonObject) => s.type === 'LoadBalancer' && s.externalTrafficPolicy === 'Local';
  if (needs(oldSpec) && needs(spec) && num(spec.healthCheckNodePort) !== num(oldSpec.healthCheckNodePort)) {
    errs.push(forbidden('spec.healthCheckNodePort', 'field is immutable'));
  }
  errs.push(...validateService(svc, oldSpec));
  return errs;
}
