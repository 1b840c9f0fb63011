import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filterNode, fitErrorMessage, tolerates, matchesNodeAffinity, effectiveTaints, REASONS } from './scheduler-predicates.js';
import { node } from './testing/fixtures.js';
import type { KubeObject } from '../../core/api/object.js';

const pod = (spec: object = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec } });

test('tolerations match taints as upstream ToleratesTaint', () => {
  const t = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };
  assert.ok(tolerates({ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }, t));
  assert.ok(tolerates({ key: 'dedicated', value: 'gpu' }, t));
  assert.ok(tolerates({ key: 'dedicated', operator: 'Exists' }, t));
  assert.ok(tolerates({ operator: 'Exists' }, t));
  assert.ok(!tolerates({ key: 'dedicated', value: 'cpu' }, t));
  assert.ok(!tolerates({ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, t));
  assert.ok(!tolerates({ key: 'other', operator: 'Exists' }, t));
});

test('not-ready and unreported nodes carry the lifecycle taints', () => {
  assert.deepEqual(effectiveTaints(node('a', { ready: false })), [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }]);
  const unknown = node('b'); (unknown as any).status.conditions = [];
  assert.deepEqual(effectiveTaints(unknown), [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }]);
  assert.deepEqual(effectiveTaints(node('c')), []);
});

test('filters give the first failing reason in upstream plugin order', () => {
  assert.equal(filterNode(pod(), node('a'), []), undefined);
  assert.equal(filterNode(pod(), node('a', { unschedulable: true }), []), REASONS.unschedulable);
  assert.equal(filterNode(pod(), node('a', { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] }), []), 'node(s) had untolerated taint {k: v}');
  assert.equal(filterNode(pod(), node('a', { taints: [{ key: 'k', value: 'v', effect: 'PreferNoSchedule' }] }), []), undefined);
  assert.equal(filterNode(pod(), node('a', { ready: false }), []), 'node(s) had untolerated taint {node.kubernetes.io/not-ready: }');
  assert.equal(filterNode(pod({ nodeSelector: { disk: 'ssd' } }), node('a'), []), "node(s) didn't match Pod's node affinity/selector");
  assert.equal(filterNode(pod({ nodeSelector: { disk: 'ssd' } }), node('a', { labels: { disk: 'ssd' } }), []), undefined);
  const hp = pod({ containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80, hostPort: 8080 }] }] });
  assert.equal(filterNode(hp, node('a'), [hp]), REASONS.ports);
  const udp = pod({ containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80, hostPort: 8080, protocol: 'UDP' }] }] });
  assert.equal(filterNode(hp, node('a'), [udp]), undefined);
});

test('required node affinity: terms ORed, expressions ANDed, Gt/Lt and matchFields', () => {
  const aff = (terms: object[]) => pod({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } });
  const n = node('node-2', { labels: { zone: 'a', cores: '8' } });
  assert.ok(matchesNodeAffinity(aff([{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }]), n));
  assert.ok(!matchesNodeAffinity(aff([{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }]), n));
  assert.ok(matchesNodeAffinity(aff([{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-2'] }] }]), n));
  assert.ok(matchesNodeAffinity(aff([{ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['4'] }, { key: 'gpu', operator: 'DoesNotExist' }] }]), n));
  assert.ok(!matchesNodeAffinity(aff([{ matchExpressions: [{ key: 'cores', operator: 'Lt', values: ['4'] }] }]), n));
  assert.ok(!matchesNodeAffinity(aff([{}]), n));
});

test('fit error messages as kube-scheduler words them', () => {
  assert.equal(fitErrorMessage(3, Array(3).fill(REASONS.affinity)), "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.");
  assert.equal(fitErrorMessage(3, [REASONS.affinity, 'node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }', REASONS.affinity]),
    "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match Pod's node affinity/selector.");
  assert.equal(fitErrorMessage(0, []), 'no nodes available to schedule pods');
});

test('NodePorts decides as the agent admits (core/net/host-ports): sidecars count, plain init containers and `::` clashes do not', () => {
  const on = (ports: object[], init?: object[]) => pod({ ...(init ? { initContainers: init } : {}), containers: [{ name: 'c', image: 'nginx', ports }] });
  const held = on([{ containerPort: 80, hostPort: 8080, hostIP: '::' }]);
  // Placed by the scheduler and refused by the agent before: the agent read `::` as a wildcard.
  assert.equal(filterNode(on([{ containerPort: 80, hostPort: 8080, hostIP: '10.0.0.1' }]), node('a'), [held]), undefined);
  // Left Pending before: the scheduler counted an init container that has exited before the app starts.
  const initOnly = on([], [{ name: 'i', image: 'busybox', ports: [{ containerPort: 80, hostPort: 8080 }] }]);
  assert.equal(filterNode(initOnly, node('a'), [on([{ containerPort: 80, hostPort: 8080 }])]), undefined);
  const sidecar = on([], [{ name: 's', image: 'busybox', restartPolicy: 'Always', ports: [{ containerPort: 80, hostPort: 8080 }] }]);
  assert.equal(filterNode(sidecar, node('a'), [on([{ containerPort: 80, hostPort: 8080 }])]), REASONS.ports);
});
