// The generated certificates verify against the CA and carry every SAN clients use. No root needed.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { planCluster } from '../../core/topology/plan.js';
import { generatePki, serverSubjectAltNames } from './pki.js';

const root = mkdtempSync(join(tmpdir(), 'pnt6-pki-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('CA and serving certificate with the API server SANs, a token, private keys', async () => {
  const config = planCluster({ name: 'pnt6pki', stateRoot: root, underlayCIDR: '172.31.246.0/24' }, []);
  await generatePki(config);
  const ca = new X509Certificate(readFileSync(config.paths.caCert));
  const server = new X509Certificate(readFileSync(config.paths.serverCert));
  assert.ok(ca.ca);
  assert.equal(server.ca, false);
  assert.ok(server.verify(ca.publicKey));
  assert.equal(server.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  const sans = server.subjectAltName ?? '';
  for (const san of ['IP Address:127.0.0.1', 'IP Address:172.31.246.1', 'IP Address:10.96.0.1', 'DNS:localhost',
    'DNS:kubernetes', 'DNS:kubernetes.default', 'DNS:kubernetes.default.svc', 'DNS:kubernetes.default.svc.cluster.local']) {
    assert.ok(sans.includes(san), `${san} in ${sans}`);
  }
  assert.ok(server.checkIP('172.31.246.1'));
  assert.ok(server.checkHost('kubernetes.default.svc'));
  assert.match(readFileSync(config.paths.token, 'utf8'), /^[A-Za-z0-9_-]{43}\n$/);
  for (const f of [config.paths.caKey, config.paths.serverKey, config.paths.token]) assert.equal(statSync(f).mode & 0o077, 0, f);
  assert.deepEqual(serverSubjectAltNames(config).slice(0, 3), ['IP:127.0.0.1', 'IP:172.31.246.1', 'IP:10.96.0.1']);
});
