// Strategic merge patch, applied as kube-apiserver applies it (apimachinery pkg/util/strategicpatch,
// StrategicMergeMapPatch with MergeParallelList and IgnoreUnmatchedNulls). kubectl computes its apply and
// edit patches assuming these exact semantics, quirks included, so they are reproduced rather than cleaned up:
//
// - objects merge recursively and `null` deletes a key; a value for a key the object lacks (or holds with
//   another JSON type) is taken as sent, minus the nulls in its objects and any object carrying `$patch`
//   (but an element appended to a merging list is taken with its directives);
// - lists tagged patchStrategy=merge merge element by element on their merge key (the first element with the
//   key wins, so two Service ports with the same number collapse), lists of primitives merge as sets, other
//   lists are replaced;
// - directives: `$patch: replace|delete` on objects, `$patch: replace|delete` as list elements,
//   `$setElementOrder/<list>`, `$deleteFromPrimitiveList/<list>`, `$retainKeys`;
// - element order: $setElementOrder first, then the order in the patch, then the order in the object. The
//   order of the object is read from the list as Go's slices leave it after in-place deletions (see
//   ListView), which decides where elements the server added land after a `kubectl apply`.
import { type JsonObject, isJsonObject } from '../api/object.js';
import {
  ERR_BAD_PATCH_FORMAT_FOR_PRIMITIVE_LIST, ERR_BAD_PATCH_FORMAT_FOR_RETAIN_KEYS,
  ERR_BAD_PATCH_FORMAT_FOR_SET_ELEMENT_ORDER_LIST, ERR_NO_LIST_OF_LISTS,
  badRequest, errBadArgType, errBadPatchType, errNoMergeKey, invalid, unclassified, unsupportedStrategicKind,
} from './errors.js';
import { goValue } from './go-format.js';
import { type FieldMeta, type StructSchema, lookupField, schemaFor } from './schemas.js';
import { goStableSort } from './stable-sort.js';

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';

type Json = unknown;
/** The Go kind of a decoded JSON value, as reflect sees it. int64 and float64 are different types. */
type GoKind = 'map' | 'slice' | 'string' | 'int64' | 'float64' | 'bool' | 'nil';

/**
 * Applies a strategic merge patch to an object of `apiVersion`/`kind` and returns the result. Neither input
 * is modified. Throws a PatchError (an ApiError) when the patch cannot be applied, and a 415 for kinds with
 * no merge strategies (use a JSON merge patch for those).
 */
export function applyStrategicMergePatch(original: JsonObject, patch: JsonObject, apiVersion: string, kind: string): JsonObject {
  const schema = schemaFor(apiVersion, kind);
  if (!schema) throw unsupportedStrategicKind(apiVersion, kind);
  return applyStrategicMergePatchWithSchema(original, patch, schema);
}

/** The same, with an explicit schema (for callers that patch a part of an object, and for tests). */
export function applyStrategicMergePatchWithSchema(original: JsonObject, patch: JsonObject, schema: StructSchema): JsonObject {
  if (!isJsonObject(patch)) throw badRequest('a strategic merge patch must be a JSON object');
  if (!isJsonObject(original)) throw badRequest('a strategic merge patch applies to a JSON object');
  return mergeMap(structuredClone(original), structuredClone(patch), schema);
}

// ---- values ------------------------------------------------------------------------------------------

function goKind(v: Json): GoKind {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return 'slice';
  switch (typeof v) {
    case 'object': return 'map';
    case 'number': return Number.isInteger(v) && Math.abs(v) < 2 ** 63 ? 'int64' : 'float64';
    case 'boolean': return 'bool';
    default: return 'string';
  }
}

const has = (o: JsonObject, k: string): boolean => Object.hasOwn(o, k);

/** Assigns without ever touching a prototype, even for a key named `__proto__`. */
function setKey(o: JsonObject, k: string, v: Json): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
  else o[k] = v;
}

/** IgnoreUnmatchedNulls: a value added whole loses the nulls in its objects (not null list elements). */
function discardNulls(v: Json): void {
  if (Array.isArray(v)) { for (const e of v) discardNulls(e); return; }
  if (!isJsonObject(v)) return;
  for (const k of Object.keys(v)) {
    if (v[k] === null) delete v[k]; else discardNulls(v[k]);
  }
}

/** `$setElementOrder/containers` → `containers`. */
function extractKey(key: string, prefix: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    throw badRequest(prefix === DELETE_FROM_PRIMITIVE_LIST
      ? ERR_BAD_PATCH_FORMAT_FOR_PRIMITIVE_LIST : ERR_BAD_PATCH_FORMAT_FOR_SET_ELEMENT_ORDER_LIST);
  }
  return key.slice(slash + 1);
}

/** The common Go type of the elements of some lists; lists of lists and mixed lists are refused. */
function sliceElementType(...lists: Json[][]): GoKind {
  let prev: GoKind | undefined;
  for (const list of lists) {
    for (const v of list) {
      const t = goKind(v);
      if (prev === undefined) {
        if (t === 'slice') throw invalid(ERR_NO_LIST_OF_LISTS);
        if (t === 'nil') throw unclassified(`null is not a valid element of a merging list: ${goValue(lists)}`);
        prev = t;
      } else if (prev !== t) {
        throw unclassified(`list element types are not identical: ${goValue(lists)}`);
      }
    }
  }
  if (prev === undefined) throw unclassified('no elements in any of the given slices');
  return prev;
}

// ---- objects ----------------------------------------------------------------------------------------

function mergeMap(original: JsonObject, patch: JsonObject, schema: StructSchema): JsonObject {
  if (has(patch, DIRECTIVE)) return mapDirective(patch[DIRECTIVE], patch);
  applyRetainKeys(original, patch);
  mergeSetElementOrderLists(original, patch, schema);

  for (const key of Object.keys(patch)) {
    const patchV = patch[key];
    let k = key;
    let isDeleteList = false;
    if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      k = extractKey(key, DELETE_FROM_PRIMITIVE_LIST);
      isDeleteList = true;
    }
    if (patchV === null) { delete original[k]; continue; }
    const originalKind = has(original, k) ? goKind(original[k]) : undefined;
    if (originalKind === undefined || originalKind !== goKind(patchV)) {
      // Absent, or another JSON type: the patch value replaces it (a deletion list has nothing to delete).
      if (!isDeleteList) { discardNulls(patchV); takeValue(original, k, patchV); }
      continue;
    }
    const field = lookupField(schema, k);
    if (originalKind === 'map') {
      setKey(original, k, field.meta.strategy === 'replace' ? patchV : mergeMap(original[k], patchV as JsonObject, field.schema));
    } else if (originalKind === 'slice') {
      setKey(original, k, mergeSliceHandler(original[k], patchV as Json[], field.schema, field.meta, isDeleteList));
    } else {
      takeValue(original, k, patchV);
    }
  }
  return original;
}

/** Sets a value taken from the patch as is, minus the objects in it that carry a `$patch` directive. */
function takeValue(original: JsonObject, k: string, patchV: Json): void {
  const { value, keep } = removeDirectives(patchV);
  if (keep) setKey(original, k, value); else delete original[k];
}

/**
 * Drops every object holding `$patch` (from objects and lists), recursively; false when `v` itself holds one.
 * Values appended to merging lists do not go through this, so they keep their directives (as upstream).
 */
function removeDirectives(v: Json): { value: Json; keep: boolean } {
  if (Array.isArray(v)) {
    const out: Json[] = [];
    for (const e of v) {
      const r = removeDirectives(e);
      if (r.keep) out.push(r.value);
    }
    return { value: out, keep: true };
  }
  if (!isJsonObject(v)) return { value: v, keep: true };
  if (has(v, DIRECTIVE)) return { value: null, keep: false };
  for (const k of Object.keys(v)) {
    const r = removeDirectives(v[k]);
    if (r.keep) setKey(v, k, r.value); else delete v[k];
  }
  return { value: v, keep: true };
}

/** `$patch` on an object: replace it by the patch, or empty it. (`merge` is refused here, as upstream does.) */
function mapDirective(directive: Json, patch: JsonObject): JsonObject {
  if (directive === 'replace') { delete patch[DIRECTIVE]; return patch; }
  if (directive === 'delete') return {};
  throw errBadPatchType(directive, patch);
}

/** `$retainKeys: [...]`: the object keeps only the listed keys; the patch may only set listed keys. */
function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!has(patch, RETAIN_KEYS)) return;
  const list = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw badRequest(ERR_BAD_PATCH_FORMAT_FOR_RETAIN_KEYS);
  const keep = new Set<Json>(list);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!keep.has(k)) throw badRequest(ERR_BAD_PATCH_FORMAT_FOR_RETAIN_KEYS);
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

// ---- $setElementOrder ---------------------------------------------------------------------------------

/**
 * Merges every list that has a `$setElementOrder/<list>` directive, and orders it: elements named by the
 * directive in its order, the server's other elements interleaved by their original positions.
 */
function mergeSetElementOrderLists(original: JsonObject, patch: JsonObject, schema: StructSchema): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[key];
    delete patch[key];
    if (!Array.isArray(order)) throw errBadArgType('slice', order);
    const name = extractKey(key, SET_ELEMENT_ORDER);
    const foundOriginal = has(original, name);
    const foundPatch = has(patch, name);
    if (foundOriginal && !Array.isArray(original[name])) throw errBadArgType('slice', original[name]);
    if (foundPatch && !Array.isArray(patch[name])) throw errBadArgType('slice', patch[name]);
    // The original list object itself: merging may shift its elements in place, and the shifted list is what
    // orders the server's elements below (Go keeps using the old slice header over the same backing array).
    const originalList: Json[] = foundOriginal ? original[name] : [];
    const patchList: Json[] = foundPatch ? patch[name] : [];
    const field = lookupField(schema, name);
    const mergeKey = field.meta.mergeKey ?? '';
    validatePatchWithSetOrderList(patchList, order, mergeKey);

    let merged: Json[];
    if (foundOriginal && !foundPatch) merged = originalList;
    else if (!foundOriginal && foundPatch) merged = removeDirectives(patchList).value as Json[];
    else if (foundOriginal && foundPatch) merged = mergeSliceHandler(originalList, patchList, field.schema, field.meta, false);
    else continue;

    const [patchItems, serverOnly] = mergeKey
      ? partitionMapsByPresence(merged, order, mergeKey)
      : partitionPrimitivesByPresence(merged, order);
    const elementKind = sliceElementType(originalList, patchList);
    setKey(original, name, normalizeElementOrder(patchItems, serverOnly, order, originalList, mergeKey, elementKind));
    delete patch[name];
  }
}

/** The elements the patch list names (deletions and directives aside) must appear in $setElementOrder, in order. */
function validatePatchWithSetOrderList(patchList: Json[], order: Json[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const nonDelete = mergeKey ? extractToDeleteItems(patchList)[0] : patchList;
  let p = 0;
  let s = 0;
  while (p < nonDelete.length && s < order.length) {
    if (isJsonObject(nonDelete[p]) && has(nonDelete[p] as JsonObject, DIRECTIVE)) { p++; continue; }
    if (mergeKeyValueEqual(nonDelete[p], order[s], mergeKey)) p++;
    s++;
  }
  if (p < nonDelete.length && s >= order.length) {
    throw unclassified(`The order in patch list:\n${goValue(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goValue(order)}\n`);
  }
}

function mergeKeyValueEqual(left: Json, right: Json, mergeKey: string): boolean {
  if (!mergeKey) return left === right;
  if (!isJsonObject(left)) throw errBadArgType('map', left);
  if (!isJsonObject(right)) throw errBadArgType('map', right);
  if (!has(left, mergeKey)) throw errNoMergeKey(left, mergeKey);
  if (!has(right, mergeKey)) throw errNoMergeKey(right, mergeKey);
  return left[mergeKey] === right[mergeKey];
}

// ---- lists --------------------------------------------------------------------------------------------

/**
 * A Go slice over a backing array that other code still views. Deleting an element shifts the rest left in
 * place; appending writes into the backing array while it has room (the length the list had), then moves to
 * a private copy. `backing` is the caller's list object, so it shows what Go's stale slice header shows.
 */
interface ListView { backing: Json[]; len: number; shared: boolean }

function viewAppend(view: ListView, v: Json): void {
  if (view.shared && view.len < view.backing.length) { view.backing[view.len++] = v; return; }
  if (view.shared) { view.backing = view.backing.slice(0, view.len); view.shared = false; }
  view.backing.push(v);
  view.len++;
}

function viewFind(view: ListView, key: string, value: Json): number {
  for (let i = 0; i < view.len; i++) {
    const e = view.backing[i];
    if (!isJsonObject(e)) throw unclassified(`value for key ${i} is not a map.`);
    if (has(e, key) && e[key] === value) return i;
  }
  return -1;
}

function mergeSliceHandler(original: Json[], patch: Json[], schema: StructSchema, meta: FieldMeta, isDeleteList: boolean): Json[] {
  // A deletion list deletes from any list, whatever its strategy; other lists without `merge` are replaced.
  if (meta.strategy === 'merge' || isDeleteList) return mergeSlice(original, patch, schema, meta.mergeKey ?? '', isDeleteList);
  return patch;
}

function mergeSlice(original: Json[], patch: Json[], schema: StructSchema, mergeKey: string, isDeleteList: boolean): Json[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = sliceElementType(original, patch);
  let merged: Json[];
  let patchOrder: Json[] = patch;
  let serverOrder: Json[] = original;

  if (kind !== 'map') {
    if (isDeleteList) {
      const drop = new Set(patch);
      const kept = original.filter((v) => !drop.has(v));
      capacities.set(kept, original.length); // Go: make([]interface{}, 0, len(current)), then appends
      return kept;
    }
    merged = appendScalars(original, patch);
  } else {
    if (!mergeKey) throw unclassified('cannot merge lists without merge key for struct');
    const view: ListView = { backing: original, len: original.length, shared: true };
    const special = applySpecialElements(view, patch as JsonObject[], mergeKey);
    if (special.replaced) {
      // `$patch: replace` in a list: the list becomes the patch's other elements, taken as sent.
      merged = special.rest;
      serverOrder = special.rest;
      patchOrder = [];
    } else {
      serverOrder = view.backing.slice(0, view.len);
      patchOrder = special.rest;
      for (const v of special.rest) {
        if (!has(v, mergeKey)) throw errNoMergeKey(v, mergeKey);
        const i = viewFind(view, mergeKey, v[mergeKey]);
        if (i >= 0) view.backing[i] = mergeMap(view.backing[i] as JsonObject, v, schema);
        else viewAppend(view, v);
      }
      merged = view.backing.slice(0, view.len);
    }
  }

  const [patchItems, serverOnly] = mergeKey
    ? partitionMapsByPresence(merged, patchOrder, mergeKey)
    : partitionPrimitivesByPresence(merged, patchOrder);
  return normalizeElementOrder(patchItems, serverOnly, patchOrder, serverOrder, mergeKey, kind);
}

/** Handles `{"$patch": "delete", key: v}` and `{"$patch": "replace"}` elements; returns the other elements. */
function applySpecialElements(view: ListView, patch: JsonObject[], mergeKey: string): { rest: JsonObject[]; replaced: boolean } {
  const rest: JsonObject[] = [];
  let replaced = false;
  for (const v of patch) {
    if (!has(v, DIRECTIVE)) { rest.push(v); continue; }
    const directive = v[DIRECTIVE];
    if (directive === 'delete') {
      if (!has(v, mergeKey)) throw errNoMergeKey(v, mergeKey);
      for (let i = viewFind(view, mergeKey, v[mergeKey]); i >= 0; i = viewFind(view, mergeKey, v[mergeKey])) {
        view.backing.copyWithin(i, i + 1, view.len);
        view.len--;
      }
    } else if (directive === 'replace') {
      replaced = true; // keep going: other directive elements are still validated and dropped
    } else if (directive === 'merge') {
      throw unclassified('merging lists cannot yet be specified in the patch');
    } else {
      throw errBadPatchType(directive, v);
    }
  }
  return { rest, replaced };
}

/**
 * Capacities of lists this engine made, where Go's differ from what decoding gives. A list decoded from JSON
 * (or protobuf) was grown by appending one element at a time: its capacity is the next power of two.
 */
const capacities = new WeakMap<Json[], number>();

function capacityOf(list: Json[]): number {
  const known = capacities.get(list);
  if (known !== undefined) return known;
  let cap = 0;
  while (cap < list.length) cap = cap === 0 ? 1 : cap * 2;
  return cap;
}

/**
 * `append(original, patch...)` then Go's in-place de-duplication (the last element fills each hole). When the
 * original list has spare capacity, Go appends into its backing array, so the de-duplication overwrites
 * elements that callers still read as the original list (the order reference afterwards); this is mirrored.
 */
function appendScalars(original: Json[], patch: Json[]): Json[] {
  const n = original.length;
  const shared = n + patch.length <= capacityOf(original);
  const s = [...original, ...patch];
  let length = s.length - 1;
  for (let i = 0; i < length; i++) {
    for (let j = i + 1; j <= length; j++) {
      if (s[i] === s[j]) {
        s[j] = s[length];
        if (shared && j < n) original[j] = s[length];
        s.length = length;
        length--;
        j--;
      }
    }
  }
  return s;
}

// ---- ordering -----------------------------------------------------------------------------------------

function partitionPrimitivesByPresence(list: Json[], by: Json[]): [Json[], Json[]] {
  const inBy = new Set(by);
  const present: Json[] = [];
  const absent: Json[] = [];
  for (const v of list) (inBy.has(v) ? present : absent).push(v);
  return [present, absent];
}

function partitionMapsByPresence(list: Json[], by: Json[], mergeKey: string): [Json[], Json[]] {
  const present: Json[] = [];
  const absent: Json[] = [];
  for (const v of list) {
    if (!isJsonObject(v)) throw errBadArgType('map', v);
    if (!has(v, mergeKey)) throw errNoMergeKey(v, mergeKey);
    const found = by.some((e, i) => {
      if (!isJsonObject(e)) throw unclassified(`value for key ${i} is not a map.`);
      return has(e, mergeKey) && e[mergeKey] === v[mergeKey];
    });
    (found ? present : absent).push(v);
  }
  return [present, absent];
}

function extractToDeleteItems(list: Json[]): [Json[], Json[]] {
  const keep: Json[] = [];
  const toDelete: Json[] = [];
  for (const v of list) {
    if (!isJsonObject(v)) throw errBadArgType('map', v);
    (v[DIRECTIVE] === 'delete' ? toDelete : keep).push(v);
  }
  return [keep, toDelete];
}

/** Position of an element in a reference order: by merge key value for objects, by value for primitives. */
function indexIn(order: Json[], item: Json, mergeKey: string, kind: GoKind): number {
  const keyOf = (e: Json): Json => (kind === 'map' ? (isJsonObject(e) ? (e[mergeKey] ?? null) : null) : e);
  const want = keyOf(item);
  return order.findIndex((e) => keyOf(e) === want);
}

/** Sorts patch elements by the patch's order and server-only elements by the server's, then interleaves them. */
function normalizeElementOrder(patchItems: Json[], serverOnly: Json[], patchOrder: Json[], serverOrder: Json[], mergeKey: string, kind: GoKind): Json[] {
  const p = normalizeSliceOrder(patchItems, patchOrder, mergeKey, kind);
  const s = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSortedSlice(s, p, serverOrder, mergeKey, kind);
}

function normalizeSliceOrder(toSort: Json[], order: Json[], mergeKey: string, kind: GoKind): Json[] {
  let toDelete: Json[] = [];
  if (kind === 'map') {
    for (const list of [toSort, order]) {
      for (const item of list) {
        if (!isJsonObject(item)) throw errBadArgType('map', item);
        if (!has(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
      }
    }
    [toSort, toDelete] = extractToDeleteItems(toSort);
  }
  // Upstream's comparator: an element missing from `order` counts as "less" than anything.
  goStableSort(toSort, (a, b) => {
    const ia = indexIn(order, a, mergeKey, kind);
    if (ia >= 0) {
      const ib = indexIn(order, b, mergeKey, kind);
      if (ib >= 0) return ia < ib;
    }
    return true;
  });
  return [...toSort, ...toDelete];
}

/**
 * Inserts the server-only elements (`left`) among the patch elements (`right`): a server element goes before
 * the next patch element only when both exist in the server's list and it came first there.
 */
function mergeSortedSlice(left: Json[], right: Json[], serverOrder: Json[], mergeKey: string, kind: GoKind): Json[] {
  const out: Json[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) { out.push(right[j++]); continue; }
    if (j >= right.length) { out.push(left[i++]); continue; }
    const li = indexIn(serverOrder, left[i], mergeKey, kind);
    const ri = indexIn(serverOrder, right[j], mergeKey, kind);
    if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
    else out.push(right[j++]);
  }
  return out;
}
