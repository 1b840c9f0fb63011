// Field errors whose bad value kube-apiserver prints with Go's %#v or a String() method (maps, slices,
// structs). errors.ts renders values as JSON; to print exactly what a real cluster prints, these errors
// carry the Go rendering in front of the detail and omit the value, which yields the same message text
// (`Invalid value: map[string]string{"app":"web"}: <detail>`). Also small helpers to read loose JSON.
import { type FieldError, type FieldErrorType, OMIT_VALUE } from '../errors.js';
import type { JsonObject } from '../object.js';

function rendered(type: FieldErrorType, field: string, goValue: string, detail: string): FieldError {
  return { type, field, badValue: OMIT_VALUE, detail: detail ? `${goValue}: ${detail}` : goValue };
}

/** field.Invalid with a value that Go prints with %#v or String(). */
export const invalidGo = (field: string, goValue: string, detail: string): FieldError =>
  rendered('FieldValueInvalid', field, goValue, detail);

/** field.Duplicate with a value that Go prints with %#v. */
export const duplicateGo = (field: string, goValue: string): FieldError =>
  rendered('FieldValueDuplicate', field, goValue, '');

/** field.NotSupported with a value that Go prints with %#v. */
export const notSupportedGo = (field: string, goValue: string, supported: string[]): FieldError =>
  rendered('FieldValueNotSupported', field, goValue, `supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`);

/** Go's %q of a string (close enough: JSON escapes are Go escapes for the printable ASCII that names use). */
export const goQuote = (s: string): string => JSON.stringify(s);

/** %#v of a map[string]string: keys sorted, `map[string]string{"a":"b", "c":"d"}`; nil prints `(nil)`. */
export function goStringMap(m: Record<string, string> | undefined | null, type = 'map[string]string'): string {
  if (m === undefined || m === null) return `${type}(nil)`;
  const body = Object.keys(m).sort().map((k) => `${goQuote(k)}:${goQuote(String(m[k]))}`).join(', ');
  return `${type}{${body}}`;
}

/** %#v of a []string. */
export function goStringSlice(s: unknown[] | undefined | null, type = '[]string'): string {
  if (s === undefined || s === null) return `${type}(nil)`;
  return `${type}{${s.map((v) => goQuote(String(v))).join(', ')}}`;
}

/** metav1.LabelSelector's String() (gogo-protobuf generated), which field errors use for *LabelSelector. */
export function labelSelectorString(sel: JsonObject | undefined | null): string {
  if (!sel) return 'nil';
  const ml = sel.matchLabels ?? {};
  const labels = Object.keys(ml).sort().map((k) => `${k}: ${ml[k]},`).join('');
  const exprs = (sel.matchExpressions ?? []).map((e: JsonObject) =>
    `LabelSelectorRequirement{Key:${e.key ?? ''},Operator:${e.operator ?? ''},Values:[${(e.values ?? []).join(' ')}],},`).join('');
  return `&LabelSelector{MatchLabels:map[string]string{${labels}},MatchExpressions:[]LabelSelectorRequirement{${exprs}},}`;
}

/** %#v of an intstr.IntOrString as it sits inside a struct. */
export function goIntOrString(v: unknown): string {
  if (typeof v === 'string') return `intstr.IntOrString{Type:1, IntVal:0, StrVal:${goQuote(v)}}`;
  const n = typeof v === 'number' ? v : 0;
  return `intstr.IntOrString{Type:0, IntVal:${n}, StrVal:""}`;
}

/** intstr.IntOrString's String(): the string as is, or the number. */
export const intOrStringText = (v: unknown): string => (typeof v === 'string' ? v : String(v ?? 0));

// ---- loose JSON readers: objects arrive unchecked, so every field may be missing or of another type ----

export const isObj = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
export const obj = (v: unknown): JsonObject => (isObj(v) ? v : {});
export const arr = (v: unknown): any[] => (Array.isArray(v) ? v : []);
export const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
export const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
export const strMap = (v: unknown): Record<string, string> => (isObj(v) ? v as Record<string, string> : {});
export const has = (o: JsonObject, k: string): boolean => o[k] !== undefined && o[k] !== null;
