import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseApiPath } from './request-info.js';

test('parses core, group, namespaced, cluster-scoped and subresource paths', () => {
  const p = parseApiPath('/api/v1/namespaces/default/pods/web/log')!;
  assert.equal(p.info?.resource, 'pods');
  assert.equal(p.namespace, 'default');
  assert.equal(p.name, 'web');
  assert.equal(p.subresource, 'log');

  const d = parseApiPath('/apis/apps/v1/deployments')!;
  assert.equal(d.info?.kind, 'Deployment');
  assert.equal(d.namespace, undefined);

  const ns = parseApiPath('/api/v1/namespaces/kube-system')!;
  assert.equal(ns.info?.kind, 'Namespace');
  assert.equal(ns.name, 'kube-system');

  const fin = parseApiPath('/api/v1/namespaces/foo/finalize')!;
  assert.equal(fin.info?.kind, 'Namespace');
  assert.equal(fin.name, 'foo');
  assert.equal(fin.subresource, 'finalize');

  const nsList = parseApiPath('/api/v1/namespaces')!;
  assert.equal(nsList.info?.kind, 'Namespace');
  assert.equal(nsList.name, undefined);

  const node = parseApiPath('/api/v1/nodes/n1/status')!;
  assert.equal(node.info?.kind, 'Node');
  assert.equal(node.subresource, 'status');

  assert.equal(parseApiPath('/api/v1/namespaces/default/widgets')!.info, undefined);
  assert.deepEqual(parseApiPath('/apis/apps/v1'), { group: 'apps', version: 'v1' });
  assert.equal(parseApiPath('/healthz'), undefined);
});
