import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planIngressRoutes, renderNginxConf, quote, certificateFileName } from './index.js';
import { FAKE_CERT, FAKE_KEY, ingress, service, slice, tlsSecret } from './fixtures.js';

const layout = { dir: '/run/x', defaultCertificate: '/run/x/default.pem', certificateFile: (s: string) => `/run/x/${s.replace('/', '_')}.pem` };
const svcs = [service('web', [{ port: 80 }]), service('a-b', [{ port: 80 }]), service('b', [{ port: 80 }], 'a-b'), service('b-c', [{ port: 80 }], 'a')];
const slices = [slice('web', ['10.244.1.5', '10.244.2.5']), slice('b', ['10.244.1.6'], { namespace: 'a-b' }), slice('b-c', ['10.244.1.7'], { namespace: 'a' })];

test('locations: Exact is "=", Prefix is "=" plus "^~ /p/", Prefix / is "/", no route is 404', () => {
  const conf = renderNginxConf(planIngressRoutes({ ingresses: [ingress('i', { rules: [{ host: 'h.example', paths: [
    { path: '/exact', pathType: 'Exact', service: 'web' }, { path: '/p/', service: 'web' }, { path: '/both', service: 'web' }, { path: '/both', pathType: 'Exact', service: 'web' },
  ] }, { host: '*.wild.example', paths: [{ path: '/', service: 'web' }] }] })], services: svcs, endpointSlices: slices, secrets: [] }), layout);
  assert.match(conf, /location = "\/exact" \{/);
  assert.match(conf, /location = "\/p" \{/);
  assert.match(conf, /location \^~ "\/p\/" \{/);
  assert.equal(conf.match(/location = "\/both" \{/g)?.length, 1, 'the Exact path, not a second one from Prefix');
  assert.match(conf, /server_name "~\^\[\^\.\]\+\\\\\.wild\\\\\.example\$";/);
  assert.match(conf, /upstream default_web_80 \{\n    server 10\.244\.1\.5:8080 max_fails=0;\n    server 10\.244\.2\.5:8080 max_fails=0;/);
  assert.match(conf, /server_name _;\n    listen 80 default_server;\n    listen 443 ssl http2 default_server;[\s\S]*?location \/ \{\n      return 404;/);
});

test('upstream names cannot collide across namespaces; TLS certificate files; redirect and annotations rendered', () => {
  const conf = renderNginxConf(planIngressRoutes({
    ingresses: [
      ingress('x', { namespace: 'a-b', rules: [{ host: 'x', paths: [{ service: 'b' }] }] }),
      ingress('y', { namespace: 'a', rules: [{ host: 'y', paths: [{ service: 'b-c' }] }] }),
      ingress('t', { annotations: { 'nginx.ingress.kubernetes.io/whitelist-source-range': '10.0.0.0/8', 'nginx.ingress.kubernetes.io/proxy-body-size': '8m',
        'nginx.ingress.kubernetes.io/backend-protocol': 'GRPC' }, rules: [{ host: 't.example', paths: [{ service: 'web' }] }], tls: [{ hosts: ['t.example'], secretName: 't-tls' }] }),
    ],
    services: svcs, endpointSlices: slices, secrets: [tlsSecret('t-tls', FAKE_CERT, FAKE_KEY)],
  }), layout);
  assert.match(conf, /upstream a-b_b_80 /);
  assert.match(conf, /upstream a_b-c_80 /);
  assert.match(conf, /ssl_certificate "\/run\/x\/default_t-tls\.pem";/);
  assert.match(conf, /allow 10\.0\.0\.0\/8;\n      deny all;\n      client_max_body_size 8m;\n      if \(\$scheme = http\) \{ return 308 https:\/\/\$host\$request_uri; \}\n      grpc_pass grpc:\/\/default_web_80;/);
});

test('quote escapes what would end an nginx string; certificate file names follow the content', () => {
  assert.equal(quote('a"b\\c'), '"a\\"b\\\\c"');
  assert.notEqual(certificateFileName('ns/s', 'a', 'b'), certificateFileName('ns/s', 'a', 'c'));
  assert.match(certificateFileName('ns/s', 'a', 'b'), /^ns_s-[0-9a-f]{12}\.pem$/);
});
