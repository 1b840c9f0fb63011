import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import { hostNetworkHostsFile, managedHostsFile, podHostnameAndDomain } from './hosts-file.js';

const HEADER = '# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n';

test('a pod\'s /etc/hosts: kubelet\'s header and the pod IP with its hostname', () => {
  const pod: V1Pod = { metadata: { name: 'web', namespace: 'default' }, spec: { containers: [] } };
  assert.equal(managedHostsFile(pod, ['10.244.1.5'], 'cluster.local'), `${HEADER}10.244.1.5\tweb\n`);
});

test('hostname and subdomain give the FQDN line; host aliases follow a blank line', () => {
  const pod: V1Pod = {
    metadata: { name: 'web-0', namespace: 'shop' },
    spec: { containers: [], hostname: 'db', subdomain: 'backend', hostAliases: [{ ip: '10.1.2.3', hostnames: ['foo.local', 'bar.local'] }] },
  };
  assert.equal(managedHostsFile(pod, ['10.244.1.5'], 'cluster.local'),
    `${HEADER}10.244.1.5\tdb.backend.shop.svc.cluster.local\tdb\n\n# Entries added by HostAliases.\n10.1.2.3\tfoo.local\n10.1.2.3\tbar.local\n`);
});

test('a pod name longer than 63 characters is cut, trailing - and . trimmed', () => {
  const name = `${'a'.repeat(62)}-bbbb`;
  assert.equal(podHostnameAndDomain({ metadata: { name }, spec: { containers: [] } }, 'cluster.local').hostname, 'a'.repeat(62));
});

test('hostNetwork pods get the node\'s file under kubelet\'s header', () => {
  const pod: V1Pod = { metadata: { name: 'h' }, spec: { containers: [], hostNetwork: true, hostAliases: [{ ip: '1.2.3.4', hostnames: ['x'] }] } };
  assert.equal(hostNetworkHostsFile(pod, '127.0.0.1 localhost\n'), '# Kubernetes-managed hosts file (host network).\n127.0.0.1 localhost\n\n# Entries added by HostAliases.\n1.2.3.4\tx\n');
});
