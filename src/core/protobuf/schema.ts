// Schema tables: for each Kubernetes protobuf message, field number → how the field looks in JSON.
// The numbers are facts from the upstream generated.proto files; the JSON side (names, which zero values
// Go's encoding/json keeps) comes from the Go types. Tables are written in a compact one-line form per
// message, one entry per field:
//
//   jsonName=number[:type][[]|{}][!|^]
//
//   type   s (string, the default), b (bool), i32, i64, bytes (base64 in JSON), or a message name;
//          a bare message name resolves in the table's own package first, then core, meta,
//          resource (Quantity) and intstr (IntOrString);
//          `pkg.Name` names another package's message explicitly
//   []     repeated          {}  map<string, type> (on the wire: repeated {key=1, value=2} entries)
//   !      keep zero values: the Go field is a pointer or its JSON tag has no omitempty, so "" / 0 /
//          false are real values (`replicas: 0`), and an absent repeated field is JSON null
//   ^      inline: the Go field is embedded with `json:",inline"`, so its fields merge into the parent
//
// Without `!`, a scalar equal to its zero value is left out, exactly as omitempty drops it: gogo-protobuf
// writes every non-pointer field, empty or not, so the zero values on the wire carry no information.

export type ScalarType = 's' | 'b' | 'i32' | 'i64' | 'bytes';

export interface FieldSpec {
  json: string;
  number: number;
  /** A scalar code or a fully qualified message name (`core.Container`). */
  type: string;
  repeated: boolean;
  map: boolean;
  keepZero: boolean;
  inline: boolean;
}

export interface MessageSpec {
  /** Fully qualified: `core.PodSpec`. */
  name: string;
  fields: FieldSpec[];
  byNumber: Map<number, FieldSpec>;
}

const SCALARS = new Set<string>(['s', 'b', 'i32', 'i64', 'bytes']);

/**
 * Messages with a JSON form of their own rather than an object: Time and MicroTime become RFC 3339
 * strings, Quantity its string, IntOrString a number or string, FieldsV1 the JSON it wraps.
 */
export const SPECIAL_MESSAGES = new Set(['meta.Time', 'meta.MicroTime', 'meta.FieldsV1', 'resource.Quantity', 'intstr.IntOrString']);

const ENTRY = /^([A-Za-z][A-Za-z0-9]*)=(\d+)(?::([A-Za-z][A-Za-z0-9.]*))?(\[\]|\{\})?([!^]?)$/;

const registry = new Map<string, MessageSpec>();
const pending: { pkg: string; name: string; text: string }[] = [];

/** Adds a package's tables; message names become `pkg.Name`. References are resolved on first use. */
export function defineMessages(pkg: string, tables: Record<string, string>): void {
  for (const [name, text] of Object.entries(tables)) pending.push({ pkg, name, text });
}

function resolveType(pkg: string, type: string, where: string, known: Set<string>): string {
  if (SCALARS.has(type)) return type;
  const candidates = type.includes('.') ? [type] : [pkg, 'core', 'meta', 'resource', 'intstr'].map((p) => `${p}.${type}`);
  for (const c of candidates) {
    if (SPECIAL_MESSAGES.has(c) || known.has(c) || registry.has(c)) return c;
  }
  throw new Error(`protobuf schema: ${where} refers to unknown message ${type}`);
}

function build(): void {
  if (pending.length === 0) return;
  const batch = pending.slice();
  const known = new Set(batch.map((p) => `${p.pkg}.${p.name}`));
  for (const { pkg, name, text } of batch) {
    const full = `${pkg}.${name}`;
    if (registry.has(full)) throw new Error(`protobuf schema: message ${full} is defined twice`);
    const fields: FieldSpec[] = [];
    const byNumber = new Map<number, FieldSpec>();
    for (const entry of text.trim().split(/\s+/).filter(Boolean)) {
      const m = ENTRY.exec(entry);
      if (!m) throw new Error(`protobuf schema: cannot parse "${entry}" in ${full}`);
      const [, json, num, type = 's', shape = '', flag] = m;
      const spec: FieldSpec = {
        json, number: Number(num), type: resolveType(pkg, type, `${full}.${json}`, known),
        repeated: shape === '[]', map: shape === '{}', keepZero: flag === '!', inline: flag === '^',
      };
      if (byNumber.has(spec.number)) throw new Error(`protobuf schema: field number ${num} appears twice in ${full}`);
      fields.push(spec);
      byNumber.set(spec.number, spec);
    }
    registry.set(full, { name: full, fields, byNumber });
  }
  pending.splice(0, batch.length);
}

/** The table of a fully qualified message, or undefined if podnet has none. */
export function messageSpec(name: string): MessageSpec | undefined {
  build();
  return registry.get(name);
}

/** Every table, for tests that check all references resolve and numbers are unique. */
export function allMessageSpecs(): MessageSpec[] {
  build();
  return [...registry.values()];
}

/** The short name people know a message by: `core.PodSpec` → `PodSpec`. */
export function shortName(full: string): string {
  return full.slice(full.indexOf('.') + 1);
}
