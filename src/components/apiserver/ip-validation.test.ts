// `010.1.1.1` is refused by the API as kube-apiserver (StrictIPCIDRValidation) refuses it: 422 Invalid with
// a field cause saying "must not have leading 0s", and nothing stored. Every other reader of addresses
// (IPAM, proxy, CNI, DNS) parses with core/net and refuses it too, so no component reads it as 10.1.1.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from './registry.js';
import { MemoryStore } from '../store/index.js';
import { isApiError } from '../../core/api/errors.js';
import type { KubeObject } from '../../core/api/object.js';

const cases: Array<[string, KubeObject, string, string]> = [
  ['services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'default' }, spec: { clusterIP: '010.96.0.10', ports: [{ port: 80 }] } },
    'spec.clusterIPs[0]', 'must not have leading 0s'],
  ['services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'e', namespace: 'default' }, spec: { externalIPs: ['172.031.0.9'], ports: [{ port: 80 }] } },
    'spec.externalIPs[0]', 'must not have leading 0s'],
  ['pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx' }], hostAliases: [{ ip: '010.1.1.1', hostnames: ['x'] }] } },
    'spec.hostAliases[0].ip', 'must not have leading 0s'],
  ['networkpolicies.networking.k8s.io', { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'n', namespace: 'default' },
    spec: { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '010.0.0.0/8' } }] }] } }, 'spec.ingress[0].from[0].ipBlock.cidr', 'must not have leading 0s in IP or prefix length'],
  ['nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-9' }, spec: { podCIDR: '010.244.9.0/24' } },
    'spec.podCIDRs[0]', 'must not have leading 0s in IP or prefix length'],
];

test('an address with leading zeros is a 422 with a field cause and is not stored', async () => {
  const registry = new Registry(new MemoryStore());
  for (const [resource, obj, field, message] of cases) {
    await assert.rejects(registry.create(resource, obj), (e) => {
      assert.ok(isApiError(e, 'Invalid'), `${resource}: ${String(e)}`);
      assert.equal(e.code, 422);
      const causes = e.status.details?.causes ?? [];
      assert.ok(causes.some((c) => c.field === field && c.message?.includes(message)), `${resource}: ${JSON.stringify(causes)}`);
      return true;
    });
    assert.equal(await registry.get(resource, obj.metadata?.namespace ?? '', obj.metadata!.name!), undefined);
  }
});
