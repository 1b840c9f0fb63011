// Real nginx: the rendered configuration is accepted by `nginx -t`, a broken one is refused with nginx's
// message, and a running nginx serves the route table and survives a reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import { NginxConfigError, startNginx, testNginxConfig } from './nginx.js';
import { run } from './exec.js';
import { planIngressRoutes, renderNginxConf } from '../core/ingress/index.js';
import { ingress, service, slice } from '../core/ingress/fixtures.js';


test('rendered nginx.conf passes nginx -t, serves routes and reloads; a broken file is refused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), `podnet-nginx-${process.pid}-`));
  let nginx: Awaited<ReturnType<typeof startNginx>> | undefined;
  let backend: ReturnType<typeof createServer> | undefined;
  t.after(async () => { await nginx?.stop(); backend?.close(); rmSync(dir, { recursive: true, force: true }); });
  const pem = join(dir, 'default.pem');
  await run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=test', '-keyout', join(dir, 'k'), '-out', join(dir, 'c')]);
  const { readFileSync } = await import('node:fs');
  writeFileSync(pem, readFileSync(join(dir, 'c'), 'utf8') + readFileSync(join(dir, 'k'), 'utf8'));

  backend = createServer((req, res) => res.end(`backend saw ${req.headers.host} ${req.url}`));
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  const bport = (backend!.address() as { port: number }).port;
  const httpPort = 20000 + (process.pid % 20000), httpsPort = httpPort + 1;
  const layout = { dir, defaultCertificate: pem, certificateFile: () => pem, httpPort, httpsPort, workerProcesses: 1 };
  const inputs = (paths: string[]) => ({
    ingresses: [
      ingress('a', { rules: [{ host: 'a.example', paths: paths.map((p) => ({ path: p, service: 'web' })) }] }),
      ingress('rw', { annotations: { 'nginx.ingress.kubernetes.io/use-regex': 'true', 'nginx.ingress.kubernetes.io/rewrite-target': '/$2' },
        rules: [{ host: 'rw.example', paths: [{ path: '/something(/|$)(.*)', pathType: 'ImplementationSpecific', service: 'web' }] }] }),
      ingress('w', { rules: [{ host: '*.wild.example', paths: [{ service: 'web' }, { path: '/none', service: 'missing' }] }] }),
    ],
    services: [service('web', [{ port: 80 }])],
    endpointSlices: [slice('web', ['127.0.0.1'], { port: bport })],
    secrets: [],
  });
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, renderNginxConf(planIngressRoutes(inputs(['/app'])), layout));
  await testNginxConfig(conf, dir);
  nginx = await startNginx(conf, dir);
  const curl = async (host: string, path: string) => {
    for (let i = 0; ; i++) {
      try {
        const r = await run(['curl', '-s', '-o', '-', '-w', ' %{http_code}', '-H', `Host: ${host}`, `http://127.0.0.1:${httpPort}${path}`]);
        return r.stdout;
      } catch (e) { if (i > 100) throw e; await new Promise((r) => setTimeout(r, 50)); } // nginx is still binding its port
    }
  };
  assert.equal(await curl('a.example', '/app/x'), 'backend saw a.example /app/x 200');
  assert.match(await curl('a.example', '/apple'), / 404$/);
  assert.equal(await curl('rw.example', '/something/new'), 'backend saw rw.example /new 200');
  assert.equal(await curl('x.wild.example', '/'), 'backend saw x.wild.example / 200');
  assert.match(await curl('y.x.wild.example', '/'), / 404$/);
  assert.match(await curl('x.wild.example', '/none'), /^503: Service 'default\/missing' not found.* 503$/s);

  writeFileSync(conf, renderNginxConf(planIngressRoutes(inputs(['/app', '/apple'])), layout));
  await testNginxConfig(conf, dir);
  // reload() resolves once the new configuration takes new connections: the first request after it
  // gets the new rule, no retry.
  await nginx!.reload();
  assert.equal(await curl('a.example', '/apple'), 'backend saw a.example /apple 200');

  const broken = join(dir, 'broken.conf');
  writeFileSync(broken, 'daemon off;\nevents {}\nhttp { server { location { } } }\n');
  await assert.rejects(testNginxConfig(broken, dir), (e) => e instanceof NginxConfigError && /broken\.conf/.test(e.message));
});
