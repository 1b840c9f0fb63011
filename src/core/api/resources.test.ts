// The datastore layout of every served resource: kube-apiserver's etcd paths, one folder per resource.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESOURCES, mustResource, storagePath, storeKey } from './resources.js';

test('objects are kept under kube-apiserver\'s etcd keys', () => {
  assert.equal(storageKeyOf('pods', 'default', 'web'), '/registry/pods/default/web');
  assert.equal(storageKeyOf('deployments.apps', 'default', 'web'), '/registry/deployments/default/web');
  assert.equal(storageKeyOf('services', 'default', 'web'), '/registry/services/specs/default/web');
  assert.equal(storageKeyOf('endpoints', 'default', 'web'), '/registry/services/endpoints/default/web');
  assert.equal(storageKeyOf('nodes', undefined, 'node-1'), '/registry/minions/node-1');
  assert.equal(storageKeyOf('ingresses.networking.k8s.io', 'default', 'web'), '/registry/ingress/default/web');
  assert.equal(storageKeyOf('endpointslices.discovery.k8s.io', 'default', 'web-abc'), '/registry/endpointslices/default/web-abc');
  assert.equal(storageKeyOf('leases.coordination.k8s.io', 'kube-node-lease', 'node-1'), '/registry/leases/kube-node-lease/node-1');
});

test('no two served resources share a datastore folder, nor does one folder contain another', () => {
  const paths = RESOURCES.map((r) => storagePath(r));
  for (const [i, a] of paths.entries()) {
    for (const [j, b] of paths.entries()) {
      if (i !== j) assert.ok(!b.startsWith(a), `${a} (${RESOURCES[i]!.resource}) contains ${b} (${RESOURCES[j]!.resource}): a list of one would return the other`);
    }
  }
});

function storageKeyOf(resource: string, namespace: string | undefined, name: string): string {
  return storeKey(mustResource(resource), namespace, name);
}
