// OpenAPI component schemas for the kinds podnet serves, as kube-apiserver publishes them: one schema
// per Go type under its upstream name (io.k8s.api.core.v1.PodSpec), upstream descriptions, required
// fields, `x-kubernetes-group-version-kind` on each kind, and the list/patch metadata clients act on:
// `x-kubernetes-patch-strategy`/`-patch-merge-key` (kubectl computes strategic merge patches from them)
// and `x-kubernetes-list-type`/`-list-map-keys`/`-map-type` (server-side apply's field ownership).
//
// Types and descriptions come from @kubernetes/client-node's models (models.ts); the patch metadata
// from the strategic-merge-patch tables (core/patch/schemas.ts), so the two patch mechanisms cannot
// disagree about a list. A kind added to the resource registry gets its schema with no further work.
import { lookupField, schemaFor, OPAQUE, type StructSchema, type FieldMeta } from '../patch/schemas.js';
import { loadModel, modelNameForKind, type Model, type ModelProperty } from './models.js';

export type Schema = Record<string, unknown>;

export interface Gvk { group: string; version: string; kind: string }

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
/** apimachinery's types, which every group shares. */
const META_TYPES = new Set([
  'ObjectMeta', 'ListMeta', 'LabelSelector', 'LabelSelectorRequirement', 'ManagedFieldsEntry', 'OwnerReference',
  'Condition', 'Status', 'StatusDetails', 'StatusCause', 'DeleteOptions', 'Preconditions', 'WatchEvent', 'APIResource',
]);

/**
 * Structs marked `+structType=atomic` upstream: server-side apply owns them as a whole (a selector is
 * replaced, never merged field by field).
 */
const ATOMIC_STRUCTS = new Set([
  'V1LabelSelector', 'V1NodeSelector', 'V1NodeSelectorTerm', 'V1TopologySelectorTerm', 'V1LocalObjectReference',
  'V1ObjectReference', 'V1TypedLocalObjectReference', 'V1SecretKeySelector', 'V1ConfigMapKeySelector',
  'V1ObjectFieldSelector', 'V1ResourceFieldSelector',
]);

/** Map fields marked `+mapType=atomic` upstream: a Service's selector is replaced whole, never merged. */
const ATOMIC_MAPS: Record<string, string[]> = {
  V1ServiceSpec: ['selector'],
  V1PodSpec: ['nodeSelector'],
};

/** Defaults of list-map key fields (+default=), which server-side apply uses when an item omits the key. */
const KEY_DEFAULTS: Record<string, Record<string, string>> = {
  V1ContainerPort: { protocol: 'TCP' },
  V1ServicePort: { protocol: 'TCP' },
};

export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

/** The upstream schema name of a client-node class: V1PodSpec → io.k8s.api.core.v1.PodSpec. */
export function schemaName(className: string, group: string): string {
  const m = /^([A-Z][a-z]+)?(V\d+(?:alpha\d+|beta\d+)?)([A-Z].*)$/.exec(className);
  if (!m) return className;
  const version = m[2].toLowerCase();
  const type = m[3];
  if (META_TYPES.has(type) && version === 'v1') return `${META}.${type}`;
  const pkg = m[1] ? m[1].toLowerCase() : group ? group.split('.')[0] : 'core';
  return `io.k8s.api.${pkg}.${version}.${type}`;
}

interface Builder {
  schemas: Map<string, Schema>;
  /** Which group's package a class belongs to, fixed by the first kind that reaches it. */
  owner: Map<string, string>;
}

const CORE_SEEDS = ['V1PodTemplate', 'V1TypedLocalObjectReference', 'V1TopologySelectorTerm'];

/** Core kinds first: a type shared by groups (PodTemplateSpec) belongs to the core package. */
function coreFirst(kinds: readonly Gvk[]): Gvk[] {
  return [...kinds].sort((x, y) => (x.group === '' ? 0 : 1) - (y.group === '' ? 0 : 1));
}

/** Which group's package each class reached from `kinds` lives in: the first kind to reach it decides. */
function owners(kinds: readonly Gvk[]): Map<string, string> {
  const owner = new Map<string, string>();
  const walk = (cls: string, group: string) => {
    if (owner.has(cls)) return;
    const m = loadModel(cls);
    if (!m) return;
    owner.set(cls, group);
    for (const p of m.properties) { const inner = innerModel(p.type); if (inner) walk(inner, group); }
  };
  // Core types other groups use though no core kind podnet serves reaches them.
  for (const cls of CORE_SEEDS) walk(cls, '');
  for (const k of coreFirst(kinds)) {
    const cls = modelNameForKind(k.group, k.version, k.kind);
    if (cls) walk(cls, k.group);
  }
  return owner;
}

/**
 * Component schemas for `kinds` (their lists included) and every type they reach, keyed by name.
 * `all` (every kind served) decides the package names of shared types, so each document names a
 * type as the others do.
 */
export function buildComponents(kinds: readonly Gvk[], all: readonly Gvk[] = kinds): Map<string, Schema> {
  const b: Builder = { schemas: new Map(), owner: owners(all) };
  for (const k of coreFirst(kinds)) {
    const cls = modelNameForKind(k.group, k.version, k.kind);
    if (!cls) continue;
    const apiVersion = k.group ? `${k.group}/${k.version}` : k.version;
    visit(b, cls, k.group, schemaFor(apiVersion, k.kind) ?? OPAQUE);
    tagKind(b, cls, k, k.kind);
    const listCls = modelNameForKind(k.group, k.version, `${k.kind}List`);
    if (listCls) {
      visit(b, listCls, k.group, OPAQUE);
      tagKind(b, listCls, k, `${k.kind}List`);
    }
  }
  b.schemas.set(INT_OR_STRING, {
    description: 'IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.',
    type: 'string', format: 'int-or-string', 'x-kubernetes-int-or-string': true,
  });
  return b.schemas;
}

function tagKind(b: Builder, cls: string, k: Gvk, kind: string): void {
  const s = b.schemas.get(nameOf(b, cls));
  if (s) s['x-kubernetes-group-version-kind'] = [{ group: k.group, kind, version: k.version }];
}

function nameOf(b: Builder, cls: string): string {
  return schemaName(cls, b.owner.get(cls) ?? '');
}

/** Adds the schema of class `cls` (and what it reaches), merging patch metadata met on this path. */
function visit(b: Builder, cls: string, group: string, struct: StructSchema): void {
  const model = loadModel(cls);
  if (!model) return;
  if (!b.owner.has(cls)) b.owner.set(cls, group);
  const name = nameOf(b, cls);
  const seen = b.schemas.get(name);
  // A type reached again with no new patch metadata below it has nothing left to add.
  if (seen && struct === OPAQUE) return;
  const schema = seen ?? modelSchema(b, model);
  if (!seen) b.schemas.set(name, schema);
  const props = schema.properties as Record<string, Schema> | undefined;
  for (const p of model.properties) {
    const { meta, schema: sub } = lookupField(struct, p.name);
    if (props?.[p.name]) addPatchMeta(props[p.name], meta, p);
    const inner = innerModel(p.type);
    if (inner && (!seen || sub !== OPAQUE)) visit(b, inner, b.owner.get(cls) ?? group, sub);
  }
}

/** The model a property holds or lists, if any. */
function innerModel(type: string): string | undefined {
  const t = /^Array<(.+)>$/.exec(type)?.[1] ?? /^\{ \[key: string\]: (.+); \}$/.exec(type)?.[1] ?? type;
  return loadModel(t) ? t : undefined;
}

function modelSchema(b: Builder, model: Model): Schema {
  const properties: Record<string, Schema> = {};
  const required: string[] = [];
  for (const p of model.properties) {
    properties[p.name] = propertySchema(b, p.type, p.format, p.description, model.name, p.name);
    if (p.required) required.push(p.name);
  }
  const s: Schema = {};
  if (model.description) s.description = model.description;
  s.type = 'object';
  s.properties = properties;
  if (required.length) s.required = required;
  if (ATOMIC_STRUCTS.has(model.name)) s['x-kubernetes-map-type'] = 'atomic';
  return s;
}

function propertySchema(b: Builder, type: string, format: string, description: string | undefined, owner: string, field: string): Schema {
  const s = typeSchema(b, type, format, owner);
  const isRef = Array.isArray(s.allOf);
  const desc = description ?? (isRef ? loadModel(type)?.description : undefined);
  const out: Schema = desc ? { description: desc, ...s } : s;
  if (ATOMIC_MAPS[owner]?.includes(field)) out['x-kubernetes-map-type'] = 'atomic';
  const def = KEY_DEFAULTS[owner]?.[field];
  if (def !== undefined) out.default = def;
  return out;
}

function typeSchema(b: Builder, type: string, format: string, owner: string): Schema {
  const arr = /^Array<(.+)>$/.exec(type);
  if (arr) return { type: 'array', items: typeSchema(b, arr[1], format, owner) };
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return { type: 'object', additionalProperties: typeSchema(b, map[1], format, owner) };
  switch (type) {
    case 'string': return format ? { type: 'string', format } : { type: 'string' };
    case 'number': return format === 'double' ? { type: 'number', format } : { type: 'integer', format: format || 'int64' };
    case 'boolean': return { type: 'boolean' };
    case 'Date': return { type: 'string', format: 'date-time' };
    case 'V1MicroTime': case 'V1Time': return { type: 'string', format: 'date-time' };
    case 'IntOrString': return { allOf: [{ $ref: `#/components/schemas/${INT_OR_STRING}` }] };
    case 'any': case 'object': return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  }
  if (loadModel(type)) {
    if (!b.owner.has(type)) b.owner.set(type, b.owner.get(owner) ?? '');
    return { allOf: [{ $ref: `#/components/schemas/${nameOf(b, type)}` }], default: {} };
  }
  return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
}

/** The list and patch extensions of one field, from its strategic-merge-patch tag. */
function addPatchMeta(s: Schema, meta: FieldMeta, p: ModelProperty): void {
  const strategy = [meta.strategy === 'merge' ? 'merge' : meta.strategy === 'replace' ? 'replace' : '', meta.retainKeys ? 'retainKeys' : '']
    .filter(Boolean).join(',');
  if (strategy) s['x-kubernetes-patch-strategy'] = strategy;
  if (meta.mergeKey) s['x-kubernetes-patch-merge-key'] = meta.mergeKey;
  if (!p.type.startsWith('Array<')) return;
  if (meta.strategy === 'merge' && meta.mergeKey) {
    s['x-kubernetes-list-type'] = 'map';
    s['x-kubernetes-list-map-keys'] = meta.listMapKeys ?? [meta.mergeKey];
  } else if (meta.strategy === 'merge') {
    s['x-kubernetes-list-type'] = 'set';
  } else {
    s['x-kubernetes-list-type'] ??= 'atomic';
  }
}
