// The shape every Kubernetes API object shares. Objects travel as plain JSON; kind-specific code reads
// the fields it needs through these loose types rather than through generated classes.

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string | null;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: unknown[];
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/** A JSON value as it arrives on the wire. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Any JSON object with unknown fields, for kind-specific code that walks specs. */
export type JsonObject = Record<string, any>;

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep copy of a JSON value (objects here never hold Dates, Maps or cycles). */
export function deepCopy<T>(v: T): T {
  return structuredClone(v);
}

/** `namespace/name`, or `name` for cluster-scoped objects: the key controllers use. */
export function objectKey(obj: { metadata: ObjectMeta }): string {
  const { namespace, name } = obj.metadata;
  return namespace ? `${namespace}/${name}` : `${name}`;
}
