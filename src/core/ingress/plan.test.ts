import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planIngressRoutes, matchIngressRoute, type IngressInputs, type RouteTable } from './index.js';
import { FAKE_CERT, FAKE_KEY, backend, ingress, service, slice, tlsSecret } from './fixtures.js';

/** What answers: the Service name, or the status code nginx returns itself. */
function answer(table: RouteTable, host: string, path: string): string {
  const m = matchIngressRoute(table, host, path);
  if (m.kind === 'notFound') return '404';
  const b = m.route.backend;
  return b.kind === 'service' ? b.service : String(b.status);
}

const svcs = ['foo-exact', 'foo-prefix', 'aaa-prefix', 'aaa-bbb-prefix', 'root', 'wild', 'default-be', 'bar', 'other', 'trail', 'foo-slash-exact']
  .map((s) => service(s, [{ port: 80 }]));
const slices = svcs.map((s, i) => slice(s.metadata.name!, [`10.244.1.${i + 10}`]));
const inputs = (ingresses: IngressInputs['ingresses'], extra: Partial<IngressInputs> = {}): IngressInputs =>
  ({ ingresses, services: svcs, endpointSlices: slices, secrets: [], ...extra });

test('path rules as the Kubernetes concept page and the conformance suite list them', () => {
  const t = planIngressRoutes(inputs([ingress('path-rules', { rules: [
    { host: 'exact', paths: [{ path: '/foo', pathType: 'Exact', service: 'foo-exact' }] },
    { host: 'prefix', paths: [
      { path: '/foo', service: 'foo-prefix' }, { path: '/aaa/bbb', service: 'aaa-bbb-prefix' }, { path: '/aaa', service: 'aaa-prefix' }] },
    { host: 'mixed', paths: [{ path: '/foo', service: 'foo-prefix' }, { path: '/foo', pathType: 'Exact', service: 'foo-exact' }] },
    { host: 'trailing', paths: [{ path: '/aaa/bbb/', service: 'trail' }, { path: '/foo/', pathType: 'Exact', service: 'foo-slash-exact' }] },
    { host: 'root', paths: [{ path: '/', service: 'root' }, { path: '/aaa', service: 'aaa-prefix' }, { path: '/aaa/bbb', service: 'aaa-bbb-prefix' }] },
    { host: 'impl', paths: [{ path: '/foo', pathType: 'ImplementationSpecific', service: 'foo-prefix' }] },
  ] })]));
  const cases: Array<[string, string, string]> = [
    ['exact', '/foo', 'foo-exact'], ['exact', '/bar', '404'], ['exact', '/foo/', '404'], ['exact', '/Foo', '404'],
    ['prefix', '/foo', 'foo-prefix'], ['prefix', '/foo/', 'foo-prefix'], ['prefix', '/foo/bar', 'foo-prefix'],
    ['prefix', '/foobar', '404'], ['prefix', '/aaa/bb', 'aaa-prefix'], ['prefix', '/aaa/bbb', 'aaa-bbb-prefix'],
    ['prefix', '/aaa/bbbxyz', 'aaa-prefix'], ['prefix', '/aaa/bbb/ccc', 'aaa-bbb-prefix'], ['prefix', '/ccc', '404'],
    ['prefix', '/foo?x=/aaa', 'foo-prefix'],
    ['mixed', '/foo', 'foo-exact'], ['mixed', '/foo/', 'foo-prefix'], ['mixed', '/foo/x', 'foo-prefix'],
    ['trailing', '/aaa/bbb', 'trail'], ['trailing', '/aaa/bbb/', 'trail'], ['trailing', '/foo/', 'foo-slash-exact'], ['trailing', '/foo', '404'],
    ['root', '/aaa/ccc', 'aaa-prefix'], ['root', '/aaa/bbb', 'aaa-bbb-prefix'], ['root', '/ccc', 'root'], ['root', '/', 'root'],
    ['impl', '/foo/x', 'foo-prefix'], ['impl', '/foox', '404'],
  ];
  for (const [host, path, want] of cases) assert.equal(answer(t, host, path), want, `${host}${path}`);
});

test('hosts: exact before one-label wildcard before host-less rules; case and port ignored', () => {
  const t = planIngressRoutes(inputs([ingress('hosts', { rules: [
    { host: '*.foo.com', paths: [{ service: 'wild' }] },
    { host: 'bar.foo.com', paths: [{ service: 'bar' }] },
    { paths: [{ service: 'other' }] },
  ] })]));
  const cases: Array<[string, string]> = [
    ['bar.foo.com', 'bar'], ['BAR.foo.com:8080', 'bar'], ['baz.foo.com', 'wild'], ['a.baz.foo.com', 'other'],
    ['foo.com', 'other'], ['unknown.example', 'other'], ['', 'other'],
  ];
  for (const [host, want] of cases) assert.equal(answer(t, host, '/x'), want, host);
});

test('unknown host and unmatched path are 404 without a defaultBackend', () => {
  const t = planIngressRoutes(inputs([ingress('h', { rules: [{ host: 'a.example', paths: [{ path: '/app', service: 'foo-prefix' }] }] })]));
  assert.equal(answer(t, 'b.example', '/app'), '404');
  assert.equal(answer(t, 'a.example', '/other'), '404');
});

test('defaultBackend: only rules → every request; and the fallback of its own hosts and unknown hosts', () => {
  const only = planIngressRoutes(inputs([ingress('db', { defaultBackend: backend('default-be') })]));
  for (const [h, p] of [['my-host', '/'], ['some-host', '/sub-path'], ['', '/resource']]) assert.equal(answer(only, h!, p!), 'default-be');
  const t = planIngressRoutes(inputs([
    ingress('with-db', { age: 1, defaultBackend: backend('default-be'), rules: [{ host: 'a.example', paths: [{ path: '/app', service: 'foo-prefix' }] }] }),
    ingress('other', { age: 2, rules: [{ host: 'b.example', paths: [{ path: '/app', service: 'bar' }] }] }),
  ]));
  assert.equal(answer(t, 'a.example', '/app/x'), 'foo-prefix');
  assert.equal(answer(t, 'a.example', '/nothing'), 'default-be');
  assert.equal(answer(t, 'unknown', '/nothing'), 'default-be');
  assert.equal(answer(t, 'b.example', '/nothing'), '404', "another Ingress's host does not use it");
});

test('several Ingresses for one host merge; the oldest wins a conflict and the newer one gets an event', () => {
  const t = planIngressRoutes(inputs([
    ingress('newer', { age: 20, rules: [{ host: 'shop', paths: [{ path: '/cart', service: 'bar' }, { path: '/api/', service: 'other' }] }] }),
    ingress('older', { age: 10, rules: [{ host: 'shop', paths: [{ path: '/api', service: 'foo-prefix' }] }] }),
  ]));
  assert.equal(answer(t, 'shop', '/cart'), 'bar');
  assert.equal(answer(t, 'shop', '/api/v1'), 'foo-prefix');
  const p = t.problems.find((x) => x.reason === 'PathConflict')!;
  assert.equal(p.name, 'newer');
  assert.match(p.message, /older Ingress default\/older/);
});

test('missing Service, missing port, no ready endpoints → 503; resource backend → 500 with a reason', () => {
  const t = planIngressRoutes(inputs([ingress('bad', { rules: [{ host: 'x', paths: [
    { path: '/nosvc', service: 'nope' }, { path: '/noport', service: 'bar', port: 9999 }, { path: '/named', service: 'bar', port: 'http' },
    { path: '/empty', service: 'empty' }, { path: '/bucket', resource: { apiGroup: 'k8s.example.com', kind: 'StorageBucket', name: 'static' } },
  ] }] })], {
    services: [...svcs, service('empty', [{ port: 80 }])],
    endpointSlices: [...slices, slice('empty', ['10.244.2.9'], { notReady: ['10.244.2.9'] })],
  }));
  assert.equal(answer(t, 'x', '/nosvc'), '503');
  assert.equal(answer(t, 'x', '/noport'), '503');
  assert.equal(answer(t, 'x', '/named'), '503');
  assert.equal(answer(t, 'x', '/empty'), '503');
  assert.equal(answer(t, 'x', '/bucket'), '500');
  const reasons = t.problems.map((p) => p.reason).sort();
  assert.deepEqual(reasons, ['PortNotFound', 'PortNotFound', 'ServiceNotFound', 'UnsupportedBackend']);
  assert.match(t.problems.find((p) => p.reason === 'UnsupportedBackend')!.message, /StorageBucket\.k8s\.example\.com\/static/);
});

test('upstreams are the ready endpoints of the named or numbered Service port', () => {
  const t = planIngressRoutes({
    ingresses: [ingress('u', { rules: [{ host: 'x', paths: [{ path: '/a', service: 'web', port: 'http' }, { path: '/b', service: 'web', port: 8443 }] }] })],
    services: [service('web', [{ port: 80, name: 'http', targetPort: 8080 }, { port: 8443, name: 'https' }])],
    endpointSlices: [
      slice('web', ['10.244.1.5', '10.244.2.5', '10.244.3.5'], { port: 8080, portName: 'http', notReady: ['10.244.3.5'], name: 'web-1' }),
      slice('web', ['10.244.1.5'], { port: 8443, portName: 'https', name: 'web-2' }),
    ],
    secrets: [],
  });
  const a = matchIngressRoute(t, 'x', '/a');
  assert.ok(a.kind === 'route' && a.route.backend.kind === 'service');
  assert.deepEqual(a.route.backend.endpoints, [{ ip: '10.244.1.5', port: 8080 }, { ip: '10.244.2.5', port: 8080 }]);
  const b = matchIngressRoute(t, 'x', '/b');
  assert.ok(b.kind === 'route' && b.route.backend.kind === 'service');
  assert.deepEqual(b.route.backend.endpoints, [{ ip: '10.244.1.5', port: 8443 }]);
});

test('TLS: Secret by host, redirect on by default, ssl-redirect false turns it off, a missing Secret warns and uses the default', () => {
  const t = planIngressRoutes(inputs([
    ingress('tls', { rules: [{ host: 'secure.example', paths: [{ service: 'bar' }] }], tls: [{ hosts: ['secure.example'], secretName: 'secure-tls' }] }),
    ingress('noredirect', { annotations: { 'nginx.ingress.kubernetes.io/ssl-redirect': 'false' },
      rules: [{ host: 'plain.example', paths: [{ service: 'bar' }] }], tls: [{ hosts: ['plain.example'], secretName: 'plain-tls' }] }),
    ingress('missing', { rules: [{ host: 'missing.example', paths: [{ service: 'bar' }] }], tls: [{ hosts: ['missing.example'], secretName: 'nope' }] }),
    ingress('http-only', { rules: [{ host: 'http.example', paths: [{ service: 'bar' }] }] }),
  ], { secrets: [tlsSecret('secure-tls', FAKE_CERT, FAKE_KEY), tlsSecret('plain-tls', FAKE_CERT, FAKE_KEY)] }));
  const route = (h: string) => { const m = matchIngressRoute(t, h, '/'); assert.equal(m.kind, 'route'); return m as Extract<typeof m, { kind: 'route' }>; };
  assert.equal(route('secure.example').server.tls?.secret, 'default/secure-tls');
  assert.equal(route('secure.example').route.sslRedirect, true);
  assert.equal(route('plain.example').route.sslRedirect, false);
  assert.equal(route('missing.example').server.tls?.secret, undefined);
  assert.equal(route('missing.example').route.sslRedirect, true, 'ingress-nginx redirects whenever the Ingress has TLS for the host');
  assert.equal(route('http.example').route.sslRedirect, false);
  assert.deepEqual([...t.certificates.keys()].sort(), ['default/plain-tls', 'default/secure-tls']);
  const missing = t.problems.find((p) => p.reason === 'SecretNotFound')!;
  assert.equal(missing.name, 'missing');
  assert.match(missing.message, /default\/nope" not found/);
});

test('use-regex and rewrite-target: capture groups, regex before Prefix, Exact still first', () => {
  const t = planIngressRoutes(inputs([
    ingress('rw', { annotations: { 'nginx.ingress.kubernetes.io/use-regex': 'true', 'nginx.ingress.kubernetes.io/rewrite-target': '/$2' },
      rules: [{ host: 'rw', paths: [{ path: '/something(/|$)(.*)', pathType: 'ImplementationSpecific', service: 'bar' }] }] }),
    ingress('plain', { rules: [{ host: 'rw', paths: [{ path: '/', service: 'root' }, { path: '/something', pathType: 'Exact', service: 'foo-exact' }] }] }),
  ]));
  assert.equal(answer(t, 'rw', '/something/new'), 'bar');
  assert.equal(answer(t, 'rw', '/something'), 'foo-exact');
  assert.equal(answer(t, 'rw', '/other'), 'root');
  const m = matchIngressRoute(t, 'rw', '/something/new');
  assert.ok(m.kind === 'route');
  assert.equal(m.route.rewriteTarget, '/$2');
  assert.equal(m.route.match, 'Regex');
});

test('a broken annotation makes only its own Ingress answer 503, with an event', () => {
  const t = planIngressRoutes(inputs([
    ingress('broken', { annotations: { 'nginx.ingress.kubernetes.io/whitelist-source-range': '10.0.0.0/33' }, rules: [{ host: 'b', paths: [{ service: 'bar' }] }] }),
    ingress('badregex', { annotations: { 'nginx.ingress.kubernetes.io/use-regex': 'true' }, rules: [{ host: 'r', paths: [{ path: '/a(', pathType: 'ImplementationSpecific', service: 'bar' }] }] }),
    ingress('badsize', { annotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': '8 MB' }, rules: [{ host: 's', paths: [{ service: 'bar' }] }] }),
    ingress('fine', { rules: [{ host: 'f', paths: [{ service: 'bar' }] }] }),
  ]));
  assert.equal(answer(t, 'b', '/'), '503');
  assert.equal(answer(t, 'r', '/a'), '404');
  assert.equal(answer(t, 's', '/'), '503');
  assert.equal(answer(t, 'f', '/'), 'bar');
  assert.deepEqual(t.problems.map((p) => `${p.name} ${p.reason}`).sort(), ['badregex InvalidPath', 'badsize InvalidAnnotation', 'broken InvalidAnnotation']);
  assert.match(t.problems.find((p) => p.name === 'broken')!.message, /whitelist-source-range: "10.0.0.0\/33" is not an IP address or CIDR/);
});

test('annotations: backend-protocol, proxy-body-size, whitelist-source-range reach the route', () => {
  const t = planIngressRoutes(inputs([ingress('a', {
    annotations: {
      'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS', 'nginx.ingress.kubernetes.io/proxy-body-size': '8m',
      'nginx.ingress.kubernetes.io/whitelist-source-range': '172.31.250.0/24, 10.0.0.1',
    }, rules: [{ host: 'a', paths: [{ service: 'bar' }] }] })]));
  const m = matchIngressRoute(t, 'a', '/');
  assert.ok(m.kind === 'route');
  assert.equal(m.route.protocol, 'HTTPS');
  assert.equal(m.route.bodySize, '8m');
  assert.deepEqual(m.route.allowSources, ['172.31.250.0/24', '10.0.0.1']);
});

test('the plan does not depend on the order objects were listed in', () => {
  const a = ingress('a', { age: 1, rules: [{ host: 'h', paths: [{ path: '/x', service: 'bar' }] }] });
  const b = ingress('b', { age: 2, rules: [{ host: 'h', paths: [{ path: '/x', service: 'other' }, { path: '/y', service: 'root' }] }] });
  const t1 = planIngressRoutes(inputs([a, b])), t2 = planIngressRoutes(inputs([b, a]));
  assert.deepEqual(t1.servers, t2.servers);
});

test('1,000 Ingresses × 5 paths: one server per host, every path answers', () => {
  const ings = Array.from({ length: 1000 }, (_, i) => ingress(`i${i}`, { rules: [{ host: `h${i}.example`, paths: [0, 1, 2, 3, 4].map((j) => ({ path: `/p${j}`, service: 'bar' })) }] }));
  const t = planIngressRoutes(inputs(ings));
  assert.equal(t.servers.length, 1001);
  assert.equal(answer(t, 'h999.example', '/p4/x'), 'bar');
});
