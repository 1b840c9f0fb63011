import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import { hostPortConflict, hostPortRejection, portMappings } from './host-ports.js';

const pod = (uid: string, ports: Array<{ containerPort: number; hostPort?: number; protocol?: string; hostIP?: string }>, hostNetwork = false): V1Pod => ({
  metadata: { name: uid, namespace: 'default', uid }, spec: { hostNetwork, containers: [{ name: 'c', ports }] },
});

test('portMappings: hostPorts for the portmap plugin; hostNetwork ports are host ports', () => {
  assert.deepEqual(portMappings(pod('a', [{ containerPort: 80, hostPort: 8080 }, { containerPort: 53, hostPort: 53, protocol: 'UDP' }, { containerPort: 9000 }])),
    [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }, { hostPort: 53, containerPort: 53, protocol: 'udp' }]);
  assert.deepEqual(portMappings(pod('b', [{ containerPort: 9000 }], true)), [{ hostPort: 9000, containerPort: 9000, protocol: 'tcp' }]);
});

test('a hostPort already held on the node is a conflict (same protocol; wildcard host IP overlaps any)', () => {
  const holder = pod('a', [{ containerPort: 80, hostPort: 8080 }]);
  assert.equal(hostPortConflict(pod('b', [{ containerPort: 80, hostPort: 8080, protocol: 'UDP' }]), [holder]), undefined);
  assert.equal(hostPortConflict(pod('b', [{ containerPort: 80, hostPort: 8081 }]), [holder]), undefined);
  const c = hostPortConflict(pod('b', [{ containerPort: 81, hostPort: 8080, hostIP: '172.31.0.11' }]), [holder]);
  assert.ok(c);
  const r = hostPortRejection(c);
  assert.equal(r.reason, 'NodePorts');
  assert.match(r.detail, /hostPort 172\.31\.0\.11:8080\/TCP is already used on this node by pod default\/a/);
  assert.equal(hostPortConflict(holder, [holder]), undefined);
});
