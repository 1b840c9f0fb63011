// rbac.authorization.k8s.io/v1 validation, as pkg/apis/rbac/validation: names are path segments (so
// `system:controller:foo` is valid), every rule names verbs and either resources (with API groups) or
// non-resource URLs (cluster roles only), bindings point at a Role or ClusterRole of the RBAC group and
// name well-formed subjects; a binding's roleRef never changes.
import { invalid, notSupported, required, type FieldError } from '../errors.js';
import type { JsonObject, KubeObject } from '../object.js';
import { isValidPathSegmentName } from './formats.js';
import { nameIsDNSSubdomain, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate, type NameFn } from './meta.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** ValidateRBACName: path.IsValidPathSegmentName. */
export const rbacName: NameFn = (name) => isValidPathSegmentName(name);

const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const obj = (v: unknown): JsonObject => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v as JsonObject : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export function validatePolicyRule(rule: JsonObject, namespaced: boolean, field: string): FieldError[] {
  const errs: FieldError[] = [];
  if (arr(rule.verbs).length === 0) errs.push(required(`${field}.verbs`, 'verbs must contain at least one value'));
  const urls = arr(rule.nonResourceURLs);
  if (urls.length > 0) {
    if (namespaced) errs.push(invalid(`${field}.nonResourceURLs`, urls, 'namespaced rules cannot apply to non-resource URLs'));
    if (arr(rule.apiGroups).length || arr(rule.resources).length || arr(rule.resourceNames).length) {
      errs.push(invalid(`${field}.nonResourceURLs`, urls, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errs;
  }
  if (arr(rule.apiGroups).length === 0) errs.push(required(`${field}.apiGroups`, 'resource rules must supply at least one api group'));
  if (arr(rule.resources).length === 0) errs.push(required(`${field}.resources`, 'resource rules must supply at least one resource'));
  return errs;
}

function validateRules(o: JsonObject, namespaced: boolean): FieldError[] {
  return arr(o.rules).flatMap((r, i) => validatePolicyRule(obj(r), namespaced, `rules[${i}]`));
}

export function validateRole(o: KubeObject): FieldError[] {
  return [...validateObjectMeta(o, true, rbacName), ...validateRules(o as JsonObject, true)];
}

export function validateClusterRole(o: KubeObject): FieldError[] {
  const errs = [...validateObjectMeta(o, false, rbacName), ...validateRules(o as JsonObject, false)];
  const agg = (o as JsonObject).aggregationRule;
  if (agg !== undefined && agg !== null) {
    const selectors = arr(obj(agg).clusterRoleSelectors);
    if (selectors.length === 0) {
      errs.push(required('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
    }
    selectors.forEach((s, i) => errs.push(...validateLabelSelector(s, `aggregationRule.clusterRoleSelectors[${i}]`)));
  }
  return errs;
}

export function validateSubject(s: JsonObject, namespaced: boolean, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(s.name), apiGroup = str(s.apiGroup);
  if (!name) errs.push(required(`${field}.name`));
  switch (s.kind) {
    case 'ServiceAccount':
      if (name) errs.push(...nameIsDNSSubdomain(name, false).map((m) => invalid(`${field}.name`, name, m)));
      if (apiGroup) errs.push(notSupported(`${field}.apiGroup`, apiGroup, ['']));
      if (!namespaced && !str(s.namespace)) errs.push(required(`${field}.namespace`));
      break;
    case 'User': case 'Group':
      if (apiGroup !== RBAC_GROUP) errs.push(notSupported(`${field}.apiGroup`, apiGroup, [RBAC_GROUP]));
      break;
    default:
      errs.push(notSupported(`${field}.kind`, str(s.kind), ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

function validateBinding(o: KubeObject, namespaced: boolean): FieldError[] {
  const b = o as JsonObject;
  const errs = validateObjectMeta(o, namespaced, rbacName);
  const ref = obj(b.roleRef);
  if (str(ref.apiGroup) !== RBAC_GROUP) errs.push(notSupported('roleRef.apiGroup', str(ref.apiGroup), [RBAC_GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(str(ref.kind))) errs.push(notSupported('roleRef.kind', str(ref.kind), kinds));
  const name = str(ref.name);
  if (!name) errs.push(required('roleRef.name'));
  else errs.push(...rbacName(name, false).map((m) => invalid('roleRef.name', name, m)));
  arr(b.subjects).forEach((s, i) => errs.push(...validateSubject(obj(s), namespaced, `subjects[${i}]`)));
  return errs;
}

export const validateRoleBinding = (o: KubeObject): FieldError[] => validateBinding(o, true);
export const validateClusterRoleBinding = (o: KubeObject): FieldError[] => validateBinding(o, false);

function bindingUpdate(validate: (o: KubeObject) => FieldError[]) {
  return (o: KubeObject, old: KubeObject): FieldError[] => {
    const errs = [...validate(o), ...validateObjectMetaUpdate(o, old)];
    const ref = obj((o as JsonObject).roleRef), oldRef = obj((old as JsonObject).roleRef);
    if (['apiGroup', 'kind', 'name'].some((k) => str(ref[k]) !== str(oldRef[k]))) {
      errs.push(invalid('roleRef', { apiGroup: str(ref.apiGroup), kind: str(ref.kind), name: str(ref.name) }, 'cannot change roleRef'));
    }
    return errs;
  };
}

export const validateRoleBindingUpdate = bindingUpdate(validateRoleBinding);
export const validateClusterRoleBindingUpdate = bindingUpdate(validateClusterRoleBinding);
export const validateRoleUpdate = (o: KubeObject, old: KubeObject): FieldError[] => [...validateRole(o), ...validateObjectMetaUpdate(o, old)];
export const validateClusterRoleUpdate = (o: KubeObject, old: KubeObject): FieldError[] => [...validateClusterRole(o), ...validateObjectMetaUpdate(o, old)];
