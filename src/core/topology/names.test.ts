import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bridgeName, hostVethName, nodeName, validateClusterName } from './names.js';

test('cluster names are DNS-1123 labels of at most 40 characters', () => {
  validateClusterName('podnet');
  validateClusterName('dev-2');
  assert.throws(() => validateClusterName('My-Cluster'), /invalid cluster name "My-Cluster": a cluster name must consist of lower case alphanumeric characters or '-'.*--name/);
  assert.throws(() => validateClusterName('-x'), /must start and end with an alphanumeric/);
  assert.throws(() => validateClusterName(''), /invalid cluster name/);
  assert.throws(() => validateClusterName('a'.repeat(41)), /41 characters long, at most 40/);
});

test('node names are node namespace names', () => {
  assert.equal(nodeName('podnet', 1), 'podnet-node-1');
  assert.equal(nodeName('pnt6e2e', 12), 'pnt6e2e-node-12');
});

test('bridge names: podnet0 for the default cluster, readable when short, hashed when long', () => {
  assert.equal(bridgeName('podnet'), 'podnet0');
  assert.equal(bridgeName('dev'), 'pn-dev');
  assert.equal(bridgeName('pnt6e2e'), 'pn-pnt6e2e');
  const long = bridgeName('a-rather-long-cluster-name');
  assert.match(long, /^pn-[0-9a-f]{8}$/);
  assert.equal(bridgeName('a-rather-long-cluster-name'), long);
  assert.notEqual(bridgeName('a-rather-long-cluster-name2'), long);
});

test('host-side veth names fit 15 characters for every node index', () => {
  assert.equal(hostVethName('podnet0', 1), 'podnet0-n1');
  for (const cluster of ['podnet', 'x', 'abcdefgh', 'abcdefghi', 'a'.repeat(40)]) {
    assert.ok(hostVethName(bridgeName(cluster), 99).length <= 15, cluster);
  }
  assert.throws(() => hostVethName('podnet0', 100), /outside 1-99/);
});
