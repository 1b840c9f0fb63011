import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explain } from '../../../core/policy/index.js';
import { model, modelIP } from '../../../core/policy/fixtures.js';
import { apiShape } from './sources.js';

test('a policy from a list (client-node model, `_from`) means what the same policy from a watch means', () => {
  // What listNetworkPolicyForAllNamespaces() yields for an ingress rule with `from`.
  const listed = {
    metadata: { name: 'from-b', namespace: 'x' },
    spec: { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Ingress'], ingress: [{ _from: [{ podSelector: { matchLabels: { pod: 'b' } } }], ports: undefined }] },
  };
  const np = apiShape(listed as never);
  assert.deepEqual(np.spec?.ingress?.[0].from, [{ podSelector: { matchLabels: { pod: 'b' } } }]);
  const q = (from: string) => explain(model([np]), { src: modelIP('x', from), dst: modelIP('x', 'a'), port: 80, protocol: 'TCP' }).allowed;
  assert.deepEqual([q('b'), q('c')], [true, false]);
  assert.equal(apiShape(listed as never), np, 'cached per object');
});
