// A small OpenAPI v3 document per group-version: enough for kubectl's field-validation check (it looks
// for each kind's PATCH operation with a fieldValidation parameter) so `kubectl apply` and `create -f`
// validate on the server. With no schemas, kubectl computes strategic merge patches from its built-in
// types, which is what it does for every built-in kind anyway.
import { createHash } from 'node:crypto';
import { RESOURCES, type ResourceInfo } from '../../core/api/resources.js';

function gvPath(r: ResourceInfo): string {
  return r.group ? `apis/${r.group}/${r.version}` : `api/${r.version}`;
}

const PARAMS = [
  { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } },
  { name: 'fieldManager', in: 'query', schema: { type: 'string', uniqueItems: true } },
  { name: 'dryRun', in: 'query', schema: { type: 'string', uniqueItems: true } },
];

function operation(r: ResourceInfo, action: 'patch' | 'post' | 'put') {
  const body = action === 'patch'
    ? { 'application/strategic-merge-patch+json': { schema: { type: 'object' } },
        'application/merge-patch+json': { schema: { type: 'object' } },
        'application/json-patch+json': { schema: { type: 'object' } },
        'application/apply-patch+yaml': { schema: { type: 'object' } } }
    : { 'application/json': { schema: { type: 'object' } } };
  return {
    parameters: PARAMS,
    requestBody: { content: body },
    responses: { '200': { description: 'OK' }, ...(action === 'post' ? { '201': { description: 'Created' } } : {}) },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group: r.group, version: r.version, kind: r.kind },
  };
}

function documentFor(gv: string) {
  const paths: Record<string, object> = {};
  for (const r of RESOURCES.filter((x) => gvPath(x) === gv)) {
    const base = `/${gv}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.resource}`;
    paths[base] = { post: operation(r, 'post') };
    paths[`${base}/{name}`] = { patch: operation(r, 'patch'), put: operation(r, 'put') };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths, components: { schemas: {} } };
}

interface Doc { body: string; hash: string }

const documents = new Map<string, Doc>();
for (const gv of new Set(RESOURCES.map(gvPath))) {
  const body = JSON.stringify(documentFor(gv));
  documents.set(gv, { body, hash: createHash('sha512').update(body).digest('hex').slice(0, 128).toUpperCase() });
}

/** The /openapi/v3 index: a serverRelativeURL with a content hash per group-version. */
export function openapiIndex(): string {
  const paths: Record<string, object> = {};
  for (const [gv, d] of documents) paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=${d.hash}` };
  return JSON.stringify({ paths });
}

/** The document for `api/v1`, `apis/apps/v1`, ...; undefined if not served. */
export function openapiDocument(gv: string): Doc | undefined {
  return documents.get(gv);
}

