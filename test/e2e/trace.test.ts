// End to end: `podnet trace --prove` on the seeds' scenarios against `podnet up --nodes 2` (vxlan), and the
// web page of `podnet ui` in real headless Chromium. Every scenario's predicted hops must be confirmed by
// the kernel (nft monitor trace in each namespace, conntrack, dig, the connection itself); paths broken on
// purpose must name the cause. Private state root, kubeconfig, cluster name (trace-e2e), underlay
// 172.31.213.0/24.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { requireRoot } from '../../src/linux/exec.js';
import { e2eCluster } from '../support/e2e-cluster.js';
import type { TraceResult } from '../../src/core/trace/index.js';
import { assertProved, taken } from '../support/trace-proof.js';

const cluster = 'trace-e2e';
const underlay = '172.31.213.0/24';
const hostIP = '172.31.213.1';
const { repo, work, stateDir, env, podnet, show, ok, apply, waitFor } = e2eCluster(cluster, { kubectlTimeoutMs: 120_000 });
const node1 = `${cluster}-node-1`, node2 = `${cluster}-node-2`;
const node1IP = '172.31.213.11';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const getJson = async (...args: string[]): Promise<Json> => JSON.parse(await ok('get', ...args, '-o', 'json'));

async function trace(from: string, to: string, ...extra: string[]): Promise<{ code: number; t: TraceResult; text: string }> {
  const r = await podnet('trace', '--name', cluster, '--prove', '-o', 'json', from, to, ...extra);
  assert.ok(r.code !== 1, `podnet trace ${from} ${to}: ${show(r)}`);
  return { code: r.code, t: JSON.parse(r.stdout) as TraceResult, text: r.stdout };
}

before(async () => {
  requireRoot('the trace end-to-end test');
  const up = await podnet('up', '--name', cluster, '--nodes', '2', '--underlay-cidr', underlay);
  assert.equal(up.code, 0, show(up));
  await ok('apply', '-f', `${repo}/examples/web-my-app.yaml`);
  await apply(`apiVersion: v1
kind: Pod
metadata: { name: client, labels: { role: client } }
spec:
  nodeName: ${node1}
  containers:
  - { name: curl, image: curlimages/curl, command: ["sleep", "3600"] }
---
apiVersion: v1
kind: Pod
metadata: { name: near, labels: { app: near } }
spec:
  nodeName: ${node1}
  containers:
  - { name: nginx, image: nginx, ports: [{ containerPort: 80 }] }
---
apiVersion: v1
kind: Pod
metadata: { name: far, labels: { app: far } }
spec:
  nodeName: ${node2}
  containers:
  - { name: nginx, image: nginx, ports: [{ containerPort: 80 }] }
---
apiVersion: v1
kind: Pod
metadata: { name: idle, labels: { app: idle } }
spec:
  nodeName: ${node2}
  containers:
  - { name: sleep, image: busybox, command: ["sleep", "3600"], ports: [{ containerPort: 80 }] }
---
apiVersion: v1
kind: Pod
metadata: { name: guarded, labels: { app: guarded } }
spec: { nodeName: ${node2}, containers: [{ name: nginx, image: nginx, ports: [{ containerPort: 80 }] }] }
---
apiVersion: v1
kind: Pod
metadata: { name: boxed, labels: { app: boxed } }
spec: { nodeName: ${node1}, containers: [{ name: curl, image: curlimages/curl, command: ["sleep", "3600"] }] }
---
apiVersion: v1
kind: Service
metadata: { name: guarded }
spec: { selector: { app: guarded }, ports: [{ port: 80, targetPort: 80 }] }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: guarded-from-near }
spec:
  podSelector: { matchLabels: { app: guarded } }
  ingress: [{ from: [{ podSelector: { matchLabels: { app: near } } }], ports: [{ protocol: TCP, port: 80 }] }]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: boxed-no-egress }
spec: { podSelector: { matchLabels: { app: boxed } }, policyTypes: [Egress] }
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: far }
spec:
  rules:
  - host: mydomain.com
    http: { paths: [{ path: /app, pathType: Prefix, backend: { service: { name: far, port: { number: 80 } } } }] }
---
apiVersion: v1
kind: Service
metadata: { name: far }
spec: { selector: { app: far }, ports: [{ port: 80, targetPort: 80 }] }
---
apiVersion: v1
kind: Service
metadata: { name: far-np }
spec: { type: NodePort, selector: { app: far }, ports: [{ port: 80, targetPort: 80 }] }
---
apiVersion: v1
kind: Service
metadata: { name: far-lb }
spec: { type: LoadBalancer, selector: { app: far }, ports: [{ port: 80, targetPort: 80 }] }
---
apiVersion: v1
kind: Service
metadata: { name: nobody }
spec: { selector: { app: nobody }, ports: [{ port: 80, targetPort: 80 }] }
---
apiVersion: v1
kind: Service
metadata: { name: wrongport }
spec: { selector: { app: far }, ports: [{ port: 80, targetPort: 8080 }] }
`);
  await ok('wait', '--for=condition=Ready', 'pod/client', 'pod/near', 'pod/far', 'pod/idle', 'pod/guarded', 'pod/boxed', '--timeout=120s');
  await ok('rollout', 'status', '-n', 'my-app', 'deployment/web-server', '--timeout=120s');
  await waitFor('far-lb to get an announced address', async () => {
    const s = await getJson('service', 'far-lb');
    return s.status?.loadBalancer?.ingress?.[0]?.ip && s.metadata.annotations?.['podnet.io/announcing-node'] ? true : undefined;
  });
});

after(async () => {
  if (existsSync(stateDir)) await podnet('down', '--name', cluster);
  rmSync(work, { recursive: true, force: true });
});

test('pod → pod on the same node: through cni0, confirmed by the kernel', async () => {
  const { code, t, text } = await trace('client', 'near');
  assert.equal(code, 0, text);
  assert.ok(taken(t).some((h) => h.kind === 'bridge' && /same node/.test(h.summary)), text);
  assertProved(t, text);
});

test('pod → pod across nodes: VXLAN with VNI, FDB and ARP entries, confirmed', async () => {
  const { code, t, text } = await trace('client', 'far');
  assert.equal(code, 0, text);
  const overlay = taken(t).find((h) => h.kind === 'overlay');
  assert.ok(overlay, text);
  assert.match(overlay.summary, /VNI 1/);
  assert.ok(overlay.why.some((w) => /^FDB /.test(w)) && overlay.why.some((w) => /^ARP /.test(w)), text);
  assertProved(t, text);
});

test('pod → ClusterIP → remote pod: the proxy DNAT and the overlay, confirmed', async () => {
  const { code, t, text } = await trace('client', 'svc/far');
  assert.equal(code, 0, text);
  assert.ok(t.hops.some((h) => h.kind === 'service' && /DNATs/.test(h.summary)), text);
  assertProved(t, text);
  // UDP to cluster DNS through its ClusterIP.
  const udp = await trace('client', 'svc/kube-system/kube-dns:53', '--proto', 'udp');
  assert.equal(udp.code, 0, udp.text);
  assertProved(udp.t, udp.text);
});

test('pod → web.my-app by name: the search list, then the Service, confirmed by dig', async () => {
  const { code, t, text } = await trace('client', 'web.my-app');
  assert.equal(code, 0, text);
  const dns = t.hops.find((h) => h.kind === 'dns')!;
  assert.match(dns.summary, /web\.my-app\.svc\.cluster\.local/);
  assertProved(t, text);
});

test('host → NodePort and host → LoadBalancer, confirmed', async () => {
  const np = (await getJson('service', 'far-np')).spec.ports[0].nodePort;
  const a = await trace('host', `${node1IP}:${np}`);
  assert.equal(a.code, 0, a.text);
  assertProved(a.t, a.text);
  const lbIP = (await getJson('service', 'far-lb')).status.loadBalancer.ingress[0].ip;
  const b = await trace('host', lbIP);
  assert.equal(b.code, 0, b.text);
  assert.equal(b.t.srcIP, hostIP);
  assertProved(b.t, b.text);
});

test('broken on purpose: the trace names the cause, and the kernel agrees', async () => {
  const nobody = await trace('client', 'svc/nobody');
  assert.equal(nobody.code, 2, nobody.text);
  assert.match(nobody.t.verdict, /selector app=nobody .* matches no pod/);
  assertProved(nobody.t, nobody.text);

  const wrong = await trace('client', 'svc/wrongport');
  assert.equal(wrong.code, 2, wrong.text);
  assert.match(wrong.t.verdict, /nothing listens on TCP port 8080 in pod default\/far/);
  assert.match(wrong.t.verdict, /set the Service's targetPort to 80/);
  assertProved(wrong.t, wrong.text);

  const idle = await trace('client', 'idle:80');
  assert.equal(idle.code, 2, idle.text);
  assert.match(idle.t.verdict, /nothing listens on TCP port 80 in pod default\/idle/);
  assertProved(idle.t, idle.text);

  const dns = await trace('client', 'web');
  assert.equal(dns.code, 2, dns.text);
  assert.match(dns.t.verdict, /Services named web exist in: my-app/);
  assert.match(dns.t.verdict, /use web\.my-app/);
  assertProved(dns.t, dns.text);
});

test('host → Ingress → pod: to the controller, nginx\'s rule, then nginx to the endpoint, both legs confirmed', async () => {
  await ok('rollout', 'status', '-n', 'ingress-nginx', 'deployment/ingress-nginx-controller', '--timeout=120s');
  await waitFor('the Ingress controller to get an announced address', async () => {
    const s = await getJson('service', '-n', 'ingress-nginx', 'ingress-nginx-controller');
    return s.status?.loadBalancer?.ingress?.[0]?.ip && s.metadata.annotations?.['podnet.io/announcing-node'] ? true : undefined;
  });
  const { code, t, text } = await trace('host', 'http://mydomain.com/app/x');
  assert.equal(code, 0, text);
  const rule = taken(t).find((h) => h.kind === 'ingress' && h.decidedBy.startsWith('Ingress default/far'));
  assert.ok(rule, text);
  assert.match(rule.summary, /nginx sends it to Service default\/far port 80: endpoint 10\.244\.\d+\.\d+:80/);
  assert.match(taken(t).at(-2)?.where ?? '', /^pod ingress-nginx\/ingress-nginx-controller-/);
  assert.equal(t.next?.branches[0].pod, 'default/far', text);
  assertProved(t, text);
  assertProved(t.next!, text);
  // nginx's own answer for a host no rule serves: 404, named.
  const none = await trace('host', 'http://nosuch.example/');
  assert.equal(none.code, 2, none.text);
  assert.match(none.t.verdict, /no Ingress rule matches host nosuch\.example path \/: nginx answers 404/);
});

/** Until the node's agent has programmed the pod's chain in ip podnet-policy, the kernel does not enforce it yet. */
async function policyProgrammed(node: string, chain: string): Promise<void> {
  await waitFor(`${chain} in ip podnet-policy on ${node}`, async () => {
    const r = await new Promise<number>((resolve) => spawn('ip', ['netns', 'exec', node, 'nft', 'list', 'chain', 'ip', 'podnet-policy', chain], { stdio: 'ignore' }).on('close', (c) => resolve(c ?? 1)));
    return r === 0 ? true : undefined;
  });
}

test('NetworkPolicy: denied and allowed, each direction named with its policy, confirmed by the kernel', async () => {
  const ip = (await getJson('pod', 'guarded')).status.podIP;
  const boxed = (await getJson('pod', 'boxed')).status.podIP;
  await policyProgrammed(node2, `ingress-${ip}`);
  await policyProgrammed(node1, `egress-${boxed}`);

  // Broken on purpose: client → svc/guarded, the endpoint's policy admits only app=near. The kernel drops
  // the first packet in guarded's chain on node-2 (nft trace), and the connection times out.
  const denied = await trace('client', 'svc/guarded');
  assert.equal(denied.code, 2, denied.text);
  assert.match(denied.t.verdict, /^pod default\/guarded: NetworkPolicy ingress: denied/);
  assert.match(denied.t.verdict, /isolated for ingress by default\/guarded-from-near and no rule allows TCP\/80 from 10\.244\.\d+\.\d+/);
  assert.match(denied.t.verdict, /Fix: add to NetworkPolicy default\/guarded-from-near .* the ingress rule \{ from: \[\{ podSelector: \{ matchLabels: \{ role: client \} \} \}\], ports: \[\{ protocol: TCP, port: 80 \}\] \}/);
  const drop = taken(denied.t).find((h) => h.kind === 'policy')!;
  assert.deepEqual(drop.expect, { kind: 'policy', ns: { kind: 'node', node: node2 }, table: 'podnet-policy', chain: `ingress-${ip}`, allowed: false });
  assert.ok(drop.proof?.evidence.some((e) => /verdict drop/.test(e)), denied.text);
  assertProved(denied.t, denied.text);

  // Allowed: near → guarded, by the policy's rule 0; the kernel's chain passes it and the pod answers.
  const allowed = await trace('near', 'guarded');
  assert.equal(allowed.code, 0, allowed.text);
  const pass = taken(allowed.t).find((h) => h.kind === 'policy')!;
  assert.equal(pass.decidedBy, 'NetworkPolicy default/guarded-from-near');
  assert.match(pass.why[0], /allowed by default\/guarded-from-near ingress\[0\]/);
  assertProved(allowed.t, allowed.text);

  // Egress: boxed may send nothing; dropped on its own node before any route.
  const egress = await trace('boxed', 'far');
  assert.equal(egress.code, 2, egress.text);
  assert.match(egress.t.verdict, /^pod default\/boxed: NetworkPolicy egress to 10\.244\.\d+\.\d+: denied/);
  assert.match(egress.t.verdict, /isolated for egress by default\/boxed-no-egress/);
  assert.deepEqual(egress.t.branches[0].hops.map((h) => h.kind), ['policy']);
  assertProved(egress.t, egress.text);
});

/** `podnet ui --port 0` as a child process; resolves with its URL. */
async function startUi(): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(repo, 'src/cli/main.ts'), 'ui', '--name', cluster, '--port', '0'], { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  proc.stderr!.on('data', (d) => (err += d));
  const url = await new Promise<string>((resolve, reject) => {
    proc.stdout!.on('data', (d) => { out += d; const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out); if (m) resolve(m[1]); });
    proc.once('exit', (code) => reject(new Error(`podnet ui exited ${code}: ${out}${err}`)));
  });
  return { url, proc };
}

test('the web page in headless Chromium: what kubectl shows, live scaling, a proved trace drawn', async () => {
  const shots = mkdtempSync(join(tmpdir(), 'trace-ui-shots-'));
  const { url, proc } = await startUi();
  // A fresh profile directory per run (playwright passes it as --user-data-dir).
  const profile = mkdtempSync(join(tmpdir(), 'trace-chromium-'));
  let browser: Awaited<ReturnType<typeof chromium.launchPersistentContext>> | undefined;
  try {
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium', headless: true, viewport: { width: 1600, height: 1000 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage();
    await page.goto(url);
    await page.waitForSelector(`[data-node="${node1}"]`);
    // Every node, pod (with an IP, not hostNetwork) and Service kubectl lists is drawn.
    const nodes = (await getJson('nodes')).items.map((n: Json) => n.metadata.name);
    const pods = (await getJson('pods', '-A')).items.filter((p: Json) => p.status.podIP && !p.spec.hostNetwork).map((p: Json) => `${p.metadata.namespace}/${p.metadata.name}`);
    const svcs = (await getJson('services', '-A')).items.map((s: Json) => `${s.metadata.namespace}/${s.metadata.name}`);
    await page.waitForFunction(`document.querySelectorAll('[data-pod]').length >= ${pods.length}`);
    for (const n of nodes) assert.equal(await page.locator(`[data-node="${n}"]`).count(), 1, n);
    for (const p of pods) assert.equal(await page.locator(`[data-pod="${p}"]`).count(), 1, p);
    for (const s of svcs) assert.equal(await page.locator(`[data-svc="${s}"]`).count(), 1, s);
    assert.match(await page.locator(`[data-pod="default/far"]`).textContent() ?? '', /10\.244\.\d+\.\d+/);
    await page.screenshot({ path: join(shots, '1-topology.png'), fullPage: true });

    // A Deployment scales: the page follows from the watch, without a reload.
    await ok('scale', '-n', 'my-app', 'deployment/web-server', '--replicas=4');
    await page.waitForFunction(`document.querySelectorAll('[data-pod^="my-app/web-server-"]').length === 4`, undefined, { timeout: 90_000 });
    await page.screenshot({ path: join(shots, '2-scaled.png'), fullPage: true });

    // Pick two ends, prove, see the path drawn.
    await page.selectOption('#from', 'default/client');
    await page.fill('#to', 'svc/far');
    await page.click('#prove-btn');
    await page.waitForSelector('#trace-path', { timeout: 60_000 });
    await page.waitForFunction(`/the kernel agrees/.test(document.getElementById('trace-verdict').textContent)`, undefined, { timeout: 60_000 });
    assert.ok(await page.locator('#trace-hops .proof-confirmed').count() >= 4);
    await page.screenshot({ path: join(shots, '3-trace.png'), fullPage: true });
    process.stdout.write(`# screenshots in ${shots}\n`);
  } finally {
    // The UI server must go whatever happened: its pipes would keep this test process (and the lock) alive.
    proc.kill('SIGTERM');
    await browser?.close();
    rmSync(profile, { recursive: true, force: true });
    await ok('scale', '-n', 'my-app', 'deployment/web-server', '--replicas=2');
  }
});
