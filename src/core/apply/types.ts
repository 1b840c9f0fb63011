// Server-side apply's view of a kind's types, derived from the same OpenAPI component schemas
// kube-apiserver publishes (as upstream derives its structured-merge-diff schema from its OpenAPI with
// kube-openapi's schemaconv): structs are granular unless `x-kubernetes-map-type: atomic`; lists are
// associative by `x-kubernetes-list-map-keys` (list-type map) or as sets (list-type set), atomic
// otherwise; free-form fields (`x-kubernetes-preserve-unknown-fields`) take their shape from the value.
import { buildComponents, type Gvk, type Schema } from '../openapi/components.js';

export type TypeNode =
  | { kind: 'struct'; fields: Map<string, () => TypeNode>; atomic: boolean }
  | { kind: 'map'; elem: () => TypeNode; atomic: boolean }
  | { kind: 'list'; elem: () => TypeNode; associative: boolean; keys: string[]; keyDefaults: Record<string, unknown> }
  | { kind: 'scalar' }
  | { kind: 'untyped' };

export const UNTYPED: TypeNode = { kind: 'untyped' };
const SCALAR: TypeNode = { kind: 'scalar' };

/** Resolves the type nodes of one set of component schemas, memoized by schema name. */
export class TypeModel {
  private readonly named = new Map<string, TypeNode>();
  constructor(private readonly schemas: ReadonlyMap<string, Schema>) {}

  /** The root type of a kind, or undefined when the schemas do not describe it. */
  kind(gvk: Gvk): TypeNode | undefined {
    for (const [name, s] of this.schemas) {
      const gvks = s['x-kubernetes-group-version-kind'] as Gvk[] | undefined;
      if (gvks?.some((g) => g.group === gvk.group && g.version === gvk.version && g.kind === gvk.kind)) return this.byName(name);
    }
    return undefined;
  }

  private byName(name: string): TypeNode {
    let t = this.named.get(name);
    if (!t) {
      const s = this.schemas.get(name);
      t = s ? this.node(s) : UNTYPED;
      this.named.set(name, t);
    }
    return t;
  }

  private node(s: Schema): TypeNode {
    const ref = refOf(s);
    if (ref) return this.byName(ref);
    if (s['x-kubernetes-int-or-string']) return SCALAR;
    if (s.type === 'array') {
      const items = (s.items ?? {}) as Schema;
      const listType = s['x-kubernetes-list-type'];
      const keys = (s['x-kubernetes-list-map-keys'] as string[] | undefined) ?? [];
      const associative = listType === 'map' || listType === 'set';
      let elem: TypeNode | undefined;
      const elemOf = () => (elem ??= this.node(items));
      return { kind: 'list', elem: elemOf, associative, keys: listType === 'map' ? keys : [], keyDefaults: keyDefaultsOf(this.schemas, items) };
    }
    if (s.type === 'object' && s.properties) {
      const fields = new Map<string, () => TypeNode>();
      for (const [k, v] of Object.entries(s.properties as Record<string, Schema>)) {
        let memo: TypeNode | undefined;
        fields.set(k, () => (memo ??= this.node(v)));
      }
      return { kind: 'struct', fields, atomic: s['x-kubernetes-map-type'] === 'atomic' };
    }
    if (s.type === 'object' && s.additionalProperties && typeof s.additionalProperties === 'object') {
      let memo: TypeNode | undefined;
      return { kind: 'map', elem: () => (memo ??= this.node(s.additionalProperties as Schema)), atomic: s['x-kubernetes-map-type'] === 'atomic' };
    }
    if (s.type === 'object') return UNTYPED;
    return SCALAR;
  }
}

function refOf(s: Schema): string | undefined {
  const r = (s.$ref as string | undefined) ?? ((s.allOf as Schema[] | undefined)?.[0]?.$ref as string | undefined);
  return r?.replace('#/components/schemas/', '');
}

function keyDefaultsOf(schemas: ReadonlyMap<string, Schema>, items: Schema): Record<string, unknown> {
  const ref = refOf(items);
  const props = ((ref ? schemas.get(ref) : items)?.properties ?? {}) as Record<string, Schema>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(props)) if (v.default !== undefined && typeof v.default !== 'object') out[k] = v.default;
  return out;
}

const models = new Map<string, TypeModel>();

/** The type model for a set of kinds (usually one: only the types it reaches are loaded), built once. */
export function typeModelFor(kinds: readonly Gvk[]): TypeModel {
  const id = kinds.map((k) => `${k.group}/${k.version}/${k.kind}`).join(',');
  let m = models.get(id);
  if (!m) { m = new TypeModel(buildComponents(kinds)); models.set(id, m); }
  return m;
}
