// The real kubectl's declarative commands against podnet's API server: server-side apply (field
// managers, conflicts, --force-conflicts, partial configurations, create-on-apply, dry-run), kubectl
// diff, `kubectl apply -f` of a `kind: List` as `kubectl get -o yaml` writes it, kubectl explain, and
// the Status a malformed apply gets. An API server alone is enough: nothing here needs a node.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:https';
import { startTestServer, type TestServer } from '../support/server.js';

let s: TestServer;

before(async () => { s = await startTestServer('api-apply'); });
after(async () => { await s?.cleanup(); });

async function ok(args: string[], input?: string): Promise<string> {
  const r = await s.kubectl(args, input);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}\n${r.stdout}\nserver log:\n${s.logs().slice(-2000)}`);
  return r.stdout;
}

async function fails(args: string[], input?: string): Promise<string> {
  const r = await s.kubectl(args, input);
  assert.notEqual(r.code, 0, `kubectl ${args.join(' ')} should have failed:\n${r.stdout}`);
  return r.stderr;
}

const deployment = (name: string, { replicas = 2, image = 'nginx', labels = 'app: web' } = {}) => `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels: {${labels}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
      - name: nginx
        image: ${image}
        ports: [{containerPort: 80}]
`;

const json = async (args: string[]) => JSON.parse(await ok([...args, '-o', 'json', '--show-managed-fields']));
const managers = (o: any) => (o.metadata.managedFields ?? []).map((m: any) => `${m.manager}/${m.operation}${m.subresource ? '/' + m.subresource : ''}`);

test('apply --server-side creates, records the Apply manager, and a second identical apply changes nothing', async () => {
  assert.match(await ok(['apply', '--server-side', '-f', '-'], deployment('ssa')), /^deployment\.apps\/ssa serverside-applied$/m);
  const first = await json(['get', 'deploy', 'ssa']);
  assert.deepEqual(managers(first).filter((m: string) => m.startsWith('kubectl/')), ['kubectl/Apply']);
  const applied = first.metadata.managedFields.find((m: any) => m.manager === 'kubectl');
  assert.equal(applied.apiVersion, 'apps/v1');
  assert.equal(applied.fieldsType, 'FieldsV1');
  assert.deepEqual(applied.fieldsV1['f:spec']['f:template']['f:spec']['f:containers'], {
    'k:{"name":"nginx"}': {
      '.': {}, 'f:image': {}, 'f:name': {},
      'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
    },
  });
  assert.deepEqual(applied.fieldsV1['f:spec']['f:selector'], {}, 'a label selector is atomic');
  assert.match(await ok(['apply', '--server-side', '-f', '-'], deployment('ssa')), /serverside-applied/);
  const second = await json(['get', 'deploy', 'ssa']);
  assert.equal(second.metadata.resourceVersion, first.metadata.resourceVersion, 'an unchanged apply writes nothing');
  assert.deepEqual(second.metadata.managedFields, first.metadata.managedFields);
});

test('a conflicting apply gets upstream\'s 409 and --force-conflicts takes the field over', async () => {
  await ok(['apply', '--server-side', '-f', '-'], deployment('conf'));
  await ok(['scale', 'deploy', 'conf', '--replicas=5']);
  const err = await fails(['apply', '--server-side', '-f', '-'], deployment('conf', { replicas: 3 }));
  assert.match(err, /^error: Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps\/v1: \.spec\.replicas$/m);
  assert.equal(await ok(['get', 'deploy', 'conf', '-o', 'jsonpath={.spec.replicas}']), '5', 'a refused apply changes nothing');
  // Applying the value the other manager set is not a conflict: both own it.
  await ok(['apply', '--server-side', '-f', '-'], deployment('conf', { replicas: 5 }));
  const twoOwners = (await json(['get', 'deploy', 'conf'])).metadata.managedFields
    .filter((m: any) => m.fieldsV1?.['f:spec']?.['f:replicas']).map((m: any) => m.manager).sort();
  assert.deepEqual(twoOwners, ['kubectl', 'kubectl']);
  const err2 = await fails(['apply', '--server-side', '--field-manager=ci', '-f', '-'], deployment('conf', { replicas: 3, image: 'nginx:1.27' }));
  assert.match(err2, /^error: Apply failed with 3 conflicts: conflicts with "kubectl":\n- \.spec\.replicas\n- \.spec\.template\.spec\.containers\[name="nginx"\]\.image\nconflicts with "kubectl" with subresource "scale" using apps\/v1:\n- \.spec\.replicas$/m);
  assert.match(await ok(['apply', '--server-side', '--force-conflicts', '-f', '-'], deployment('conf', { replicas: 3 })), /serverside-applied/);
  const forced = await json(['get', 'deploy', 'conf']);
  assert.equal(forced.spec.replicas, 3);
  assert.ok(!managers(forced).includes('kubectl/Update/scale'), `the scale manager owned only replicas and is gone: ${managers(forced)}`);
});

test('moving from client-side to server-side apply needs no --force-conflicts, and back again works', async () => {
  assert.match(await ok(['apply', '-f', '-'], deployment('upgrade')), /created/);
  assert.match(await ok(['apply', '--server-side', '-f', '-'], deployment('upgrade', { replicas: 4 })), /serverside-applied/);
  const o = await json(['get', 'deploy', 'upgrade']);
  assert.equal(o.spec.replicas, 4);
  assert.ok(managers(o).includes('kubectl/Apply'), managers(o).join(' '));
  assert.match(await ok(['apply', '-f', '-'], deployment('upgrade', { replicas: 6 })), /configured/);
  assert.equal(await ok(['get', 'deploy', 'upgrade', '-o', 'jsonpath={.spec.replicas}']), '6');
});

test('apply through the status subresource owns status fields under its own manager', async () => {
  await ok(['apply', '--server-side', '-f', '-'], deployment('st'));
  const status = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: st}\nstatus:\n  conditions:\n  - {type: Custom, status: "True", reason: Test, message: hi}\n';
  await ok(['apply', '--server-side', '--subresource=status', '--field-manager=tester', '-f', '-'], status);
  const o = await json(['get', 'deploy', 'st']);
  assert.ok(o.status.conditions.some((c: any) => c.type === 'Custom'));
  const tester = o.metadata.managedFields.find((m: any) => m.manager === 'tester');
  assert.equal(tester.subresource, 'status');
  assert.deepEqual(Object.keys(tester.fieldsV1), ['f:status']);
});

test('fields an applier stops applying are removed, unless another manager owns them', async () => {
  await ok(['apply', '--server-side', '-f', '-'], deployment('partial', { labels: 'app: web, tier: front, team: a' }));
  await ok(['label', 'deploy', 'partial', 'team=b', '--overwrite']);
  await ok(['apply', '--server-side', '-f', '-'], deployment('partial', { labels: 'app: web' }));
  const labels = JSON.parse(await ok(['get', 'deploy', 'partial', '-o', 'jsonpath={.metadata.labels}']));
  assert.deepEqual(labels, { app: 'web', team: 'b' }, 'tier was only the applier\'s; team is kubectl-label\'s too');
});

test('kubectl diff and --dry-run=server show the change and store nothing', async () => {
  await ok(['apply', '--server-side', '-f', '-'], deployment('diff'));
  const before = await json(['get', 'deploy', 'diff']);
  for (const flags of [['--server-side'], []]) {
    const r = await s.kubectl(['diff', ...flags, '-f', '-'], deployment('diff', { image: 'nginx:1.27' }));
    assert.equal(r.code, 1, `kubectl diff ${flags} exits 1 when there are differences:\n${r.stderr}`);
    assert.match(r.stdout, /^-\s+- image: nginx$/m);
    assert.match(r.stdout, /^\+\s+- image: nginx:1\.27$/m);
  }
  const same = await s.kubectl(['diff', '--server-side', '-f', '-'], deployment('diff'));
  assert.equal(same.code, 0, `no differences: ${same.stdout}${same.stderr}`);
  const dry = JSON.parse(await ok(['apply', '--server-side', '--dry-run=server', '-o', 'json', '-f', '-'], deployment('diff', { image: 'nginx:1.27' })));
  assert.equal(dry.spec.template.spec.containers[0].image, 'nginx:1.27');
  await ok(['apply', '--server-side', '--dry-run=server', '-f', '-'], deployment('diff-new'));
  const after = await json(['get', 'deploy', 'diff']);
  assert.equal(after.metadata.resourceVersion, before.metadata.resourceVersion);
  assert.equal(after.spec.template.spec.containers[0].image, 'nginx');
  assert.match(await fails(['get', 'deploy', 'diff-new']), /NotFound|not found/);
});

test('ordinary writes record their managers as kube-apiserver does', async () => {
  await ok(['create', 'deployment', 'plain', '--image=nginx', '--port=80']);
  await ok(['create', 'service', 'clusterip', 'plain', '--tcp=80:8080']);
  const d = await json(['get', 'deploy', 'plain']);
  const create = d.metadata.managedFields.find((m: any) => m.manager === 'kubectl-create');
  assert.equal(create.operation, 'Update');
  assert.equal(create.apiVersion, 'apps/v1');
  assert.match(create.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual(create.fieldsV1['f:metadata'], { 'f:labels': { '.': {}, 'f:app': {} } });
  assert.ok(create.fieldsV1['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"nginx"}']['f:imagePullPolicy'],
    'defaults belong to the creator');
  assert.ok(!('.' in create.fieldsV1['f:spec']), 'spec existed in the zero object');
  const svc = await json(['get', 'svc', 'plain']);
  const ports = svc.metadata.managedFields.find((m: any) => m.manager === 'kubectl-create').fieldsV1['f:spec']['f:ports'];
  assert.ok(ports['k:{"port":80,"protocol":"TCP"}'], JSON.stringify(ports));
  // Without --show-managed-fields kubectl hides them, as against any cluster.
  assert.doesNotMatch(await ok(['get', 'deploy', 'plain', '-o', 'yaml']), /managedFields/);
});

test('kubectl apply -f of a List written by kubectl get -o yaml', async () => {
  const file = join(s.config.stateDir, 'all.yaml');
  writeFileSync(file, await ok(['get', 'deploy,svc', '-o', 'yaml']));
  assert.match(readFileSync(file, 'utf8'), /^kind: List$/m);
  const out = await ok(['apply', '-f', file]);
  assert.match(out, /^deployment\.apps\/plain configured$/m);
  assert.match(out, /^service\/plain configured$/m);
  // kubectl validates a List's items itself, with /openapi/v2, as against any cluster.
  writeFileSync(file, readFileSync(file, 'utf8').replace(/- image: nginx/g, '- imagee: nginx'));
  assert.match(await fails(['apply', '-f', file]), /unknown field "imagee" in io\.k8s\.api\.core\.v1\.Container/);
});

test('kubectl explain shows upstream\'s descriptions of networking fields', async () => {
  const cases: [string, string, RegExp][] = [
    ['pod.spec.hostNetwork', 'FIELD: hostNetwork <boolean>', /Host networking requested for this pod\. Use the host's network\s+namespace\./],
    ['service.spec.externalTrafficPolicy', 'FIELD: externalTrafficPolicy <string>', /externalTrafficPolicy describes how nodes distribute service traffic they\s+receive/],
    ['networkpolicy.spec.ingress.from', 'FIELD: from <[]NetworkPolicyPeer>', /from is a list of sources which should be able to access the pods selected\s+for this rule\./],
    ['ingress.spec.rules.http.paths.pathType', 'FIELD: pathType <string>', /pathType determines the interpretation of the path matching\./],
    ['endpointslice.endpoints.conditions.ready', 'FIELD: ready <boolean>', /ready indicates that this endpoint is ready to receive traffic, according to\s+whatever system is managing the endpoint\./],
  ];
  for (const [field, header, description] of cases) {
    const out = await ok(['explain', field]);
    assert.ok(out.includes(header), `${field}:\n${out}`);
    assert.match(out, description, `${field}:\n${out}`);
  }
  const pod = await ok(['explain', 'pod.spec']);
  assert.match(pod, /containers\s+<\[\]Container> -required-/);
});

test('a malformed apply gets upstream\'s Status and stores nothing', async () => {
  const bad = deployment('bad').replace('replicas: 2', 'replicaz: 2');
  assert.match(await fails(['apply', '--server-side', '-f', '-'], bad),
    /failed to create typed patch object \(default\/bad; apps\/v1, Kind=Deployment\): \.spec\.replicaz: field not declared in schema/);
  assert.match(await fails(['get', 'deploy', 'bad']), /not found/);
  const yaml = await patch('/apis/apps/v1/namespaces/default/deployments/bad?fieldManager=t', 'spec: [');
  assert.equal(yaml.code, 400);
  assert.match(yaml.body.message, /^error decoding YAML: /);
  const noManager = await patch('/apis/apps/v1/namespaces/default/deployments/bad', deployment('bad'));
  assert.equal(noManager.code, 422);
  assert.equal(noManager.body.message, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
  const version = await patch('/apis/apps/v1/namespaces/default/deployments/bad?fieldManager=t', deployment('bad').replace('apps/v1', 'apps/v1beta1'));
  assert.equal(version.code, 400);
  assert.equal(version.body.message, 'Incorrect version specified in apply patch. Specified patch version: apps/v1beta1, expected: apps/v1');
  const invalid = await patch('/apis/apps/v1/namespaces/default/deployments/bad?fieldManager=t', deployment('bad', { replicas: -1 }));
  assert.equal(invalid.code, 422);
  assert.equal(invalid.body.reason, 'Invalid');
  assert.match(await fails(['get', 'deploy', 'bad']), /not found/);
});

function patch(path: string, body: string): Promise<{ code: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(`${s.url}${path}`, {
      method: 'PATCH', ca: readFileSync(s.caCert),
      headers: { Authorization: `Bearer ${s.token}`, 'Content-Type': 'application/apply-patch+yaml' },
    }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
