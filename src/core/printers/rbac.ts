// Role, ClusterRole, RoleBinding and ClusterRoleBinding columns, as upstream's printers: roles show when
// they were created (an RFC 3339 date, not an age), bindings the role they grant and, with -o wide, whom.
import type { KindPrinter, TableCell } from './table.js';
import { ageColumn, ageOf, column, nameColumn, nameOf } from './common.js';
import type { JsonObject } from '../api/object.js';

const CREATED_AT = 'CreationTimestamp is a timestamp representing the server time when this object was created. '
  + 'It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. '
  + 'It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: '
  + 'https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

export const rolePrinter: KindPrinter = {
  columns: [nameColumn(), column('Created At', 'date', CREATED_AT)],
  cells: (r: JsonObject): TableCell[] => [nameOf(r), r.metadata?.creationTimestamp ?? ''],
};

/** The subjects of a binding by kind, as printers.go's SubjectsStrings: service accounts as namespace/name. */
function subjects(b: JsonObject): { users: string; groups: string; sas: string } {
  const users: string[] = [], groups: string[] = [], sas: string[] = [];
  for (const s of Array.isArray(b.subjects) ? b.subjects : []) {
    if (s.kind === 'User') users.push(s.name);
    else if (s.kind === 'Group') groups.push(s.name);
    else if (s.kind === 'ServiceAccount') sas.push(`${s.namespace ?? ''}/${s.name}`);
  }
  return { users: users.join(', '), groups: groups.join(', '), sas: sas.join(', ') };
}

export const roleBindingPrinter: KindPrinter = {
  columns: [
    nameColumn(),
    column('Role', 'string', 'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.'),
    ageColumn(),
    column('Users', 'string', 'Users in the roleBinding', 1),
    column('Groups', 'string', 'Groups in the roleBinding', 1),
    column('ServiceAccounts', 'string', 'ServiceAccounts in the roleBinding', 1),
  ],
  cells: (b: JsonObject, now: Date): TableCell[] => {
    const s = subjects(b);
    return [nameOf(b), `${b.roleRef?.kind ?? ''}/${b.roleRef?.name ?? ''}`, ageOf(b, now), s.users, s.groups, s.sas];
  },
};

export const clusterRoleBindingPrinter: KindPrinter = {
  ...roleBindingPrinter,
  columns: roleBindingPrinter.columns.map((c) => (c.name === 'Role'
    ? { ...c, description: 'RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.' }
    : c.priority ? { ...c, description: c.description.replace('roleBinding', 'clusterRoleBinding') } : c)),
};
