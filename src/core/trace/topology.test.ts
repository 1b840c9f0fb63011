// What the page draws: nodes with podCIDR and VTEP, pods on their nodes, Services with endpoint pods;
// conntrack entries as flows between pods through Services.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedCluster } from './fixtures.js';
import { flowsView, topologyView } from './topology.js';

test('topologyView: nodes, pods and Services with their endpoint pods', () => {
  const v = topologyView(seedCluster());
  assert.deepEqual(v.nodes[0], { name: 'node-1', ip: '172.31.250.11', podCIDR: '10.244.1.0/24', vtepMAC: '02:00:00:00:00:01' });
  assert.deepEqual(v.pods.map((p) => [p.key, p.node, p.ip]), [
    ['default/api-1', 'node-2', '10.244.2.8'], ['default/client', 'node-1', '10.244.1.5'],
    ['my-app/web-1', 'node-1', '10.244.1.6'], ['my-app/web-2', 'node-2', '10.244.2.7'],
  ]);
  const web = v.services.find((s) => s.key === 'my-app/web')!;
  assert.deepEqual(web.endpoints.map((e) => e.pod), ['my-app/web-1', 'my-app/web-2']);
  assert.equal(v.services.find((s) => s.key === 'my-app/web-lb')!.lb, '172.31.250.200');
});

test('flowsView: a DNATed connection is a flow from the client pod through the Service to the endpoint pod', () => {
  const entry = { proto: 'tcp', orig: { src: '10.244.1.5', dst: '10.96.0.50', sport: 40000, dport: 80 }, reply: { src: '10.244.2.7', dst: '10.244.1.5', sport: 80, dport: 40000 } };
  const dns = { proto: 'udp', orig: { src: '10.244.1.5', dst: '10.96.0.10', sport: 40001, dport: 53 }, reply: { src: '10.244.9.9', dst: '10.244.1.5', sport: 53, dport: 40001 } };
  assert.deepEqual(flowsView(seedCluster(), new Map([['node-1', [entry, entry, dns]]])), [
    { node: 'node-1', proto: 'tcp', from: 'pod/default/client', to: 'pod/my-app/web-2', via: 'svc/my-app/web', dport: 80 },
  ]);
});
