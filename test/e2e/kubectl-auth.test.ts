// `kubectl auth can-i`, `auth whoami` and RBAC objects against podnet's API server (no pods needed): the
// cluster's admin is in system:masters and may do everything; Roles and bindings are validated as
// upstream, listed with upstream's columns, and answer SubjectAccessReviews about other users.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.js';

let s: TestServer;
before(async () => { s = await startTestServer('auth'); });
after(async () => { await s?.cleanup(); });

async function ok(args: string[], input?: string): Promise<string> {
  const r = await s.kubectl(args, input);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test('kubectl auth can-i: the admin may do everything, resource and non-resource', async () => {
  assert.equal(await ok(['auth', 'can-i', 'create', 'pods']), 'yes\n');
  assert.equal(await ok(['auth', 'can-i', 'delete', 'nodes', '--all-namespaces']), 'yes\n');
  assert.equal(await ok(['auth', 'can-i', 'get', '/healthz']), 'yes\n');
  assert.equal(await ok(['auth', 'can-i', '*', '*']), 'yes\n');
  const list = await ok(['auth', 'can-i', '--list', '-n', 'default']);
  assert.match(list, /^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]$/m);
  assert.match(list, /^\s+\[\*\]\s+\[\]\s+\[\*\]$/m);
});

test('kubectl auth whoami names the admin and its groups', async () => {
  const out = await ok(['auth', 'whoami']);
  assert.match(out, /Username\s+kubernetes-admin/);
  assert.match(out, /Groups\s+\[system:masters system:authenticated\]/);
});

test('the bootstrap cluster-admin role and binding exist', async () => {
  const crb = JSON.parse(await ok(['get', 'clusterrolebinding', 'cluster-admin', '-o', 'json']));
  assert.deepEqual(crb.subjects, [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' }]);
  assert.match(await ok(['get', 'clusterrole', 'cluster-admin']), /^NAME\s+CREATED AT\ncluster-admin\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/);
});

test('Roles and RoleBindings are stored, listed with upstream columns, and defaulted', async () => {
  await ok(['create', 'role', 'pod-reader', '--verb=get,list', '--resource=pods']);
  await ok(['create', 'rolebinding', 'read-pods', '--role=pod-reader', '--user=alice', '--group=devs', '--serviceaccount=default:bot']);
  assert.match(await ok(['get', 'roles']), /^NAME\s+CREATED AT\npod-reader\s+\d{4}-/);
  const wide = await ok(['get', 'rolebinding', 'read-pods', '-o', 'wide']);
  assert.match(wide, /^NAME\s+ROLE\s+AGE\s+USERS\s+GROUPS\s+SERVICEACCOUNTS\n/);
  assert.match(wide, /read-pods\s+Role\/pod-reader\s+\S+\s+alice\s+devs\s+default\/bot\n/);
  // roleRef.apiGroup and User subjects' apiGroup are defaulted as by SetDefaults_RoleBinding/_Subject.
  const rb = {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'defaulted' },
    roleRef: { kind: 'Role', name: 'pod-reader' }, subjects: [{ kind: 'User', name: 'bob' }],
  };
  const created = JSON.parse(await ok(['create', '-f', '-', '-o', 'json'], JSON.stringify(rb)));
  assert.equal(created.roleRef.apiGroup, 'rbac.authorization.k8s.io');
  assert.equal(created.subjects[0].apiGroup, 'rbac.authorization.k8s.io');
});

test('bad RBAC objects get upstream\'s 422 and are not stored', async () => {
  const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'bad' },
    rules: [{ apiGroups: [''], resources: ['pods'] }, { verbs: ['get'], nonResourceURLs: ['/healthz'] }] };
  const r = await s.kubectl(['create', '-f', '-'], JSON.stringify(role));
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /The Role "bad" is invalid: \n\* rules\[0\]\.verbs: Required value: verbs must contain at least one value\n\* rules\[1\]\.nonResourceURLs: Invalid value: \["\/healthz"\]: namespaced rules cannot apply to non-resource URLs\n/);
  assert.equal((await s.kubectl(['get', 'role', 'bad'])).code, 1);
  await ok(['create', 'clusterrolebinding', 'crb', '--clusterrole=view', '--user=carol']);
  const change = await s.kubectl(['patch', 'clusterrolebinding', 'crb', '--type=merge', '-p', '{"roleRef":{"name":"edit"}}']);
  assert.match(change.stderr, /roleRef: Invalid value: .*cannot change roleRef/);
  const rb = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'bad-ref' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'x' }, subjects: [{ kind: 'Robot', name: 'r2' }] };
  const bad = await s.kubectl(['create', '-f', '-'], JSON.stringify(rb));
  assert.match(bad.stderr, /roleRef\.kind: Unsupported value: "Role": supported values: "ClusterRole"/);
  assert.match(bad.stderr, /subjects\[0\]\.kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"/);
});

test('SubjectAccessReview answers for other users from the stored RBAC objects; reviews are never stored', async () => {
  const sar = (user: string, verb: string, resource: string) => JSON.stringify({
    apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
    spec: { user, resourceAttributes: { namespace: 'default', verb, resource } },
  });
  const yes = JSON.parse(await ok(['create', '-f', '-', '-o', 'json'], sar('alice', 'list', 'pods')));
  assert.deepEqual(yes.status, { allowed: true, reason: 'RBAC: allowed by RoleBinding "read-pods/default" of Role "pod-reader/default" to User "alice"' });
  const no = JSON.parse(await ok(['create', '-f', '-', '-o', 'json'], sar('alice', 'delete', 'pods')));
  assert.equal(no.status.allowed, false);
  const empty = await s.kubectl(['create', '-f', '-'], JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: {} }));
  assert.match(empty.stderr, /spec\.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified/);
  const get = await s.kubectl(['get', '--raw', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews']);
  assert.match(get.stderr, /MethodNotAllowed|method/i);
});
