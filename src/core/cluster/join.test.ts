import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  caCertHash, clusterInfoData, hostGwRefusal, parseClusterInfo, parsePodnetConfig, podnetConfigData, validateCaCertHash,
} from './join.js';
import type { ClusterConfig } from './config.js';

function makeCA(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pn-join-ca-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=test-ca',
      '-days', '1', '-keyout', join(dir, 'k'), '-out', join(dir, 'c')], { stdio: 'ignore' });
    return readFileSync(join(dir, 'c'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('caCertHash is kubeadm\'s pin: sha256 of the DER SubjectPublicKeyInfo, as openssl computes it', () => {
  const pem = makeCA();
  const spki = execFileSync('sh', ['-c', 'openssl x509 -pubkey -noout | openssl pkey -pubin -outform der | sha256sum'], { input: pem, encoding: 'utf8' });
  assert.equal(caCertHash(pem), `sha256:${spki.split(' ')[0]}`);
});

test('cluster-info round-trips the server and CA; a kubeconfig without them is refused', () => {
  const pem = makeCA();
  assert.deepEqual(parseClusterInfo(clusterInfoData('https://172.31.250.1:6443', pem)), { server: 'https://172.31.250.1:6443', caPem: pem });
  assert.throws(() => parseClusterInfo({ kubeconfig: 'clusters: []' }), /holds no cluster/);
  assert.throws(() => parseClusterInfo(undefined), /holds no cluster/);
});

test('podnet-config carries the cluster-wide settings only, and says what is missing', () => {
  const config = {
    name: 'podnet', stateDir: '/var/lib/podnet/podnet', overlay: 'vxlan', clusterCIDR: '10.244.0.0/16', nodeCIDRMaskSize: 24,
    serviceCIDR: '10.96.0.0/12', nodePortRange: '30000-32767', clusterDomain: 'cluster.local', dnsServiceIP: '10.96.0.10',
    hostIP: '172.31.250.1', nodes: [], paths: {},
  } as unknown as ClusterConfig;
  const s = parsePodnetConfig(podnetConfigData(config));
  assert.deepEqual(s, { name: 'podnet', overlay: 'vxlan', clusterCIDR: '10.244.0.0/16', nodeCIDRMaskSize: 24, serviceCIDR: '10.96.0.0/12',
    nodePortRange: '30000-32767', clusterDomain: 'cluster.local', dnsServiceIP: '10.96.0.10' });
  assert.throws(() => parsePodnetConfig({}), /has no "cluster.json"/);
  assert.throws(() => parsePodnetConfig({ 'cluster.json': '{"name":"x"}' }), /has no "overlay"/);
});

test('--ca-cert-hash must be sha256:<64 hex>', () => {
  assert.equal(validateCaCertHash(`SHA256:${'A'.repeat(64)}`), `sha256:${'a'.repeat(64)}`);
  assert.throws(() => validateCaCertHash('abc'), /sha256:<64 hex digits>/);
});

test('host-gw is refused for a peer behind a router, naming it and suggesting vxlan; vxlan never is', () => {
  const routes = [{ peer: 'node a', ip: '172.31.250.11' }, { peer: 'node b', ip: '172.31.250.12', gateway: '192.0.2.1' }];
  assert.equal(hostGwRefusal('vxlan', routes), undefined);
  assert.equal(hostGwRefusal('host-gw', [routes[0]]), undefined);
  const msg = hostGwRefusal('host-gw', routes)!;
  assert.match(msg, /same L2 segment/);
  assert.match(msg, /node b \(172\.31\.250\.12\) is reached via the router 192\.0\.2\.1/);
  assert.doesNotMatch(msg, /node a/);
  assert.match(msg, /--overlay vxlan/);
});
