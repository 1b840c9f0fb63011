// The Kubernetes API's types with their upstream descriptions, read from the generated models that
// @kubernetes/client-node ships (built from the upstream OpenAPI spec, v1.34): each model's .js file
// holds its attribute map (JSON name, type, format) and its .d.ts file the spec's descriptions as doc
// comments, and marks required fields by leaving off the `?`. Read lazily, one model at a time, and
// cached: the OpenAPI documents and server-side apply's type model are built from these.
//
// What the generated models lose against the spec: line breaks inside descriptions (joined by spaces),
// descriptions of fields whose type is another model (the spec puts them beside the $ref; callers use
// the referenced type's description), enum lists, defaults, and the names Time/Quantity (a date-time
// string and a string here).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface ModelProperty {
  /** The JSON field name. */
  name: string;
  /** client-node's type: string, number, boolean, Date, any, IntOrString, Array<T>, { [key: string]: T; }, or a model. */
  type: string;
  format: string;
  description?: string;
  required: boolean;
}

export interface Model {
  /** The client-node class name, e.g. V1PodSpec. */
  name: string;
  description?: string;
  properties: ModelProperty[];
}

interface Attribute { name: string; baseName: string; type: string; format: string }

const require = createRequire(import.meta.url);
const cache = new Map<string, Model | null>();
let modelsDir: string | undefined;

function dir(): string {
  modelsDir ??= join(dirname(require.resolve('@kubernetes/client-node')), 'gen', 'models');
  return modelsDir;
}

/** Types that are not models: scalars, free-form values, IntOrString. */
export const SCALAR_TYPES = new Set(['string', 'number', 'boolean', 'Date', 'any', 'object', 'IntOrString', 'V1MicroTime', 'V1Time']);

/** The model named `name` (a client-node class name), or null when there is none. */
export function loadModel(name: string): Model | null {
  if (cache.has(name)) return cache.get(name)!;
  let m: Model | null = null;
  if (/^[A-Za-z0-9]+$/.test(name) && !SCALAR_TYPES.has(name)) {
    try {
      const mod = require(join(dir(), `${name}.js`)) as Record<string, { attributeTypeMap?: Attribute[] }>;
      const attrs = mod[name]?.attributeTypeMap;
      if (Array.isArray(attrs)) m = buildModel(name, attrs, readDocs(name));
    } catch {
      m = null;
    }
  }
  cache.set(name, m);
  return m;
}

interface Docs { description?: string; fields: Map<string, { description?: string; required: boolean }> }

function readDocs(name: string): Docs {
  let text = '';
  try { text = readFileSync(join(dir(), `${name}.d.ts`), 'utf8'); } catch { return { fields: new Map() }; }
  return parseDeclaration(text, name);
}

/** Reads the class doc comment and each property's comment and optionality from a generated .d.ts. */
export function parseDeclaration(text: string, name: string): Docs {
  const fields = new Map<string, { description?: string; required: boolean }>();
  const classAt = text.indexOf(`export declare class ${name}`);
  if (classAt < 0) return { fields };
  const before = text.slice(0, classAt);
  const classDoc = /\/\*\*([\s\S]*?)\*\/\s*$/.exec(before);
  const body = text.slice(classAt);
  const prop = /(?:\/\*\*([\s\S]*?)\*\/\s*)?'([^']+)'(\?)?:/g;
  for (let m; (m = prop.exec(body));) {
    fields.set(m[2], { description: m[1] ? cleanComment(m[1]) : undefined, required: !m[3] });
  }
  return { description: classDoc ? cleanComment(classDoc[1]) : undefined, fields };
}

/** The comment's text: leading `*` dropped, the generator's escapes of quotes undone. */
function cleanComment(raw: string): string | undefined {
  const text = raw.split('\n').map((l) => l.replace(/^\s*\*\s?/, '')).join('\n').trim()
    .replace(/\\(['"])/g, '$1');
  return text || undefined;
}

function buildModel(name: string, attrs: Attribute[], docs: Docs): Model {
  return {
    name,
    description: docs.description,
    properties: attrs.map((a) => {
      const d = docs.fields.get(a.name);
      return { name: a.baseName, type: a.type, format: a.format, description: d?.description, required: d?.required ?? false };
    }),
  };
}

const VERSION_RE = /^v\d+(?:(?:alpha|beta)\d+)?$/;

/** The class of a kind: `CoreV1Event` where the group has its own, else `V1Pod`. */
export function modelNameForKind(group: string, version: string, kind: string): string | undefined {
  if (!VERSION_RE.test(version)) return undefined;
  const v = version[0].toUpperCase() + version.slice(1);
  const g = group ? group.split('.')[0] : 'core';
  const prefixed = g[0].toUpperCase() + g.slice(1) + v + kind;
  if (loadModel(prefixed)) return prefixed;
  return loadModel(v + kind) ? v + kind : undefined;
}
