import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { endpoint, endpointSlice, service } from './objects.case.js';
import { HealthCheckNodePorts, healthCheckTargets } from './healthcheck-nodeports.js';
import { announcedAddresses } from './announcer.js';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
    s.on('error', reject);
  });
}

const lbLocal = (name: string, port: number) => service('default', name, '10.96.0.40', [{ port: 80, protocol: 'TCP', nodePort: 30080 }],
  { type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: port });

test('targets: only LoadBalancer + externalTrafficPolicy Local; local ready endpoints counted by address', () => {
  const slices = [
    endpointSlice('default', 'web', [
      endpoint('10.244.1.2', { nodeName: 'n1' }),
      endpoint('10.244.1.3', { nodeName: 'n1', ready: false, serving: true, terminating: true }),   // terminating: not counted
      endpoint('10.244.2.2', { nodeName: 'n2' }),
    ], [{ port: 80, protocol: 'TCP' }]),
    // The same address in a second slice (another port group) counts once.
    endpointSlice('default', 'web', [endpoint('10.244.1.2', { nodeName: 'n1' })], [{ name: 'x', port: 81, protocol: 'TCP' }], 'x2'),
  ];
  const services = [
    lbLocal('web', 32001),
    service('default', 'cluster', '10.96.0.41', [{ port: 80 }], { type: 'LoadBalancer', healthCheckNodePort: 32002 }),
    service('default', 'np', '10.96.0.42', [{ port: 80 }], { type: 'NodePort', externalTrafficPolicy: 'Local' }),
  ];
  assert.deepEqual([...healthCheckTargets(services, slices, 'n1')], [['default/web', { namespace: 'default', name: 'web', port: 32001, localEndpoints: 1 }]]);
  assert.equal(healthCheckTargets(services, slices, 'n3').get('default/web')!.localEndpoints, 0);
});

test('servers: 200 with the local endpoint count, 503 without local endpoints or when the proxy is unhealthy; closed when no longer wanted', async () => {
  const port = await freePort();
  let proxyHealthy = true;
  const hc = new HealthCheckNodePorts({ host: '127.0.0.1', proxyHealthy: () => proxyHealthy, log: () => {} });
  try {
    const t = { namespace: 'default', name: 'web', port, localEndpoints: 2 };
    await hc.sync(new Map([['default/web', t]]));
    let r = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(r.status, 200);
    assert.deepEqual(await r.json(), { service: { namespace: 'default', name: 'web' }, localEndpoints: 2, serviceProxyHealthy: true });
    await hc.sync(new Map([['default/web', { ...t, localEndpoints: 0 }]]));
    r = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(r.status, 503);
    assert.equal((await r.json() as { localEndpoints: number }).localEndpoints, 0);
    await hc.sync(new Map([['default/web', t]]));
    proxyHealthy = false;
    r = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(r.status, 503);
    assert.equal((await r.json() as { serviceProxyHealthy: boolean }).serviceProxyHealthy, false);
    await hc.sync(new Map());
    assert.equal(hc.ports().size, 0);
    await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`));
  } finally {
    await hc.stop();
  }
});

test('a port that cannot be opened is reported and tried again on the next sync', async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  const port = (blocker.address() as { port: number }).port;
  const lines: string[] = [];
  const hc = new HealthCheckNodePorts({ host: '127.0.0.1', proxyHealthy: () => true, log: (l) => lines.push(l) });
  try {
    const targets = new Map([['default/web', { namespace: 'default', name: 'web', port, localEndpoints: 1 }]]);
    await hc.sync(targets);
    assert.match(lines.join('\n'), new RegExp(`failed to start healthcheck "default/web" on port ${port}`));
    await new Promise<void>((r) => blocker.close(() => r()));
    await hc.sync(targets);
    assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
  } finally {
    await hc.stop();
    blocker.close();
  }
});

test('announcedAddresses: the LoadBalancer IPs whose Service names this node; ipMode Proxy and other nodes skipped', () => {
  const lb = (name: string, node: string | undefined, ingress: Array<{ ip?: string; ipMode?: 'VIP' | 'Proxy' }>) => {
    const s = service('default', name, '10.96.1.1', [{ port: 80 }], { type: 'LoadBalancer' });
    if (node) s.metadata.annotations = { 'podnet.io/announcing-node': node };
    s.status = { loadBalancer: { ingress } };
    return s;
  };
  const services = [
    lb('a', 'n1', [{ ip: '172.31.238.200', ipMode: 'VIP' }]),
    lb('b', 'n2', [{ ip: '172.31.238.201' }]),
    lb('c', 'n1', [{ ip: '172.31.238.202', ipMode: 'Proxy' }]),
    lb('d', undefined, [{ ip: '172.31.238.203' }]),
    lb('e', 'n1', [{ ip: '172.31.238.204' }, { hostname: 'x.example' } as { ip?: string }]),
  ];
  assert.deepEqual([...announcedAddresses(services, 'n1')], [['172.31.238.200', 'default/a'], ['172.31.238.204', 'default/e']]);
  // Annotation left on a Service that stopped being a LoadBalancer: nothing to announce.
  const np = lb('f', 'n1', [{ ip: '172.31.238.205' }]);
  np.spec!.type = 'NodePort';
  assert.equal(announcedAddresses([np], 'n1').size, 0);
});
