// JSON merge patch (RFC 7386), as kube-apiserver applies `application/merge-patch+json` with
// evanphx/json-patch v4: `null` deletes a key, objects merge recursively, anything else replaces. Like that
// library, a value that lands where there was nothing (or no object) is stripped of the nulls inside its
// objects, while null list elements stay; an array sent over an object is taken exactly as sent.
import { type JsonObject, isJsonObject } from '../api/object.js';
import { badRequest } from './errors.js';

/** Applies a JSON merge patch to an object and returns the result; neither input is modified. */
export function applyMergePatch(original: JsonObject, patch: unknown): JsonObject {
  if (patch === null || (typeof patch !== 'object')) {
    throw badRequest(`Invalid JSON Patch: a merge patch must be a JSON object, got ${patch === null ? 'null' : typeof patch}`);
  }
  if (Array.isArray(patch)) {
    throw badRequest('Invalid JSON Patch: a merge patch must be a JSON object, got an array; ' +
      'use application/json-patch+json (kubectl patch --type=json) for a list of operations');
  }
  if (!isJsonObject(original)) throw badRequest('a merge patch applies to a JSON object');
  const doc = structuredClone(original);
  mergeDocs(doc, structuredClone(patch as JsonObject));
  return doc;
}

function setKey(o: JsonObject, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
  else o[k] = v;
}

function mergeDocs(doc: JsonObject, patch: JsonObject): void {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) { delete doc[k]; continue; }
    if (!Object.hasOwn(doc, k) || doc[k] === null) { pruneNulls(v); setKey(doc, k, v); continue; }
    setKey(doc, k, merge(doc[k], v));
  }
}

function merge(cur: unknown, patch: unknown): unknown {
  if (!isJsonObject(cur)) { pruneNulls(patch); return patch; }
  if (!isJsonObject(patch)) return patch;
  mergeDocs(cur, patch);
  return cur;
}

function pruneNulls(v: unknown): void {
  if (Array.isArray(v)) {
    for (const e of v) if (e !== null) pruneNulls(e);
  } else if (isJsonObject(v)) {
    for (const k of Object.keys(v)) {
      if (v[k] === null) delete v[k]; else pruneNulls(v[k]);
    }
  }
}
