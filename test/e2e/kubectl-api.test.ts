// The real kubectl against podnet's API server: the seeds' manifests and commands, and bad input.
// Runs an API server alone (no nodes), so pods stay Pending; pod networking has its own tests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../support/server.js';

const seeds = new URL('../fixtures/seeds/', import.meta.url).pathname;
const seed = (f: string) => join(seeds, f);
let s: TestServer;

before(async () => { s = await startTestServer('kubectl'); });
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

test('kubectl version reports the server as 1.32', async () => {
  const out = await ok(['version', '-o', 'json']);
  const v = JSON.parse(out);
  assert.equal(v.serverVersion.major, '1');
  assert.equal(v.serverVersion.minor, '32');
});

test('default namespaces exist', async () => {
  const out = await ok(['get', 'namespaces']);
  for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.match(out, new RegExp(`^${ns}\\s+Active`, 'm'));
  assert.match(out, /^NAME\s+STATUS\s+AGE/m);
});

test('the seed pods apply, re-apply unchanged, and an edit says configured', async () => {
  assert.match(await ok(['apply', '-f', seed('nginx-pod.yaml')]), /^pod\/nginx-pod created$/m);
  assert.match(await ok(['apply', '-f', seed('nginx-pod.yaml')]), /^pod\/nginx-pod unchanged$/m);
  const out = await ok(['apply', '-f', seed('my-nginx-pods.yaml')]);
  assert.match(out, /pod\/my-nginx-pod-1 created/);
  assert.match(out, /pod\/my-nginx-pod-2 created/);
  const edited = (await import('node:fs')).readFileSync(seed('nginx-pod.yaml'), 'utf8').replace('nginx:latest', 'nginx:1.27');
  assert.match(await ok(['apply', '-f', '-'], edited), /^pod\/nginx-pod configured$/m);
  assert.equal(await ok(['get', 'pod', 'nginx-pod', '-o', 'jsonpath={.spec.containers[0].image}']), 'nginx:1.27');
  const wide = await ok(['get', 'pods', '-o', 'wide']);
  assert.match(wide, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES/m);
  assert.match(wide, /^nginx-pod\s+0\/1\s+Pending/m);
});

test('the seed Services apply and get ClusterIPs and NodePorts', async () => {
  for (const f of ['backend-service.yaml', 'frontend-service.yaml', 'frontendlb-service.yaml']) await ok(['apply', '-f', seed(f)]);
  const ip = await ok(['get', 'svc', 'backend', '-o', 'jsonpath={.spec.clusterIP}']);
  assert.match(ip, /^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/, `clusterIP ${ip} is not in 10.96.0.0/12`);
  const np = Number(await ok(['get', 'svc', 'frontend', '-o', 'jsonpath={.spec.ports[0].nodePort}']));
  assert.ok(np >= 30000 && np <= 32767, `nodePort ${np}`);
  const out = await ok(['get', 'svc']);
  assert.match(out, /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE/m);
  assert.match(out, /^backend\s+ClusterIP\s+10\.\S+\s+<none>\s+5000\/TCP/m);
  assert.match(out, /^frontend\s+NodePort\s+10\.\S+\s+<none>\s+80:3\d{4}\/TCP/m);
  assert.match(out, /^kubernetes\s+ClusterIP\s+10\.96\.0\.1\s+<none>\s+443\/TCP/m);
  assert.match(await ok(['apply', '-f', seed('backend-service.yaml')]), /service\/backend unchanged/);
});

test('the web Service applies in namespace my-app once the namespace exists', async () => {
  assert.match(await fails(['apply', '-f', seed('web-service.yaml')]), /namespaces "my-app" not found/);
  assert.match(await ok(['create', 'namespace', 'my-app']), /namespace\/my-app created/);
  assert.match(await ok(['apply', '-f', seed('web-service.yaml')]), /service\/web created/);
  assert.match(await ok(['get', 'svc', '-n', 'my-app']), /^web\s+ClusterIP/m);
});

test('seed manifests a real cluster rejects are rejected with its message', async () => {
  const dns1035 = `a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`;
  for (const [file, name] of [['my-clusterIP-service.yaml', 'my-clusterIP-service'], ['my-NodePort-service.yaml', 'my-NodePort-service'],
    ['my-LoadBalancer-service.yaml', 'my-LoadBalancer-service']]) {
    const err = await fails(['apply', '-f', seed(file)]);
    assert.ok(err.includes(`The Service "${name}" is invalid: metadata.name: Invalid value: "${name}": ${dns1035}`), err);
  }
  const err = await fails(['apply', '-f', seed('my-ingress.yaml')]);
  assert.ok(err.includes('The Ingress "my-ingress" is invalid: spec.rules[0].http.paths[0].backend.service.name: Invalid value: "my-loadBalancer-service"'), err);
  assert.match(await ok(['get', 'svc', '-A']), /^(?![\s\S]*my-clusterIP-service)/);
  assert.match(await fails(['get', 'ingress', 'my-ingress']), /NotFound/);
});

test('deployments: create, expose, scale, describe', async () => {
  await ok(['create', 'deployment', 'backend-app', '--image=registry.k8s.io/e2e-test-images/agnhost:2.52', '--replicas=3', '--', '/agnhost', 'netexec', '--http-port=5000']);
  await waitFor(async () => (await ok(['get', 'pods', '-l', 'app=backend-app', '-o', 'name'])).trim().split('\n').filter(Boolean).length === 3);
  assert.match(await ok(['get', 'rs', '-l', 'app=backend-app']), /^backend-app-[a-z0-9]+\s+3\s+3\s+0/m);
  assert.match(await ok(['expose', 'deployment', 'backend-app', '--type=ClusterIP', '--name=backend-svc', '--port=5000']), /service\/backend-svc exposed/);
  assert.equal(await ok(['get', 'svc', 'backend-svc', '-o', 'jsonpath={.spec.selector.app}']), 'backend-app');
  assert.match(await ok(['scale', 'deployment', 'backend-app', '--replicas=5']), /deployment.apps\/backend-app scaled/);
  await waitFor(async () => (await ok(['get', 'pods', '-l', 'app=backend-app', '-o', 'name'])).trim().split('\n').filter(Boolean).length === 5);
  assert.match(await ok(['get', 'deploy', 'backend-app']), /^backend-app\s+0\/5\s+5\s+0/m);
  await ok(['scale', 'deployment', 'backend-app', '--replicas=2']);
  await waitFor(async () => (await ok(['get', 'pods', '-l', 'app=backend-app', '-o', 'name'])).trim().split('\n').filter(Boolean).length === 2);
  const d = await ok(['describe', 'deployment', 'backend-app']);
  assert.match(d, /Replicas:\s+2 desired/);
  const sd = await ok(['describe', 'svc', 'backend-svc']);
  assert.match(sd, /Selector:\s+app=backend-app/);
});

test('kubectl label, -o yaml, delete', async () => {
  assert.match(await ok(['label', 'pod', 'nginx-pod', 'tier=web']), /pod\/nginx-pod labeled/);
  assert.match(await ok(['get', 'pods', '-l', 'tier=web', '-o', 'name']), /^pod\/nginx-pod$/m);
  const y = await ok(['get', 'pod', 'nginx-pod', '-o', 'yaml']);
  assert.match(y, /^kind: Pod$/m);
  assert.match(y, /tier: web/);
  assert.match(await ok(['delete', 'pod', 'my-nginx-pod-2']), /pod "my-nginx-pod-2" deleted/);
  assert.match(await fails(['get', 'pod', 'my-nginx-pod-2']), /Error from server \(NotFound\): pods "my-nginx-pod-2" not found/);
});

test('kubectl get svc -w sees a change', async () => {
  const { spawn } = await import('node:child_process');
  const w = spawn('kubectl', [`--kubeconfig=${s.kubeconfig}`, 'get', 'svc', '-w'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  w.stdout.on('data', (d) => (out += d));
  try {
    await waitFor(async () => /backend\s+ClusterIP/.test(out));
    await ok(['label', 'svc', 'backend', 'watched=yes']);
    await ok(['create', 'service', 'clusterip', 'watch-me', '--tcp=80:8080']);
    await waitFor(async () => /watch-me\s+ClusterIP/.test(out));
    assert.equal(out.match(/^NAME\s+TYPE/gm)?.length, 1, `one header only:\n${out}`);
  } finally {
    w.kill();
  }
});

test('bad input is refused and nothing is stored', async () => {
  assert.match(await fails(['apply', '-f', '-'], 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n spec: [\n'), /error/i);
  const unknownField = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: typo\nspec:\n  containers:\n  - name: c\n    imagee: nginx\n    image: nginx\n';
  assert.match(await fails(['apply', '-f', '-'], unknownField), /strict decoding error: unknown field "spec.containers\[0\].imagee"/);
  for (const port of [0, 70000]) {
    const svc = `apiVersion: v1\nkind: Service\nmetadata:\n  name: badport\nspec:\n  ports:\n  - port: ${port}\n`;
    assert.match(await fails(['apply', '-f', '-'], svc), /spec.ports\[0\].port: Invalid value: \d+: must be between 1 and 65535, inclusive/);
  }
  const np = Number(await ok(['get', 'svc', 'frontend', '-o', 'jsonpath={.spec.ports[0].nodePort}']));
  const dupNp = `apiVersion: v1\nkind: Service\nmetadata:\n  name: dupnp\nspec:\n  type: NodePort\n  ports:\n  - port: 80\n    nodePort: ${np}\n`;
  assert.match(await fails(['apply', '-f', '-'], dupNp), /spec.ports\[0\].nodePort: Invalid value: \d+: provided port is already allocated/);
  const outside = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: outside\nspec:\n  clusterIP: 192.168.7.7\n  ports:\n  - port: 80\n';
  assert.match(await fails(['apply', '-f', '-'], outside), /failed to allocate IP 192.168.7.7: provided IP is not in the valid range/);
  const taken = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: taken\nspec:\n  clusterIP: 10.96.0.1\n  ports:\n  - port: 80\n';
  assert.match(await fails(['apply', '-f', '-'], taken), /failed to allocate IP 10.96.0.1: provided IP is already allocated/);
  const badPath = 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: badpath\nspec:\n  rules:\n  - http:\n      paths:\n      - path: app\n        pathType: Prefix\n        backend:\n          service:\n            name: backend\n            port:\n              number: 5000\n';
  assert.match(await fails(['apply', '-f', '-'], badPath), /spec.rules\[0\].http.paths\[0\].path: Invalid value: "app": must be an absolute path/);
  const badName = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n';
  assert.match(await fails(['apply', '-f', '-'], badName), /metadata.name: Invalid value: "Bad_Name"/);
  const all = await ok(['get', 'pods,svc,ingress,configmaps', '-A', '-o', 'name']);
  for (const n of ['typo', 'badport', 'dupnp', 'outside', 'taken', 'badpath', 'Bad_Name']) assert.ok(!all.includes(`/${n}\n`), `${n} was stored`);
});

test('kubectl get of many kinds at once, -o wide', async () => {
  const out = await ok(['get', 'pods,svc,endpoints,endpointslices,ingress,nodes', '-o', 'wide']);
  assert.match(out, /service\/kubernetes/);
  assert.match(out, /endpoints\/kubernetes/);
  // An API server alone runs no cluster DNS: kube-system exists and is empty, as kubectl says.
  const sys = await s.kubectl(['get', 'pods', '-n', 'kube-system']);
  assert.equal(sys.code, 0, sys.stderr);
  assert.match(sys.stderr, /^No resources found in kube-system namespace\.$/m);
});

test('objects survive kill -9 of the server', async () => {
  const before = await ok(['get', 'pods,svc,deploy,rs,ns', '-A', '-o', 'name']);
  await s.stop('SIGKILL');
  await s.start();
  const afterList = await ok(['get', 'pods,svc,deploy,rs,ns', '-A', '-o', 'name']);
  assert.deepEqual(afterList.split('\n').sort(), before.split('\n').sort());
});

async function waitFor(cond: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
