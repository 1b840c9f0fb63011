import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeKubernetesProtobuf, hasProtobufMagic, ProtobufDecodeError } from './index.js';
import { allMessageSpecs } from './schema.js';
import { bytes, entry, envelope, fixed32, msg, rawTag, varint, vint } from './encode.case.js';

// ObjectMeta as gogo writes it for a fresh object: every non-pointer field present, even when empty.
const meta = (name: string, ...extra: Buffer[]) => msg(1,
  bytes(1, name), bytes(2, ''), bytes(3, ''), bytes(4, ''), bytes(5, ''), bytes(6, ''), vint(7, 0), msg(8), ...extra);

const decode = (apiVersion: string, kind: string, ...fields: Buffer[]) =>
  decodeKubernetesProtobuf(envelope(apiVersion, kind, Buffer.concat(fields)));

test('every table parses, every referenced message has a table and field numbers are unique', () => {
  const specs = allMessageSpecs();
  assert.ok(specs.length > 100, `only ${specs.length} tables`);
  for (const s of specs) {
    assert.equal(new Set(s.fields.map((f) => f.json)).size, s.fields.length, `${s.name} repeats a JSON name`);
  }
});

test('a Namespace as kubectl writes it decodes to the JSON kubectl would print', () => {
  assert.deepEqual(decode('v1', 'Namespace', meta('foo'), msg(2), msg(3, bytes(1, ''))), {
    apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'foo', creationTimestamp: null }, spec: {}, status: {},
  });
});

test('zero values: kept for pointer fields (replicas: 0), dropped for omitempty fields', () => {
  const container = msg(2, bytes(1, 'c'), bytes(2, 'img'), bytes(5, ''), msg(8), vint(16, false));
  const spec = msg(2, vint(1, 0), vint(5, 0), vint(7, false), msg(3, meta(''), msg(2, container)), msg(4, bytes(1, '')));
  const d = decode('apps/v1', 'Deployment', meta('web'), spec, msg(3));
  assert.deepEqual(d.spec, {
    replicas: 0,
    template: { metadata: { creationTimestamp: null }, spec: { containers: [{ name: 'c', image: 'img', resources: {} }] } },
    strategy: {},
  });
  assert.deepEqual(d.status, {});
});

test('negative int32 values, sign-extended to ten bytes on the wire, decode as negative numbers', () => {
  assert.equal(decode('v1', 'Event', meta('e'), msg(2), vint(8, -5)).count, -5);
});

test('Time is RFC 3339 in whole seconds, MicroTime keeps microseconds, an empty Time is null', () => {
  const e = decode('v1', 'Event', meta('e'), msg(2),
    msg(6, vint(1, 1700000000), vint(2, 123456789)), msg(7), msg(10, vint(1, 1700000000), vint(2, 123456789)));
  assert.equal(e.firstTimestamp, '2023-11-14T22:13:20Z');
  assert.equal(e.lastTimestamp, null);
  assert.equal(e.eventTime, '2023-11-14T22:13:20.123456Z');
});

test('Secret data and ConfigMap binaryData are bytes, printed as base64; stringData stays text', () => {
  const s = decode('v1', 'Secret', meta('s'), entry(2, 'k', Buffer.from([0, 1, 255])), entry(4, 'p', 'plain'), bytes(3, 'Opaque'), vint(5, true));
  assert.deepEqual({ data: s.data, stringData: s.stringData, type: s.type, immutable: s.immutable },
    { data: { k: 'AAH/' }, stringData: { p: 'plain' }, type: 'Opaque', immutable: true });
  const cm = decode('v1', 'ConfigMap', meta('c'), entry(2, 'a', 'b'), entry(3, 'bin', Buffer.from('hi')));
  assert.deepEqual([cm.data, cm.binaryData], [{ a: 'b' }, { bin: 'aGk=' }]);
});

test('IntOrString is a number or a string; Quantity maps are strings', () => {
  const port = (...f: Buffer[]) => msg(1, bytes(1, 'p'), bytes(2, 'TCP'), vint(3, 80), msg(4, ...f), vint(5, 0));
  const svc = decode('v1', 'Service', meta('s'), msg(2, port(vint(1, 1), vint(2, 0), bytes(3, 'http')), port(vint(1, 0), vint(2, 8080), bytes(3, ''))));
  assert.deepEqual((svc.spec as any).ports.map((p: any) => p.targetPort), ['http', 8080]);
  const res = msg(8, entry(1, 'cpu', bytes(1, '500m'), true), entry(2, 'memory', bytes(1, '64Mi'), true));
  const pod = decode('v1', 'Pod', meta('p'), msg(2, msg(2, bytes(1, 'c'), res)));
  assert.deepEqual((pod.spec as any).containers[0].resources, { limits: { cpu: '500m' }, requests: { memory: '64Mi' } });
});

test('inline fields merge into their parent: Probe handler, key selectors, volume sources, ingress rules', () => {
  const probe = msg(10, msg(1, msg(2, bytes(1, '/healthz'), msg(2, vint(1, 0), vint(2, 8080)))), vint(2, 5), vint(3, 0));
  const env = msg(7, bytes(1, 'X'), bytes(2, ''), msg(3, msg(3, msg(1, bytes(1, 'cm')), bytes(2, 'key'))));
  const volume = msg(1, bytes(1, 'v'), msg(2, msg(19, msg(1, bytes(1, 'cm')), vint(3, 420))));
  const pod = decode('v1', 'Pod', meta('p'), msg(2, volume, msg(2, bytes(1, 'c'), env, probe)));
  const spec = pod.spec as any;
  assert.deepEqual(spec.containers[0].livenessProbe, { httpGet: { path: '/healthz', port: 8080 }, initialDelaySeconds: 5 });
  assert.deepEqual(spec.containers[0].env, [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cm', key: 'key' } } }]);
  assert.deepEqual(spec.volumes, [{ name: 'v', configMap: { name: 'cm', defaultMode: 420 } }]);
  const ing = decode('networking.k8s.io/v1', 'Ingress', meta('i'), msg(2, msg(3, bytes(1, 'a.com'), msg(2, msg(1)))));
  assert.deepEqual((ing.spec as any).rules, [{ host: 'a.com', http: { paths: null } }]);
});

test('numeric lists are read both unpacked and packed', () => {
  const unpacked = msg(14, vint(4, 1000), vint(4, 2000));
  const packed = msg(14, bytes(4, Buffer.concat([varint(3000), varint(4000)])));
  for (const [sc, want] of [[unpacked, [1000, 2000]], [packed, [3000, 4000]]] as const) {
    const pod = decode('v1', 'Pod', meta('p'), msg(2, msg(2, bytes(1, 'c')), sc));
    assert.deepEqual((pod.spec as any).securityContext.supplementalGroups, want);
  }
});

test('an absent list whose Go JSON tag has no omitempty is null, like Go prints a nil slice', () => {
  const slice = decode('discovery.k8s.io/v1', 'EndpointSlice', meta('s'), bytes(4, 'IPv4'));
  assert.equal(slice.endpoints, null);
  assert.equal(slice.addressType, 'IPv4');
  assert.equal('ports' in slice, false);
});

test('a singular message field sent twice is merged, as protobuf specifies', () => {
  const ns = decode('v1', 'Namespace', meta('a'), msg(1, msg(11, bytes(1, 'x'), bytes(2, '1'))));
  assert.deepEqual(ns.metadata, { name: 'a', creationTimestamp: null, labels: { x: '1' } });
});

test('managedFields keep their FieldsV1 trie as JSON', () => {
  const mf = msg(17, bytes(1, 'kubectl'), bytes(2, 'Update'), bytes(3, 'v1'), msg(4, vint(1, 0)), bytes(6, 'FieldsV1'),
    msg(7, bytes(1, '{"f:metadata":{"f:labels":{}}}')), bytes(8, ''));
  const ns = decode('v1', 'Namespace', meta('a', mf));
  assert.deepEqual(ns.metadata.managedFields, [{
    manager: 'kubectl', operation: 'Update', apiVersion: 'v1', time: '1970-01-01T00:00:00Z', fieldsType: 'FieldsV1',
    fieldsV1: { 'f:metadata': { 'f:labels': {} } },
  }]);
});

test('DeleteOptions decode with pointer fields kept', () => {
  const d = decode('v1', 'DeleteOptions', vint(1, 0), bytes(4, 'Background'), bytes(5, 'All'));
  assert.deepEqual(d, { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, propagationPolicy: 'Background', dryRun: ['All'] });
});

function assertDecodeError(body: Buffer, pattern: RegExp): void {
  assert.throws(() => decodeKubernetesProtobuf(body), (e: unknown) => {
    assert.ok(e instanceof ProtobufDecodeError, `not a ProtobufDecodeError: ${e}`);
    assert.match(e.message, pattern);
    return true;
  });
}

test('a field the tables do not know is an error naming the message, number and path, never dropped', () => {
  const pod = envelope('v1', 'Pod', Buffer.concat([meta('p'), msg(2, msg(2, bytes(1, 'c'), bytes(99, 'new')))]));
  assertDecodeError(pod, /protobuf field 99 of message Container \(at spec\.containers\[0\]\) is not known.*kubectl apply -f or kubectl create -f with a YAML manifest/);
  // A volume source podnet has no table for (gcePersistentDisk = 3) is reported the same way.
  const gce = envelope('v1', 'Pod', Buffer.concat([meta('p'), msg(2, msg(1, bytes(1, 'v'), msg(2, msg(3, bytes(1, 'pd')))))]));
  assertDecodeError(gce, /field 3 of message VolumeSource \(at spec\.volumes\[0\]\)/);
});

test('a kind without tables, a missing magic number and malformed bytes are clear errors', () => {
  assertDecodeError(envelope('storage.k8s.io/v1', 'StorageClass', meta('j')), /cannot decode StorageClass \(storage.k8s.io\/v1\) from protobuf: it has no protobuf tables.*YAML manifest/);
  assertDecodeError(Buffer.from('{"kind":"Pod"}'), /does not start with the Kubernetes magic number/);
  const truncated = envelope('v1', 'Namespace', meta('foo')).subarray(0, 20);
  assertDecodeError(truncated, /malformed/);
  assertDecodeError(envelope('v1', 'Namespace', Buffer.concat([rawTag(3, 3)])), /unsupported wire type 3/);
  assertDecodeError(envelope('v1', 'Namespace', fixed32(1)), /wire type 5/);
  assert.equal(hasProtobufMagic(Buffer.from('k8s\0')), true);
  assert.equal(hasProtobufMagic(Buffer.from('k8s')), false);
});
