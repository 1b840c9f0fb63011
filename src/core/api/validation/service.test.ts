import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { fieldErrorString, invalidError } from '../errors.js';
import type { KubeObject } from '../object.js';
import { mustResource } from '../resources.js';
import { defaultObject } from '../defaults/index.js';
import { validateCreate, validateUpdate } from './index.js';

const SEEDS = new URL('../../../../test/fixtures/seeds/', import.meta.url);
const seed = (file: string): KubeObject[] =>
  parseAllDocuments(readFileSync(new URL(file, SEEDS), 'utf8')).map((d) => d.toJSON()).filter(Boolean);

/** What the registry does before validating a create: namespace, defaults. */
function created(o: KubeObject): KubeObject {
  const c = structuredClone(o);
  c.metadata.namespace ??= 'default';
  defaultObject(c, { create: true });
  return c;
}
const errorsOf = (o: KubeObject) => validateCreate(created(o)).map(fieldErrorString);

const DNS1035 = `a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`;

function svc(spec: Record<string, unknown>, name = 'web'): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }], ...spec } };
}

test('the seed Services of every valid type pass', () => {
  for (const f of ['backend-service.yaml', 'frontend-service.yaml', 'frontendlb-service.yaml', 'web-service.yaml']) {
    for (const o of seed(f)) assert.deepEqual(errorsOf(o), [], f);
  }
});

test('the seed Services with capitals in their names fail as on a real cluster', () => {
  for (const name of ['my-clusterIP-service', 'my-NodePort-service', 'my-LoadBalancer-service']) {
    const [o] = seed(`${name}.yaml`);
    assert.deepEqual(errorsOf(o), [`metadata.name: Invalid value: "${name}": ${DNS1035}`]);
    const err = invalidError(mustResource('services'), name, validateCreate(created(o)));
    assert.equal(err.message, `Service "${name}" is invalid: metadata.name: Invalid value: "${name}": ${DNS1035}`);
  }
});

test('headless, ExternalName, ClientIP affinity and named target ports are valid', () => {
  assert.deepEqual(errorsOf(svc({ clusterIP: 'None' })), []);
  assert.deepEqual(errorsOf(svc({ clusterIP: 'None', ports: [] })), []);
  assert.deepEqual(errorsOf(svc({ type: 'ExternalName', externalName: 'db.example.com.', ports: undefined, selector: undefined })), []);
  assert.deepEqual(errorsOf(svc({ sessionAffinity: 'ClientIP' })), []);
  assert.deepEqual(errorsOf(svc({ ports: [{ name: 'http', port: 80, targetPort: 'http-web' }, { name: 'dns', port: 53, protocol: 'UDP' }] })), []);
  assert.deepEqual(errorsOf(svc({ ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] })), []);
  assert.deepEqual(errorsOf(svc({ clusterIP: '10.96.0.10' })), []);
  assert.deepEqual(errorsOf(svc({ type: 'LoadBalancer', loadBalancerSourceRanges: ['10.0.0.0/8', ' 192.168.0.0/16'] })), []);
});

const cases: Array<[string, Record<string, unknown>, string[]]> = [
  ['port 0', { ports: [{ port: 0 }] }, ['spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
    'spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive']],
  ['port 70000', { ports: [{ port: 70000, targetPort: 80 }] }, ['spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive']],
  ['no ports', { ports: [] }, ['spec.ports: Required value']],
  ['unnamed ports', { ports: [{ port: 80 }, { name: 'b', port: 81 }] }, ['spec.ports[0].name: Required value']],
  ['duplicate port names', { ports: [{ name: 'a', port: 80 }, { name: 'a', port: 81 }] }, ['spec.ports[1].name: Duplicate value: "a"']],
  ['duplicate port+protocol', { ports: [{ name: 'a', port: 80 }, { name: 'b', port: 80 }] },
    ['spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}']],
  ['bad protocol', { ports: [{ port: 80, protocol: 'ICMP' }] }, ['spec.ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"']],
  ['bad target port name', { ports: [{ port: 80, targetPort: 'Web_Port' }] }, [
    'spec.ports[0].targetPort: Invalid value: "Web_Port": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)']],
  ['bad type', { type: 'Internal' }, ['spec.type: Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"']],
  ['nodePort on ClusterIP', { ports: [{ port: 80, nodePort: 30080 }] }, ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]],
  ['clusterIP not an IP', { clusterIP: '10.96.0.300' }, ['spec.clusterIPs[0]: Invalid value: "10.96.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']],
  ['clusterIP text', { clusterIP: 'abc' }, ['spec.clusterIPs[0]: Invalid value: "abc": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']],
  ['clusterIPs out of sync', { clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.11'] }, ['spec.clusterIPs: Invalid value: []string{"10.96.0.11"}: first value must match `clusterIP`']],
  ['headless NodePort', { type: 'NodePort', clusterIP: 'None' }, [`spec.clusterIPs[0]: Invalid value: "None": may not be set to 'None' for NodePort services`]],
  ['ExternalName without name', { type: 'ExternalName' }, ['spec.externalName: Required value']],
  ['ExternalName bad name', { type: 'ExternalName', externalName: 'Bad_Host' }, [
    `spec.externalName: Invalid value: "Bad_Host": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`]],
  ['ExternalName with clusterIP', { type: 'ExternalName', externalName: 'a.example', clusterIP: '10.96.0.5' }, ['spec.clusterIPs: Forbidden: may not be set for ExternalName services']],
  ['bad affinity', { sessionAffinity: 'Cookie' }, ['spec.sessionAffinity: Unsupported value: "Cookie": supported values: "ClientIP", "None"']],
  ['affinity timeout', { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 86401 } } },
    ['spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 86401: must be greater than 0 and less than 86400']],
  ['externalTrafficPolicy on ClusterIP', { externalTrafficPolicy: 'Local' }, ['spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services']],
  ['bad externalTrafficPolicy', { type: 'NodePort', externalTrafficPolicy: 'Near' }, ['spec.externalTrafficPolicy: Unsupported value: "Near": supported values: "Cluster", "Local"']],
  ['source ranges on NodePort', { type: 'NodePort', loadBalancerSourceRanges: ['10.0.0.0/8'] }, ["spec.LoadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer'"]],
  ['bad source range', { type: 'LoadBalancer', loadBalancerSourceRanges: ['10.0.0.0/33'] }, ['spec.LoadBalancerSourceRanges[0]: Invalid value: "10.0.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)']],
  ['loopback external IP', { externalIPs: ['127.0.0.1'] }, ['spec.externalIPs[0]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)']],
  ['bad selector label', { selector: { 'app/x/y': 'web' } }, [
    `spec.selector: Invalid value: "app/x/y": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`]],
];

for (const [name, spec, want] of cases) {
  test(`Service: ${name}`, () => assert.deepEqual(errorsOf(svc(spec)), want));
}

test('a selector is ignored for ExternalName Services but its labels must still be valid', () => {
  assert.deepEqual(errorsOf(svc({ type: 'ExternalName', externalName: 'db.example.com' })), []);
});

function stored(o: KubeObject, ip = '10.96.0.20'): KubeObject {
  const c = created(o);
  const spec = (c as any).spec;
  if (spec.type !== 'ExternalName') { spec.clusterIP ??= ip; spec.clusterIPs ??= [spec.clusterIP]; }
  c.metadata.resourceVersion = '5';
  c.metadata.uid = 'u1';
  return c;
}

test('ClusterIP is immutable on update, other fields may change', () => {
  const old = stored(svc({}));
  const next = structuredClone(old);
  (next as any).spec.ports = [{ port: 8080, protocol: 'TCP', targetPort: 8080 }];
  assert.deepEqual(validateUpdate(next, old).map(fieldErrorString), []);
  (next as any).spec.clusterIP = '10.96.0.21';
  assert.deepEqual(validateUpdate(next, old).map(fieldErrorString), ['spec.clusterIPs[0]: Invalid value: []string{"10.96.0.21"}: may not change once set']);
});

test('an update that leaves clusterIPs out keeps them when clusterIP is unchanged', () => {
  const old = stored(svc({}));
  const next = structuredClone(old);
  delete (next as any).spec.clusterIPs;
  assert.deepEqual(validateUpdate(next, old).map(fieldErrorString), []);
});
