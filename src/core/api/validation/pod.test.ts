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
  c.metadata.namespace ??= 'default';
  defaultObject(c, { create: true });
  return c;
}
const errorsOf = (o: KubeObject) => validateCreate(created(o)).map(fieldErrorString);

function pod(spec: Record<string, unknown>, container: Record<string, unknown> = {}, name = 'web'): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: { containers: [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80 }], ...container }], ...spec },
  };
}

const LABEL_MSG = (v: string) => `Invalid value: "${v}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`;
const SUBDOMAIN_MSG = (v: string) => `Invalid value: "${v}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`;

test('the seed nginx pods are valid', () => {
  for (const f of ['nginx-pod.yaml', 'my-nginx-pods.yaml']) for (const o of seed(f)) assert.deepEqual(errorsOf(o), [], f);
});

test('probes, env, volumes, tolerations and dnsConfig that upstream accepts pass', () => {
  const p = pod({
    volumes: [{ name: 'html', emptyDir: {} }, { name: 'cfg', configMap: { name: 'web-config' } }, { name: 'scratch' }],
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' }],
    dnsPolicy: 'None', dnsConfig: { nameservers: ['10.96.0.10'], searches: ['default.svc.cluster.local', 'svc.cluster.local.'], options: [{ name: 'ndots', value: '5' }] },
    hostAliases: [{ ip: '127.0.0.1', hostnames: ['foo.local'] }],
    initContainers: [{ name: 'init', image: 'busybox', command: ['true'] }],
  }, {
    env: [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }, { name: 'MODE', value: 'x' }],
    volumeMounts: [{ name: 'html', mountPath: '/usr/share/nginx/html' }, { name: 'scratch', mountPath: '/tmp' }],
    readinessProbe: { httpGet: { port: 80 } },
    livenessProbe: { tcpSocket: { port: 'http' }, initialDelaySeconds: 3 },
    resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } },
  });
  assert.deepEqual(errorsOf(p), []);
});

const cases: Array<[string, KubeObject, string[]]> = [
  ['no containers', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [] } }, ['spec.containers: Required value']],
  ['bad pod name', pod({}, {}, 'Bad_Name'), [`metadata.name: ${SUBDOMAIN_MSG('Bad_Name')}`]],
  ['container without image', pod({}, { image: undefined }), ['spec.containers[0].image: Required value']],
  ['container name not a label', pod({}, { name: 'Web.1' }), [`spec.containers[0].name: ${LABEL_MSG('Web.1')}`]],
  ['container port 0', pod({}, { ports: [{ containerPort: 0 }] }), ['spec.containers[0].ports[0].containerPort: Required value']],
  ['container port 70000', pod({}, { ports: [{ containerPort: 70000 }] }), ['spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive']],
  ['host port out of range', pod({}, { ports: [{ containerPort: 80, hostPort: 65536 }] }), ['spec.containers[0].ports[0].hostPort: Invalid value: 65536: must be between 1 and 65535, inclusive']],
  ['port protocol', pod({}, { ports: [{ containerPort: 80, protocol: 'tcp' }] }), ['spec.containers[0].ports[0].protocol: Unsupported value: "tcp": supported values: "SCTP", "TCP", "UDP"']],
  ['port name too long', pod({}, { ports: [{ containerPort: 80, name: 'a-very-long-port-name' }] }), ['spec.containers[0].ports[0].name: Invalid value: "a-very-long-port-name": must be no more than 15 characters']],
  ['duplicate port names', pod({}, { ports: [{ containerPort: 80, name: 'http' }, { containerPort: 81, name: 'http' }] }), ['spec.containers[0].ports[1].name: Duplicate value: "http"']],
  ['duplicate container names', pod({ containers: [{ name: 'a', image: 'x' }, { name: 'a', image: 'y' }] }), ['spec.containers[1].name: Duplicate value: "a"']],
  ['hostPort conflict', pod({ containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 80, hostPort: 8080 }] }, { name: 'b', image: 'y', ports: [{ containerPort: 81, hostPort: 8080 }] }] }),
    ['spec.containers[1].ports[0].hostPort: Duplicate value: "TCP//8080"']],
  ['env name with =', pod({}, { env: [{ name: 'A=B', value: '1' }] }), [`spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='`]],
  ['env without name', pod({}, { env: [{ value: '1' }] }), ['spec.containers[0].env[0].name: Required value']],
  ['env valueFrom empty', pod({}, { env: [{ name: 'A', valueFrom: {} }] }), ['spec.containers[0].env[0].valueFrom: Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`']],
  ['restartPolicy', pod({ restartPolicy: 'Sometimes' }), ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"']],
  ['dnsPolicy', pod({ dnsPolicy: 'ClusterLast' }), ['spec.dnsPolicy: Unsupported value: "ClusterLast": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"']],
  ['dnsPolicy None without config', pod({ dnsPolicy: 'None' }), ['spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None']],
  ['too many nameservers', pod({ dnsConfig: { nameservers: ['1.1.1.1', '8.8.8.8', '9.9.9.9', '1.0.0.1'] } }),
    ['spec.dnsConfig.nameservers: Invalid value: []string{"1.1.1.1", "8.8.8.8", "9.9.9.9", "1.0.0.1"}: must not have more than 3 nameservers']],
  ['nameserver not an IP', pod({ dnsConfig: { nameservers: ['dns.local'] } }), ['spec.dnsConfig.nameservers[0]: Invalid value: "dns.local": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']],
  ['search domain', pod({ dnsConfig: { searches: ['Bad_Domain'] } }), [`spec.dnsConfig.searches[0]: ${SUBDOMAIN_MSG('Bad_Domain')}`]],
  ['hostAlias IP', pod({ hostAliases: [{ ip: '300.1.1.1', hostnames: ['a'] }] }), ['spec.hostAliases[0].ip: Invalid value: "300.1.1.1": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']],
  ['probe without handler', pod({}, { livenessProbe: { initialDelaySeconds: 1 } }), ['spec.containers[0].livenessProbe: Required value: must specify a handler type']],
  ['liveness successThreshold', pod({}, { livenessProbe: { exec: { command: ['true'] }, successThreshold: 2 } }), ['spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1']],
  ['probe with two handlers', pod({}, { readinessProbe: { exec: { command: ['true'] }, tcpSocket: { port: 80 } } }), ['spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type']],
  ['probe port', pod({}, { readinessProbe: { httpGet: { port: 0 } } }), ['spec.containers[0].readinessProbe.httpGet.port: Invalid value: 0: must be between 1 and 65535, inclusive']],
  ['mount of unknown volume', pod({}, { volumeMounts: [{ name: 'data', mountPath: '/data' }] }), ['spec.containers[0].volumeMounts[0].name: Not found: "data"']],
  ['volume with two sources', pod({ volumes: [{ name: 'v', emptyDir: {}, hostPath: { path: '/tmp' } }] }), ['spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type']],
  ['requests above limits', pod({}, { resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } }), ['spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1']],
  ['toleration without key', pod({ tolerations: [{ operator: 'Equal', value: 'x' }] }), ['spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"']],
  ['toleration seconds need NoExecute', pod({ tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 5 }] }),
    ["spec.tolerations[0].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set"]],
  ['hostname', pod({ hostname: 'Web' }), [`spec.hostname: ${LABEL_MSG('Web')}`]],
  ['hostNetwork port mismatch', pod({ hostNetwork: true }, { ports: [{ containerPort: 80, hostPort: 8080 }] }),
    ['spec.containers[0].ports[0].hostPort: Invalid value: 8080: must match `containerPort` when `hostNetwork` is true']],
  ['activeDeadlineSeconds', pod({ activeDeadlineSeconds: 0 }), ['spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive']],
  ['bad label', { ...pod({}), metadata: { name: 'p', labels: { app: 'web server' } } }, [
    `metadata.labels: Invalid value: "web server": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`]],
  ['generateName', { ...pod({}), metadata: { generateName: 'Web-', name: 'web-abcde' } }, [`metadata.generateName: ${SUBDOMAIN_MSG('Web-')}`]],
];

for (const [name, o, want] of cases) test(`Pod: ${name}`, () => assert.deepEqual(errorsOf(o), want));

function stored(o: KubeObject): KubeObject {
  const c = created(o);
  c.metadata.resourceVersion = '7';
  c.metadata.uid = 'u1';
  c.metadata.creationTimestamp = '2026-01-01T00:00:00Z';
  return c;
}

test('pod updates may change images and add tolerations, but nothing else (a node is bound through pods/binding)', () => {
  const old = stored(pod({}));
  const next = structuredClone(old) as any;
  next.spec.containers[0].image = 'nginx:1.28';
  next.spec.tolerations.push({ key: 'x', operator: 'Exists' });
  next.metadata.labels = { app: 'web' };
  assert.deepEqual(validateUpdate(next, old).map(fieldErrorString), []);
  const bound = structuredClone(next);
  bound.spec.nodeName = 'node-1';
  assert.equal(validateUpdate(bound, old).length, 1);
  next.spec.containers[0].ports[0].containerPort = 8080;
  const errs = validateUpdate(next, old).map(fieldErrorString);
  assert.equal(errs.length, 1);
  assert.ok(errs[0].startsWith('spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n'), errs[0]);
  assert.ok(errs[0].includes('spec.containers[0].ports[0].containerPort'), errs[0]);
});

test('pod updates may not remove containers, tolerations or change the name', () => {
  const old = stored(pod({}));
  const fewer = structuredClone(old) as any;
  fewer.spec.containers = [];
  assert.deepEqual(validateUpdate(fewer, old).map(fieldErrorString).slice(-1), ['spec.containers: Forbidden: pod updates may not add or remove containers']);
  const tol = structuredClone(old) as any;
  tol.spec.tolerations = tol.spec.tolerations.slice(1);
  assert.deepEqual(validateUpdate(tol, old).map(fieldErrorString), ['spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds']);
  const renamed = structuredClone(old) as any;
  renamed.metadata.name = 'other';
  assert.deepEqual(validateUpdate(renamed, old).map(fieldErrorString), ['metadata.name: Invalid value: "other": field is immutable']);
});

test('Pod update: tolerations without tolerationSeconds are unchanged by an update (CoreDNS pods)', () => {
  const old = stored(pod({})) as any;
  old.spec.tolerations = [{ key: 'CriticalAddonsOnly', operator: 'Exists' }, { effect: 'NoSchedule', key: 'node-role.kubernetes.io/control-plane' }];
  const next = structuredClone(old);
  next.spec.containers[0].image = 'nginx:1.28';
  assert.deepEqual(validateUpdate(next, old).map(fieldErrorString), []);
});
