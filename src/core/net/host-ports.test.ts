import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ContainerPortLike, type PodLike, hostPortConflict, hostPortRejection, podHostPorts, portMappings } from './host-ports.js';

const pod = (uid: string, ports: ContainerPortLike[], extra: NonNullable<PodLike['spec']> = {}): PodLike => ({
  metadata: { name: uid, namespace: 'default', uid }, spec: { containers: [{ ports }], ...extra },
});

test('portMappings: app containers with a hostPort, for the portmap plugin; hostNetwork ports are host ports', () => {
  assert.deepEqual(portMappings(pod('a', [{ containerPort: 80, hostPort: 8080 }, { containerPort: 53, hostPort: 53, protocol: 'UDP' }, { containerPort: 9000 }])),
    [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }, { hostPort: 53, containerPort: 53, protocol: 'udp' }]);
  assert.deepEqual(portMappings(pod('b', [{ containerPort: 9000 }], { hostNetwork: true })), [{ hostPort: 9000, containerPort: 9000, protocol: 'tcp' }]);
});

test('a hostPort already held on the node is a conflict (same protocol; 0.0.0.0 overlaps any address)', () => {
  const holder = pod('a', [{ containerPort: 80, hostPort: 8080 }]);
  assert.equal(hostPortConflict(pod('b', [{ containerPort: 80, hostPort: 8080, protocol: 'UDP' }]), [holder]), undefined);
  assert.equal(hostPortConflict(pod('b', [{ containerPort: 80, hostPort: 8081 }]), [holder]), undefined);
  const c = hostPortConflict(pod('b', [{ containerPort: 81, hostPort: 8080, hostIP: '172.31.0.11' }]), [holder]);
  assert.ok(c);
  const r = hostPortRejection(c);
  assert.equal(r.reason, 'NodePorts');
  assert.equal(r.message, "Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports");
  assert.match(r.detail, /hostPort 172\.31\.0\.11:8080\/TCP is already used on this node by pod default\/a/);
  assert.equal(hostPortConflict(holder, [holder]), undefined);
  // Two different specific addresses share the port.
  const onA = pod('c', [{ containerPort: 80, hostPort: 9090, hostIP: '10.0.0.1' }]);
  assert.equal(hostPortConflict(pod('d', [{ containerPort: 80, hostPort: 9090, hostIP: '10.0.0.2' }]), [onA]), undefined);
  assert.ok(hostPortConflict(pod('d', [{ containerPort: 80, hostPort: 9090 }]), [onA]));
});

test('`::` is an address, not a wildcard (upstream compares it like any hostIP); only 0.0.0.0 is', () => {
  // The agent used to treat `::` as a wildcard and refused this pod, which the scheduler had placed.
  const v6Any = pod('a', [{ containerPort: 80, hostPort: 8080, hostIP: '::' }]);
  assert.equal(hostPortConflict(pod('b', [{ containerPort: 80, hostPort: 8080, hostIP: '10.0.0.1' }]), [v6Any]), undefined);
  assert.ok(hostPortConflict(pod('b', [{ containerPort: 80, hostPort: 8080, hostIP: '::' }]), [v6Any]));
  assert.ok(hostPortConflict(pod('b', [{ containerPort: 80, hostPort: 8080, hostIP: '0.0.0.0' }]), [v6Any]));
});

test('init containers: only restartable (sidecar) ones hold host ports; the portmap gets app containers only', () => {
  const withInit = (uid: string, restartPolicy?: string): PodLike => ({
    metadata: { name: uid, namespace: 'default', uid },
    spec: { initContainers: [{ restartPolicy, ports: [{ containerPort: 80, hostPort: 8080 }] }], containers: [{ ports: [] }] },
  });
  const other = pod('x', [{ containerPort: 80, hostPort: 8080 }]);
  // The scheduler used to count every init container and left this pod Pending; kubelet admits it.
  assert.deepEqual(podHostPorts(withInit('a')), []);
  assert.equal(hostPortConflict(withInit('a'), [other]), undefined);
  assert.equal(hostPortConflict(other, [withInit('a')]), undefined);
  // The agent used to skip sidecars and admitted this pod, which the scheduler refused.
  assert.deepEqual(podHostPorts(withInit('b', 'Always')), [{ ip: '0.0.0.0', protocol: 'TCP', port: 8080 }]);
  assert.ok(hostPortConflict(withInit('b', 'Always'), [other]));
  assert.deepEqual(portMappings(withInit('b', 'Always')), []);
});
