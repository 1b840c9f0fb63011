// The OpenAPI documents kube-apiserver serves: /openapi/v3/<group-version> (one per group-version, what
// `kubectl explain`, `kubectl apply`'s patch computation and its fieldValidation check read) and
// /openapi/v2 (one for everything; kubectl validates the items of a `kind: List` with it).
import type { ResourceInfo } from '../api/resources.js';
import { buildComponents, type Schema } from './components.js';

export function gvPath(r: Pick<ResourceInfo, 'group' | 'version'>): string {
  return r.group ? `apis/${r.group}/${r.version}` : `api/${r.version}`;
}

const QUERY = (name: string, description: string) => ({ name, in: 'query', description, schema: { type: 'string', uniqueItems: true } });
const PARAMS = [
  QUERY('dryRun', 'When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed'),
  QUERY('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.'),
  QUERY('fieldValidation', 'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore - Warn - Strict'),
];
const FORCE = { name: 'force', in: 'query', description: 'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.', schema: { type: 'boolean', uniqueItems: true } };

function operation(r: ResourceInfo, action: 'patch' | 'post' | 'put', ref: string) {
  const schema = { $ref: ref };
  const body = action === 'patch'
    ? Object.fromEntries(['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json',
      'application/strategic-merge-patch+json'].map((t) => [t, { schema: { type: 'object' } }]))
    : { '*/*': { schema } };
  return {
    tags: [r.group ? r.group.split('.')[0] + r.version[0].toUpperCase() + r.version.slice(1) : `core${r.version[0].toUpperCase()}${r.version.slice(1)}`],
    parameters: action === 'patch' ? [...PARAMS, FORCE] : PARAMS,
    requestBody: { content: body, required: true },
    responses: {
      '200': { description: 'OK', content: { 'application/json': { schema } } },
      ...(action === 'post' ? { '201': { description: 'Created', content: { 'application/json': { schema } } } } : {}),
      '401': { description: 'Unauthorized' },
    },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group: r.group, version: r.version, kind: r.kind },
  };
}

/** The document of one group-version: its kinds' operations and every schema they reach. */
export function v3Document(gv: string, resources: readonly ResourceInfo[]): object {
  const mine = resources.filter((r) => gvPath(r) === gv);
  const schemas = buildComponents(mine, resources);
  const refOf = (r: ResourceInfo) => {
    for (const [name, s] of schemas) {
      const gvks = s['x-kubernetes-group-version-kind'] as { group: string; version: string; kind: string }[] | undefined;
      if (gvks?.some((g) => g.group === r.group && g.version === r.version && g.kind === r.kind)) return `#/components/schemas/${name}`;
    }
    return '#/components/schemas/unknown';
  };
  const paths: Record<string, object> = {};
  for (const r of mine) {
    const base = `/${gv}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.resource}`;
    const ref = refOf(r);
    paths[base] = { post: operation(r, 'post', ref) };
    paths[`${base}/{name}`] = { patch: operation(r, 'patch', ref), put: operation(r, 'put', ref) };
  }
  return {
    openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths,
    components: { schemas: Object.fromEntries([...schemas].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) },
  };
}

/** Swagger 2.0 for every kind: definitions only (kubectl's v2 consumers read nothing else). */
export function v2Document(resources: readonly ResourceInfo[]): { swagger: string; info: object; paths: object; definitions: Record<string, Schema> } {
  const schemas = buildComponents(resources);
  const definitions: Record<string, Schema> = {};
  for (const name of [...schemas.keys()].sort()) definitions[name] = toV2(schemas.get(name)!) as Schema;
  return { swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths: {}, definitions };
}

/** A v3 schema in v2 form: `allOf: [$ref]` wrappers become plain $refs into #/definitions. */
function toV2(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(toV2);
  if (!s || typeof s !== 'object') return s;
  const o = s as Schema;
  if (Array.isArray(o.allOf) && o.allOf.length === 1) {
    const ref = (o.allOf[0] as Schema).$ref as string;
    const out: Schema = { $ref: ref.replace('#/components/schemas/', '#/definitions/') };
    if (o.description) out.description = o.description;
    return out;
  }
  const out: Schema = {};
  for (const [k, v] of Object.entries(o)) {
    if (k === 'x-kubernetes-int-or-string' || k === 'x-kubernetes-preserve-unknown-fields') continue;
    out[k] = k === '$ref' ? (v as string).replace('#/components/schemas/', '#/definitions/') : toV2(v);
  }
  return out;
}
