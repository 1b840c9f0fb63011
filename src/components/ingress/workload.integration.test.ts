// The built-in `ingress` workload as a process against a real podnet API server (no cluster): the
// controller lists and watches through HTTPS with the shared informer, nginx serves on loopback ports,
// status and events are written through the API, and SIGTERM leaves nothing behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { run } from '../../linux/exec.js';
import { addNetns, deleteNetns } from '../../linux/netns.js';
import { addVeth, setLinkUp } from '../../linux/link.js';
import { addAddress } from '../../linux/addr.js';
import { startTestServer } from '../../../test/support/server.js';

const root = new URL('../../..', import.meta.url).pathname;

test('the ingress workload serves an Ingress through real nginx and writes its status', async (t) => {
  // Endpoints may not be loopback addresses (API validation): the backend listens on the host end of a
  // veth into a throwaway namespace, an address this test made.
  const ns = `ingwl-${process.pid}`, link = `ingwl${process.pid % 100000}`, backendIP = '198.18.77.1';
  await addNetns(ns);
  t.after(async () => { await deleteNetns(ns).catch(() => {}); });
  await addVeth(link, 'eth0', { peerNetns: ns });
  await addAddress(link, `${backendIP}/30`);
  await setLinkUp(link);
  const api = await startTestServer('ingress-wl');
  const backend = createServer((req, res) => res.end(`backend ${req.headers.host} ${req.url}`));
  await new Promise<void>((r) => backend.listen(0, backendIP, r));
  const bport = (backend.address() as { port: number }).port;
  const base = 21000 + (process.pid % 10000);
  const [http, https, healthz] = [base, base + 1, base + 2];
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', `${root}src/workloads/main.ts`, 'ingress', '/nginx-ingress-controller',
    '--publish-service=ingress-nginx/ingress-nginx-controller', `--http-port=${http}`, `--https-port=${https}`, `--healthz-port=${healthz}`],
  { env: { ...process.env, KUBECONFIG: api.kubeconfig, POD_NAME: 'ctl-0', POD_NAMESPACE: 'ingress-nginx' }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise((r) => child.once('exit', r));
  t.after(async () => {
    if (child.exitCode === null) { child.kill('SIGTERM'); await exited; }
    backend.close();
    await api.cleanup();
  });
  const kubectl = async (args: string[], input?: string) => {
    const r = await api.kubectl(args, input);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  await kubectl(['apply', '-f', '-'], `
apiVersion: v1
kind: Namespace
metadata: {name: ingress-nginx}
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx, annotations: {ingressclass.kubernetes.io/is-default-class: "true"}}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: v1
kind: Service
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
spec: {type: LoadBalancer, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {ports: [{port: 80, targetPort: ${bport}}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-1, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: "", port: ${bport}, protocol: TCP}]
endpoints: [{addresses: [${backendIP}], conditions: {ready: true}}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  rules:
  - host: web.test
    http: {paths: [{path: /app, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
`);
  const curl = async (host: string, path: string) =>
    (await run(['curl', '-s', '--max-time', '3', '-w', ' %{http_code}', '-H', `Host: ${host}`, `http://127.0.0.1:${http}${path}`], { okExitCodes: [7, 28, 52, 56] })).stdout;
  const until = async (what: string, fn: () => Promise<boolean>) => {
    for (let i = 0; i < 300; i++) { if (await fn()) return; await new Promise((r) => setTimeout(r, 100)); }
    assert.fail(`${what}; workload output:\n${out}`);
  };
  await until('healthz 200', async () => (await run(['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', `http://127.0.0.1:${healthz}/healthz`], { okExitCodes: [7] })).stdout === '200');
  await until('the Ingress served', async () => (await curl('web.test', '/app/x')) === 'backend web.test /app/x 200');
  assert.match(await curl('web.test', '/apple'), / 404$/);
  // The controller Service gets an address → every served Ingress gets it in its status.
  let lb = '';
  await until('the controller Service has an address', async () => !!(lb = await kubectl(['get', 'svc', '-n', 'ingress-nginx', 'ingress-nginx-controller', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}'])));
  await until('status written', async () => (await kubectl(['get', 'ingress', 'web', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}'])) === lb);
  const table = await kubectl(['get', 'ingress', 'web']);
  assert.match(table, new RegExp(`^web\\s+nginx\\s+web\\.test\\s+${lb.replaceAll('.', '\\.')}\\s+80\\s`, 'm'));
  await until('Sync event', async () => /Normal\s+Sync\s+\S+\s+nginx-ingress-controller\s+Scheduled for sync/.test(await kubectl(['describe', 'ingress', 'web'])));
  // An endpoint that goes away: 503.
  await kubectl(['patch', 'endpointslice', 'web-1', '--type=merge', '-p', '{"endpoints":[{"addresses":["198.18.77.1"],"conditions":{"ready":false}}]}']);
  await until('503 without ready endpoints', async () => / 503$/.test(await curl('web.test', '/app')));

  const dirs = () => readdirSync(tmpdir()).filter((d) => d.startsWith(`podnet-ingress-nginx-${child.pid}-`));
  assert.equal(dirs().length, 1);
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.deepEqual(dirs(), [], 'the per-pod directory is removed');
  assert.ok(!existsSync(`/proc/${child.pid}`));
  assert.equal((await curl('web.test', '/app')).trim(), '000', 'nginx stopped with its parent');
});
