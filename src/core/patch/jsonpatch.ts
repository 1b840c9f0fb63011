// JSON patch (RFC 6902), as kube-apiserver applies `application/json-patch+json` with evanphx/json-patch v4.
// Its deviations from the RFC are kept because kubectl users meet them: `replace` on a missing object key
// adds it, negative array indices count from the end, `test` of a missing path passes for a null value,
// `copy` from a missing key copies null, and `replace` of the whole document with a non-object is ignored.
// Operations run in order on a copy; the first failing one fails the patch with upstream's message.
import { type JsonObject, isJsonObject } from '../api/object.js';
import { PatchError, badRequest, invalid } from './errors.js';

/** kube-apiserver's limit on operations in one JSON patch (handlers/patch.go maxJSONPatchOperations). */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

type Json = unknown;
type Container = JsonObject | Json[];

/** Applies RFC 6902 operations to an object and returns the result; neither input is modified. */
export function applyJsonPatch(original: JsonObject, ops: unknown): JsonObject {
  if (ops === null) return structuredClone(original); // `null` decodes to an empty patch
  if (!Array.isArray(ops)) throw badRequest(`json: cannot unmarshal ${goJsonType(ops)} into Go value of type jsonpatch.Patch`);
  for (const op of ops) {
    if (!isJsonObject(op)) throw badRequest(`json: cannot unmarshal ${goJsonType(op)} into Go value of type jsonpatch.Operation`);
  }
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new PatchError(413, 'RequestEntityTooLarge',
      `The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`);
  }
  const state = { root: structuredClone(original) as Container };
  for (const op of structuredClone(ops) as JsonObject[]) {
    try {
      applyOperation(state, op);
    } catch (e) {
      if (e instanceof OpError) throw invalid(e.message);
      throw e;
    }
  }
  if (!isJsonObject(state.root)) throw invalid('the patched document must remain a JSON object');
  return state.root;
}

/** A failed operation; the message is evanphx/json-patch's (errors.Wrapf chains joined by ": "). */
class OpError extends Error {}
const fail = (message: string): never => { throw new OpError(message); };
const MISSING = 'missing value';
const INVALID_INDEX = 'invalid index referenced';

function goJsonType(v: Json): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'object' : typeof v === 'boolean' ? 'bool' : typeof v;
}

function opKind(op: JsonObject): string {
  return typeof op.op === 'string' ? op.op : 'unknown';
}

/** The `path` or `from` member: a string, else the decoding error upstream reports. */
function member(op: JsonObject, name: 'path' | 'from'): string {
  const v = op[name];
  if (v === undefined || v === null) {
    fail(name === 'path' ? `operation missing path field: ${MISSING}` : `operation, missing from field: ${MISSING}`);
  }
  if (typeof v !== 'string') fail(`json: cannot unmarshal ${goJsonType(v)} into Go value of type string`);
  return v as string;
}

/** Runs `fn`, prefixing a decoding failure with `prefix` (or replacing it, as some upstream paths do). */
function decoded<T>(fn: () => T, prefix: string, replaceWith?: string): T {
  try { return fn(); } catch (e) {
    if (e instanceof OpError) fail(`${prefix}: ${replaceWith ?? e.message}`);
    throw e;
  }
}

function wrap<T>(fn: () => T, prefix: string): T {
  try { return fn(); } catch (e) {
    if (e instanceof OpError) fail(`${prefix}: ${e.message}`);
    throw e;
  }
}

const decodeKey = (k: string): string => k.replace(/~[01]/g, (m) => (m === '~1' ? '/' : '~'));

/** The container holding the last path segment, or undefined when the path does not lead anywhere. */
function findObject(root: Container, path: string): { con: Container; key: string } | undefined {
  const split = path.split('/');
  if (split.length < 2) return undefined;
  let doc: Container = root;
  for (const part of split.slice(1, -1)) {
    let next: Json;
    try { next = get(doc, decodeKey(part)); } catch (e) { if (e instanceof OpError) return undefined; throw e; }
    if (Array.isArray(next) || isJsonObject(next)) doc = next; else return undefined;
  }
  return { con: doc, key: decodeKey(split[split.length - 1]) };
}

/** strconv.Atoi. */
function atoi(key: string): number {
  if (!/^[+-]?\d+$/.test(key)) fail(`strconv.Atoi: parsing ${JSON.stringify(key)}: invalid syntax`);
  const n = Number(key);
  if (!Number.isSafeInteger(n) && Math.abs(n) >= 2 ** 63) fail(`strconv.Atoi: parsing ${JSON.stringify(key)}: value out of range`);
  return n === 0 ? 0 : n;
}

const invalidIndex = (idx: number): never => fail(`Unable to access invalid index: ${idx}: ${INVALID_INDEX}`);

/** An element index, negative counting from the end. */
function arrayIndex(a: Json[], key: string): number {
  let idx = atoi(key);
  if (idx < 0) {
    if (idx < -a.length) invalidIndex(idx);
    idx += a.length;
  }
  if (idx >= a.length) invalidIndex(idx);
  return idx;
}

/** The value at `key`; undefined for a missing object key (upstream treats it as null, not as an error). */
function get(con: Container, key: string): Json {
  if (Array.isArray(con)) return con[arrayIndex(con, key)];
  return Object.hasOwn(con, key) ? con[key] : undefined;
}

function setKey(o: JsonObject, k: string, v: Json): void {
  Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
}

function add(con: Container, key: string, val: Json): void {
  if (!Array.isArray(con)) { setKey(con, key, val); return; }
  if (key === '-') { con.push(val); return; }
  let idx = decoded(() => atoi(key), `value was not a proper array index: '${key}'`);
  const size = con.length + 1;
  if (idx >= size) invalidIndex(idx);
  if (idx < 0) {
    if (idx < -size) invalidIndex(idx);
    idx += size;
  }
  con.splice(idx, 0, val);
}

function remove(con: Container, key: string): void {
  if (!Array.isArray(con)) {
    if (!Object.hasOwn(con, key)) fail(`Unable to remove nonexistent key: ${key}: ${MISSING}`);
    delete con[key];
    return;
  }
  let idx = atoi(key);
  if (idx >= con.length) invalidIndex(idx);
  if (idx < 0) {
    if (idx < -con.length) invalidIndex(idx);
    idx += con.length;
  }
  con.splice(idx, 1);
}

function set(con: Container, key: string, val: Json): void {
  if (Array.isArray(con)) con[arrayIndex(con, key)] = val;
  else setKey(con, key, val);
}

function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => deepEqual(v, b[i]));
  }
  if (!isJsonObject(a) || !isJsonObject(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
}

function applyOperation(state: { root: Container }, op: JsonObject): void {
  const hasValue = Object.hasOwn(op, 'value');
  const value: Json = hasValue ? op.value : null;
  const kind = opKind(op);
  switch (kind) {
    case 'add': {
      const path = decoded(() => member(op, 'path'), 'add operation failed to decode path', MISSING);
      const target = findObject(state.root, path) ?? fail(`add operation does not apply: doc is missing path: "${path}": ${MISSING}`);
      wrap(() => add(target.con, target.key, value), `error in add for path: '${path}'`);
      return;
    }
    case 'remove': {
      const path = decoded(() => member(op, 'path'), 'remove operation failed to decode path', MISSING);
      const target = findObject(state.root, path) ?? fail(`remove operation does not apply: doc is missing path: "${path}": ${MISSING}`);
      wrap(() => remove(target.con, target.key), `error in remove for path: '${path}'`);
      return;
    }
    case 'replace': {
      const path = decoded(() => member(op, 'path'), 'replace operation failed to decode path');
      if (path === '') {
        // The whole document; upstream silently ignores a value that is neither an object nor a list.
        if (isJsonObject(value) || Array.isArray(value)) state.root = value;
        return;
      }
      const target = findObject(state.root, path) ?? fail(`replace operation does not apply: doc is missing path: ${path}: ${MISSING}`);
      decoded(() => get(target.con, target.key), `replace operation does not apply: doc is missing key: ${path}`, MISSING);
      wrap(() => set(target.con, target.key, value), `error in remove for path: '${path}'`);
      return;
    }
    case 'move': {
      const from = decoded(() => member(op, 'from'), 'move operation failed to decode from');
      const source = findObject(state.root, from) ?? fail(`move operation does not apply: doc is missing from path: ${from}: ${MISSING}`);
      const val = wrap(() => get(source.con, source.key), `error in move for path: '${source.key}'`);
      wrap(() => remove(source.con, source.key), `error in move for path: '${source.key}'`);
      const path = decoded(() => member(op, 'path'), 'move operation failed to decode path');
      const target = findObject(state.root, path) ?? fail(`move operation does not apply: doc is missing destination path: ${path}: ${MISSING}`);
      wrap(() => add(target.con, target.key, val ?? null), `error in move for path: '${path}'`);
      return;
    }
    case 'copy': {
      const from = decoded(() => member(op, 'from'), 'copy operation failed to decode from');
      const source = findObject(state.root, from) ?? fail(`copy operation does not apply: doc is missing from path: ${from}: ${MISSING}`);
      const val = wrap(() => get(source.con, source.key), `error in copy for from: '${from}'`);
      const path = decoded(() => member(op, 'path'), 'copy operation failed to decode path', MISSING);
      const target = findObject(state.root, path) ?? fail(`copy operation does not apply: doc is missing destination path: ${path}: ${MISSING}`);
      wrap(() => add(target.con, target.key, structuredClone(val ?? null)), 'error while adding value during copy');
      return;
    }
    case 'test': {
      const path = decoded(() => member(op, 'path'), 'test operation failed to decode path');
      const failed = `testing value ${path} failed: test failed`;
      if (path === '') {
        if (!deepEqual(state.root, value)) fail(failed);
        return;
      }
      const target = findObject(state.root, path) ?? fail(`test operation does not apply: is missing path: ${path}: ${MISSING}`);
      const actual = wrap(() => get(target.con, target.key), `error in test for path: '${path}'`);
      if (actual === undefined || actual === null) {
        if (value !== null) fail(failed);
        return;
      }
      if (!hasValue || !deepEqual(actual, value)) fail(failed);
      return;
    }
    default:
      fail(`Unexpected kind: ${kind}`);
  }
}
