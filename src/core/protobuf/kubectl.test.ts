// The real kubectl against a capture server: every body it sends as protobuf must decode to exactly the
// object `kubectl ... --dry-run=client -o json` prints for the same command, which is what the object
// means. Commands that send JSON or patches are recorded too, so a kubectl upgrade that switches them to
// protobuf shows up here.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCaptureServer, type CaptureServer, type CapturedRequest } from './capture-server.case.js';

const PROTOBUF = 'application/vnd.kubernetes.protobuf';
let server: CaptureServer;
let dir: string;

before(async () => {
  server = await startCaptureServer();
  dir = mkdtempSync(join(tmpdir(), 'podnet-protobuf-'));
  writeFileSync(join(dir, 'config'), [
    'apiVersion: v1', 'kind: Config', 'current-context: capture',
    `clusters: [{name: capture, cluster: {server: "${server.url}"}}]`,
    'contexts: [{name: capture, context: {cluster: capture, user: nobody, namespace: default}}]',
    'users: [{name: nobody, user: {}}]', '',
  ].join('\n'));
  writeFileSync(join(dir, 'blob.bin'), Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x01]));
  writeFileSync(join(dir, 'app.env'), 'MODE=prod\nLEVEL=3\n');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=podnet.test',
    '-keyout', join(dir, 'tls.key'), '-out', join(dir, 'tls.crt')], { stdio: 'ignore', timeout: 30_000 });
  writeFileSync(join(dir, 'node.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } }));
});

after(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function kubectl(args: string[]): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('kubectl', ['--kubeconfig', join(dir, 'config'), '--cache-dir', join(dir, 'cache'), ...args],
      { timeout: 30_000 }, (err, stdout, stderr) => resolve({ ok: !err, stdout, stderr }));
  });
}

/** Runs a command and returns the write requests it made. */
async function capture(args: string[]): Promise<CapturedRequest[]> {
  const before = server.requests.length;
  const r = await kubectl(args);
  assert.ok(r.ok, `kubectl ${args.join(' ')} failed: ${r.stderr}`);
  return server.requests.slice(before);
}

/** What kubectl means by the command: its client-side dry run, flags placed before any `--`. */
async function dryRun(args: string[]): Promise<unknown> {
  const dash = args.indexOf('--');
  const withFlags = dash < 0 ? [...args, '--dry-run=client', '-o', 'json']
    : [...args.slice(0, dash), '--dry-run=client', '-o', 'json', ...args.slice(dash)];
  const r = await kubectl(withFlags);
  assert.ok(r.ok, `kubectl ${withFlags.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function only(requests: CapturedRequest[]): CapturedRequest {
  assert.equal(requests.length, 1, `expected one write, got ${requests.map((r) => `${r.method} ${r.path}`).join(', ')}`);
  return requests[0];
}

const PROTOBUF_COMMANDS: string[][] = [
  ['create', 'namespace', 'team-a'],
  ['create', 'namespace', 'team-b', '--save-config'],
  ['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=3', '--port=8080', '--', 'sh', '-c', 'sleep 1000'],
  ['create', 'deployment', 'multi', '--image=nginx', '--image=busybox:1.36'],
  ['create', 'deployment', 'zero', '--image=nginx', '--replicas=0'],
  ['create', 'service', 'clusterip', 'svc1', '--tcp=80:8080', '--tcp=443:8443'],
  ['create', 'service', 'clusterip', 'headless', '--clusterip=None'],
  ['create', 'service', 'nodeport', 'np', '--tcp=80:8080', '--node-port=30080'],
  ['create', 'service', 'loadbalancer', 'lb', '--tcp=443:8443'],
  ['create', 'service', 'externalname', 'ext', '--external-name=example.com', '--tcp=80'],
  ['create', 'configmap', 'cm', '--from-literal=a=b', '--from-literal=empty='],
  ['create', 'configmap', 'bin', '--from-file=blob=DIR/blob.bin'],
  ['create', 'configmap', 'envs', '--from-env-file=DIR/app.env'],
  ['create', 'secret', 'tls', 'cert', '--cert=DIR/tls.crt', '--key=DIR/tls.key'],
  ['create', 'secret', 'generic', 's1', '--from-literal=user=admin', '--from-literal=pass=s3cr3t'],
  ['create', 'secret', 'generic', 's2', '--from-literal=k=v', '--type=example.com/custom'],
  ['create', 'secret', 'docker-registry', 'reg', '--docker-server=registry.example', '--docker-username=u', '--docker-password=p'],
  ['create', 'serviceaccount', 'sa1'],
  ['create', 'ingress', 'ing', '--class=nginx', '--rule=foo.com/bar*=svc1:80,tls=mysecret', '--rule=foo.com/exact=svc1:http',
    '--default-backend=svc1:80', '--annotation=a=b'],
  ['create', 'ingress', 'catchall', '--rule=/*=svc1:8080'],
];

for (const command of PROTOBUF_COMMANDS) {
  test(`kubectl ${command.join(' ')} sends protobuf that decodes to its --dry-run=client object`, async () => {
    const args = command.map((a) => a.replace('DIR', dir));
    const req = only(await capture(args));
    assert.equal(req.method, 'POST');
    assert.equal(req.contentType, PROTOBUF);
    assert.equal(req.decodeError, undefined);
    assert.deepEqual(req.decoded, await dryRun(args));
  });
}

test('kubectl create --dry-run=server sends the same protobuf object with dryRun=All', async () => {
  const args = ['create', 'deployment', 'dry', '--image=nginx', '--replicas=2'];
  const req = only(await capture([...args, '--dry-run=server']));
  assert.equal(req.contentType, PROTOBUF);
  assert.equal(new URLSearchParams(req.search).get('dryRun'), 'All');
  assert.deepEqual(req.decoded, await dryRun(args));
});

test('kubectl debug creates its pods with protobuf: a copy of a pod and a node debugger', async () => {
  await capture(['run', 'pod1', '--image=busybox', '--labels=a=b', '--env=X=1', '--port=80', '--restart=Never', '--', 'sleep', '10']);
  const copy = only(await capture(['debug', 'pod1', '--copy-to=pod1-debug', '--image=busybox', '--container=dbg', '--profile=general', '--', 'sleep', '1']));
  assert.equal(copy.contentType, PROTOBUF);
  const spec = (copy.decoded as any).spec;
  assert.deepEqual(spec.containers.map((c: any) => c.name), ['pod1', 'dbg']);
  assert.deepEqual(spec.containers[0].env, [{ name: 'X', value: '1' }]);
  assert.deepEqual(spec.containers[1].command, ['sleep', '1']);

  await capture(['create', '-f', join(dir, 'node.json')]);
  const node = only(await capture(['debug', 'node/n1', '--image=busybox', '--profile=sysadmin', '--', 'sleep', '1']));
  assert.equal(node.contentType, PROTOBUF);
  const pod = node.decoded as any;
  assert.equal(pod.kind, 'Pod');
  assert.deepEqual([pod.spec.nodeName, pod.spec.hostNetwork, pod.spec.hostPID], ['n1', true, true]);
  assert.deepEqual(pod.spec.volumes, [{ name: 'host-root', hostPath: { path: '/' } }]);
  assert.deepEqual(pod.spec.containers[0].securityContext, { privileged: true });
  assert.deepEqual(pod.spec.tolerations, [{ operator: 'Exists' }]);
});

test('expose, run, scale, label and delete send JSON bodies and patches, not protobuf', async () => {
  await capture(['create', 'deployment', 'api', '--image=nginx', '--port=8080']);

  const expose = ['expose', 'deployment', 'api', '--port=80', '--target-port=8080'];
  const svc = only(await capture(expose));
  assert.equal(svc.contentType, 'application/json');
  assert.deepEqual(svc.decoded, await dryRun(expose));

  const run = ['run', 'solo', '--image=busybox', '--restart=Never', '--', 'sleep', '5'];
  const pod = only(await capture(run));
  assert.equal(pod.contentType, 'application/json');
  assert.deepEqual(pod.decoded, await dryRun(run));

  const scale = only(await capture(['scale', 'deployment', 'api', '--replicas=5']));
  assert.deepEqual([scale.method, scale.path, scale.contentType, scale.decoded],
    ['PATCH', '/apis/apps/v1/namespaces/default/deployments/api/scale', 'application/merge-patch+json', { spec: { replicas: 5 } }]);

  const label = only(await capture(['label', 'deployment', 'api', 'tier=front']));
  assert.deepEqual([label.method, label.contentType, label.decoded],
    ['PATCH', 'application/merge-patch+json', { metadata: { labels: { tier: 'front' } } }]);

  const del = only(await capture(['delete', 'deployment', 'api']));
  assert.deepEqual([del.method, del.contentType, del.decoded], ['DELETE', 'application/json', { propagationPolicy: 'Background' }]);
});
