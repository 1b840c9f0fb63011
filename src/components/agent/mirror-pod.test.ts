import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isMirrorPod, mirrorPod, mirrorPodName, mirrorStatus } from './mirror-pod.js';
import { validatePod } from '../../core/api/validation/pod.js';
import { defaultObject } from '../../core/api/defaults/index.js';
import type { KubeObject } from '../../core/api/object.js';

const facts = { node: 'podnet-node-1', nodeUid: 'u-1', nodeIP: '172.31.250.11', startedAt: new Date('2026-12-07T10:00:00Z') };

test('the mirror pod: named after the node, host network, owned by the Node, valid as the API validates pods', () => {
  const p = mirrorPod(facts);
  assert.equal(p.metadata!.name, mirrorPodName('podnet-node-1'));
  assert.equal(p.metadata!.name, 'podnet-agent-podnet-node-1');
  assert.equal(p.metadata!.namespace, 'kube-system');
  assert.equal(p.spec!.hostNetwork, true);
  assert.equal(p.spec!.nodeName, 'podnet-node-1');
  assert.deepEqual(p.metadata!.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'podnet-node-1', uid: 'u-1', controller: true }]);
  assert.ok(isMirrorPod(p));
  assert.ok(!isMirrorPod({ metadata: { name: 'x' } }));
  const o = JSON.parse(JSON.stringify(p)) as KubeObject;
  defaultObject(o, { create: true });
  assert.deepEqual(validatePod(o), []);
});

test('its status: Running and Ready since the agent started, at the node IP', () => {
  const s = JSON.parse(JSON.stringify(mirrorStatus(facts)));
  assert.equal(s.phase, 'Running');
  assert.equal(s.podIP, '172.31.250.11');
  assert.ok(s.conditions.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True'));
  assert.equal(s.containerStatuses[0].state.running.startedAt, '2026-12-07T10:00:00.000Z');
});
