// NetworkPolicy and Ingress in the trace model, on the seed cluster: which policy allowed or denied each
// direction (the policy planner's explain()), where the kernel decides (the chain --prove watches), the
// fix; and an Ingress URL as its two legs, with the route the controller's own planner picks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pod, seedCluster, serviceFor } from './fixtures.js';
import { planTrace } from './plan.js';
import { policyVerdicts } from './policy.js';
import { ingressRouter } from './ingress.js';
import { renderTrace } from './render.js';
import { ingress } from '../ingress/fixtures.js';
import type { NetworkPolicy } from '../policy/index.js';
import type { ClusterSnapshot, Hop, TracePlugins, TraceResult } from './types.js';

const all = (t: TraceResult): Hop[] => [...t.hops, ...t.branches[0].hops];
const CLASS = 'k8s.io/ingress-nginx';
const plugins: TracePlugins = { policy: policyVerdicts, ingress: ingressRouter(CLASS), ingressService: { namespace: 'ingress-nginx', name: 'ingress-nginx-controller' } };

function withPolicies(...policies: NetworkPolicy[]): ClusterSnapshot {
  const s = seedCluster();
  s.networkPolicies = policies;
  return s;
}
const denyIngress = (ns: string): NetworkPolicy => ({ metadata: { namespace: ns, name: 'deny-all' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } });

test('no policy: no policy hop, the path is open', () => {
  const t = planTrace(seedCluster(), 'client', 'svc/my-app/web', { plugins });
  assert.equal(t.ok, true, t.verdict);
  assert.equal(t.branches.some((b) => b.hops.some((h) => h.kind === 'policy')), false);
});

test('ingress denied after DNAT: names the policy, the endpoint pod, the chain, and the rule to add', () => {
  const t = planTrace(withPolicies(denyIngress('my-app')), 'client', 'svc/my-app/web', { plugins });
  assert.equal(t.ok, false);
  for (const b of t.branches) {
    const p = b.hops.find((h) => h.kind === 'policy')!;
    assert.equal(p.ok, false);
    assert.equal(p.decidedBy, 'NetworkPolicy my-app/deny-all');
    const ip = b.endpoint.split(':')[0];
    assert.deepEqual(p.expect, { kind: 'policy', ns: { kind: 'node', node: b.node }, table: 'podnet-policy', chain: `ingress-${ip}`, allowed: false });
    // Dropped before the pod: nothing is expected to arrive there.
    assert.equal(b.hops.some((h) => h.kind === 'destination' || h.kind === 'listener'), false);
    assert.equal(b.hops.at(-1), p);
  }
  assert.match(t.verdict, /isolated for ingress by my-app\/deny-all and no rule allows TCP\/80 from 10\.244\.1\.5/);
  assert.match(t.verdict, /the ingress rule \{ from: \[\{ namespaceSelector: \{ matchLabels: \{ kubernetes\.io\/metadata\.name: default \} \}, podSelector: \{ matchLabels: \{ app: client \} \} \}\], ports: \[\{ protocol: TCP, port: 80 \}\] \}/);
  // Across nodes the last route hop sees the packet arrive, not leave on cni0.
  const remote = t.branches.find((b) => b.node === 'node-2')!;
  const arrive = remote.hops.find((h) => h.expect?.kind === 'seen' && h.expect.ns.kind === 'node' && h.expect.ns.node === 'node-2')!;
  assert.deepEqual(arrive.expect, { kind: 'seen', ns: { kind: 'node', node: 'node-2' }, iif: 'flannel.1', oif: undefined });
});

test('an allowing rule is named with its index', () => {
  const allow: NetworkPolicy = { metadata: { namespace: 'my-app', name: 'allow-client' }, spec: {
    podSelector: { matchLabels: { app: 'web' } },
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'default' } }, podSelector: { matchLabels: { app: 'client' } } }], ports: [{ protocol: 'TCP', port: 80 }] }],
  } };
  const t = planTrace(withPolicies(denyIngress('my-app'), allow), 'client', 'my-app/web-2', { plugins });
  assert.equal(t.ok, true, t.verdict);
  const p = all(t).find((h) => h.kind === 'policy')!;
  assert.equal(p.decidedBy, 'NetworkPolicy my-app/allow-client');
  assert.match(p.why[0], /allowed by my-app\/allow-client ingress\[0\]/);
  assert.deepEqual(all(t).map((h) => h.kind), ['source', 'bridge', 'overlay', 'route', 'policy', 'destination', 'listener']);
});

test('egress denied on the source\'s node: the packet is never routed on', () => {
  const denyEgress: NetworkPolicy = { metadata: { namespace: 'default', name: 'no-egress' }, spec: { podSelector: { matchLabels: { app: 'client' } }, policyTypes: ['Egress'] } };
  const t = planTrace(withPolicies(denyEgress), 'client', 'my-app/web-2', { plugins });
  assert.equal(t.ok, false);
  assert.deepEqual(t.branches[0].hops.map((h) => h.kind), ['policy']);
  const p = t.branches[0].hops[0];
  assert.equal(p.where, 'pod default/client');
  assert.deepEqual(p.expect, { kind: 'policy', ns: { kind: 'node', node: 'node-1' }, table: 'podnet-policy', chain: 'egress-10.244.1.5', allowed: false });
  assert.match(p.fix!, /egress rule \{ to: \[\{ namespaceSelector: \{ matchLabels: \{ kubernetes\.io\/metadata\.name: my-app \} \}, podSelector: \{ matchLabels: \{ app: web \} \} \}\], ports: \[\{ protocol: TCP, port: 80 \}\] \}/);
});

test('masqueraded across nodes: the endpoint\'s node sees the entry node\'s VXLAN address, not the client', () => {
  const fromHost: NetworkPolicy = { metadata: { namespace: 'default', name: 'from-host' }, spec: {
    podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ ipBlock: { cidr: '172.31.250.0/24' } }] }],
  } };
  // NodePort 30080 entered at node-1; api-1 runs on node-2.
  const t = planTrace(withPolicies(fromHost), 'host', '172.31.250.11:30080', { plugins });
  assert.equal(t.ok, false);
  const p = all(t).find((h) => h.kind === 'policy')!;
  assert.match(p.why.join('\n'), /no rule allows TCP\/8080 from 10\.244\.1\.0/);
  assert.match(p.why.join('\n'), /masqueraded the connection: the pod's node sees 10\.244\.1\.0 as its source, not 172\.31\.250\.1/);
  // Entered at the endpoint's own node, the client's address survives to the policy (SNAT comes after).
  const local = planTrace(withPolicies(fromHost), 'host', '172.31.250.12:30080', { plugins });
  assert.equal(local.ok, true, local.verdict);
});

function withIngress(): ClusterSnapshot {
  const s = seedCluster();
  const ctl = pod('ingress-nginx', 'ingress-nginx-controller-abc', 2, 20, { 'app.kubernetes.io/name': 'ingress-nginx' }, [80, 443]);
  s.pods.push(ctl);
  const [svc, slice] = serviceFor('ingress-nginx', 'ingress-nginx-controller', '10.96.0.60', { 'app.kubernetes.io/name': 'ingress-nginx' }, [ctl], 80, 80,
    { type: 'LoadBalancer', ports: [{ name: 'http', port: 80, targetPort: 80, nodePort: 30090, protocol: 'TCP' }] },
    { loadBalancer: { ingress: [{ ip: '172.31.250.201', ipMode: 'VIP' }] } });
  svc.metadata.annotations = { 'podnet.io/announcing-node': 'node-2' };
  s.services.push(svc);
  s.endpointSlices.push(slice);
  s.ingressClasses = [{ metadata: { name: 'nginx', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } }, spec: { controller: CLASS } }];
  s.ingresses = [ingress('web', { namespace: 'my-app', rules: [{ host: 'mydomain.com', paths: [{ path: '/app', service: 'web', port: 80 }] }] }),
    ingress('gone', { namespace: 'default', rules: [{ host: 'lonely.example', paths: [{ path: '/', service: 'lonely', port: 80 }] }] })];
  return s;
}

test('host → Ingress → pod: to the controller\'s LoadBalancer address, then nginx to an endpoint of the Service', () => {
  const t = planTrace(withIngress(), 'host', 'http://mydomain.com/app/x', { plugins });
  assert.equal(t.ok, true, t.verdict);
  assert.equal(t.dstIP, '172.31.250.201');
  assert.equal(t.branches[0].pod, 'ingress-nginx/ingress-nginx-controller-abc');
  const rule = t.branches[0].hops.at(-1)!;
  assert.equal(rule.decidedBy, 'Ingress my-app/web rule host mydomain.com path /app (Prefix)');
  assert.match(rule.summary, /Service my-app\/web port 80: one of 2 endpoints, round robin/);
  const leg = t.next!;
  assert.equal(leg.from, 'ingress-nginx/ingress-nginx-controller-abc');
  assert.deepEqual(leg.branches.map((b) => b.endpoint).sort(), ['10.244.1.6:80', '10.244.2.7:80']);
  assert.equal(leg.hops.some((h) => h.kind === 'service' && /DNAT/.test(h.summary)), false);
  assert.match(renderTrace(t), /second leg: nginx's own connection, ingress-nginx\/ingress-nginx-controller-abc → 10\.244\.\d\.\d:80/);
});

test('Ingress broken on purpose: no rule (404), no endpoints (503), a policy on the backend', () => {
  const none = planTrace(withIngress(), 'client', 'http://other.example/', { plugins });
  assert.equal(none.ok, false);
  assert.match(none.verdict, /no Ingress rule matches host other\.example path \/: nginx answers 404/);
  const empty = planTrace(withIngress(), 'client', 'http://lonely.example/', { plugins });
  assert.match(empty.verdict, /nginx answers 503 itself: Service "default\/lonely" has no ready endpoints.*kubectl describe ingress -n default gone/);
  const s = withIngress();
  s.networkPolicies = [denyIngress('my-app')];
  const denied = planTrace(s, 'host', 'http://mydomain.com/app', { plugins });
  assert.equal(denied.ok, false);
  assert.match(denied.verdict, /^second leg \(nginx → backend\): pod my-app\/web-\d: NetworkPolicy ingress: denied/);
  assert.match(denied.verdict, /from 10\.244\.2\.20/);
});
