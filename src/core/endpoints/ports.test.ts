import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpointPortsFor, findPort, portSetKey } from './ports.js';
import { pod, service } from './fixtures.js';

const web = pod('p', 1, { ports: [{ name: 'web', containerPort: 8080, protocol: 'TCP' }, { name: 'dns', containerPort: 5353, protocol: 'UDP' }, { name: 'plain', containerPort: 7000 }] });

test('findPort: numbers as is, targetPort defaulting to port, names by name and protocol', () => {
  assert.equal(findPort(web, { port: 80, targetPort: 9376 }), 9376);
  assert.equal(findPort(web, { port: 80 }), 80);
  assert.equal(findPort(web, { port: 80, targetPort: 'web', protocol: 'TCP' }), 8080);
  assert.equal(findPort(web, { port: 53, targetPort: 'dns', protocol: 'UDP' }), 5353);
  assert.equal(findPort(web, { port: 53, targetPort: 'dns', protocol: 'TCP' }), undefined, 'protocol must match');
  assert.equal(findPort(web, { port: 70, targetPort: 'plain' }), 7000, 'container port protocol defaults to TCP');
  assert.equal(findPort(web, { port: 80, targetPort: 'missing' }), undefined);
});

test('findPort: sidecars (init containers that keep running) count, plain init containers do not', () => {
  const p = pod('p', 1);
  p.spec.initContainers = [
    { name: 'init', ports: [{ name: 'init-port', containerPort: 1111, protocol: 'TCP' }] },
    { name: 'proxy', restartPolicy: 'Always', ports: [{ name: 'proxy', containerPort: 15001, protocol: 'TCP' }] },
  ];
  assert.equal(findPort(p, { port: 80, targetPort: 'proxy' }), 15001);
  assert.equal(findPort(p, { port: 80, targetPort: 'init-port' }), undefined);
});

test('endpointPortsFor keeps the Service port order and names, and reports what it could not resolve', () => {
  const s = service('web', { spec: { ports: [
    { name: 'http', port: 80, protocol: 'TCP', targetPort: 'web', appProtocol: 'http' },
    { name: 'metrics', port: 9090, protocol: 'TCP', targetPort: 'metrics' },
    { name: 'dns', port: 53, protocol: 'UDP', targetPort: 'dns' },
  ] } });
  assert.deepEqual(endpointPortsFor(s, web), {
    ports: [{ name: 'http', port: 8080, protocol: 'TCP', appProtocol: 'http' }, { name: 'dns', port: 5353, protocol: 'UDP' }],
    unresolved: [{ name: 'metrics', protocol: 'TCP', targetPort: 'metrics' }],
  });
});

test('portSetKey ignores order', () => {
  const a = [{ name: 'a', port: 1, protocol: 'TCP' }, { name: 'b', port: 2, protocol: 'UDP' }];
  assert.equal(portSetKey(a), portSetKey([...a].reverse()));
  assert.notEqual(portSetKey(a), portSetKey([a[0]]));
  assert.equal(portSetKey([]), portSetKey(undefined));
});
