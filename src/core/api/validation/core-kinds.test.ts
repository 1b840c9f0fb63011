import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorString } from '../errors.js';
import type { KubeObject } from '../object.js';
import { resourceByKind } from '../resources.js';
import { defaultObject } from '../defaults/index.js';
import { validateCreate, validateUpdate } from './index.js';

function created(o: KubeObject): KubeObject {
  const c = structuredClone(o);
  if (resourceByKind(c.apiVersion, c.kind)?.namespaced) c.metadata.namespace ??= 'default';
  defaultObject(c, { create: true });
  return c;
}
const errorsOf = (o: KubeObject) => validateCreate(created(o)).map(fieldErrorString);
const stored = (o: KubeObject): KubeObject => {
  const c = created(o);
  c.metadata.resourceVersion = '4';
  return c;
};

const LABEL_MSG = (v: string) => `Invalid value: "${v}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`;
const KEY_MSG = `a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`;

test('Namespace: names are DNS-1123 labels', () => {
  const ns = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  assert.deepEqual(errorsOf(ns('my-app')), []);
  assert.deepEqual(errorsOf(ns('my.app')), ['metadata.name: Invalid value: "my.app": must not contain dots']);
  assert.deepEqual(errorsOf(ns('My-App')), [`metadata.name: ${LABEL_MSG('My-App')}`]);
  assert.deepEqual(errorsOf({ ...ns('a'), metadata: { name: 'a', namespace: 'b' } }), ['metadata.namespace: Forbidden: not allowed on this type']);
});

test('ConfigMap and Secret keys, immutable data', () => {
  const cm = (data: Record<string, string>, immutable?: boolean): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data, immutable });
  assert.deepEqual(errorsOf(cm({ 'nginx.conf': 'x', KEY_1: 'y' })), []);
  assert.deepEqual(errorsOf(cm({ 'a/b': 'x' })), [`data[a/b]: Invalid value: "a/b": ${KEY_MSG}`]);
  assert.deepEqual(errorsOf(cm({ '..x': 'x' })), ["data[..x]: Invalid value: \"..x\": must not start with '..'"]);
  const old = stored(cm({ a: '1' }, true));
  const next = structuredClone(old) as any;
  next.data.a = '2';
  assert.deepEqual(validateUpdate(next, old).map(fieldErrorString), ['data: Forbidden: field is immutable when `immutable` is set']);
  const secret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { password: 'hunter2' } };
  assert.deepEqual(errorsOf(secret), []);
  assert.deepEqual(errorsOf({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'kubernetes.io/tls', data: {} }),
    ['data[tls.crt]: Required value', 'data[tls.key]: Required value']);
  const oldSecret = stored(secret);
  const retyped = structuredClone(oldSecret) as any;
  retyped.type = 'kubernetes.io/basic-auth';
  assert.deepEqual(validateUpdate(retyped, oldSecret).map(fieldErrorString), ['type: Invalid value: "kubernetes.io/basic-auth": field is immutable']);
});

test('Node: podCIDR must be a CIDR and may only be set once', () => {
  const node = (podCIDR?: string): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' }, spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {} });
  assert.deepEqual(errorsOf(node('10.244.1.0/24')), []);
  assert.deepEqual(errorsOf(node('10.244.1.0')), ['spec.podCIDRs[0]: Invalid value: "10.244.1.0": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)']);
  const fresh = stored(node());
  assert.deepEqual(validateUpdate(created(node('10.244.1.0/24')), fresh).map(fieldErrorString).filter((e) => !e.startsWith('metadata.resourceVersion')), []);
  const set = stored(node('10.244.1.0/24'));
  const moved = structuredClone(set) as any;
  moved.spec = { podCIDR: '10.244.2.0/24', podCIDRs: ['10.244.2.0/24'] };
  assert.deepEqual(validateUpdate(moved, set).map(fieldErrorString), ['spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid']);
  assert.deepEqual(errorsOf({ ...node(), spec: { taints: [{ key: 'a', effect: 'NoRun' }] } }),
    ['metadata.taints[0].effect: Unsupported value: "NoRun": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"']);
});

test('Event: namespaces must agree', () => {
  const ev = (ns: string, involvedNs: string): KubeObject => ({
    apiVersion: 'v1', kind: 'Event', metadata: { name: 'web.1', namespace: ns },
    involvedObject: { kind: 'Pod', name: 'web', namespace: involvedNs }, reason: 'Started', message: 'ok', type: 'Normal',
  });
  assert.deepEqual(errorsOf(ev('default', 'default')), []);
  assert.deepEqual(errorsOf(ev('default', 'other')), ['involvedObject.namespace: Invalid value: "other": does not match event.namespace']);
});

test('ServiceAccount names are subdomains', () => {
  assert.deepEqual(errorsOf({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'builder.ci' } }), []);
  assert.equal(errorsOf({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'Builder' } }).length, 1);
});

test('Endpoints: addresses must be real, non-special IPs; ports need names when there are several', () => {
  const ep = (subsets: unknown[]): KubeObject => ({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web' }, subsets });
  assert.deepEqual(errorsOf(ep([{ addresses: [{ ip: '10.244.1.5', nodeName: 'node-1' }], ports: [{ port: 80 }] }])), []);
  assert.deepEqual(errorsOf(ep([{ ports: [{ port: 80 }] }])), ['subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`']);
  assert.deepEqual(errorsOf(ep([{ addresses: [{ ip: '127.0.0.1' }], ports: [{ port: 80 }, { name: 'b', port: 81 }] }])), [
    'subsets[0].addresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
    'subsets[0].ports[0].name: Required value']);
});

test('EndpointSlice: addressType, addresses of that type, port protocols', () => {
  const slice = (over: Record<string, unknown>): KubeObject => ({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'web-abcde', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4', endpoints: [{ addresses: ['10.244.1.5'], conditions: { ready: true } }], ports: [{ name: 'http', port: 80 }], ...over,
  });
  assert.deepEqual(errorsOf(slice({})), []);
  assert.deepEqual(errorsOf(slice({ addressType: 'IP' })), ['addressType: Unsupported value: "IP": supported values: "FQDN", "IPv4", "IPv6"']);
  assert.deepEqual(errorsOf(slice({ endpoints: [{ addresses: ['fd00::5'] }] })), ['endpoints[0].addresses[0]: Invalid value: "fd00::5": must be a valid IPv4 address']);
  assert.deepEqual(errorsOf(slice({ endpoints: [{ addresses: [] }] })), ['endpoints[0].addresses: Required value: must contain at least 1 address']);
  assert.deepEqual(errorsOf(slice({ ports: [{ name: 'http', port: 80, protocol: 'HTTP' }] })), ['ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"']);
  const old = stored(slice({}));
  const next = structuredClone(old) as any;
  next.addressType = 'IPv6';
  next.endpoints = [{ addresses: ['fd00::5'] }];
  assert.deepEqual(validateUpdate(next, old).map(fieldErrorString), ['addressType: Invalid value: "IPv6": field is immutable']);
});

test('metadata: annotations, finalizers, owner references and update rules', () => {
  const cm = (metadata: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', ...metadata } });
  assert.deepEqual(errorsOf(cm({ annotations: { 'Example.COM/Key': 'x', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } })), []);
  assert.deepEqual(errorsOf(cm({ finalizers: ['custom'] })), ['metadata.finalizers[0]: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified']);
  assert.deepEqual(errorsOf(cm({ ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }] })),
    ['metadata.ownerReferences.uid: Invalid value: "": must not be empty']);
  assert.deepEqual(errorsOf(cm({ name: undefined })), ['metadata.name: Required value: name or generateName is required']);
  const old = stored(cm({ uid: 'u1' }));
  const next = structuredClone(old);
  delete next.metadata.resourceVersion;
  assert.deepEqual(validateUpdate(next, old).map(fieldErrorString), ['metadata.resourceVersion: Invalid value: "": must be specified for an update']);
});
