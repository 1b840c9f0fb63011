// The RBAC authorizer's decision for one request, over the Roles and bindings stored in the cluster, as
// plugin/pkg/auth/authorizer/rbac: members of system:masters are allowed everything; otherwise a rule of a
// role bound to the user (or one of its groups, or its service account) must match verb, API group,
// resource (or resource/subresource), and name — or, for non-resource requests, the URL path.
import type { ApiClient } from '../../core/api/client.js';
import type { JsonObject } from '../../core/api/object.js';

export interface UserInfo { username: string; groups: string[] }

export type AccessAttributes =
  | { verb: string; resourceRequest: true; namespace: string; group: string; resource: string; subresource: string; name: string }
  | { verb: string; resourceRequest: false; path: string };

export interface AccessStatus { allowed: boolean; denied?: boolean; reason?: string }

const has = (list: unknown, v: string) => Array.isArray(list) && (list.includes('*') || list.includes(v));

/** rbac.RuleAllows. */
export function ruleAllows(a: AccessAttributes, rule: JsonObject): boolean {
  if (!has(rule.verbs, a.verb)) return false;
  if (!a.resourceRequest) {
    const urls: string[] = Array.isArray(rule.nonResourceURLs) ? rule.nonResourceURLs : [];
    return urls.some((u) => u === '*' || u === a.path || (u.endsWith('*') && a.path.startsWith(u.slice(0, -1))));
  }
  if (!has(rule.apiGroups, a.group)) return false;
  const resources: string[] = Array.isArray(rule.resources) ? rule.resources : [];
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const resourceOk = resources.some((r) => r === '*' || r === combined || (a.subresource && r === `*/${a.subresource}`));
  if (!resourceOk) return false;
  const names = Array.isArray(rule.resourceNames) ? rule.resourceNames : [];
  return names.length === 0 || names.includes(a.name);
}

function subjectMatches(s: JsonObject, user: UserInfo, bindingNamespace: string): boolean {
  switch (s.kind) {
    case 'User': return s.name === user.username;
    case 'Group': return user.groups.includes(s.name);
    case 'ServiceAccount': return user.username === `system:serviceaccount:${s.namespace || bindingNamespace}:${s.name}`;
  }
  return false;
}

function describe(s: JsonObject): string {
  return s.kind === 'ServiceAccount' ? `ServiceAccount "${s.name}/${s.namespace}"` : `${s.kind} "${s.name}"`;
}

export async function authorize(client: Pick<ApiClient, 'list' | 'get'>, user: UserInfo, a: AccessAttributes): Promise<AccessStatus> {
  if (user.groups.includes('system:masters')) return { allowed: true };
  const bindings: { b: JsonObject; ns: string }[] = [];
  for (const b of (await client.list('clusterrolebindings.rbac.authorization.k8s.io')).items) bindings.push({ b: b as JsonObject, ns: '' });
  if (a.resourceRequest && a.namespace) {
    const rbs = await client.list('rolebindings.rbac.authorization.k8s.io', { namespace: a.namespace });
    for (const b of rbs.items) bindings.push({ b: b as JsonObject, ns: a.namespace });
  }
  for (const { b, ns } of bindings) {
    const subject = (Array.isArray(b.subjects) ? b.subjects : []).find((s: JsonObject) => subjectMatches(s, user, ns));
    if (!subject) continue;
    const ref = b.roleRef ?? {};
    const role = ref.kind === 'Role'
      ? await client.get('roles.rbac.authorization.k8s.io', ns, ref.name)
      : await client.get('clusterroles.rbac.authorization.k8s.io', undefined, ref.name);
    const rules: JsonObject[] = Array.isArray((role as JsonObject | undefined)?.rules) ? (role as JsonObject).rules : [];
    if (rules.some((r) => ruleAllows(a, r))) {
      const kind = ns ? 'RoleBinding' : 'ClusterRoleBinding';
      const where = ns ? `"${b.metadata.name}/${ns}"` : `"${b.metadata.name}"`;
      const roleName = ref.kind === 'Role' ? `"${ref.name}/${ns}"` : `"${ref.name}"`;
      return { allowed: true, reason: `RBAC: allowed by ${kind} ${where} of ${ref.kind} ${roleName} to ${describe(subject)}` };
    }
  }
  return { allowed: false };
}
