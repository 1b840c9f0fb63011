// Kubernetes protobuf request bodies → the JSON object the same request would have carried.
//
// The body is `k8s\0` followed by a runtime.Unknown: typeMeta {apiVersion=1, kind=2}, raw=2 (the
// object's own message), contentEncoding=3, contentType=4. The object is decoded with the schema tables
// into the JSON Go's encoding/json would print for the same struct, so defaulting, validation and
// storage see no difference between encodings. A field the tables do not know is an error that names
// it: dropping it would silently lose what the client asked for.
import './tables-meta.js';
import './tables-core.js';
import './tables-core-pod.js';
import './tables-apps.js';
import './tables-networking.js';
import './tables-rbac.js';
import './tables-batch.js';
import type { KubeObject } from '../api/object.js';
import { messageSpec, shortName, type FieldSpec, type MessageSpec } from './schema.js';
import {
  asInt32, asInt64, LENGTH_DELIMITED, readFields, readPackedVarints, VARINT, WireError, type WireField,
} from './wire.js';

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

const HOW_TO_AVOID = 'send the object as JSON instead: use kubectl apply -f or kubectl create -f with a YAML manifest';

/** Root message of each apiVersion/kind a client may send as protobuf. */
const ROOTS: Record<string, string> = {
  'v1/Namespace': 'core.Namespace', 'v1/Service': 'core.Service', 'v1/ConfigMap': 'core.ConfigMap',
  'v1/Secret': 'core.Secret', 'v1/ServiceAccount': 'core.ServiceAccount', 'v1/Endpoints': 'core.Endpoints',
  'v1/Event': 'core.Event', 'v1/Node': 'core.Node', 'v1/Pod': 'core.Pod', 'v1/Binding': 'core.Binding',
  'apps/v1/Deployment': 'apps.Deployment', 'apps/v1/ReplicaSet': 'apps.ReplicaSet',
  'networking.k8s.io/v1/Ingress': 'networking.Ingress', 'networking.k8s.io/v1/IngressClass': 'networking.IngressClass',
  'networking.k8s.io/v1/NetworkPolicy': 'networking.NetworkPolicy',
  'discovery.k8s.io/v1/EndpointSlice': 'discovery.EndpointSlice', 'autoscaling/v1/Scale': 'autoscaling.Scale',
  'batch/v1/Job': 'batch.Job', 'batch/v1/CronJob': 'batch.CronJob',
  // DeleteOptions travel with the version of the resource being deleted, or as meta.k8s.io/v1.
  'v1/DeleteOptions': 'meta.DeleteOptions', 'meta.k8s.io/v1/DeleteOptions': 'meta.DeleteOptions',
  'apps/v1/DeleteOptions': 'meta.DeleteOptions', 'networking.k8s.io/v1/DeleteOptions': 'meta.DeleteOptions',
  'discovery.k8s.io/v1/DeleteOptions': 'meta.DeleteOptions',
  'rbac.authorization.k8s.io/v1/Role': 'rbac.Role', 'rbac.authorization.k8s.io/v1/ClusterRole': 'rbac.ClusterRole',
  'rbac.authorization.k8s.io/v1/RoleBinding': 'rbac.RoleBinding',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': 'rbac.ClusterRoleBinding',
  'rbac.authorization.k8s.io/v1/DeleteOptions': 'meta.DeleteOptions',
  'authorization.k8s.io/v1/SelfSubjectAccessReview': 'authorization.SelfSubjectAccessReview',
  'authorization.k8s.io/v1/SelfSubjectRulesReview': 'authorization.SelfSubjectRulesReview',
  'authorization.k8s.io/v1/SubjectAccessReview': 'authorization.SubjectAccessReview',
  'authorization.k8s.io/v1/LocalSubjectAccessReview': 'authorization.LocalSubjectAccessReview',
  'authentication.k8s.io/v1/SelfSubjectReview': 'authentication.SelfSubjectReview',
  'batch/v1/DeleteOptions': 'meta.DeleteOptions',
};

/** A body that cannot be decoded; the message says what was wrong and how to get the request through. */
export class ProtobufDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufDecodeError';
  }
}

/** True when a body starts with the Kubernetes protobuf magic number. */
export function hasProtobufMagic(body: Buffer): boolean {
  return body.length >= MAGIC.length && body.subarray(0, MAGIC.length).equals(MAGIC);
}

/** Decodes a `k8s\0`-prefixed protobuf body into `{apiVersion, kind, metadata, ...}`. */
export function decodeKubernetesProtobuf(body: Buffer): KubeObject {
  if (!hasProtobufMagic(body)) {
    throw new ProtobufDecodeError(`the protobuf body does not start with the Kubernetes magic number "k8s\\0"; ${HOW_TO_AVOID}`);
  }
  try {
    const unknown = readFields(body.subarray(MAGIC.length));
    let apiVersion = '';
    let kind = '';
    let raw: Buffer | undefined;
    let contentEncoding = '';
    let contentType = '';
    for (const f of unknown) {
      if (f.wire !== LENGTH_DELIMITED) throw new ProtobufDecodeError(`runtime.Unknown field ${f.number} has wire type ${f.wire}, expected length-delimited`);
      if (f.number === 1) {
        for (const t of readFields(f.value)) {
          if (t.wire !== LENGTH_DELIMITED) continue;
          if (t.number === 1) apiVersion = t.value.toString('utf8');
          else if (t.number === 2) kind = t.value.toString('utf8');
        }
      } else if (f.number === 2) raw = f.value;
      else if (f.number === 3) contentEncoding = f.value.toString('utf8');
      else if (f.number === 4) contentType = f.value.toString('utf8');
    }
    if (contentEncoding) throw new ProtobufDecodeError(`the protobuf body uses content encoding "${contentEncoding}", which podnet does not support; ${HOW_TO_AVOID}`);
    if (contentType && contentType !== PROTOBUF_CONTENT_TYPE) {
      throw new ProtobufDecodeError(`the protobuf envelope wraps content of type "${contentType}"; podnet decodes only ${PROTOBUF_CONTENT_TYPE}`);
    }
    if (!kind || !apiVersion) throw new ProtobufDecodeError(`the protobuf body has no apiVersion/kind in its envelope; ${HOW_TO_AVOID}`);
    const root = ROOTS[`${apiVersion}/${kind}`];
    const spec = root ? messageSpec(root) : undefined;
    if (!spec) {
      throw new ProtobufDecodeError(`podnet cannot decode ${kind} (${apiVersion}) from protobuf: it has no protobuf tables for that kind; ${HOW_TO_AVOID}`);
    }
    const obj = decodeMessage(raw ?? Buffer.alloc(0), spec, '');
    return { apiVersion, kind, ...obj } as KubeObject;
  } catch (e) {
    if (e instanceof WireError || e instanceof RangeError) {
      throw new ProtobufDecodeError(`the protobuf body is malformed: ${e.message}; ${HOW_TO_AVOID}`);
    }
    throw e;
  }
}

function fieldPath(parent: string, json: string): string {
  return parent ? `${parent}.${json}` : json;
}

/** Decodes one message into a JSON object, following its table. */
function decodeMessage(buf: Buffer, spec: MessageSpec, path: string): Record<string, unknown> {
  const byField = new Map<number, WireField[]>();
  for (const f of readFields(buf)) {
    const field = spec.byNumber.get(f.number);
    if (!field) {
      throw new ProtobufDecodeError(`protobuf field ${f.number} of message ${shortName(spec.name)}${path ? ` (at ${path})` : ''} is not known to podnet's protobuf tables, so it cannot be decoded without losing data; ${HOW_TO_AVOID}`);
    }
    const list = byField.get(f.number);
    if (list) list.push(f);
    else byField.set(f.number, [f]);
  }
  const out: Record<string, unknown> = {};
  for (const field of spec.fields) {
    const occurrences = byField.get(field.number);
    const at = field.inline ? path : fieldPath(path, field.json);
    if (!occurrences) {
      // Go's encoding/json prints a nil slice or map without omitempty as null.
      if ((field.repeated || field.map) && field.keepZero) out[field.json] = null;
      continue;
    }
    if (field.map) out[field.json] = decodeMap(occurrences, field, at, spec);
    else if (field.repeated) out[field.json] = decodeRepeated(occurrences, field, at, spec);
    else if (isScalar(field.type)) {
      const v = decodeScalar(occurrences[occurrences.length - 1], field, at, spec);
      if (field.keepZero || !isZero(v)) out[field.json] = v;
    } else {
      // A singular message seen more than once merges, which for protobuf is concatenation.
      const bytes = Buffer.concat(occurrences.map((o) => expectBytes(o, field, spec)));
      const v = decodeValue(bytes, field.type, at);
      if (field.inline) Object.assign(out, v);
      else out[field.json] = v;
    }
  }
  return out;
}

function isScalar(type: string): boolean {
  return !type.includes('.');
}

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}

function wireMismatch(f: WireField, field: FieldSpec, spec: MessageSpec): ProtobufDecodeError {
  return new ProtobufDecodeError(`protobuf field ${f.number} (${field.json}) of message ${shortName(spec.name)} has wire type ${f.wire}, which does not match its type ${field.type}; the body was not written for this schema`);
}

function expectBytes(f: WireField, field: FieldSpec, spec: MessageSpec): Buffer {
  if (f.wire !== LENGTH_DELIMITED) throw wireMismatch(f, field, spec);
  return f.value;
}

function decodeScalar(f: WireField, field: FieldSpec, path: string, spec: MessageSpec): unknown {
  switch (field.type) {
    case 's': return expectBytes(f, field, spec).toString('utf8');
    case 'bytes': return expectBytes(f, field, spec).toString('base64');
    case 'b':
    case 'i32':
    case 'i64': {
      if (f.wire !== VARINT) throw wireMismatch(f, field, spec);
      return varintValue(f.value, field.type, path);
    }
    default:
      throw new Error(`protobuf schema: unknown scalar type ${field.type} at ${path}`);
  }
}

function varintValue(v: bigint, type: string, path: string): unknown {
  if (type === 'b') return v !== 0n;
  if (type === 'i32') return asInt32(v);
  try {
    return asInt64(v);
  } catch (e) {
    throw new ProtobufDecodeError(`${path}: ${(e as Error).message}`);
  }
}

function decodeRepeated(occurrences: WireField[], field: FieldSpec, path: string, spec: MessageSpec): unknown[] {
  const out: unknown[] = [];
  for (const f of occurrences) {
    if (isScalar(field.type)) {
      // Numeric lists may arrive packed (one length-delimited run of varints) or one element per tag.
      if (field.type !== 's' && field.type !== 'bytes' && f.wire === LENGTH_DELIMITED) {
        for (const v of readPackedVarints(f.value)) out.push(varintValue(v, field.type, `${path}[${out.length}]`));
      } else out.push(decodeScalar(f, field, `${path}[${out.length}]`, spec));
    } else {
      out.push(decodeValue(expectBytes(f, field, spec), field.type, `${path}[${out.length}]`));
    }
  }
  return out;
}

/** Map entries are messages {key=1, value=2}; a missing value is the zero value of its type. */
function decodeMap(occurrences: WireField[], field: FieldSpec, path: string, spec: MessageSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of occurrences) {
    let key = '';
    let value: unknown = zeroValue(field.type);
    for (const e of readFields(expectBytes(f, field, spec))) {
      if (e.number === 1 && e.wire === LENGTH_DELIMITED) key = e.value.toString('utf8');
      else if (e.number === 2) {
        value = isScalar(field.type)
          ? decodeScalar(e, field, `${path}.${key}`, spec)
          : decodeValue(expectBytes(e, field, spec), field.type, `${path}.${key}`);
      } else {
        throw new ProtobufDecodeError(`protobuf map entry of ${field.json} in message ${shortName(spec.name)} has an unexpected field ${e.number}; the body was not written for this schema`);
      }
    }
    out[key] = value;
  }
  return out;
}

function zeroValue(type: string): unknown {
  switch (type) {
    case 's':
    case 'bytes': return '';
    case 'b': return false;
    case 'i32':
    case 'i64': return 0;
    case 'resource.Quantity': return '0';
    default: return {};
  }
}

/** Decodes a message-typed value: the special JSON forms, or an object by table. */
function decodeValue(buf: Buffer, type: string, path: string): unknown {
  switch (type) {
    case 'meta.Time': return timeValue(buf, false);
    case 'meta.MicroTime': return timeValue(buf, true);
    case 'resource.Quantity': return quantityValue(buf);
    case 'intstr.IntOrString': return intOrStringValue(buf);
    case 'meta.FieldsV1': return fieldsV1Value(buf, path);
    default: {
      const spec = messageSpec(type);
      if (!spec) throw new Error(`protobuf schema: no table for ${type} at ${path}`);
      return decodeMessage(buf, spec, path);
    }
  }
}

/** Seconds of Go's zero time.Time (0001-01-01T00:00:00Z) since the Unix epoch. */
const GO_ZERO_TIME = -62135596800;

/**
 * Time {seconds=1, nanos=2} as Go prints it: RFC 3339 in UTC, whole seconds for Time, microseconds for
 * MicroTime. Go writes a zero time as an empty message and prints it as null.
 */
function timeValue(buf: Buffer, micro: boolean): string | null {
  let seconds = 0;
  let nanos = 0;
  for (const f of readFields(buf)) {
    if (f.wire !== VARINT) continue;
    if (f.number === 1) seconds = asInt64(f.value);
    else if (f.number === 2) nanos = asInt32(f.value);
  }
  if (buf.length === 0 || (seconds === GO_ZERO_TIME && nanos === 0)) return null;
  const iso = new Date(seconds * 1000).toISOString(); // 2024-01-02T03:04:05.000Z
  const whole = iso.slice(0, 19);
  return micro ? `${whole}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z` : `${whole}Z`;
}

function quantityValue(buf: Buffer): string {
  let s = '';
  for (const f of readFields(buf)) if (f.number === 1 && f.wire === LENGTH_DELIMITED) s = f.value.toString('utf8');
  return s;
}

/** IntOrString {type=1 (0 int, 1 string), intVal=2, strVal=3} → the number or the string. */
function intOrStringValue(buf: Buffer): number | string {
  let type = 0;
  let intVal = 0;
  let strVal = '';
  for (const f of readFields(buf)) {
    if (f.number === 1 && f.wire === VARINT) type = Number(f.value);
    else if (f.number === 2 && f.wire === VARINT) intVal = asInt32(f.value);
    else if (f.number === 3 && f.wire === LENGTH_DELIMITED) strVal = f.value.toString('utf8');
  }
  return type === 1 ? strVal : intVal;
}

/** FieldsV1 {Raw=1} holds the managed-fields trie as JSON text. */
function fieldsV1Value(buf: Buffer, path: string): unknown {
  let raw = '';
  for (const f of readFields(buf)) if (f.number === 1 && f.wire === LENGTH_DELIMITED) raw = f.value.toString('utf8');
  if (!raw) return {};
  try {
    return JSON.parse(raw);
  } catch {
    throw new ProtobufDecodeError(`${path} holds FieldsV1 that is not valid JSON`);
  }
}
