// Endpoints (core/v1) and EndpointSlices (discovery.k8s.io/v1): addresses, ports, hostnames
// (pkg/apis/core/validation ValidateEndpoints, pkg/apis/discovery/validation).
import { type FieldError, duplicate, invalid, notSupported, required, tooMany } from '../errors.js';
import type { JsonObject, KubeObject } from '../object.js';
import { ipErrors, ipFamily, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidPortNum } from './formats.js';
import { arr, isObj, num, obj, str } from './go-values.js';
import { PROTOCOLS } from './containers.js';
import {
  nameIsDNSSubdomain, validateImmutable, validateLabels, validateObjectMeta, validateObjectMetaUpdate,
} from './meta.js';
import { validateNonSpecialIP } from './service.js';

function validateEndpointAddress(a: JsonObject, field: string): FieldError[] {
  const ip = str(a.ip);
  const errs: FieldError[] = ipErrors(ip).map((m) => invalid(`${field}.ip`, ip, m));
  const hostname = str(a.hostname);
  if (hostname) errs.push(...isDNS1123Label(hostname).map((m) => invalid(`${field}.hostname`, hostname, m)));
  if (a.nodeName !== undefined && a.nodeName !== null) {
    errs.push(...isDNS1123Subdomain(str(a.nodeName)).map((m) => invalid(`${field}.nodeName`, str(a.nodeName), m)));
  }
  errs.push(...validateNonSpecialIP(ip, `${field}.ip`));
  return errs;
}

function validateEndpointPort(p: JsonObject, requireName: boolean, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(p.name);
  if (requireName && !name) errs.push(required(`${field}.name`));
  else if (name) errs.push(...isDNS1123Label(name).map((m) => invalid(`${field}.name`, name, m)));
  errs.push(...isValidPortNum(num(p.port)).map((m) => invalid(`${field}.port`, num(p.port), m)));
  const proto = str(p.protocol);
  if (!proto) errs.push(required(`${field}.protocol`));
  else if (!PROTOCOLS.includes(proto)) errs.push(notSupported(`${field}.protocol`, proto, PROTOCOLS));
  if (p.appProtocol !== undefined && p.appProtocol !== null) {
    errs.push(...isQualifiedName(str(p.appProtocol)).map((m) => invalid(`${field}.appProtocol`, str(p.appProtocol), m)));
  }
  return errs;
}

export function validateEndpoints(ep: KubeObject): FieldError[] {
  const errs = validateObjectMeta(ep, true, nameIsDNSSubdomain);
  arr((ep as JsonObject).subsets).map(obj).forEach((ss, i) => {
    const p = `subsets[${i}]`;
    const addrs = arr(ss.addresses), notReady = arr(ss.notReadyAddresses), ports = arr(ss.ports);
    if (addrs.length === 0 && notReady.length === 0) errs.push(required(p, 'must specify `addresses` or `notReadyAddresses`'));
    addrs.forEach((a, j) => errs.push(...validateEndpointAddress(obj(a), `${p}.addresses[${j}]`)));
    notReady.forEach((a, j) => errs.push(...validateEndpointAddress(obj(a), `${p}.notReadyAddresses[${j}]`)));
    ports.forEach((port, j) => errs.push(...validateEndpointPort(obj(port), ports.length > 1, `${p}.ports[${j}]`)));
  });
  return errs;
}

export function validateEndpointsUpdate(ep: KubeObject, old: KubeObject): FieldError[] {
  return [...validateObjectMetaUpdate(ep, old), ...validateEndpoints(ep)];
}

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];

function validateSliceAddress(type: string, address: string, field: string): FieldError[] {
  switch (type) {
    case 'IPv4':
      return [...(ipFamily(address) === 4 ? [] : [invalid(field, address, 'must be a valid IPv4 address')]), ...validateNonSpecialIP(address, field)];
    case 'IPv6':
      return [...(ipFamily(address) === 6 ? [] : [invalid(field, address, 'must be a valid IPv6 address')]), ...validateNonSpecialIP(address, field)];
    case 'FQDN': {
      if (!address) return [required(field)];
      const name = address.endsWith('.') ? address.slice(0, -1) : address;
      const msgs = isDNS1123Subdomain(name);
      if (msgs.length) return [invalid(field, name, msgs.join(','))];
      if (name.split('.').length < 2) return [invalid(field, name, 'should be a domain with at least two segments separated by dots')];
      for (const label of name.split('.')) {
        const m = isDNS1123Label(label);
        if (m.length) return [invalid(field, label, m.join(','))];
      }
      return [];
    }
    default:
      return [];
  }
}

export function validateEndpointSlice(slice: KubeObject, allowDeprecatedIP = false): FieldError[] {
  const s = slice as JsonObject;
  const errs = validateObjectMeta(slice, true, nameIsDNSSubdomain);
  const type = str(s.addressType);
  const allowed = allowDeprecatedIP ? ['FQDN', 'IP', 'IPv4', 'IPv6'] : ADDRESS_TYPES;
  if (!type) errs.push(required('addressType'));
  else if (!allowed.includes(type)) errs.push(notSupported('addressType', type, allowed));
  const endpoints = arr(s.endpoints);
  if (endpoints.length > 1000) errs.push(tooMany('endpoints', endpoints.length, 1000));
  else endpoints.map(obj).forEach((ep, i) => {
    const p = `endpoints[${i}]`;
    const addresses = arr(ep.addresses).map(str);
    if (addresses.length === 0) errs.push(required(`${p}.addresses`, 'must contain at least 1 address'));
    else if (addresses.length > 100) errs.push(tooMany(`${p}.addresses`, addresses.length, 100));
    addresses.forEach((a, j) => errs.push(...validateSliceAddress(type, a, `${p}.addresses[${j}]`)));
    if (isObj(ep.deprecatedTopology)) {
      const n = Object.keys(ep.deprecatedTopology).length;
      if (n > 16) errs.push(tooMany(`${p}.deprecatedTopology`, n, 16));
      errs.push(...validateLabels(ep.deprecatedTopology, `${p}.deprecatedTopology`));
    }
    if (ep.nodeName !== undefined && ep.nodeName !== null) {
      errs.push(...isDNS1123Subdomain(str(ep.nodeName)).map((m) => invalid(`${p}.nodeName`, str(ep.nodeName), m)));
    }
    if (ep.hostname !== undefined && ep.hostname !== null) {
      errs.push(...isDNS1123Label(str(ep.hostname)).map((m) => invalid(`${p}.hostname`, str(ep.hostname), m)));
    }
    const zones = arr(obj(ep.hints).forZones).map((z) => str(obj(z).name));
    if (zones.length > 8) errs.push(tooMany(`${p}.hints.forZones`, zones.length, 8));
    const seen = new Set<string>();
    zones.forEach((z, j) => {
      if (seen.has(z)) errs.push(duplicate(`${p}.hints.forZones[${j}].name`, z));
      else seen.add(z);
    });
  });
  const ports = arr(s.ports);
  if (ports.length > 100) errs.push(tooMany('ports', ports.length, 100));
  else {
    const names = new Set<string>();
    ports.map(obj).forEach((port, i) => {
      const p = `ports[${i}]`;
      const name = str(port.name);
      if (name) errs.push(...isDNS1123Label(name).map((m) => invalid(`${p}.name`, name, m)));
      if (names.has(name)) errs.push(duplicate(`${p}.name`, name));
      else names.add(name);
      if (port.protocol === undefined || port.protocol === null) errs.push(required(`${p}.protocol`));
      else if (!PROTOCOLS.includes(str(port.protocol))) errs.push(notSupported(`${p}.protocol`, str(port.protocol), PROTOCOLS));
      if (port.appProtocol !== undefined && port.appProtocol !== null) {
        errs.push(...isQualifiedName(str(port.appProtocol)).map((m) => invalid(`${p}.appProtocol`, str(port.appProtocol), m)));
      }
    });
  }
  return errs;
}

export function validateEndpointSliceUpdate(slice: KubeObject, old: KubeObject): FieldError[] {
  const errs = validateObjectMetaUpdate(slice, old);
  errs.push(...validateEndpointSlice(slice, true));
  errs.push(...validateImmutable((slice as JsonObject).addressType, (old as JsonObject).addressType, 'addressType'));
  return errs;
}
