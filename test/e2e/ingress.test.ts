// Ingress end to end: `podnet up` installs the ingress-nginx controller (real nginx in a pod behind a
// LoadBalancer Service); requests go from the host with curl to the controller's address. The seeds'
// my-ingress and online-store, a host/path table with status codes, TLS with and without SNI, rewrite,
// backends that scale, roll and vanish, wrk while an Ingress is edited, and bad input.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { requireRoot } from '../../src/linux/exec.js';
import { e2eCluster } from '../support/e2e-cluster.js';

const cluster = 'ingress-e2e';
const underlay = '172.31.237.0/24';
const { repo, work, kubeconfig, run, podnet, show, ok, apply, waitFor } = e2eCluster(cluster, { kubectlTimeoutMs: 120_000 });
type Json = any;
const getJson = async (...args: string[]): Promise<Json> => JSON.parse(await ok('get', ...args, '-o', 'json'));
let lb = '';

/** One request from the host: status code and body (curl exit code too, for TLS checks). */
async function get(host: string, path: string, extra: string[] = []): Promise<{ code: string; body: string; out: string }> {
  const r = await run(['curl', '-sS', '--max-time', '5', '-o', '-', '-w', '\n%{http_code}', '-H', `Host: ${host}`, ...extra, `http://${lb}${path}`], 30_000);
  const i = r.stdout.lastIndexOf('\n');
  return { code: r.stdout.slice(i + 1), body: r.stdout.slice(0, i).trimEnd(), out: r.stdout + r.stderr };
}

/** An HTTPS request with SNI `sni` (curl --resolve), or without SNI (the address itself); -k: self-signed certificates. */
async function https(sni: string | undefined, host: string, path: string): Promise<{ code: string; body: string; subject: string }> {
  const url = sni ? `https://${sni}${path}` : `https://${lb}${path}`;
  const r = await run(['curl', '-sSvk', '--max-time', '5', '-o', '-', '-w', '\n%{http_code}', ...(sni ? ['--resolve', `${sni}:443:${lb}`] : []), '-H', `Host: ${host}`, url], 30_000);
  const i = r.stdout.lastIndexOf('\n');
  return { code: r.stdout.slice(i + 1), body: r.stdout.slice(0, i).trimEnd(), subject: /subject: (.*)/.exec(r.stderr)?.[1] ?? '' };
}

const podNames = async (app: string) => (await getJson('pods', '-l', `app=${app}`)).items
  .filter((p: Json) => !p.metadata.deletionTimestamp).map((p: Json) => p.metadata.name as string);

before(async () => {
  requireRoot('the ingress e2e test');
  const up = await podnet('up', '--name', cluster, '--nodes', '2', '--underlay-cidr', underlay,
    '-f', join(repo, 'examples/my-ingress.yaml'), '-f', join(repo, 'examples/online-store.yaml'));
  assert.equal(up.code, 0, show(up));
  await ok('wait', '-n', 'ingress-nginx', '--for=condition=Ready', 'pod', '-l', 'app.kubernetes.io/component=controller', '--timeout=120s');
  lb = await waitFor('the controller Service address', async () =>
    (await getJson('svc', '-n', 'ingress-nginx', 'ingress-nginx-controller')).status?.loadBalancer?.ingress?.[0]?.ip);
  await ok('wait', '--for=condition=Ready', 'pod', '-l', 'app in (my-app,shop,video)', '--timeout=120s');
  await ok('wait', `--for=jsonpath={.status.loadBalancer.ingress[0].ip}=${lb}`, 'ingress/my-ingress', 'ingress/online-store', '--timeout=60s');
});

after(async () => {
  const down = await podnet('down', '--name', cluster);
  assert.equal(down.code, 0, show(down));
});

test('podnet up installs the controller: IngressClass nginx is the default, the seeds get CLASS, ADDRESS and PORTS', async () => {
  const ic = await ok('get', 'ingressclass');
  assert.match(ic, /^nginx\s+k8s\.io\/ingress-nginx\s+<none>\s+\S+$/m);
  const ing = await ok('get', 'ingress');
  assert.match(ing, new RegExp(`^my-ingress\\s+nginx\\s+mydomain\\.com\\s+${lb.replaceAll('.', '\\.')}\\s+80\\s`, 'm'));
  assert.match(ing, new RegExp(`^online-store\\s+nginx\\s+myonlinestore\\.com\\s+${lb.replaceAll('.', '\\.')}\\s+80\\s`, 'm'));
  // kubectl describe computes each backend's endpoints from the Service's Endpoints.
  const d = await ok('describe', 'ingress', 'my-ingress');
  assert.match(d, /mydomain\.com\s*\n\s+\/app\s+my-loadbalancer-service:8080 \(10\.244\.\d+\.\d+:8080,10\.244\.\d+\.\d+:8080\)/);
  assert.match(d, /Normal\s+Sync\s+.*nginx-ingress-controller\s+Scheduled for sync/);
});

test("the seeds' Ingresses answer through the controller with the right backend", async () => {
  // /app reaches agnhost (its own 404 for a path it does not serve), not the controller's 404.
  const app = await get('mydomain.com', '/app');
  assert.equal(app.code, '404');
  assert.equal(app.body, '404 page not found');
  const shop = await get('myonlinestore.com', '/shop');
  assert.match(shop.body, /<center>nginx<\/center>/, 'the shop pods (podnet\'s nginx page), not the controller\'s nginx/1.22');
  assert.equal((await get('myonlinestore.com', '/watch')).body, '404 page not found');
  // Which pod: agnhost's /hostname, reached with rewrite-target (capture groups, use-regex).
  await apply(`apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: store-probe
  annotations:
    nginx.ingress.kubernetes.io/use-regex: "true"
    nginx.ingress.kubernetes.io/rewrite-target: /$2
spec:
  rules:
  - host: myonlinestore.com
    http:
      paths:
      - {path: "/probe/shop(/|$)(.*)", pathType: ImplementationSpecific, backend: {service: {name: shop-service, port: {number: 80}}}}
      - {path: "/probe/watch(/|$)(.*)", pathType: ImplementationSpecific, backend: {service: {name: video-service, port: {number: 80}}}}
  - host: mydomain.com
    http:
      paths:
      - {path: "/probe/app(/|$)(.*)", pathType: ImplementationSpecific, backend: {service: {name: my-loadbalancer-service, port: {number: 8080}}}}
`);
  const video = await podNames('video'), myApp = await podNames('my-app');
  await waitFor('the rewrite Ingress served', async () => ((await get('myonlinestore.com', '/probe/watch/hostname')).code === '200' ? true : undefined), 30_000);
  assert.ok(video.includes((await get('myonlinestore.com', '/probe/watch/hostname')).body));
  assert.match((await get('myonlinestore.com', '/probe/shop/')).body, /Welcome to nginx!/);
  const seen = new Set<string>();
  for (let i = 0; i < 10; i++) seen.add((await get('mydomain.com', '/probe/app/hostname')).body);
  assert.deepEqual([...seen].sort(), [...myApp].sort(), 'both my-app pods answer (endpoints are the upstreams)');
});

test('host and path rules: which backend answers, or which status', async () => {
  await apply(`apiVersion: v1
kind: Service
metadata: {name: empty-svc}
spec: {selector: {app: nobody}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: cases}
spec:
  rules:
  - host: exact.test
    http: {paths: [{path: /hostname, pathType: Exact, backend: {service: {name: my-loadbalancer-service, port: {number: 8080}}}}]}
  - host: prefix.test
    http: {paths: [{path: /hostname, pathType: Prefix, backend: {service: {name: video-service, port: {number: 80}}}},
                   {path: /, pathType: Prefix, backend: {service: {name: my-loadbalancer-service, port: {number: 8080}}}}]}
  - host: "*.wild.test"
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: video-service, port: {number: 80}}}}]}
  - host: missing.test
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: nosuch, port: {number: 80}}}},
                   {path: /noport, pathType: Prefix, backend: {service: {name: video-service, port: {number: 9999}}}},
                   {path: /empty, pathType: Prefix, backend: {service: {name: empty-svc, port: {number: 80}}}},
                   {path: /bucket, pathType: Prefix, backend: {resource: {apiGroup: k8s.example.com, kind: StorageBucket, name: assets}}}]}
`);
  const video = await podNames('video'), myApp = await podNames('my-app');
  await ok('wait', `--for=jsonpath={.status.loadBalancer.ingress[0].ip}=${lb}`, 'ingress/cases', '--timeout=60s');
  await waitFor('cases served', async () => ((await get('exact.test', '/hostname')).code === '200' ? true : undefined), 30_000);
  const who = (body: string) => (video.includes(body) ? 'video' : myApp.includes(body) ? 'my-app' : body.slice(0, 40));
  const cases: Array<[string, string, string, string]> = [
    ['exact.test', '/hostname', '200', 'my-app'],
    ['exact.test', '/hostname/', '404', ''],
    ['EXACT.test:80', '/hostname', '200', 'my-app'],
    ['prefix.test', '/hostname', '200', 'video'],
    ['prefix.test', '/hostnamex', '404', '404 page not found'], // Prefix / → my-app, which has no /hostnamex
    ['a.wild.test', '/hostname', '200', 'video'],
    ['a.b.wild.test', '/hostname', '404', ''],
    ['wild.test', '/hostname', '404', ''],
    ['unknown.test', '/hostname', '404', ''],
    ['missing.test', '/', '503', ''],
    ['missing.test', '/noport', '503', ''],
    ['missing.test', '/empty', '503', ''],
    ['missing.test', '/bucket', '500', ''],
  ];
  for (const [host, path, code, backend] of cases) {
    const r = await get(host, path);
    assert.equal(r.code, code, `${host}${path}: ${r.out}`);
    if (backend) assert.equal(who(r.body), backend, `${host}${path}`);
  }
  assert.match((await get('missing.test', '/bucket')).body, /resource backend StorageBucket\.k8s\.example\.com\/assets is not supported/);
  const d = await ok('describe', 'ingress', 'cases');
  assert.match(d, /Warning\s+ServiceNotFound\s+.*Service "default\/nosuch" not found/);
  assert.match(d, /Warning\s+PortNotFound\s+.*no TCP port 9999/);

  // A defaultBackend: the fallback of its hosts, and of hosts nobody claims.
  await apply(`apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: fallback}
spec:
  defaultBackend: {service: {name: video-service, port: {number: 80}}}
  rules:
  - host: db.test
    http: {paths: [{path: /only, pathType: Exact, backend: {service: {name: my-loadbalancer-service, port: {number: 8080}}}}]}
`);
  await waitFor('defaultBackend served', async () => (who((await get('unknown.test', '/hostname')).body) === 'video' ? true : undefined), 30_000);
  assert.equal(who((await get('db.test', '/hostname')).body), 'video');
  assert.equal((await get('exact.test', '/nothing')).code, '404', 'hosts of other Ingresses keep their 404');
  await ok('delete', 'ingress', 'fallback');
});

test('TLS from a kubernetes.io/tls Secret by SNI, HTTP→HTTPS redirect, the default certificate otherwise', async () => {
  const key = join(work, 'tls.key'), crt = join(work, 'tls.crt');
  const gen = await run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=secure.test', '-addext', 'subjectAltName=DNS:secure.test', '-keyout', key, '-out', crt]);
  assert.equal(gen.code, 0, show(gen));
  await ok('create', 'secret', 'tls', 'secure-tls', `--cert=${crt}`, `--key=${key}`);
  await apply(`apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: secure}
spec:
  tls: [{hosts: [secure.test], secretName: secure-tls}]
  rules:
  - host: secure.test
    http: {paths: [{path: /hostname, pathType: Prefix, backend: {service: {name: video-service, port: {number: 80}}}}]}
`);
  const video = await podNames('video');
  await waitFor('TLS served', async () => ((await https('secure.test', 'secure.test', '/hostname')).subject.includes('CN=secure.test') ? true : undefined), 30_000);
  const sni = await https('secure.test', 'secure.test', '/hostname');
  assert.equal(sni.code, '200');
  assert.ok(video.includes(sni.body));
  const redirect = await get('secure.test', '/hostname?x=1');
  assert.equal(redirect.code, '308');
  const loc = await run(['curl', '-sS', '-o', '/dev/null', '-w', '%{redirect_url}', '-H', 'Host: secure.test', `http://${lb}/hostname?x=1`]);
  assert.equal(loc.stdout, 'https://secure.test/hostname?x=1');
  // Without SNI, and for names no Secret covers: the controller's self-signed certificate; routing still by Host.
  const noSni = await https(undefined, 'secure.test', '/hostname');
  assert.match(noSni.subject, /CN=Kubernetes Ingress Controller Fake Certificate/);
  assert.equal(noSni.code, '200');
  const other = await https('exact.test', 'exact.test', '/hostname');
  assert.match(other.subject, /Fake Certificate/);
  assert.equal(other.code, '200', 'a host without TLS is served over https with the default certificate, without redirect');

  // A missing Secret: that Ingress warns and uses the default certificate; the others are untouched.
  await apply(`apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: nosecret}
spec:
  tls: [{hosts: [nosecret.test], secretName: absent-tls}]
  rules:
  - host: nosecret.test
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: video-service, port: {number: 80}}}}]}
`);
  await waitFor('SecretNotFound event', async () => (/Warning\s+SecretNotFound\s+.*Secret "default\/absent-tls" not found/.test(await ok('describe', 'ingress', 'nosecret')) ? true : undefined), 30_000);
  assert.match((await https('nosecret.test', 'nosecret.test', '/hostname')).subject, /Fake Certificate/);
  assert.match((await https('secure.test', 'secure.test', '/hostname')).subject, /CN=secure\.test/);
});

test('bad input: the API refuses an invalid Ingress; a broken annotation or a config nginx refuses hurts only that Ingress', async () => {
  const invalid = await run(['kubectl', '--kubeconfig', kubeconfig, 'apply', '-f', '-'], 30_000,
    'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: invalid}\nspec:\n  rules:\n  - host: bad.test\n    http: {paths: [{path: /x, backend: {service: {name: video-service, port: {number: 80}}}}]}\n');
  assert.notEqual(invalid.code, 0);
  assert.match(invalid.stderr, /spec\.rules\[0\]\.http\.paths\[0\]\.pathType: Required value: pathType must be specified/);

  await apply(`apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: broken
  annotations: {nginx.ingress.kubernetes.io/whitelist-source-range: "10.0.0.0/33"}
spec:
  rules:
  - host: broken.test
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: video-service, port: {number: 80}}}}]}
`);
  await waitFor('InvalidAnnotation event', async () => (/Warning\s+InvalidAnnotation\s+.*whitelist-source-range: "10\.0\.0\.0\/33" is not an IP address or CIDR/.test(await ok('describe', 'ingress', 'broken')) ? true : undefined), 30_000);
  assert.equal((await get('broken.test', '/hostname')).code, '503');
  assert.equal((await get('exact.test', '/hostname')).code, '200');

  // PCRE refuses a variable-length lookbehind that JavaScript accepts: nginx -t fails, the old config stays.
  await apply(`apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: pcre
  annotations: {nginx.ingress.kubernetes.io/use-regex: "true"}
spec:
  rules:
  - host: pcre.test
    http: {paths: [{path: "/x(?<=a+)", pathType: ImplementationSpecific, backend: {service: {name: video-service, port: {number: 80}}}}]}
`);
  await waitFor('RELOAD event', async () => (/Warning\s+RELOAD\s+.*Error reloading NGINX: .*lookbehind/s.test(await ok('describe', 'ingress', 'pcre')) ? true : undefined), 30_000);
  assert.equal((await get('exact.test', '/hostname')).code, '200', 'nginx still serves the last good configuration');
  await ok('delete', 'ingress', 'pcre');
  await apply(`apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: after-pcre}
spec:
  rules:
  - host: after.test
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: video-service, port: {number: 80}}}}]}
`);
  await waitFor('configuration applies again', async () => ((await get('after.test', '/hostname')).code === '200' ? true : undefined), 30_000);
});

test('backends follow: scale, roll, delete the Service', async () => {
  await ok('scale', 'deployment', 'my-app', '--replicas=3');
  await ok('rollout', 'status', 'deployment/my-app', '--timeout=120s');
  const three = await podNames('my-app');
  assert.equal(three.length, 3);
  await waitFor('all 3 pods answer through the controller', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 15; i++) seen.add((await get('exact.test', '/hostname')).body);
    return three.every((p: string) => seen.has(p)) ? true : undefined;
  }, 60_000);

  await ok('rollout', 'restart', 'deployment/my-app');
  await ok('rollout', 'status', 'deployment/my-app', '--timeout=120s');
  const fresh = await podNames('my-app');
  await waitFor('the EndpointSlice holds only the new pods', async () => {
    const slices = await getJson('endpointslices', '-l', 'kubernetes.io/service-name=my-loadbalancer-service');
    const ips = slices.items.flatMap((s: Json) => (s.endpoints ?? []).filter((e: Json) => e.conditions?.ready !== false).flatMap((e: Json) => e.addresses));
    return ips.length === 3 ? true : undefined;
  });
  await waitFor('only new pods answer', async () => {
    const got = [] as string[];
    for (let i = 0; i < 10; i++) got.push((await get('exact.test', '/hostname')).body);
    return got.every((b) => fresh.includes(b)) ? true : undefined;
  }, 60_000);
  for (let i = 0; i < 20; i++) {
    const r = await get('exact.test', '/hostname');
    assert.ok(fresh.includes(r.body), `answer from ${r.body}, not one of ${fresh.join(', ')}`);
  }

  await ok('delete', 'service', 'video-service');
  await waitFor('503 once the Service is gone', async () => ((await get('a.wild.test', '/hostname')).code === '503' ? true : undefined), 30_000);
  await waitFor('ServiceNotFound event', async () => (/Service "default\/video-service" not found/.test(await ok('describe', 'ingress', 'cases')) ? true : undefined), 30_000);
  assert.equal((await get('exact.test', '/hostname')).code, '200');
});

// Each edit is a graceful nginx reload: requests in progress finish on the old workers and new
// connections go to the new ones. wrk opens a connection per request here (Connection: close): an
// idle keep-alive connection is closed by nginx's old workers at a reload, and a client that sent its
// next request at that very moment must retry it (as browsers and curl do; wrk counts a read error).
test('a running wrk sees no failed request while an Ingress is edited', async () => {
  const wrk = run(['wrk', '-t2', '-c16', '-d8s', '-H', 'Host: exact.test', '-H', 'Connection: close', `http://${lb}/hostname`], 60_000);
  for (let i = 0; i < 6; i++) {
    await ok('patch', 'ingress', 'cases', '--type=json', '-p',
      JSON.stringify([{ op: 'add', path: '/spec/rules/0/http/paths/-', value: { path: `/edit-${i}`, pathType: 'Prefix', backend: { service: { name: 'my-loadbalancer-service', port: { number: 8080 } } } } }]));
    await new Promise((r) => setTimeout(r, 800));
  }
  const r = await wrk;
  assert.equal(r.code, 0, show(r));
  assert.match(r.stdout, /requests in/);
  assert.doesNotMatch(r.stdout, /Socket errors|Non-2xx or 3xx responses/, r.stdout);
  assert.equal((await get('exact.test', '/edit-5')).body, '404 page not found', 'the last edit is served: my-app answers (it has no /edit-5)');
});
