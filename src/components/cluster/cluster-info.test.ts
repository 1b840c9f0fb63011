// Integration test: a podnet API server (child process, loopback) gets cluster-info and podnet-config
// published as `podnet up` does; cluster-info is readable without a token (and only it), its CA
// matches the pin `podnet join-command` prints, and podnet-config reads back as the cluster's settings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { startTestServer, type TestServer } from '../../../test/support/server.js';
import { CLUSTER_INFO, PODNET_CONFIG, caCertHash, parseClusterInfo, parsePodnetConfig } from '../../core/cluster/join.js';
import { joinCommandOf, publishClusterInfo } from './cluster-info.js';

let server: TestServer;
before(async () => { server = await startTestServer('pn-cluster-info'); });
after(async () => { await server?.cleanup(); });

function get(path: string, token?: string): Promise<{ code: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(server.url + path, { ca: readFileSync(server.caCert), headers: token ? { authorization: `Bearer ${token}` } : {} }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const cm = (where: { namespace: string; name: string }) => `/api/v1/namespaces/${where.namespace}/configmaps/${where.name}`;

test('cluster-info is public and pins to the CA; podnet-config needs the token and reads back', async () => {
  await publishClusterInfo(server.config);
  await publishClusterInfo(server.config); // a second publish (restarted up) replaces them

  const info = await get(cm(CLUSTER_INFO));
  assert.equal(info.code, 200, info.body);
  const { server: url, caPem } = parseClusterInfo(JSON.parse(info.body).data);
  assert.equal(url, `https://${server.config.hostIP}:${server.config.apiServerPort}`);
  const argv = joinCommandOf(server.config);
  assert.equal(argv[argv.indexOf('--ca-cert-hash') + 1], caCertHash(caPem));
  assert.equal(argv[argv.indexOf('--token') + 1], server.token);

  assert.equal((await get(cm(PODNET_CONFIG))).code, 401);
  assert.equal((await get('/api/v1/namespaces/kube-public/configmaps')).code, 401);
  const settings = await get(cm(PODNET_CONFIG), server.token);
  assert.equal(settings.code, 200, settings.body);
  assert.equal(parsePodnetConfig(JSON.parse(settings.body).data).clusterCIDR, server.config.clusterCIDR);
});
