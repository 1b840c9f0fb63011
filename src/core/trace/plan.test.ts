// The trace model on the seeds' shapes, without a kernel: which hops, which objects decided them, and
// the causes and fixes of paths broken on purpose.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedCluster } from './fixtures.js';
import { planTrace } from './plan.js';
import { renderTrace } from './render.js';
import { searchCandidates } from './dns.js';
import { TraceInputError } from './ends.js';
import type { Hop, TraceResult } from './types.js';

const all = (t: TraceResult): Hop[] => [...t.hops, ...t.branches[0].hops];

test('pod → pod on the same node goes through cni0 only', () => {
  const t = planTrace(seedCluster(), 'client', 'my-app/web-1');
  assert.equal(t.ok, true, t.verdict);
  assert.deepEqual(all(t).map((h) => h.kind), ['source', 'bridge', 'bridge', 'destination', 'listener']);
  assert.equal(all(t).some((h) => h.kind === 'overlay'), false);
});

test('pod → pod across nodes uses the VXLAN route, ARP and FDB entries of the overlay plan', () => {
  const t = planTrace(seedCluster(), 'client', 'my-app/web-2');
  const o = all(t).find((h) => h.kind === 'overlay')!;
  assert.equal(o.decidedBy, 'route 10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink');
  assert.ok(o.why.includes('ARP 10.244.2.0 → 02:00:00:00:00:02 (permanent, node-2\'s VTEP MAC)'));
  assert.ok(o.why.includes('FDB 02:00:00:00:00:02 dst 172.31.250.12 (node-2\'s underlay address)'));
  assert.match(o.summary, /from 172\.31\.250\.11 to 172\.31\.250\.12, VNI 1/);
  assert.deepEqual(o.expect, { kind: 'seen', ns: { kind: 'node', node: 'node-1' }, oif: 'flannel.1' });
});

test('host-gw: a route via the other node, no encapsulation', () => {
  const s = seedCluster();
  s.overlay = 'host-gw';
  for (const n of s.nodes) Object.assign(n.metadata!.annotations!, { 'flannel.alpha.coreos.com/backend-type': 'host-gw', 'flannel.alpha.coreos.com/backend-data': 'null' });
  const t = planTrace(s, 'client', 'my-app/web-2');
  const r = all(t).find((h) => h.kind === 'route' && h.where === 'node node-1')!;
  assert.equal(r.decidedBy, 'route 10.244.2.0/24 via 172.31.250.12 dev eth0');
});

test('by name: the search list of the pod\'s resolv.conf, then the Service\'s endpoints with probabilities', () => {
  const t = planTrace(seedCluster(), 'client', 'web.my-app');
  const dns = t.hops[0];
  assert.equal(dns.kind, 'dns');
  assert.deepEqual(dns.expect, { kind: 'dns', server: '10.96.0.10', queries: [
    { name: 'web.my-app.default.svc.cluster.local', rcode: 'NXDOMAIN', answers: [] },
    { name: 'web.my-app.svc.cluster.local', rcode: 'NOERROR', answers: ['10.96.0.50'] },
  ] });
  assert.deepEqual(t.branches.map((b) => [b.endpoint, b.pod, b.probability]), [
    ['10.244.1.6:80', 'my-app/web-1', 0.5], ['10.244.2.7:80', 'my-app/web-2', 0.5],
  ]);
  const svc = t.hops.find((h) => h.kind === 'service')!;
  assert.match(svc.decidedBy, /^Service my-app\/web/);
  assert.ok(svc.why.some((w) => /not masqueraded/.test(w)));
});

test('glibc search order: fewer dots than ndots tries the search list first; a trailing dot only the name', () => {
  const conf = { servers: [], searches: ['a.svc.cluster.local', 'svc.cluster.local'], options: ['ndots:5'] };
  assert.deepEqual(searchCandidates('web', conf), ['web.a.svc.cluster.local', 'web.svc.cluster.local', 'web']);
  assert.deepEqual(searchCandidates('web.', conf), ['web']);
  assert.deepEqual(searchCandidates('a.b.c.d.e.f', conf), ['a.b.c.d.e.f', 'a.b.c.d.e.f.a.svc.cluster.local', 'a.b.c.d.e.f.svc.cluster.local']);
});

test('DNS name in the wrong namespace: names where the Service is, and the fix', () => {
  const t = planTrace(seedCluster(), 'client', 'web');
  assert.equal(t.ok, false);
  assert.match(t.verdict, /Services named web exist in: my-app/);
  assert.match(t.verdict, /Fix: use web\.my-app/);
});

test('selector matches nothing: the proxy rejects, and the trace says why', () => {
  const t = planTrace(seedCluster(), 'client', 'svc/lonely');
  assert.equal(t.ok, false);
  assert.match(t.verdict, /the selector app=nobody of Service default\/lonely matches no pod in namespace default/);
  assert.deepEqual(t.hops.at(-1)!.expect, { kind: 'refused', ns: { kind: 'node', node: 'node-1' }, how: 'reject' });
});

test('pods match but none is Ready', () => {
  const s = seedCluster();
  s.pods[3].status!.conditions = [{ type: 'Ready', status: 'False' }];
  s.endpointSlices[2].endpoints![0].conditions = { ready: false, serving: false, terminating: false };
  const t = planTrace(s, 'client', 'svc/api');
  assert.match(t.verdict, /1 pod\(s\) match app=api \(api-1\) but none is Ready/);
});

test('wrong targetPort: nothing listens there; the fix names the port the pod listens on', () => {
  const s = seedCluster();
  const listeners = new Map([['default/api-1', [{ proto: 'tcp' as const, addr: '0.0.0.0', port: 80 }]]]);
  const t = planTrace(s, 'client', 'svc/api', { facts: { listeners } });
  assert.equal(t.ok, false);
  assert.match(t.verdict, /nothing listens on TCP port 8080 in pod default\/api-1/);
  assert.match(t.verdict, /set the Service's targetPort to 80/);
});

test('Service port that does not exist: the ports it has', () => {
  const t = planTrace(seedCluster(), 'client', 'svc/my-app/web:8080');
  assert.match(t.verdict, /Service my-app\/web has no TCP port 8080 \(its ports: 80\/TCP\)/);
});

test('host → NodePort and → LoadBalancer enter at the right node, masqueraded; host → ClusterIP has no route', () => {
  const s = seedCluster();
  const np = planTrace(s, 'host', '172.31.250.11:30080');
  assert.equal(np.ok, true, np.verdict);
  assert.deepEqual(np.branches.map((b) => b.endpoint), ['10.244.2.8:8080']);
  assert.ok(np.branches[0].hops.some((h) => h.kind === 'overlay'));
  const lb = planTrace(s, 'host', '172.31.250.200');
  assert.match(lb.hops[0].summary, /to node node-2 .* which answers ARP for 172\.31\.250\.200/);
  const cip = planTrace(s, 'host', '10.96.0.50');
  assert.equal(cip.ok, false);
  assert.match(cip.verdict, /the host has no route to ClusterIPs/);
});

test('policy and ingress plug in through TracePlugins', () => {
  const t = planTrace(seedCluster(), 'client', 'my-app/web-2', { plugins: { policy: (q) => [{ allowed: false, direction: 'ingress', decidedBy: 'NetworkPolicy my-app/deny-all', why: [`no rule allows ${q.src.ip}`] }] } });
  assert.equal(t.ok, false);
  assert.match(t.verdict, /NetworkPolicy ingress: denied/);
});

test('bad input says how to fix it', () => {
  assert.throws(() => planTrace(seedCluster(), 'nosuch', 'web'), TraceInputError);
  assert.throws(() => planTrace(seedCluster(), 'client', 'svc/nosuch'), /there is no Service nosuch in namespace default/);
  assert.throws(() => planTrace(seedCluster(), 'client', 'svc/web'), /there is one in my-app: write svc\/my-app\/web/);
});

test('the text names every hop and the verdict', () => {
  const text = renderTrace(planTrace(seedCluster(), 'client', 'svc/lonely'));
  assert.match(text, /FAIL \[node node-1\] the service proxy rejects 10\.96\.0\.51:80\/tcp/);
  assert.match(text, /fix: fix the Service's selector/);
  assert.match(text, /^BLOCKED: /m);
});
