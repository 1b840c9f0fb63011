// The field manager: who owns which fields of an object, kept in `metadata.managedFields` as
// kube-apiserver keeps it (apimachinery's managedfields + structured-merge-diff's merge.Updater).
//
// - update(): a create, update or patch by `manager` (operation Update). The manager gains the fields
//   it added or changed; every other manager loses the fields that changed or went away.
// - apply(): server-side apply by `manager` (operation Apply). The configuration is merged into the
//   live object; the manager owns exactly the fields of its configuration; fields it applied before
//   and no longer applies are removed unless someone else owns them; changing a field another manager
//   owns is a conflict (409) unless `force`, which takes the field over.
//
// Fields nobody owns (name, uid, resourceVersion, ...) are stripped from every set, as upstream's
// stripMeta does, and a resource's `status` is not owned through its main endpoint (and only `status`
// through the status subresource), as the reset fields of upstream's strategies say.
import { ApiError } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import { FieldSet, pathString, type Path } from './fieldpath.js';
import { compare, deepEqual, merge, removeItems, toFieldSet, type Comparison } from './typed.js';
import type { TypeNode } from './types.js';

export type Operation = 'Apply' | 'Update';

export interface ManagerEntry {
  manager: string;
  operation: Operation;
  apiVersion: string;
  subresource?: string;
  time?: string;
  set: FieldSet;
}

/** Managers by identifier (manager, operation, apiVersion for updaters, subresource). */
export type Managers = Map<string, ManagerEntry>;

export const BEFORE_FIRST_APPLY = 'before-first-apply';

/** BuildManagerIdentifier: the entry without time and fields, and without apiVersion for appliers. */
export function managerIdentifier(e: Pick<ManagerEntry, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  const o: Record<string, string> = { manager: e.manager, operation: e.operation };
  if (e.operation === 'Update' && e.apiVersion) o.apiVersion = e.apiVersion;
  if (e.subresource) o.subresource = e.subresource;
  return JSON.stringify(o);
}

/** Reads metadata.managedFields; throws with upstream's wording on a malformed entry. */
export function decodeManagedFields(list: unknown): Managers {
  const out: Managers = new Map();
  if (list === undefined || list === null) return out;
  if (!Array.isArray(list)) throw new Error('managedFields must be a list');
  list.forEach((raw, i) => {
    const e = (raw ?? {}) as Record<string, unknown>;
    if (e.fieldsType !== 'FieldsV1') throw new Error(`error decoding managed fields entry ${i}: unknown fieldsType "${e.fieldsType ?? ''}"`);
    if (e.operation !== 'Apply' && e.operation !== 'Update') throw new Error(`error decoding managed fields entry ${i}: unknown operation "${e.operation ?? ''}"`);
    const entry: ManagerEntry = {
      manager: String(e.manager ?? ''), operation: e.operation, apiVersion: String(e.apiVersion ?? ''),
      subresource: e.subresource ? String(e.subresource) : undefined, time: e.time ? String(e.time) : undefined,
      set: FieldSet.fromFieldsV1(e.fieldsV1 ?? {}),
    };
    out.set(managerIdentifier(entry), entry);
  });
  return out;
}

/** metadata.managedFields, sorted as upstream sorts it (operation, time, manager, apiVersion, subresource). */
export function encodeManagedFields(managers: Managers): Record<string, unknown>[] {
  const entries = [...managers.values()].filter((e) => !e.set.empty());
  const seconds = (t?: string) => (t ? Math.floor(Date.parse(t) / 1000) : 0);
  entries.sort((p, q) => cmp(p.operation, q.operation) || seconds(p.time) - seconds(q.time) || cmp(p.manager, q.manager)
    || cmp(p.apiVersion, q.apiVersion) || cmp(p.subresource ?? '', q.subresource ?? ''));
  return entries.map((e) => {
    const o: Record<string, unknown> = { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion };
    if (e.time) o.time = e.time;
    o.fieldsType = 'FieldsV1';
    o.fieldsV1 = e.set.toFieldsV1();
    if (e.subresource) o.subresource = e.subresource;
    return o;
  });
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `[]` or `[{}]`: the client asks for the managed fields to be reset. */
export function isResetManagedFields(list: unknown): boolean {
  if (!Array.isArray(list)) return false;
  if (list.length === 0) return true;
  return list.length === 1 && typeof list[0] === 'object' && list[0] !== null && Object.keys(list[0]).length === 0;
}

// ---- what is never owned ---------------------------------------------------------------------------

const f = (...names: string[]): Path => names.map((field) => ({ field }));
const STRIPPED = (() => {
  const s = new FieldSet();
  for (const p of [f('apiVersion'), f('kind'), f('metadata'), f('metadata', 'name'), f('metadata', 'namespace'),
    f('metadata', 'creationTimestamp'), f('metadata', 'selfLink'), f('metadata', 'uid'), f('metadata', 'clusterName'),
    f('metadata', 'generation'), f('metadata', 'managedFields'), f('metadata', 'resourceVersion')]) s.insert(p);
  return s;
})();

export interface Scope {
  /** The subresource written through ('status'), if any. */
  subresource?: string;
  /** Whether the kind has a status subresource (then its main endpoint does not own status). */
  hasStatus: boolean;
}

/** The fields of `set` this endpoint may own: no stripped metadata, status only through /status. */
function ownable(set: FieldSet, scope: Scope): FieldSet {
  let out = set.difference(STRIPPED);
  if (scope.subresource === 'status') {
    const kept = new FieldSet();
    const status = out.children.get('f:status');
    if (status) kept.children.set('f:status', { pe: status.pe, set: status.set.clone() });
    if (out.members.has('f:status')) kept.members.set('f:status', { field: 'status' });
    out = kept;
  } else if (scope.hasStatus) {
    out.members.delete('f:status');
    out.children.delete('f:status');
  }
  return out;
}

function filtered(c: Comparison, scope: Scope): Comparison {
  return { added: ownable(c.added, scope), modified: ownable(c.modified, scope), removed: ownable(c.removed, scope) };
}

// ---- conflicts -------------------------------------------------------------------------------------

export interface Conflict { manager: string; path: Path }

/** printManager: `"kubectl"`, `"kube-controller-manager" using apps/v1`, `... with subresource "status"`. */
function printManager(id: string): string {
  let e: Record<string, string>;
  try { e = JSON.parse(id); } catch { return JSON.stringify(id); }
  let s = JSON.stringify(e.manager ?? '');
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === 'Update') s += ` using ${e.apiVersion ?? ''}`;
  return s;
}

/** The 409 kube-apiserver answers an apply with: one cause per conflicting field. */
export function applyConflictError(conflicts: Conflict[]): ApiError {
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0].manager)}: ${pathString(conflicts[0].path)}`;
  } else {
    const byManager = new Map<string, Path[]>();
    for (const c of conflicts) byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), c.path]);
    const lines: string[] = [];
    for (const m of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${printManager(m)}:`);
      for (const p of byManager.get(m)!) lines.push(`- ${pathString(p)}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new ApiError({
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'Conflict', code: 409,
    details: { causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${printManager(c.manager)}`, field: pathString(c.path) })) },
  });
}

/**
 * Updater.update: other managers lose what changed (or, without force, the change is a conflict) and
 * what was removed; managers left with nothing are dropped.
 */
function settle(managers: Managers, c: Comparison, self: string, force: boolean, allowed?: FieldSet): void {
  const changed = c.modified.union(c.added);
  const conflicts: Conflict[] = [];
  for (const [id, e] of managers) {
    if (id === self) continue;
    const clash = e.set.intersection(changed);
    if (!clash.empty()) for (const p of clash.paths()) conflicts.push({ manager: id, path: p });
  }
  // lastAppliedManager: kubectl's first server-side apply over a client-side-applied object takes the
  // fields its last-applied configuration still describes; any other conflict is reported alone.
  const refused = allowed ? conflicts.filter((x) => !allowed.has(x.path)) : conflicts;
  if (refused.length && !force) throw applyConflictError(refused);
  for (const [id, e] of managers) {
    if (id === self) continue;
    e.set = e.set.difference(changed).difference(c.removed);
    if (e.set.empty()) managers.delete(id);
  }
}

// ---- the operations --------------------------------------------------------------------------------

export interface Context {
  type: TypeNode;
  scope: Scope;
  /** RFC 3339 time of this operation. */
  now: string;
}

/** The managers to start an update from: the request's managedFields if it set them, else the live object's. */
export function managersForUpdate(live: KubeObject | undefined, next: KubeObject, fromRequest: boolean): Managers {
  const requested = next.metadata?.managedFields;
  if (fromRequest && isResetManagedFields(requested)) return new Map();
  if (fromRequest && requested !== undefined) {
    try {
      const m = decodeManagedFields(requested);
      if (m.size) return m;
    } catch { /* fall back to the live object's, as upstream does */ }
  }
  try { return decodeManagedFields(live?.metadata?.managedFields); } catch { return new Map(); }
}

/**
 * Records an Update by `manager`: returns `next` with managedFields set. `live` is the object before
 * (for a create: the kind's zero object, see zeroObject).
 */
export function recordUpdate(live: KubeObject, next: KubeObject, manager: string, ctx: Context, fromRequest = true): KubeObject {
  const managers = managersForUpdate(live, next, fromRequest);
  const out = { ...next, metadata: { ...next.metadata } };
  const c = filtered(compare(withoutManaged(live), withoutManaged(out), ctx.type), ctx.scope);
  const self = managerIdentifier({ manager, operation: 'Update', apiVersion: next.apiVersion, subresource: ctx.scope.subresource });
  settle(managers, c, self, true);
  const gained = c.modified.union(c.added);
  if (!gained.empty()) {
    const prev = managers.get(self);
    managers.set(self, {
      manager, operation: 'Update', apiVersion: next.apiVersion, subresource: ctx.scope.subresource, time: ctx.now,
      set: prev ? prev.set.union(gained) : gained,
    });
  }
  setManaged(out, managers);
  return out;
}

export interface ApplyResult {
  /** The object to store; equal to `live` (with managedFields perhaps changed) when nothing else changed. */
  object: KubeObject;
  changed: boolean;
}

/**
 * Server-side apply of `config` by `manager` to `live` (for a create-on-apply: the kind's zero object).
 * Throws the 409 conflict Status.
 */
export function apply(live: KubeObject, config: KubeObject, manager: string, force: boolean, ctx: Context, creating = false): ApplyResult {
  let managers: Managers;
  try { managers = decodeManagedFields(live.metadata?.managedFields); } catch { managers = new Map(); }
  const liveObj = withoutManaged(live);
  // An object no one has managed yet (made before managed fields existed, or by a client that reset
  // them): its current fields belong to `before-first-apply`, so applying over them can conflict.
  if (managers.size === 0 && !creating) {
    const set = ownable(toFieldSet(liveObj, ctx.type), ctx.scope);
    if (!set.empty()) {
      const e: ManagerEntry = { manager: BEFORE_FIRST_APPLY, operation: 'Update', apiVersion: live.apiVersion, time: ctx.now, set };
      managers.set(managerIdentifier(e), e);
    }
  }
  const self = managerIdentifier({ manager, operation: 'Apply', apiVersion: config.apiVersion, subresource: ctx.scope.subresource });
  const configSet = toFieldSet(config, ctx.type);
  const last = managers.get(self);
  const mergedObj = merge(liveObj, config, ctx.type) as KubeObject;
  const applied: ManagerEntry = {
    manager, operation: 'Apply', apiVersion: config.apiVersion, subresource: ctx.scope.subresource,
    time: last?.time, set: ownable(configSet, ctx.scope),
  };
  managers.set(self, applied);
  const pruned = last ? prune(mergedObj, managers, self, configSet, last.set, ctx.type) : mergedObj;
  const c = filtered(compare(liveObj, pruned, ctx.type), ctx.scope);
  const upgrading = manager === 'kubectl' ? lastAppliedFields(liveObj, ctx.type) : undefined;
  settle(managers, c, self, force, upgrading);
  // lastAppliedUpdater: kubectl's server-side apply keeps an existing last-applied annotation current,
  // so a later client-side `kubectl apply` computes its patch from what was really applied.
  if (upgrading) setLastApplied(pruned, config);
  const changed = !deepEqual(liveObj, pruned);
  if (changed || !applied.time) applied.time = ctx.now;
  if (applied.set.empty()) managers.delete(self);
  const object = changed ? structuredClone(pruned) : structuredClone(liveObj);
  setManaged(object, managers);
  return { object, changed };
}

/**
 * Updater.prune: the fields `self` applied last time and no longer applies, unless some manager still
 * owns them or something below them. Struct fields along the way go too once nothing below is owned.
 */
function prune(merged: KubeObject, managers: Managers, self: string, configSet: FieldSet, last: FieldSet, type: TypeNode): KubeObject {
  let owned = configSet;
  for (const [id, e] of managers) if (id !== self) owned = owned.union(e.set);
  const remove = new FieldSet();
  for (const p of last.paths()) {
    // The path and its named-field ancestors, innermost last; remove the outermost that is unowned.
    for (let n = 1; n <= p.length; n++) {
      const prefix = p.slice(0, n);
      if (n < p.length && !('field' in prefix[n - 1])) continue;
      if (n === 1 && ['metadata', 'apiVersion', 'kind'].includes((prefix[0] as { field: string }).field)) continue;
      if (!ownsAtOrBelow(owned, prefix)) { remove.insert(prefix); break; }
    }
  }
  if (remove.empty()) return merged;
  return removeItems(merged, remove, type) as KubeObject;
}

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** The fields of the live object's last-applied configuration whose values the live object still has. */
function lastAppliedFields(live: KubeObject, type: TypeNode): FieldSet | undefined {
  const text = live.metadata?.annotations?.[LAST_APPLIED];
  if (typeof text !== 'string' || !text) return undefined;
  let last: unknown;
  try { last = JSON.parse(text); } catch { return undefined; }
  try {
    const c = compare(last, live, type);
    return toFieldSet(last, type).difference(c.modified.union(c.added).union(c.removed));
  } catch {
    return undefined;
  }
}

function setLastApplied(o: KubeObject, config: KubeObject): void {
  const applied = structuredClone(config);
  if (applied.metadata?.annotations) {
    delete applied.metadata.annotations[LAST_APPLIED];
    if (Object.keys(applied.metadata.annotations).length === 0) delete applied.metadata.annotations;
  }
  o.metadata = { ...o.metadata, annotations: { ...(o.metadata.annotations ?? {}), [LAST_APPLIED]: JSON.stringify(sortKeys(applied)) + '\n' } };
}

/** Go encodes maps with sorted keys; the annotation must read as upstream writes it. */
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!v || typeof v !== 'object') return v;
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
}

function ownsAtOrBelow(set: FieldSet, path: Path): boolean {
  if (set.has(path)) return true;
  let s: FieldSet | undefined = set;
  for (const pe of path) { s = s?.child(pe); if (!s) return false; }
  return !!s && !s.empty();
}

/** A shallow copy without managedFields (the walkers never modify their inputs). */
function withoutManaged(o: KubeObject): KubeObject {
  if (!o.metadata || !('managedFields' in o.metadata)) return o;
  const { managedFields: _, ...metadata } = o.metadata;
  return { ...o, metadata };
}

export const MAX_UPDATE_MANAGERS = 10;
export const ANCIENT_CHANGES = 'ancient-changes';

/**
 * capManagers: past ten Update managers, the oldest are folded into one `ancient-changes` entry per
 * apiVersion, so an object many clients touch does not carry an ever longer managedFields.
 */
function capUpdaters(managers: Managers): void {
  const seconds = (t?: string) => (t ? Math.floor(Date.parse(t) / 1000) : 0);
  const updaters = [...managers].filter(([, e]) => e.operation === 'Update')
    .sort(([a, x], [b, y]) => seconds(x.time) - seconds(y.time) || (a < b ? -1 : a > b ? 1 : 0));
  for (let i = 0, n = updaters.length; i < updaters.length && n > MAX_UPDATE_MANAGERS; i++, n--) {
    const [id, e] = updaters[i];
    const bucket = { manager: ANCIENT_CHANGES, operation: 'Update' as const, apiVersion: e.apiVersion };
    const bid = managerIdentifier(bucket);
    const prev = managers.get(bid);
    managers.delete(id);
    managers.set(bid, { ...bucket, time: e.time, set: prev ? prev.set.union(e.set) : e.set });
  }
}

function setManaged(o: KubeObject, managers: Managers): void {
  capUpdaters(managers);
  o.metadata ??= {};
  const list = encodeManagedFields(managers);
  if (list.length) o.metadata.managedFields = list;
  else delete o.metadata.managedFields;
}

/**
 * The object a create is compared against: the kind's zero value as Go has it, where structs that are
 * not pointers (spec, status, a template's metadata and spec, a Deployment's strategy) already exist.
 * That is why upstream's managedFields show `f:spec:` with no `.` but `f:labels: {.: {}}` for a create.
 */
export function zeroObject(apiVersion: string, kind: string, type: TypeNode): KubeObject {
  const o: Record<string, unknown> = { apiVersion, kind, metadata: {} };
  if (type.kind !== 'struct') return o as KubeObject;
  const spec = field(type, 'spec');
  if (spec?.kind === 'struct') o.spec = zeroSpec(spec);
  if (field(type, 'status')?.kind === 'struct') o.status = {};
  return o as KubeObject;
}

function field(t: TypeNode | undefined, name: string): TypeNode | undefined {
  return t?.kind === 'struct' ? t.fields.get(name)?.() : undefined;
}

/** A spec's non-pointer parts: pod and job templates, update strategies, a PodSpec's `containers: null`. */
function zeroSpec(spec: TypeNode): Record<string, unknown> {
  const v: Record<string, unknown> = {};
  if (spec.kind !== 'struct') return v;
  if (spec.fields.has('containers') && spec.fields.has('restartPolicy')) v.containers = null;
  for (const name of ['template', 'jobTemplate']) {
    const t = field(spec, name);
    if (t?.kind === 'struct' && t.fields.has('metadata') && t.fields.has('spec')) v[name] = { metadata: {}, spec: zeroSpec(field(t, 'spec')!) };
  }
  for (const name of ['strategy', 'updateStrategy']) if (field(spec, name)?.kind === 'struct') v[name] = {};
  return v;
}
