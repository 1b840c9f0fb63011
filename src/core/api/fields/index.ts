// Strict decoding: the fields of an object that its kind does not have, named as kube-apiserver names
// them in `strict decoding error: unknown field "spec.containers[0].imagee"`. The field sets come from
// the generated model classes of @kubernetes/client-node (their attributeTypeMap), loaded one model
// file at a time when first needed: importing the whole package costs about half a second at startup,
// a single model file a few milliseconds.
import { createRequire } from 'node:module';
import { isJsonObject, type KubeObject } from '../object.js';

interface Attribute { name: string; baseName: string; type: string }
interface Model { fields: Map<string, string> }

const require = createRequire(import.meta.url);
const models = new Map<string, Model | null>();

/** The root model of each kind podnet serves (plus the subresource kinds clients send). */
const ROOT_MODELS: Record<string, string> = {
  'v1/Pod': 'V1Pod', 'v1/Service': 'V1Service', 'v1/Endpoints': 'V1Endpoints', 'v1/ConfigMap': 'V1ConfigMap',
  'v1/Secret': 'V1Secret', 'v1/Event': 'CoreV1Event', 'v1/ServiceAccount': 'V1ServiceAccount', 'v1/Namespace': 'V1Namespace',
  'v1/Node': 'V1Node', 'v1/Binding': 'V1Binding', 'apps/v1/Deployment': 'V1Deployment', 'apps/v1/ReplicaSet': 'V1ReplicaSet',
  'discovery.k8s.io/v1/EndpointSlice': 'V1EndpointSlice', 'networking.k8s.io/v1/Ingress': 'V1Ingress',
  'networking.k8s.io/v1/IngressClass': 'V1IngressClass', 'networking.k8s.io/v1/NetworkPolicy': 'V1NetworkPolicy',
  'apps/v1/DaemonSet': 'V1DaemonSet', 'apps/v1/StatefulSet': 'V1StatefulSet', 'apps/v1/ControllerRevision': 'V1ControllerRevision',
  'batch/v1/Job': 'V1Job', 'batch/v1/CronJob': 'V1CronJob',
  'autoscaling/v1/Scale': 'V1Scale', 'coordination.k8s.io/v1/Lease': 'V1Lease',
  'rbac.authorization.k8s.io/v1/Role': 'V1Role', 'rbac.authorization.k8s.io/v1/ClusterRole': 'V1ClusterRole',
  'rbac.authorization.k8s.io/v1/RoleBinding': 'V1RoleBinding', 'rbac.authorization.k8s.io/v1/ClusterRoleBinding': 'V1ClusterRoleBinding',
  'authorization.k8s.io/v1/SelfSubjectAccessReview': 'V1SelfSubjectAccessReview',
  'authorization.k8s.io/v1/SelfSubjectRulesReview': 'V1SelfSubjectRulesReview',
  'authorization.k8s.io/v1/SubjectAccessReview': 'V1SubjectAccessReview',
  'authorization.k8s.io/v1/LocalSubjectAccessReview': 'V1LocalSubjectAccessReview',
  'authentication.k8s.io/v1/SelfSubjectReview': 'V1SelfSubjectReview',
};

/** Types whose values are leaves for strict decoding: scalars, free-form values, IntOrString, times. */
const LEAF_TYPES = new Set(['string', 'number', 'boolean', 'Date', 'any', 'object', 'IntOrString', 'V1MicroTime', 'V1Time']);

/** Loads a model's attribute map by class name; null for names that are not model classes. */
function model(name: string): Model | null {
  if (models.has(name)) return models.get(name)!;
  let m: Model | null = null;
  if (/^[A-Za-z0-9]+$/.test(name) && !LEAF_TYPES.has(name)) {
    try {
      const mod = require(`@kubernetes/client-node/dist/gen/models/${name}.js`) as Record<string, { attributeTypeMap?: Attribute[] }>;
      const attrs = mod[name]?.attributeTypeMap;
      if (Array.isArray(attrs)) m = { fields: new Map(attrs.map((a) => [a.baseName, a.type])) };
    } catch {
      m = null; // no such model file: the type is opaque to strict decoding
    }
  }
  models.set(name, m);
  return m;
}

function walk(value: unknown, type: string, path: string, out: string[]): void {
  if (value === null || value === undefined || LEAF_TYPES.has(type)) return;
  const arrayOf = /^Array<(.+)>$/.exec(type);
  if (arrayOf) {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, arrayOf[1], `${path}[${i}]`, out));
    return;
  }
  const mapOf = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (mapOf) {
    if (isJsonObject(value)) for (const [k, v] of Object.entries(value)) walk(v, mapOf[1], `${path}.${k}`, out);
    return;
  }
  const m = model(type);
  if (!m || !isJsonObject(value)) return;
  for (const [k, v] of Object.entries(value)) {
    const childPath = path ? `${path}.${k}` : k;
    const childType = m.fields.get(k);
    if (childType === undefined) out.push(childPath);
    else walk(v, childType, childPath, out);
  }
}

/** Whether unknownFields knows the kind's field set. */
export function knowsKind(apiVersion: string, kind: string): boolean {
  return `${apiVersion}/${kind}` in ROOT_MODELS;
}

/**
 * Paths of the fields `obj` has that its kind does not (`spec.containers[0].imagee`), in document order.
 * Throws for a kind it has no field set for, so callers can tell "no unknown fields" from "cannot tell".
 */
export function unknownFields(obj: KubeObject): string[] {
  const root = ROOT_MODELS[`${obj.apiVersion}/${obj.kind}`];
  if (!root) throw new Error(`no field set for ${obj.apiVersion}, Kind=${obj.kind}: strict decoding cannot check it`);
  const out: string[] = [];
  walk(obj, root, '', out);
  return out;
}
