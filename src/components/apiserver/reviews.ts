// Access and identity reviews, answered and never stored, as kube-apiserver answers them: `kubectl auth
// can-i` (SelfSubjectAccessReview, SelfSubjectRulesReview with --list), `kubectl auth whoami`
// (SelfSubjectReview), and SubjectAccessReview / LocalSubjectAccessReview for webhooks and tools.
// podnet authenticates one credential, the cluster's admin token, and that user is in system:masters: the
// privileged-group authorizer allows it everything, so every review of it is allowed. Reviews about other
// users are answered by the RBAC objects stored in the cluster (rbac.ts).
import { invalid, invalidError, badRequestError, type FieldError } from '../../core/api/errors.js';
import type { JsonObject, KubeObject } from '../../core/api/object.js';
import { apiVersionOf, type ResourceInfo } from '../../core/api/resources.js';
import type { ApiClient } from '../../core/api/client.js';
import { authorize, type AccessAttributes, type UserInfo } from './rbac-authorizer.js';

/** The user the cluster token authenticates, as kind/kubeadm name their admin, in the masters group. */
export const ADMIN_USER: UserInfo = { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };

/** The rules kube-apiserver's RBAC resolver reports for a system:masters user (cluster-admin plus the basic roles). */
export const ADMIN_RULES = {
  resourceRules: [
    { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
    { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] },
    { verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'] },
  ],
  nonResourceRules: [
    { verbs: ['*'], nonResourceURLs: ['*'] },
    { verbs: ['get'], nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'] },
  ],
  incomplete: false,
};

const obj = (v: unknown): JsonObject => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v as JsonObject : {});
const isEmptyMeta = (m: JsonObject) => Object.entries(m).every(([k, v]) => v === null || v === undefined || (k === 'creationTimestamp' && !v)
  || (typeof v === 'object' && Object.keys(v).length === 0));

function validateAttributes(spec: JsonObject, field = 'spec'): FieldError[] {
  if (spec.resourceAttributes && spec.nonResourceAttributes) {
    return [invalid(`${field}.nonResourceAttributes`, spec.nonResourceAttributes, 'cannot be specified in combination with resourceAttributes')];
  }
  if (!spec.resourceAttributes && !spec.nonResourceAttributes) {
    // A nil pointer prints as "null" in upstream's field errors.
    return [invalid(`${field}.resourceAttributes`, spec.nonResourceAttributes ?? 'null', 'exactly one of nonResourceAttributes or resourceAttributes must be specified')];
  }
  return [];
}

function attributesOf(spec: JsonObject): AccessAttributes {
  const r = obj(spec.resourceAttributes), n = obj(spec.nonResourceAttributes);
  if (spec.resourceAttributes) {
    return { verb: r.verb ?? '', resourceRequest: true, namespace: r.namespace ?? '', group: r.group ?? '', resource: r.resource ?? '',
      subresource: r.subresource ?? '', name: r.name ?? '' };
  }
  return { verb: n.verb ?? '', resourceRequest: false, path: n.path ?? '' };
}

/** Answers a review: the object as sent, with its status; throws the upstream Status on bad input. */
export async function answerReview(info: ResourceInfo, body: KubeObject, namespace: string | undefined, client: Pick<ApiClient, 'list' | 'get'>): Promise<KubeObject> {
  const o = body as JsonObject;
  const spec = obj(o.spec);
  const out: JsonObject = { kind: info.kind, apiVersion: apiVersionOf(info), metadata: { ...obj(o.metadata), creationTimestamp: null }, spec: o.spec ?? {} };
  const errs: FieldError[] = [];
  switch (info.kind) {
    case 'SelfSubjectReview':
      out.status = { userInfo: { username: ADMIN_USER.username, groups: ADMIN_USER.groups } };
      return out as KubeObject;
    case 'SelfSubjectAccessReview': {
      if (!isEmptyMeta(obj(o.metadata))) errs.push(invalid('metadata', o.metadata, 'must be empty'));
      errs.push(...validateAttributes(spec));
      if (errs.length) throw invalidError(info, '', errs);
      out.status = { allowed: true };
      return out as KubeObject;
    }
    case 'SelfSubjectRulesReview': {
      if (!spec.namespace) throw badRequestError('no namespace on request');
      out.status = ADMIN_RULES;
      return out as KubeObject;
    }
    case 'SubjectAccessReview': case 'LocalSubjectAccessReview': {
      if (info.kind === 'SubjectAccessReview' && !isEmptyMeta(obj(o.metadata))) errs.push(invalid('metadata', o.metadata, 'must be empty'));
      errs.push(...validateAttributes(spec));
      if (!spec.user && !(Array.isArray(spec.groups) && spec.groups.length) && !spec.uid) {
        errs.push(invalid('spec.user', spec.user ?? '', 'at least one of user or group must be specified'));
      }
      if (info.kind === 'LocalSubjectAccessReview') {
        const rns = obj(spec.resourceAttributes).namespace;
        if (spec.nonResourceAttributes) errs.push(invalid('spec.nonResourceAttributes', spec.nonResourceAttributes, 'disallowed on this kind of request'));
        if (spec.resourceAttributes && rns !== namespace) {
          throw badRequestError(`spec.resourceAttributes.namespace must match namespace: ${namespace}`);
        }
      }
      if (errs.length) throw invalidError(info, '', errs);
      const user: UserInfo = { username: spec.user ?? '', groups: Array.isArray(spec.groups) ? spec.groups : [] };
      out.status = await authorize(client, user, attributesOf(spec));
      return out as KubeObject;
    }
  }
  throw badRequestError(`${info.kind} is not a review`);
}
