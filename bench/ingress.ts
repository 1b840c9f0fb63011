// Ingress: the data plane and the control plane of podnet's ingress-nginx controller, on a cluster of
// its own (`podnet up --name ing-bench`, 2 nodes), everything from the host through LoadBalancer
// addresses (host → underlay → announcing node → pod):
//   1. wrk RPS and p99 through the controller (Ingress bench.test/ → the backend Service), against the
//      same backend pods reached directly (a LoadBalancer Service on them), and against a plain Debian
//      nginx in a pod configured by hand with the same route (upstream = the backend pods, keepalive),
//      same run, same wrk settings. The backends are Debian nginx answering a fixed 200.
//   2. Ingress change → first request served by the new rule: a new Exact path is written through the
//      API, then requested every 2 ms until it answers 200; p50/p99 over --changes changes.
//   3. 1,000 Ingresses × 5 paths: after deleting the controller pod, time until the new controller pod
//      answers a request of the last Ingress correctly.
//
//   flock /tmp/podnet-e2e.lock node --import tsx bench/ingress.ts [--seconds 10] [--changes 30] [--ingresses 1000]
//
// `--loopback` measures only the data plane's configuration, without a cluster (no lock needed): the
// nginx.conf the controller renders for one Ingress vs a hand-written proxy config, both in front of one
// Debian nginx backend on 127.0.0.1, `--rounds` interleaved wrk runs, medians.
//   node --import tsx bench/ingress.ts --loopback [--seconds 3] [--rounds 7]
//
// `--control-plane` measures the controller without a cluster (no lock needed): a podnet API server on
// loopback, the `ingress` workload as a process (its nginx on loopback ports), the backend a Service
// without endpoints, so "served by the new rule" is its 503 where the default server said 404.
//   node --import tsx bench/ingress.ts --control-plane [--changes 30] [--ingresses 1000]
import { request } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify as stringifyYaml } from 'yaml';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireRoot, run as runCmd } from '../src/linux/exec.js';
import { startNginx, type NginxProcess } from '../src/linux/nginx.js';
import { generateSelfSignedPem } from '../src/components/cluster/pki.js';
import { planIngressRoutes, renderNginxConf } from '../src/core/ingress/index.js';
import { ingress as ingressFixture, service as serviceFixture, slice as sliceFixture } from '../src/core/ingress/fixtures.js';
import { KubeApiClient } from '../src/components/kube/client.js';
import { e2eCluster } from '../test/support/e2e-cluster.js';
import type { KubeObject } from '../src/core/api/object.js';

const args = process.argv.slice(2);
const flag = (name: string, dflt: number) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : dflt; };
const SECONDS = flag('--seconds', 10);
const CHANGES = flag('--changes', 30);
const INGRESSES = flag('--ingresses', 1000);
const cluster = 'ing-bench';
const { run, podnet, ok, apply, show, waitFor, kubeconfig } = e2eCluster(cluster, { kubectlTimeoutMs: 300_000 });
type Json = any;
const getJson = async (...a: string[]): Promise<Json> => JSON.parse(await ok('get', ...a, '-o', 'json'));

/** Debian nginx answering 200 with its pod name: the backend, and (with `proxy`) the hand-configured proxy. */
const nginxCommand = (conf: string) => ['sh', '-c',
  `d=/tmp/ing-bench-$HOSTNAME; mkdir -p $d; cat > $d/n.conf <<'EOF'\n${conf}\nEOF\nexec /usr/sbin/nginx -p $d -e stderr -c $d/n.conf`];
const BACKEND_CONF = 'daemon off; worker_processes 1; pid n.pid; events { worker_connections 4096; }\n' +
  'http { access_log off; client_body_temp_path cb; proxy_temp_path pt; fastcgi_temp_path ft; uwsgi_temp_path ut; scgi_temp_path st;\n' +
  '  server { listen 8080 reuseport; location / { default_type text/plain; return 200 "$hostname\\n"; } } }';

function plainProxyConf(endpoints: string[]): string {
  // The same route ingress-nginx would program, by hand: keepalive upstream, HTTP/1.1, Host passed on.
  return 'daemon off; worker_processes auto; pid n.pid; events { worker_connections 16384; multi_accept on; }\n' +
    'http { access_log off; client_body_temp_path cb; proxy_temp_path pt; fastcgi_temp_path ft; uwsgi_temp_path ut; scgi_temp_path st;\n' +
    `  upstream backend { ${endpoints.map((e) => `server ${e} max_fails=0;`).join(' ')} keepalive 320; keepalive_requests 10000; }\n` +
    '  server { listen 80 default_server; server_name _; location / { proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host $http_host; proxy_pass http://backend; } } }';
}

function manifest(name: string, replicas: number, command: string[], port: number, lb: boolean): string {
  return [
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
      spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } },
        spec: { containers: [{ name, image: 'debian', command, ports: [{ containerPort: port }] }] } } } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { type: lb ? 'LoadBalancer' : 'ClusterIP', selector: { app: name }, ports: [{ port: 80, targetPort: port }] } },
  ].map((o) => stringifyYaml(o)).join('---\n');
}

interface WrkResult { rps: number; p99ms: number; errors: string }
async function wrk(url: string, host: string): Promise<WrkResult> {
  const r = await run(['wrk', '-t2', '-c32', `-d${SECONDS}s`, '--latency', '-H', `Host: ${host}`, url], (SECONDS + 60) * 1000);
  if (r.code !== 0) throw new Error(`wrk failed: ${show(r)}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)![1]);
  const m = /99%\s+([\d.]+)(us|ms|s)/.exec(r.stdout)!;
  const p99ms = Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
  const errors = [/Socket errors:.*/.exec(r.stdout)?.[0], /Non-2xx or 3xx responses: \d+/.exec(r.stdout)?.[0]].filter(Boolean).join('; ');
  return { rps, p99ms, errors };
}

function httpGet(ip: string, host: string, path: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: ip, port: 80, path, headers: { Host: host }, agent: false, timeout: 2000 }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

const lbOf = (svc: string, ns = 'default') => waitFor(`address of ${svc}`, async () => (await getJson('svc', '-n', ns, svc)).status?.loadBalancer?.ingress?.[0]?.ip as string | undefined);
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };

function ingress(name: string, host: string, paths: string[], exact = false): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, namespace: 'default' },
    spec: { rules: [{ host, http: { paths: paths.map((path) => ({ path, pathType: exact ? 'Exact' : 'Prefix', backend: { service: { name: 'backend', port: { number: 80 } } } })) } }] } } as KubeObject;
}

async function main(): Promise<void> {
  requireRoot('bench/ingress.ts');
  const up = await podnet('up', '--name', cluster, '--nodes', '2', '--underlay-cidr', '172.31.236.0/24');
  if (up.code !== 0) throw new Error(show(up));
  try {
    const kc = new KubeConfig(); kc.loadFromFile(kubeconfig);
    const api = new KubeApiClient(kc);
    await apply(manifest('backend', 2, nginxCommand(BACKEND_CONF), 8080, true));
    await ok('rollout', 'status', 'deployment/backend', '--timeout=120s');
    const slices = await getJson('endpointslices', '-l', 'kubernetes.io/service-name=backend');
    const eps: string[] = slices.items.flatMap((s: Json) => s.endpoints.flatMap((e: Json) => e.addresses.map((a: string) => `${a}:8080`)));
    await apply(manifest('plain-nginx', 1, nginxCommand(plainProxyConf(eps)), 80, true));
    await api.create('ingresses.networking.k8s.io', ingress('bench', 'bench.test', ['/']));
    await ok('rollout', 'status', 'deployment/plain-nginx', '--timeout=120s');
    await ok('wait', '-n', 'ingress-nginx', '--for=condition=Ready', 'pod', '-l', 'app.kubernetes.io/component=controller', '--timeout=120s');
    const [ctlIP, backendIP, plainIP] = [await lbOf('ingress-nginx-controller', 'ingress-nginx'), await lbOf('backend'), await lbOf('plain-nginx')];
    await waitFor('the Ingress answers', async () => ((await httpGet(ctlIP, 'bench.test', '/')) === 200 ? true : undefined));
    await waitFor('plain nginx answers', async () => ((await httpGet(plainIP, 'bench.test', '/')) === 200 ? true : undefined));
    await waitFor('the backend answers', async () => ((await httpGet(backendIP, 'bench.test', '/')) === 200 ? true : undefined));

    // 1. Data plane, interleaved so that load on the shared machine hits all three alike.
    const rows: Record<string, WrkResult[]> = { 'backend pods directly (LoadBalancer Service)': [], 'plain Debian nginx, configured by hand': [], 'podnet ingress-nginx controller': [] };
    for (let round = 0; round < 2; round++) {
      rows['backend pods directly (LoadBalancer Service)'].push(await wrk(`http://${backendIP}/`, 'bench.test'));
      rows['plain Debian nginx, configured by hand'].push(await wrk(`http://${plainIP}/`, 'bench.test'));
      rows['podnet ingress-nginx controller'].push(await wrk(`http://${ctlIP}/`, 'bench.test'));
    }
    const best = (rs: WrkResult[]) => rs.reduce((a, b) => (b.rps > a.rps ? b : a));
    const plain = best(rows['plain Debian nginx, configured by hand']);
    console.log(`\nwrk -t2 -c32 -d${SECONDS}s from the host, best of 2 interleaved rounds; backends: 2 pods of Debian nginx (return 200)\n`);
    console.log('| path | requests/s | p99 | vs plain nginx | errors |');
    console.log('| --- | --- | --- | --- | --- |');
    for (const [name, rs] of Object.entries(rows)) {
      const b = best(rs);
      console.log(`| ${name} | ${Math.round(b.rps)} | ${b.p99ms.toFixed(2)} ms | ${(b.rps / plain.rps).toFixed(2)} | ${b.errors || 'none'} |`);
    }

    // 2. Ingress change → first request served by the new rule.
    const lat: number[] = [];
    for (let i = 0; i < CHANGES; i++) {
      const t0 = performance.now();
      // A host of its own: until the rule is served the request meets the default server's 404.
      await api.create('ingresses.networking.k8s.io', ingress(`change-${i}`, `change-${i}.test`, [`/new`], true));
      while ((await httpGet(ctlIP, `change-${i}.test`, '/new')) !== 200) {
        if (performance.now() - t0 > 30_000) throw new Error(`change ${i} not served after 30 s`);
        await new Promise((r) => setTimeout(r, 2));
      }
      lat.push(performance.now() - t0);
    }
    console.log(`\nIngress created → first 200 on its path, ${CHANGES} changes: p50 ${pct(lat, 50).toFixed(0)} ms, p99 ${pct(lat, 99).toFixed(0)} ms, max ${Math.max(...lat).toFixed(0)} ms`);

    // 3. Many Ingresses, then a controller restart.
    const t0 = performance.now();
    const names = Array.from({ length: INGRESSES }, (_, i) => i);
    for (let i = 0; i < names.length; i += 25) {
      await Promise.all(names.slice(i, i + 25).map((n) => api.create('ingresses.networking.k8s.io', ingress(`many-${n}`, `h${n}.many.test`, [0, 1, 2, 3, 4].map((j) => `/p${j}`)))));
    }
    const last = `h${INGRESSES - 1}.many.test`;
    await waitFor('the last Ingress served', async () => ((await httpGet(ctlIP, last, '/p4/x')) === 200 ? true : undefined), 300_000);
    console.log(`\n${INGRESSES} Ingresses × 5 paths created and served in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const pod = (await getJson('pods', '-n', 'ingress-nginx', '-l', 'app.kubernetes.io/component=controller')).items[0].metadata.name;
    const t1 = performance.now();
    await ok('delete', 'pod', '-n', 'ingress-nginx', pod, '--wait=false');
    // The old pod serves until it is gone; the answer that counts comes from the new pod.
    await waitFor('the old controller pod gone', async () => ((await run(['kubectl', '--kubeconfig', kubeconfig, 'get', 'pod', '-n', 'ingress-nginx', pod])).code !== 0 ? true : undefined), 300_000);
    const tGone = performance.now();
    await waitFor('the new controller answers', async () => ((await httpGet(ctlIP, last, '/p4/x')) === 200 ? true : undefined), 300_000);
    const t2 = performance.now();
    console.log(`controller pod deleted → new pod answers h${INGRESSES - 1}.many.test/p4 correctly: ${((t2 - t1) / 1000).toFixed(1)} s (${((t2 - tGone) / 1000).toFixed(1)} s after the old pod was gone)`);
  } finally {
    const down = await podnet('down', '--name', cluster);
    if (down.code !== 0) process.stderr.write(show(down));
  }
}

async function loopback(): Promise<void> {
  requireRoot('bench/ingress.ts --loopback');
  const rounds = flag('--rounds', 7), secs = flag('--seconds', 3);
  const dir = mkdtempSync(join(tmpdir(), 'podnet-ingress-bench-'));
  const procs: NginxProcess[] = [];
  try {
    const start = async (name: string, text: string) => {
      const d = join(dir, name);
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, 'nginx.conf'), text);
      procs.push(await startNginx(join(d, 'nginx.conf'), d));
    };
    await start('backend', BACKEND_CONF.replace('listen 8080 reuseport', 'listen 127.0.0.1:18180'));
    await start('plain', plainProxyConf(['127.0.0.1:18180']).replace('listen 80 default_server', 'listen 127.0.0.1:18182 default_server'));
    const pem = join(dir, 'default.pem');
    await generateSelfSignedPem(pem, 'bench');
    const table = planIngressRoutes({ ingresses: [ingressFixture('bench', { rules: [{ host: 'bench.test', paths: [{ path: '/', service: 'backend' }] }] })],
      services: [serviceFixture('backend', [{ port: 80 }])], endpointSlices: [sliceFixture('backend', ['127.0.0.1'], { port: 18180 })], secrets: [] });
    const ingDir = join(dir, 'ingress');
    await start('ingress', renderNginxConf(table, { dir: ingDir, defaultCertificate: pem, certificateFile: () => pem, httpPort: 18181, httpsPort: 18443 }));
    const targets: Array<[string, number]> = [['plain Debian nginx, configured by hand', 18182], ['podnet ingress-nginx config (rendered)', 18181], ['backend directly', 18180]];
    for (const [, port] of targets) await waitFor(`port ${port}`, async () => ((await httpGetPort('127.0.0.1', port)) === 200 ? true : undefined));
    const res = new Map<string, number[]>(targets.map(([n]) => [n, []]));
    for (let r = 0; r < rounds; r++) {
      for (const [name, port] of targets) {
        const w = await runCmd(['wrk', '-t1', '-c16', `-d${secs}s`, '-H', 'Host: bench.test', `http://127.0.0.1:${port}/`], { timeoutMs: (secs + 30) * 1000 });
        res.get(name)!.push(Number(/Requests\/sec:\s+([\d.]+)/.exec(w.stdout)![1]));
      }
    }
    const plain = pct(res.get(targets[0][0])!, 50);
    console.log(`\nloopback, wrk -t1 -c16 -d${secs}s, ${rounds} interleaved rounds, median requests/s\n`);
    console.log('| nginx in front of one Debian nginx backend | median RPS | runs | vs plain |');
    console.log('| --- | --- | --- | --- |');
    for (const [name, xs] of res) console.log(`| ${name} | ${Math.round(pct(xs, 50))} | ${xs.map((x) => Math.round(x)).join(', ')} | ${(pct(xs, 50) / plain).toFixed(2)} |`);
  } finally {
    for (const p of procs) await p.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function httpGetPort(ip: string, port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: ip, port, path: '/', headers: { Host: 'bench.test' }, agent: false, timeout: 2000 }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
    req.on('error', () => resolve(0));
    req.end();
  });
}

async function controlPlane(): Promise<void> {
  requireRoot('bench/ingress.ts --control-plane');
  const { startTestServer } = await import('../test/support/server.js');
  const { spawn } = await import('node:child_process');
  const api = await startTestServer('ingress-bench');
  const kc = new KubeConfig(); kc.loadFromFile(api.kubeconfig);
  const client = new KubeApiClient(kc);
  const port = 22000 + (process.pid % 5000);
  const root = new URL('..', import.meta.url).pathname;
  const startWorkload = () => {
    const child = spawn(process.execPath, ['--import', 'tsx', `${root}src/workloads/main.ts`, 'ingress', `--http-port=${port}`, `--https-port=${port + 1}`, `--healthz-port=${port + 2}`],
      { env: { ...process.env, KUBECONFIG: api.kubeconfig }, stdio: 'ignore' });
    return { child, exited: new Promise((r) => child.once('exit', r)) };
  };
  const status = (host: string, path: string) => new Promise<number>((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { Host: host }, agent: false, timeout: 2000 }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
    req.on('error', () => resolve(0));
    req.end();
  });
  let wl = startWorkload();
  try {
    const r = await api.kubectl(['apply', '-f', '-'], 'apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: nginx, annotations: {ingressclass.kubernetes.io/is-default-class: "true"}}\nspec: {controller: k8s.io/ingress-nginx}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: backend}\nspec: {ports: [{port: 80}]}\n');
    if (r.code !== 0) throw new Error(r.stderr);
    const until = async (fn: () => Promise<boolean>, what: string, ms = 300_000) => { const t = performance.now(); while (!(await fn())) { if (performance.now() - t > ms) throw new Error(`timed out: ${what}`); await new Promise((x) => setTimeout(x, 2)); } };
    await until(async () => (await status('x', '/')) === 404, 'controller up');
    const lat: number[] = [];
    for (let i = 0; i < CHANGES; i++) {
      const t0 = performance.now();
      await client.create('ingresses.networking.k8s.io', ingress(`change-${i}`, `change-${i}.test`, ['/new'], true));
      await until(async () => (await status(`change-${i}.test`, '/new')) === 503, `change ${i}`, 30_000);
      lat.push(performance.now() - t0);
    }
    console.log(`\ncontrol plane (API server and controller on loopback): Ingress created → first answer by its rule, ${CHANGES} changes: p50 ${pct(lat, 50).toFixed(0)} ms, p99 ${pct(lat, 99).toFixed(0)} ms, max ${Math.max(...lat).toFixed(0)} ms`);
    const t1 = performance.now();
    for (let i = 0; i < INGRESSES; i += 25) {
      await Promise.all(Array.from({ length: Math.min(25, INGRESSES - i) }, (_, k) => client.create('ingresses.networking.k8s.io', ingress(`many-${i + k}`, `h${i + k}.many.test`, [0, 1, 2, 3, 4].map((j) => `/p${j}`)))));
    }
    const last = `h${INGRESSES - 1}.many.test`;
    await until(async () => (await status(last, '/p4/x')) === 503, 'the last Ingress');
    console.log(`${INGRESSES} Ingresses × 5 paths created through the API and served: ${((performance.now() - t1) / 1000).toFixed(1)} s`);
    wl.child.kill('SIGTERM');
    await wl.exited;
    const t2 = performance.now();
    wl = startWorkload();
    await until(async () => (await status(last, '/p4/x')) === 503, 'after restart');
    console.log(`controller process restarted → h${INGRESSES - 1}.many.test/p4 answered by its rule: ${((performance.now() - t2) / 1000).toFixed(2)} s (process start, list, plan, nginx -t, nginx start)`);
  } finally {
    wl.child.kill('SIGTERM');
    await wl.exited;
    await api.cleanup();
  }
}

(args.includes('--loopback') ? loopback() : args.includes('--control-plane') ? controlPlane() : main()).catch((e) => { console.error(e); process.exitCode = 1; });
