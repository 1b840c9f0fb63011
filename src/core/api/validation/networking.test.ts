import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { fieldErrorString } from '../errors.js';
import type { KubeObject } from '../object.js';
import { defaultObject } from '../defaults/index.js';
import { validateCreate, validateUpdate } from './index.js';

const SEEDS = new URL('../../../../test/fixtures/seeds/', import.meta.url);
const seed = (file: string): KubeObject[] =>
  parseAllDocuments(readFileSync(new URL(file, SEEDS), 'utf8')).map((d) => d.toJSON()).filter(Boolean);

function created(o: KubeObject): KubeObject {
  const c = structuredClone(o);
  if (c.kind !== 'IngressClass') c.metadata.namespace ??= 'default';
  defaultObject(c, { create: true });
  return c;
}
const errorsOf = (o: KubeObject) => validateCreate(created(o)).map(fieldErrorString);

const DNS1035 = `a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`;

function ingress(spec: Record<string, unknown>, annotations?: Record<string, string>): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', annotations }, spec };
}
const rule = (path: Record<string, unknown>, host?: string) => ({
  host, http: { paths: [{ path: '/app', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } }, ...path }] },
});

test('the seed Ingress fails on its backend name, as on a real cluster; fixed, it passes', () => {
  const [ing] = seed('my-ingress.yaml');
  assert.deepEqual(errorsOf(ing), [`spec.rules[0].http.paths[0].backend.service.name: Invalid value: "my-loadBalancer-service": ${DNS1035}`]);
  (ing as any).spec.rules[0].http.paths[0].backend.service.name = 'my-loadbalancer-service';
  assert.deepEqual(errorsOf(ing), []);
});

test('valid Ingresses: default backend only, wildcard host, TLS, named port, class', () => {
  assert.deepEqual(errorsOf(ingress({ defaultBackend: { service: { name: 'web', port: { name: 'http' } } } })), []);
  assert.deepEqual(errorsOf(ingress({ rules: [rule({}, '*.example.com')], tls: [{ hosts: ['*.example.com'], secretName: 'tls-cert' }], ingressClassName: 'nginx' })), []);
  assert.deepEqual(errorsOf(ingress({ rules: [rule({ path: '', pathType: 'ImplementationSpecific' })] })), []);
  assert.deepEqual(errorsOf(ingress({ rules: [rule({ pathType: 'Exact', path: '/' })] }, { 'kubernetes.io/ingress.class': 'nginx' })), []);
});

const cases: Array<[string, KubeObject, string[]]> = [
  ['path without leading slash', ingress({ rules: [rule({ path: 'app' })] }), ['spec.rules[0].http.paths[0].path: Invalid value: "app": must be an absolute path']],
  ['path with //', ingress({ rules: [rule({ path: '/a//b', pathType: 'Exact' })] }), ["spec.rules[0].http.paths[0].path: Invalid value: \"/a//b\": must not contain '//'"]],
  ['path ending /..', ingress({ rules: [rule({ path: '/a/..' })] }), ["spec.rules[0].http.paths[0].path: Invalid value: \"/a/..\": cannot end with '/..'"]],
  ['missing pathType', ingress({ rules: [rule({ pathType: undefined })] }), ['spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified']],
  ['bad pathType', ingress({ rules: [rule({ pathType: 'Regex' })] }), ['spec.rules[0].http.paths[0].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"']],
  ['no rules nor default backend', ingress({}), ['spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified']],
  ['empty paths', ingress({ rules: [{ host: 'a.example', http: { paths: [] } }] }), ['spec.rules[0].http.paths: Required value']],
  ['IP host', ingress({ rules: [rule({}, '10.0.0.1')] }), ['spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address']],
  ['wildcard in the middle', ingress({ rules: [rule({}, 'a.*.example.com')] }), [
    `spec.rules[0].host: Invalid value: "a.*.example.com": a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`]],
  ['host with port', ingress({ rules: [rule({}, 'example.com:80')] }), [
    `spec.rules[0].host: Invalid value: "example.com:80": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`]],
  ['port name and number', ingress({ rules: [rule({ backend: { service: { name: 'web', port: { name: 'http', number: 80 } } } })] }),
    ['spec.rules[0].http.paths[0].backend: Invalid value: "": cannot set both port name & port number']],
  ['no port', ingress({ rules: [rule({ backend: { service: { name: 'web', port: {} } } })] }), ['spec.rules[0].http.paths[0].backend: Required value: port name or number is required']],
  ['no backend', ingress({ rules: [rule({ backend: {} })] }), ['spec.rules[0].http.paths[0].backend: Invalid value: "": resource or service backend is required']],
  ['port number 0 of default backend', ingress({ defaultBackend: { service: { name: 'web', port: { number: 70000 } } } }),
    ['spec.defaultBackend.service.port.number: Invalid value: 70000: must be between 1 and 65535, inclusive']],
  ['class annotation disagrees', ingress({ rules: [rule({})], ingressClassName: 'nginx' }, { 'kubernetes.io/ingress.class': 'traefik' }),
    ['annotations.kubernetes.io/ingress.class: Invalid value: "traefik": must match `ingressClassName` when both are specified']],
];
for (const [name, o, want] of cases) test(`Ingress: ${name}`, () => assert.deepEqual(errorsOf(o), want));

test('IngressClass: controller must be a domain-prefixed path and is immutable', () => {
  const ic = (controller: string): KubeObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'nginx' }, spec: { controller } });
  assert.deepEqual(errorsOf(ic('k8s.io/ingress-nginx')), []);
  assert.deepEqual(errorsOf(ic('ingress-nginx')), ['spec.controller: Invalid value: "ingress-nginx": must be a domain-prefixed path (such as "acme.io/foo")']);
  const old = created(ic('k8s.io/ingress-nginx'));
  old.metadata.resourceVersion = '1';
  const next = structuredClone(old) as any;
  next.spec.controller = 'podnet.dev/ingress';
  assert.deepEqual(validateUpdate(next, old).map(fieldErrorString), ['spec.controller: Invalid value: "podnet.dev/ingress": field is immutable']);
});

function policy(spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'allow' }, spec: { podSelector: {}, ...spec } };
}

test('valid NetworkPolicies: deny-all, ipBlock with except, named ports, port ranges', () => {
  assert.deepEqual(errorsOf(policy({ policyTypes: ['Ingress', 'Egress'] })), []);
  assert.deepEqual(errorsOf(policy({
    ingress: [{ from: [{ ipBlock: { cidr: '172.17.0.0/16', except: ['172.17.1.0/24'] } }, { namespaceSelector: { matchLabels: { team: 'a' } }, podSelector: { matchLabels: { role: 'client' } } }],
      ports: [{ port: 'http' }, { port: 32000, endPort: 32768 }, { protocol: 'UDP', port: 53 }] }],
  })), []);
});

test('IPv6 ipBlocks are valid, as upstream (the IPv4-only cluster enforces them as matching nothing)', () => {
  assert.deepEqual(errorsOf(policy({
    ingress: [{ from: [{ ipBlock: { cidr: '::/0' } }, { ipBlock: { cidr: 'fd00::/8', except: ['fd00:1::/32'] } }] }],
    egress: [{ to: [{ ipBlock: { cidr: '2001:db8::/32' } }] }],
  })), []);
  assert.deepEqual(errorsOf(policy({ ingress: [{ from: [{ ipBlock: { cidr: 'fd00::/8', except: ['10.0.0.0/8'] } }] }] })),
    ['spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: "10.0.0.0/8": must be a strict subset of `cidr`']);
});

const policyCases: Array<[string, KubeObject, string[]]> = [
  ['bad policyType', policy({ policyTypes: ['Inbound'] }), ['spec.policyTypes[0]: Unsupported value: "Inbound": supported values: "Ingress", "Egress"']],
  ['three policyTypes', policy({ policyTypes: ['Ingress', 'Egress', 'Ingress'] }),
    ['spec.policyTypes: Invalid value: []networking.PolicyType{"Ingress", "Egress", "Ingress"}: may not specify more than two policyTypes']],
  ['bad CIDR', policy({ ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/40' } }] }] }),
    ['spec.ingress[0].from[0].ipBlock.cidr: Invalid value: "10.0.0.0/40": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)']],
  ['except outside cidr', policy({ egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.1.0.0/24', '10.0.0.0/16'] } }] }] }),
    ['spec.egress[0].to[0].ipBlock.except[0]: Invalid value: "10.1.0.0/24": must be a strict subset of `cidr`',
      'spec.egress[0].to[0].ipBlock.except[1]: Invalid value: "10.0.0.0/16": must be a strict subset of `cidr`']],
  ['ipBlock with podSelector', policy({ ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }] }] }),
    ['spec.ingress[0].from[0]: Forbidden: may not specify both ipBlock and another peer']],
  ['empty peer', policy({ ingress: [{ from: [{}] }] }), ['spec.ingress[0].from[0]: Required value: must specify a peer']],
  ['endPort below port', policy({ ingress: [{ ports: [{ port: 100, endPort: 90 }] }] }), ['spec.ingress[0].ports[0].endPort: Invalid value: 90: must be greater than or equal to `port`']],
  ['endPort with named port', policy({ ingress: [{ ports: [{ port: 'http', endPort: 90 }] }] }), ['spec.ingress[0].ports[0].endPort: Invalid value: 90: may not be specified when `port` is non-numeric']],
  ['bad protocol', policy({ ingress: [{ ports: [{ protocol: 'ICMP' }] }] }), ['spec.ingress[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"']],
  ['port 0', policy({ ingress: [{ ports: [{ port: 0 }] }] }), ['spec.ingress[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive']],
  ['bad selector', policy({ podSelector: { matchLabels: { 'bad key!': 'x' } } }), [
    `spec.podSelector.matchLabels: Invalid value: "bad key!": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`]],
];
for (const [name, o, want] of policyCases) test(`NetworkPolicy: ${name}`, () => assert.deepEqual(errorsOf(o), want));
