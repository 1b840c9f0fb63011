// The operations of structured-merge-diff's typed values that server-side apply needs, over plain JSON
// and a TypeNode: the field set of a value (ToFieldSet), the fields added, modified and removed between
// two values (Compare), the merge of an applied configuration into a live object (Merge), and the
// removal of a set of fields (RemoveItems). Each follows the upstream walker's rules, including its
// corner cases: empty and absent maps/lists compare as leaves, atomic lists and structs are one field,
// and the items of associative lists are identified by their keys (defaulted where the schema says).
import { FieldSet, pathString, type Path, type PathElement, type Scalar } from './fieldpath.js';
import type { TypeNode } from './types.js';

type Json = unknown;
type Obj = Record<string, Json>;

export class TypedError extends Error {}

const isObj = (v: Json): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The node for a value of an untyped (free-form) field: its shape decides, lists are atomic. */
function resolve(t: TypeNode, v: Json): TypeNode {
  if (t.kind !== 'untyped') return t;
  if (isObj(v)) return { kind: 'map', elem: () => ({ kind: 'untyped' }), atomic: false };
  if (Array.isArray(v)) return { kind: 'list', elem: () => ({ kind: 'untyped' }), associative: false, keys: [], keyDefaults: {} };
  return { kind: 'scalar' };
}

function fieldType(t: Extract<TypeNode, { kind: 'struct' | 'map' }>, key: string): TypeNode | undefined {
  if (t.kind === 'struct') return t.fields.get(key)?.();
  return t.elem();
}

/** The path element of a list item: its key fields (or its value, for a set). */
export function itemElement(t: Extract<TypeNode, { kind: 'list' }>, item: Json, path: Path): PathElement {
  if (!t.associative) throw new TypedError(`${pathString(path)}: invalid indexing of non-associative list`);
  if (t.keys.length === 0) return { value: item };
  if (!isObj(item)) throw new TypedError(`${pathString(path)}: associative list with keys may only contain maps`);
  const key: [string, Scalar][] = [];
  for (const k of [...t.keys].sort()) {
    let v = item[k];
    if (v === undefined) {
      if (t.keyDefaults[k] === undefined) {
        throw new TypedError(`${pathString(path)}: associative list with keys has an element that omits key field "${k}" (and doesn't have default value)`);
      }
      v = t.keyDefaults[k];
    }
    if (typeof v === 'object' && v !== null) throw new TypedError(`${pathString(path)}: key field "${k}" must be a scalar`);
    key.push([k, v as Scalar]);
  }
  return { key };
}

// ---- validation (ObjectToTyped) ------------------------------------------------------------------

/** Checks a value against its type as upstream's typed conversion does; returns the error messages. */
export function validate(v: Json, t: TypeNode, path: Path = [], errs: string[] = [], allowDuplicates = false): string[] {
  const r = resolve(t, v);
  if (v === null || v === undefined) return errs;
  if (r.kind === 'struct' || r.kind === 'map') {
    if (!isObj(v)) { errs.push(`${pathString(path)}: expected map, got ${describe(v)}`); return errs; }
    for (const [k, c] of Object.entries(v)) {
      const ft = fieldType(r, k);
      if (!ft) { errs.push(`${pathString([...path, { field: k }])}: field not declared in schema`); continue; }
      validate(c, ft, [...path, { field: k }], errs, allowDuplicates);
    }
  } else if (r.kind === 'list') {
    if (!Array.isArray(v)) { errs.push(`${pathString(path)}: expected list, got ${describe(v)}`); return errs; }
    if (!r.associative) return errs;
    const seen = new Set<string>();
    v.forEach((item, i) => {
      let pe: PathElement;
      try { pe = itemElement(r, item, path); } catch (e) { errs.push(`${pathString(path)}: element ${i}: ${(e as Error).message.replace(/^[^:]*: /, '')}`); return; }
      const id = JSON.stringify(pe);
      if (seen.has(id) && !allowDuplicates) errs.push(`${pathString(path)}: duplicate entries for key ${pathString([pe])}`);
      seen.add(id);
      validate(item, r.elem(), [...path, pe], errs, allowDuplicates);
    });
  } else if (r.kind === 'scalar' && typeof v === 'object') {
    errs.push(`${pathString(path)}: expected scalar, got ${describe(v)}`);
  }
  return errs;
}

function describe(v: Json): string {
  return Array.isArray(v) ? 'list' : isObj(v) ? 'map' : typeof v;
}

// ---- ToFieldSet -----------------------------------------------------------------------------------

export function toFieldSet(v: Json, t: TypeNode): FieldSet {
  const set = new FieldSet();
  walkSet(v, t, [], set);
  return set;
}

function walkSet(v: Json, t: TypeNode, path: Path, set: FieldSet): void {
  const r = resolve(t, v);
  if (r.kind === 'scalar' || r.kind === 'untyped') { set.insert(path); return; }
  if (r.kind === 'list') {
    if (!r.associative) { set.insert(path); return; }
    if (!Array.isArray(v)) return;
    const seen = new Map<string, number>();
    for (const item of v) {
      const id = JSON.stringify(itemElement(r, item, path));
      seen.set(id, (seen.get(id) ?? 0) + 1);
    }
    for (const item of v) {
      const pe = itemElement(r, item, path);
      const p = [...path, pe];
      if (seen.get(JSON.stringify(pe))! > 1) { set.insert(p); continue; }
      walkSet(item, r.elem(), p, set);
      set.insert(p);
    }
    return;
  }
  if (r.atomic) { set.insert(path); return; }
  if (!isObj(v)) return;
  for (const [k, c] of Object.entries(v)) {
    const p = [...path, { field: k } as PathElement];
    const declared = r.kind === 'struct' && r.fields.has(k);
    walkSet(c, fieldType(r, k) ?? { kind: 'untyped' }, p, set);
    if (c === null || (isObj(c) && Object.keys(c).length === 0) || !declared) set.insert(p);
  }
}

// ---- Compare --------------------------------------------------------------------------------------

export interface Comparison { added: FieldSet; modified: FieldSet; removed: FieldSet }

export function compare(lhs: Json, rhs: Json, t: TypeNode): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  compareAt(lhs, rhs, t, [], c, { inLeaf: false });
  return c;
}

function isEmpty(v: Json): boolean {
  return v === undefined || v === null || (Array.isArray(v) && v.length === 0) || (isObj(v) && Object.keys(v).length === 0);
}

function compareAt(lhs: Json, rhs: Json, t: TypeNode, path: Path, c: Comparison, st: { inLeaf: boolean }): void {
  const r = resolve(t, rhs !== undefined && rhs !== null ? rhs : lhs);
  const leaf = () => {
    if (st.inLeaf) return;
    st.inLeaf = true;
    if (lhs === undefined) c.added.insert(path);
    else if (rhs === undefined) c.removed.insert(path);
    else if (!deepEqual(lhs, rhs)) c.modified.insert(path);
  };
  if (r.kind === 'scalar' || r.kind === 'untyped') leaf();
  else if (r.kind === 'list') {
    if (!r.associative || (isEmpty(lhs) && isEmpty(rhs)) || !listish(lhs) || !listish(rhs)) leaf();
    else compareItems(r, (lhs as Json[] | undefined) ?? [], (rhs as Json[] | undefined) ?? [], path, c);
  } else {
    if (r.atomic || (isEmpty(lhs) && isEmpty(rhs)) || !mapish(lhs) || !mapish(rhs)) leaf();
    else {
      const l = (lhs ?? {}) as Obj, rr = (rhs ?? {}) as Obj;
      for (const k of new Set([...Object.keys(l), ...Object.keys(rr)])) {
        compareAt(l[k], rr[k], fieldType(r, k) ?? { kind: 'untyped' }, [...path, { field: k }], c, { inLeaf: false });
      }
    }
  }
  if (!st.inLeaf) {
    if (lhs === undefined) c.added.insert(path);
    else if (rhs === undefined) c.removed.insert(path);
  }
}

const listish = (v: Json) => v === undefined || v === null || Array.isArray(v);
const mapish = (v: Json) => v === undefined || v === null || isObj(v);

function compareItems(t: Extract<TypeNode, { kind: 'list' }>, lhs: Json[], rhs: Json[], path: Path, c: Comparison): void {
  const index = (items: Json[]) => {
    const m = new Map<string, { pe: PathElement; items: Json[] }>();
    for (const item of items) {
      const pe = itemElement(t, item, path);
      const id = JSON.stringify(pe);
      const e = m.get(id);
      if (e) e.items.push(item); else m.set(id, { pe, items: [item] });
    }
    return m;
  };
  const l = index(lhs), r = index(rhs);
  for (const id of new Set([...l.keys(), ...r.keys()])) {
    const le = l.get(id), re = r.get(id);
    const pe = (le ?? re)!.pe;
    const ll = le?.items ?? [], rl = re?.items ?? [];
    const p = [...path, pe];
    if (ll.length <= 1 && rl.length <= 1) compareAt(ll[0], rl[0], t.elem(), p, c, { inLeaf: false });
    else if (ll.length >= 2 && rl.length >= 2) { if (!deepEqual(ll, rl)) c.modified.insert(p); }
    else if (ll.length >= 2) { if (rl.length) compareAt(undefined, rl[0], t.elem(), p, c, { inLeaf: false }); c.removed.insert(p); }
    else { if (ll.length) compareAt(ll[0], undefined, t.elem(), p, c, { inLeaf: false }); c.added.insert(p); }
  }
}

// ---- Merge ----------------------------------------------------------------------------------------

/** The applied configuration `rhs` merged into the live object `lhs`: rhs wins wherever both have a value. */
export function merge(lhs: Json, rhs: Json, t: TypeNode, path: Path = []): Json {
  if (rhs === undefined) return lhs;
  if (lhs === undefined) return rhs;
  const r = resolve(t, rhs !== null ? rhs : lhs);
  if (r.kind === 'scalar' || r.kind === 'untyped') return rhs;
  if (r.kind === 'list') {
    if (!r.associative || !Array.isArray(lhs) || !Array.isArray(rhs) || (lhs.length === 0 && rhs.length === 0)) return rhs;
    return mergeItems(r, lhs, rhs, path);
  }
  if (r.atomic || !isObj(lhs) || !isObj(rhs) || (isEmpty(lhs) && isEmpty(rhs))) return rhs;
  const out: Obj = {};
  for (const k of new Set([...Object.keys(lhs), ...Object.keys(rhs)])) {
    const v = merge(lhs[k], rhs[k], fieldType(r, k) ?? { kind: 'untyped' }, [...path, { field: k }]);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** Items in the live order, the applied items placed as structured-merge-diff places them. */
function mergeItems(t: Extract<TypeNode, { kind: 'list' }>, lhs: Json[], rhs: Json[], path: Path): Json[] {
  const lPE = lhs.map((i) => JSON.stringify(itemElement(t, i, path)));
  const rPE = rhs.map((i) => JSON.stringify(itemElement(t, i, path)));
  const rSet = new Map<string, Json>();
  rPE.forEach((id, i) => {
    if (rSet.has(id)) throw new TypedError(`${pathString(path)}: duplicate entries for key ${pathString([itemElement(t, rhs[i], path)])}`);
    rSet.set(id, rhs[i]);
  });
  const lMap = new Map<string, Json>();
  lPE.forEach((id, i) => { lMap.set(id, lMap.has(id) ? null : lhs[i]); });
  const shared = rPE.filter((id) => lMap.has(id));
  let next = shared.shift();
  const merged = new Set<string>();
  const out: Json[] = [];
  const elem = t.elem();
  const mergeOne = (id: string) => {
    const v = merge(lMap.get(id) ?? undefined, rSet.get(id), elem, path);
    if (v !== undefined) out.push(v);
  };
  for (let li = 0, ri = 0; li < lPE.length || ri < rPE.length;) {
    if (li < lPE.length && ri < rPE.length) {
      if (lPE[li] === rPE[ri]) {
        merged.add(lPE[li]); mergeOne(lPE[li]); li++; ri++;
        next = shared.shift();
        continue;
      }
      if (rSet.has(lPE[li]) && next !== undefined && next !== lPE[li]) { li++; continue; }
    }
    if (li < lPE.length) {
      const id = lPE[li];
      if (!rSet.has(id)) { out.push(lhs[li]); li++; continue; }
      else if (merged.has(id)) li++;
    }
    if (ri < rPE.length) {
      const id = rPE[ri];
      merged.add(id); mergeOne(id); ri++;
      if (next === id) next = shared.shift();
    }
  }
  return out;
}

// ---- RemoveItems ----------------------------------------------------------------------------------

/**
 * `v` without the fields in `set`. A map or list left empty becomes absent (upstream leaves a nil that
 * the typed object then drops).
 */
export function removeItems(v: Json, set: FieldSet, t: TypeNode, path: Path = []): Json {
  const r = resolve(t, v);
  if (r.kind === 'list') {
    if (!Array.isArray(v) || v.length === 0 || !r.associative) return v;
    const out: Json[] = [];
    for (const item of v) {
      const pe = itemElement(r, item, path);
      if (set.has([pe])) continue;
      const sub = set.child(pe);
      out.push(sub && !sub.empty() ? removeItems(item, sub, r.elem(), [...path, pe]) : item);
    }
    return out.length ? out : undefined;
  }
  if (r.kind !== 'struct' && r.kind !== 'map') return v;
  if (!isObj(v) || Object.keys(v).length === 0 || r.atomic) return v;
  const out: Obj = {};
  for (const [k, c] of Object.entries(v)) {
    const pe: PathElement = { field: k };
    if (set.has([pe])) continue;
    const sub = set.child(pe);
    const nv = sub && !sub.empty() ? removeItems(c, sub, fieldType(r, k) ?? { kind: 'untyped' }, [...path, pe]) : c;
    if (nv !== undefined) out[k] = nv;
  }
  return Object.keys(out).length ? out : undefined;
}

export function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as Json[]).length && a.every((x, i) => deepEqual(x, (b as Json[])[i]));
  const ka = Object.keys(a as Obj), kb = Object.keys(b as Obj);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b as Obj, k) && deepEqual((a as Obj)[k], (b as Obj)[k]));
}
