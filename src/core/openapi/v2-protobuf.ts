// /openapi/v2 as kube-apiserver sends it to kubectl: the gnostic `openapi.v2.Document` protobuf
// (asked for as application/com.github.proto-openapi.spec.v2@v1.0+protobuf). Only the messages a definitions-only
// document needs are encoded: Document, Info, Paths, Definitions, NamedSchema, Schema, TypeItem, ItemsItem,
// Properties, AdditionalPropertiesItem, NamedAny and Any (vendor extensions travel as YAML text).
import { stringify } from 'yaml';

/** The Content-Type kube-openapi answers with (the Accept form has an `@`, which Go's mime parser refuses). */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

function varint(n: number): Buffer {
  const bytes: number[] = [];
  let v = n;
  while (v > 0x7f) { bytes.push((v & 0x7f) | 0x80); v = Math.floor(v / 128); }
  bytes.push(v);
  return Buffer.from(bytes);
}

const tag = (field: number, wire: number) => varint(field * 8 + wire);
const bytesField = (field: number, b: Buffer) => Buffer.concat([tag(field, 2), varint(b.length), b]);
const str = (field: number, s: string) => bytesField(field, Buffer.from(s, 'utf8'));
const bool = (field: number, v: boolean) => Buffer.concat([tag(field, 0), varint(v ? 1 : 0)]);

type Json = Record<string, unknown>;

function namedAny(name: string, value: unknown): Buffer {
  return Buffer.concat([str(1, name), bytesField(2, str(2, stringify(value)))]);
}

function schema(s: Json): Buffer {
  const parts: Buffer[] = [];
  if (typeof s.$ref === 'string') parts.push(str(1, s.$ref));
  if (typeof s.format === 'string') parts.push(str(2, s.format));
  if (typeof s.description === 'string') parts.push(str(4, s.description));
  if (s.default !== undefined) parts.push(bytesField(5, str(2, stringify(s.default))));
  for (const r of (s.required as string[] | undefined) ?? []) parts.push(str(19, r));
  if (s.additionalProperties !== undefined) {
    const ap = s.additionalProperties;
    parts.push(bytesField(21, typeof ap === 'boolean' ? bool(2, ap) : bytesField(1, schema(ap as Json))));
  }
  if (typeof s.type === 'string') parts.push(bytesField(22, str(1, s.type)));
  if (s.items) parts.push(bytesField(23, bytesField(1, schema(s.items as Json))));
  if (s.properties) {
    const props = Object.entries(s.properties as Record<string, Json>)
      .map(([name, v]) => bytesField(1, Buffer.concat([str(1, name), bytesField(2, schema(v))])));
    parts.push(bytesField(25, Buffer.concat(props)));
  }
  for (const [k, v] of Object.entries(s)) if (k.startsWith('x-')) parts.push(bytesField(31, namedAny(k, v)));
  return Buffer.concat(parts);
}

/** Encodes a definitions-only Swagger 2.0 document. */
export function encodeV2Document(doc: { swagger: string; info: { title?: string; version?: string }; definitions: Record<string, Json> }): Buffer {
  const info = Buffer.concat([str(1, doc.info.title ?? ''), str(2, doc.info.version ?? '')]);
  const defs = Object.entries(doc.definitions)
    .map(([name, s]) => bytesField(1, Buffer.concat([str(1, name), bytesField(2, schema(s))])));
  return Buffer.concat([str(1, doc.swagger), bytesField(2, info), bytesField(8, Buffer.alloc(0)), bytesField(9, Buffer.concat(defs))]);
}
