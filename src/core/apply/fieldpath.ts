// Field paths and sets of them, as structured-merge-diff (sigs.k8s.io/structured-merge-diff, the library
// kube-apiserver's server-side apply is built on) defines them, and their FieldsV1 serialization, the
// `fieldsV1` of `metadata.managedFields`:
//   f:<name>        a field of a struct or a key of a map
//   k:{"name":"c"}  an item of an associative list, by its key fields (sorted by name)
//   v:<json>        an item of a set (a list of scalars)
//   i:<n>           an item by index (lists that are neither; never produced by apply of built-in types)
//   .               in a node that also has children: the node itself is in the set.
export type Scalar = string | number | boolean | null;

export type PathElement =
  | { field: string }
  | { key: [string, Scalar][] }
  | { value: unknown }
  | { index: number };

export type Path = PathElement[];

/** The FieldsV1 key of a path element (also its identity in a set). */
export function elementKey(pe: PathElement): string {
  if ('field' in pe) return `f:${pe.field}`;
  if ('key' in pe) return `k:${JSON.stringify(Object.fromEntries(pe.key))}`;
  if ('value' in pe) return `v:${JSON.stringify(pe.value)}`;
  return `i:${pe.index}`;
}

/** Parses a FieldsV1 key; undefined for a key of an unknown kind (skipped, as upstream does). */
export function parseElementKey(key: string): PathElement | undefined {
  const body = key.slice(2);
  switch (key.slice(0, 2)) {
    case 'f:': return { field: body };
    case 'k:': {
      const o = JSON.parse(body) as Record<string, Scalar>;
      return { key: Object.entries(o).sort(([a], [b]) => cmpStr(a, b)) };
    }
    case 'v:': return { value: JSON.parse(body) };
    case 'i:': return { index: Number(body) };
    default: return undefined;
  }
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const RANK: Record<string, number> = { number: 0, string: 1, boolean: 2, object: 3 };

/** structured-merge-diff's value order, enough for keys and set items: numbers, strings, booleans, the rest. */
function cmpValue(a: unknown, b: unknown): number {
  const ta = a === null ? 'object' : typeof a;
  const tb = b === null ? 'object' : typeof b;
  if (ta !== tb) return (RANK[ta] ?? 4) - (RANK[tb] ?? 4);
  if (ta === 'number') return (a as number) - (b as number);
  if (ta === 'string') return cmpStr(a as string, b as string);
  if (ta === 'boolean') return Number(a) - Number(b);
  return cmpStr(JSON.stringify(a), JSON.stringify(b));
}

/** PathElement.Compare: fields, then keys, then values, then indexes. */
export function compareElements(a: PathElement, b: PathElement): number {
  const kind = (pe: PathElement) => ('field' in pe ? 0 : 'key' in pe ? 1 : 'value' in pe ? 2 : 3);
  const d = kind(a) - kind(b);
  if (d) return d;
  if ('field' in a) return cmpStr(a.field, (b as { field: string }).field);
  if ('key' in a) {
    const ka = a.key, kb = (b as { key: [string, Scalar][] }).key;
    for (let i = 0; ; i++) {
      if (i >= ka.length && i >= kb.length) return 0;
      if (i >= ka.length) return -1;
      if (i >= kb.length) return 1;
      const c = cmpStr(ka[i][0], kb[i][0]) || cmpValue(ka[i][1], kb[i][1]);
      if (c) return c;
    }
  }
  if ('value' in a) return cmpValue(a.value, (b as { value: unknown }).value);
  return a.index - (b as { index: number }).index;
}

/** Go's %v of a value in a path string: strings quoted, the rest as JSON. */
function valueString(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : v === null ? 'null' : String(v);
}

/** The path as upstream prints it in conflicts: `.spec.containers[name="c"].image`. */
export function pathString(path: Path): string {
  return path.map((pe) => {
    if ('field' in pe) return `.${pe.field}`;
    if ('key' in pe) return `[${pe.key.map(([k, v]) => `${k}=${valueString(v)}`).join(',')}]`;
    if ('value' in pe) return `[=${valueString(pe.value)}]`;
    return `[${pe.index}]`;
  }).join('');
}

/** A set of field paths, stored as a tree: the members at this level and the subsets below. */
export class FieldSet {
  readonly members = new Map<string, PathElement>();
  readonly children = new Map<string, { pe: PathElement; set: FieldSet }>();

  insert(path: Path): void {
    if (path.length === 0) return;
    let s: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) s = s.child(path[i], true)!;
    const last = path[path.length - 1];
    s.members.set(elementKey(last), last);
  }

  child(pe: PathElement, create = false): FieldSet | undefined {
    const k = elementKey(pe);
    let c = this.children.get(k);
    if (!c && create) { c = { pe, set: new FieldSet() }; this.children.set(k, c); }
    return c?.set;
  }

  has(path: Path): boolean {
    let s: FieldSet | undefined = this;
    for (let i = 0; i < path.length - 1 && s; i++) s = s.child(path[i]);
    return !!s && path.length > 0 && s.members.has(elementKey(path[path.length - 1]));
  }

  /** The subset below `pe` (WithPrefix). */
  withPrefix(pe: PathElement): FieldSet {
    return this.child(pe) ?? new FieldSet();
  }

  empty(): boolean {
    if (this.members.size) return false;
    for (const c of this.children.values()) if (!c.set.empty()) return false;
    return true;
  }

  union(o: FieldSet): FieldSet {
    const out = this.clone();
    for (const [k, pe] of o.members) out.members.set(k, pe);
    for (const [k, c] of o.children) {
      const mine = out.children.get(k);
      out.children.set(k, { pe: c.pe, set: mine ? mine.set.union(c.set) : c.set.clone() });
    }
    return out;
  }

  difference(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!o.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const theirs = o.children.get(k);
      const d = theirs ? c.set.difference(theirs.set) : c.set.clone();
      if (!d.empty()) out.children.set(k, { pe: c.pe, set: d });
    }
    return out;
  }

  intersection(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (o.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const theirs = o.children.get(k);
      if (!theirs) continue;
      const i = c.set.intersection(theirs.set);
      if (!i.empty()) out.children.set(k, { pe: c.pe, set: i });
    }
    return out;
  }

  clone(): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) out.members.set(k, pe);
    for (const [k, c] of this.children) out.children.set(k, { pe: c.pe, set: c.set.clone() });
    return out;
  }

  equals(o: FieldSet): boolean {
    return this.difference(o).empty() && o.difference(this).empty();
  }

  /** Every member path: this level's members in order, then each child's, as Set.Iterate visits them. */
  paths(prefix: Path = []): Path[] {
    const out: Path[] = [];
    for (const pe of sorted([...this.members.values()])) out.push([...prefix, pe]);
    for (const c of [...this.children.values()].sort((a, b) => compareElements(a.pe, b.pe))) out.push(...c.set.paths([...prefix, c.pe]));
    return out;
  }

  /** The FieldsV1 object. */
  toFieldsV1(): Record<string, unknown> {
    return this.emit(false);
  }

  private emit(includeSelf: boolean): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (includeSelf && (this.members.size || this.children.size)) out['.'] = {};
    const keys = new Map<string, PathElement>();
    for (const [k, pe] of this.members) keys.set(k, pe);
    for (const [k, c] of this.children) keys.set(k, c.pe);
    for (const [k, pe] of [...keys].sort((a, b) => compareElements(a[1], b[1]))) {
      const c = this.children.get(k);
      if (!c) out[k] = {};
      else out[k] = c.set.emit(this.members.has(k));
    }
    return out;
  }

  /** Reads a FieldsV1 object; throws on a malformed one. */
  static fromFieldsV1(obj: unknown): FieldSet {
    const out = new FieldSet();
    read(obj, out);
    return out;
  }
}

function read(obj: unknown, into: FieldSet): void {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new Error('fieldsV1 must be a JSON object');
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    if (k === '.') continue;
    const pe = parseElementKey(k);
    if (!pe) continue;
    const sub = v as Record<string, unknown>;
    const keys = sub && typeof sub === 'object' ? Object.keys(sub) : [];
    const isMember = keys.length === 0 || keys.includes('.');
    if (isMember) into.members.set(elementKey(pe), pe);
    if (keys.some((x) => x !== '.')) read(sub, into.child(pe, true)!);
  }
}

function sorted(pes: PathElement[]): PathElement[] {
  return pes.sort(compareElements);
}
