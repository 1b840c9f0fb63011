// Packet-flow tests of the planner (as kube-proxy's runPacketFlowTests): build a plan, trace the first
// packet of connections through it, check DNAT target / masquerade / reject / drop. Every case runs on
// both layouts: the maps layout must behave exactly like kube-proxy's chain layout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planServiceRules } from './planner.js';
import { endpoint, endpointSlice, service } from './fixtures.js';
import { traceAll, tracePacket, type TracePacket, type TraceResult } from './tracer.js';
import type { EndpointSlice, ProxyOptions, Service } from './types.js';
import type { Ruleset } from '../nft/ruleset.js';
import { renderRuleset } from '../nft/render.js';

const NODE = { name: 'node-1', ips: ['172.31.250.11'], podCIDR: '10.244.1.0/24', clusterCIDR: '10.244.0.0/16' };
const ENV = { localAddresses: ['172.31.250.11', '10.244.1.1'] };
const POD = '10.244.1.10';        // a pod on this node
const REMOTE_POD = '10.244.2.10'; // a pod on another node (arrives routed, inbound)
const OUTSIDE = '192.168.7.7';    // a client outside the cluster
const NODE_IP = '172.31.250.11';

const ready = endpoint;
const terminatingServing = (ip: string, node: string) => endpoint(ip, node, { ready: false, serving: true, terminating: true });
const terminatingNotServing = (ip: string, node: string) => endpoint(ip, node, { ready: false, serving: false, terminating: true });

function fixture(): { services: Service[]; slices: EndpointSlice[] } {
  const services = [
    // Multi-port, named targetPort (resolved by the EndpointSlice controller into the slice port "http").
    service('default', 'backend', { clusterIP: '10.96.0.20', ports: [
      { name: 'http', port: 80, targetPort: 'web', protocol: 'TCP' },
      { name: 'dns', port: 53, targetPort: 5353, protocol: 'UDP' },
    ] }),
    service('default', 'web', { type: 'NodePort', clusterIP: '10.96.0.21', ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }] }),
    service('default', 'lb', { type: 'LoadBalancer', clusterIP: '10.96.0.22', loadBalancerSourceRanges: ['192.168.7.0/24'],
      ports: [{ port: 443, targetPort: 8443, nodePort: 30443 }] }, { loadBalancer: { ingress: [{ ip: '172.31.250.200', ipMode: 'VIP' }] } }),
    service('default', 'local-ext', { type: 'LoadBalancer', clusterIP: '10.96.0.23', externalTrafficPolicy: 'Local',
      ports: [{ port: 80, targetPort: 8080, nodePort: 30081 }] }, { loadBalancer: { ingress: [{ ip: '172.31.250.201' }] } }),
    service('default', 'remote-only', { type: 'NodePort', clusterIP: '10.96.0.24', externalTrafficPolicy: 'Local',
      ports: [{ port: 80, targetPort: 8080, nodePort: 30082 }] }),
    service('default', 'itp-local', { clusterIP: '10.96.0.25', internalTrafficPolicy: 'Local', ports: [{ port: 80, targetPort: 8080 }] }),
    service('default', 'itp-remote', { clusterIP: '10.96.0.26', internalTrafficPolicy: 'Local', ports: [{ port: 80, targetPort: 8080 }] }),
    service('default', 'empty', { type: 'LoadBalancer', clusterIP: '10.96.0.27', ports: [{ port: 80, nodePort: 30083 }, { name: 'u', port: 53, protocol: 'UDP', nodePort: 30084 }] },
      { loadBalancer: { ingress: [{ ip: '172.31.250.202' }] } }),
    service('default', 'sticky', { clusterIP: '10.96.0.28', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
      ports: [{ port: 80, targetPort: 8080 }] }),
    service('default', 'draining', { clusterIP: '10.96.0.29', ports: [{ port: 80, targetPort: 8080 }] }),
    service('default', 'dead', { clusterIP: '10.96.0.30', ports: [{ port: 80, targetPort: 8080 }] }),
    service('default', 'ext-ip', { clusterIP: '10.96.0.31', externalIPs: ['203.0.113.250'], ports: [{ port: 80, targetPort: 8080 }] }),
    service('default', 'headless', { clusterIP: 'None', ports: [{ port: 80 }] }),
    service('default', 'external-name', { type: 'ExternalName', externalName: 'example.com' } as Service['spec']),
    service('default', 'foreign', { clusterIP: '10.96.0.32', ports: [{ port: 80 }] }, undefined, { 'service.kubernetes.io/service-proxy-name': 'other' }),
    service('default', 'proxy-vip', { type: 'LoadBalancer', clusterIP: '10.96.0.33', ports: [{ port: 80, targetPort: 8080, nodePort: 30085 }] },
      { loadBalancer: { ingress: [{ ip: '172.31.250.203', ipMode: 'Proxy' }] } }),
  ];
  const slices = [
    endpointSlice('default', 'backend', [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'dns', port: 5353, protocol: 'UDP' }],
      [ready('10.244.1.5', 'node-1'), ready('10.244.2.5', 'node-2')]),
    endpointSlice('default', 'web', [{ port: 8080 }], [ready('10.244.1.6', 'node-1'), ready('10.244.2.6', 'node-2')]),
    endpointSlice('default', 'lb', [{ port: 8443 }], [ready('10.244.2.7', 'node-2')]),
    endpointSlice('default', 'local-ext', [{ port: 8080 }], [ready('10.244.1.8', 'node-1'), ready('10.244.2.8', 'node-2')]),
    endpointSlice('default', 'remote-only', [{ port: 8080 }], [ready('10.244.2.9', 'node-2')]),
    endpointSlice('default', 'itp-local', [{ port: 8080 }], [ready('10.244.1.11', 'node-1'), ready('10.244.2.11', 'node-2')]),
    endpointSlice('default', 'itp-remote', [{ port: 8080 }], [ready('10.244.2.12', 'node-2')]),
    endpointSlice('default', 'empty', [{ port: 80 }, { name: 'u', port: 53, protocol: 'UDP' }], []),
    endpointSlice('default', 'sticky', [{ port: 8080 }], [ready('10.244.1.13', 'node-1'), ready('10.244.2.13', 'node-2')]),
    endpointSlice('default', 'draining', [{ port: 8080 }], [terminatingServing('10.244.2.14', 'node-2'), terminatingNotServing('10.244.2.15', 'node-2')]),
    endpointSlice('default', 'dead', [{ port: 8080 }], [terminatingNotServing('10.244.2.16', 'node-2'), endpoint('10.244.2.17', 'node-2', { ready: false, serving: false, terminating: false })]),
    endpointSlice('default', 'ext-ip', [{ port: 8080 }], [ready('10.244.2.18', 'node-2')]),
    endpointSlice('default', 'foreign', [{ port: 80 }], [ready('10.244.2.19', 'node-2')]),
    endpointSlice('default', 'proxy-vip', [{ port: 8080 }], [ready('10.244.2.20', 'node-2')]),
  ];
  return { services, slices };
}

function plan(layout: 'maps' | 'chains', extra: ProxyOptions = {}): Ruleset {
  const { services, slices } = fixture();
  return planServiceRules({ services, endpointSlices: slices, node: NODE, options: { layout, serviceCIDRs: ['10.96.0.0/12'], ...extra } });
}

/** Outcome of one trace as a short string: `DNAT 10.244.1.5:8080`, `+masq`, `REJECT tcp reset`, `DROP`, `ACCEPT`. */
function summary(r: TraceResult): string {
  if (r.verdict === 'drop') return 'DROP';
  if (r.verdict === 'reject') return `REJECT ${r.rejectWith}`;
  const base = r.dnat ? `DNAT ${r.dnat.addr}:${r.dnat.port}` : 'ACCEPT';
  return r.masquerade ? `${base} +masq` : base;
}

function flows(rs: Ruleset, src: string, dst: string, dport: number, proto: TracePacket['proto'] = 'tcp', origin: TracePacket['origin'] = 'inbound'): string[] {
  return [...new Set(traceAll(rs, { src, dst, dport, proto, origin }, ENV).map(summary))].sort();
}

for (const layout of ['maps', 'chains'] as const) {
  const rs = plan(layout);

  test(`${layout}: pod → ClusterIP picks every endpoint, named targetPort resolved, source kept`, () => {
    assert.deepEqual(flows(rs, POD, '10.96.0.20', 80), ['DNAT 10.244.1.5:8080', 'DNAT 10.244.2.5:8080']);
    assert.deepEqual(flows(rs, REMOTE_POD, '10.96.0.20', 80), ['DNAT 10.244.1.5:8080', 'DNAT 10.244.2.5:8080']);
  });

  test(`${layout}: multi-port service: the UDP port has its own target port`, () => {
    assert.deepEqual(flows(rs, POD, '10.96.0.20', 53, 'udp'), ['DNAT 10.244.1.5:5353', 'DNAT 10.244.2.5:5353']);
  });

  test(`${layout}: the node itself → ClusterIP is masqueraded (source outside the cluster CIDR)`, () => {
    assert.deepEqual(flows(rs, NODE_IP, '10.96.0.20', 80, 'tcp', 'local'), ['DNAT 10.244.1.5:8080 +masq', 'DNAT 10.244.2.5:8080 +masq']);
  });

  test(`${layout}: off-cluster client → ClusterIP is masqueraded`, () => {
    assert.deepEqual(flows(rs, OUTSIDE, '10.96.0.20', 80), ['DNAT 10.244.1.5:8080 +masq', 'DNAT 10.244.2.5:8080 +masq']);
  });

  test(`${layout}: hairpin: a pod reaching itself through its Service is masqueraded, others are not`, () => {
    assert.deepEqual(flows(rs, '10.244.1.5', '10.96.0.20', 80), ['DNAT 10.244.1.5:8080 +masq', 'DNAT 10.244.2.5:8080']);
  });

  test(`${layout}: NodePort (policy Cluster) DNATs to all endpoints and masquerades`, () => {
    assert.deepEqual(flows(rs, OUTSIDE, NODE_IP, 30080), ['DNAT 10.244.1.6:8080 +masq', 'DNAT 10.244.2.6:8080 +masq']);
    assert.deepEqual(flows(rs, NODE_IP, NODE_IP, 30080, 'tcp', 'local'), ['DNAT 10.244.1.6:8080 +masq', 'DNAT 10.244.2.6:8080 +masq']);
    // Only on the node's NodePort addresses, and only the service's own port.
    assert.deepEqual(flows(rs, OUTSIDE, '172.31.250.12', 30080), ['ACCEPT']);
    assert.deepEqual(flows(rs, OUTSIDE, NODE_IP, 30099), ['ACCEPT']);
  });

  test(`${layout}: LoadBalancer IP with loadBalancerSourceRanges`, () => {
    assert.deepEqual(flows(rs, OUTSIDE, '172.31.250.200', 443), ['DNAT 10.244.2.7:8443 +masq']);
    assert.deepEqual(flows(rs, '10.1.2.3', '172.31.250.200', 443), ['DROP']);
    // Source ranges do not apply to the NodePort or the ClusterIP.
    assert.deepEqual(flows(rs, '10.1.2.3', NODE_IP, 30443), ['DNAT 10.244.2.7:8443 +masq']);
    assert.deepEqual(flows(rs, POD, '10.96.0.22', 443), ['DNAT 10.244.2.7:8443']);
  });

  test(`${layout}: a LoadBalancer ingress with ipMode Proxy is not captured`, () => {
    assert.deepEqual(flows(rs, OUTSIDE, '172.31.250.203', 80), ['ACCEPT']);
    assert.deepEqual(flows(rs, OUTSIDE, NODE_IP, 30085), ['DNAT 10.244.2.20:8080 +masq']);
  });

  test(`${layout}: externalIPs are external destinations`, () => {
    assert.deepEqual(flows(rs, POD, '203.0.113.250', 80), ['DNAT 10.244.2.18:8080 +masq']);
    assert.deepEqual(flows(rs, POD, '203.0.113.250', 81), ['ACCEPT']);
  });

  test(`${layout}: externalTrafficPolicy Local: outside clients get local endpoints only, unmasqueraded`, () => {
    assert.deepEqual(flows(rs, OUTSIDE, NODE_IP, 30081), ['DNAT 10.244.1.8:8080']);
    assert.deepEqual(flows(rs, OUTSIDE, '172.31.250.201', 80), ['DNAT 10.244.1.8:8080']);
    // Pods short-circuit to all endpoints without masquerade; the node itself is masqueraded.
    assert.deepEqual(flows(rs, POD, '172.31.250.201', 80), ['DNAT 10.244.1.8:8080', 'DNAT 10.244.2.8:8080']);
    assert.deepEqual(flows(rs, NODE_IP, '172.31.250.201', 80, 'tcp', 'local'), ['DNAT 10.244.1.8:8080 +masq', 'DNAT 10.244.2.8:8080 +masq']);
    // The ClusterIP stays policy Cluster.
    assert.deepEqual(flows(rs, POD, '10.96.0.23', 80), ['DNAT 10.244.1.8:8080', 'DNAT 10.244.2.8:8080']);
  });

  test(`${layout}: externalTrafficPolicy Local without a local endpoint drops outside traffic, serves pods`, () => {
    assert.deepEqual(flows(rs, OUTSIDE, NODE_IP, 30082), ['DROP']);
    assert.deepEqual(flows(rs, POD, NODE_IP, 30082), ['DNAT 10.244.2.9:8080']);
  });

  test(`${layout}: internalTrafficPolicy Local: only this node's endpoints; none → drop`, () => {
    assert.deepEqual(flows(rs, POD, '10.96.0.25', 80), ['DNAT 10.244.1.11:8080']);
    assert.deepEqual(flows(rs, POD, '10.96.0.26', 80), ['DROP']);
  });

  test(`${layout}: no endpoints: reject at once (TCP reset, ICMP for UDP) on every destination`, () => {
    assert.deepEqual(flows(rs, POD, '10.96.0.27', 80), ['REJECT tcp reset']);
    assert.deepEqual(flows(rs, POD, '10.96.0.27', 53, 'udp'), ['REJECT icmp port-unreachable']);
    assert.deepEqual(flows(rs, NODE_IP, '10.96.0.27', 80, 'tcp', 'local'), ['REJECT tcp reset']);
    assert.deepEqual(flows(rs, OUTSIDE, NODE_IP, 30083), ['REJECT tcp reset']);
    assert.deepEqual(flows(rs, OUTSIDE, NODE_IP, 30084, 'udp'), ['REJECT icmp port-unreachable']);
    assert.deepEqual(flows(rs, OUTSIDE, '172.31.250.202', 80), ['REJECT tcp reset']);
  });

  test(`${layout}: terminating-but-serving endpoints are the fallback; not-serving ones never are`, () => {
    assert.deepEqual(flows(rs, POD, '10.96.0.29', 80), ['DNAT 10.244.2.14:8080']);
    assert.deepEqual(flows(rs, POD, '10.96.0.30', 80), ['REJECT tcp reset']);
  });

  test(`${layout}: invalid port or protocol on a ClusterIP is rejected, unallocated ClusterIP dropped`, () => {
    assert.deepEqual(flows(rs, POD, '10.96.0.20', 81), ['REJECT tcp reset']);
    assert.deepEqual(flows(rs, POD, '10.96.0.20', 80, 'udp'), ['REJECT icmp port-unreachable']);
    assert.deepEqual(flows(rs, POD, '10.96.9.9', 80), ['DROP']);
    // Traffic that is not for services passes untouched.
    assert.deepEqual(flows(rs, POD, '10.244.2.5', 8080), ['ACCEPT']);
  });

  test(`${layout}: headless, ExternalName and other proxies' services get no rules`, () => {
    assert.deepEqual(flows(rs, POD, '10.96.0.32', 80), ['DROP']); // in the service CIDR, but not ours
    const comments = [...rs.sets.values()].flatMap((s) => [...s.elements.values()].map((e) => e.comment ?? ''));
    for (const name of ['headless', 'external-name', 'foreign']) {
      assert.ok(!comments.some((c) => c.startsWith(`default/${name}`)), `${name} has elements`);
      assert.ok(![...rs.chains.keys()].some((c) => c.includes(`/${name}/`)), `${name} has chains`);
    }
  });

  test(`${layout}: sessionAffinity ClientIP keeps a client on its endpoint, per client`, () => {
    const env = { ...ENV, dynamicSets: new Map<string, Set<string>>() };
    const pkt = { src: POD, dst: '10.96.0.28', dport: 80, proto: 'tcp' as const, origin: 'inbound' as const };
    const first = tracePacket(rs, pkt, env, () => 1);
    assert.equal(first.dnat?.addr, '10.244.2.13');
    for (const pick of [0, 1]) assert.equal(tracePacket(rs, pkt, env, () => pick).dnat?.addr, '10.244.2.13');
    // Another client is not stuck.
    const other = traceAll(rs, { ...pkt, src: '10.244.1.77' }, env).map(summary).sort();
    assert.deepEqual(other, ['DNAT 10.244.1.13:8080', 'DNAT 10.244.2.13:8080']);
  });

  test(`${layout}: masqueradeAll masquerades pod → ClusterIP too`, () => {
    assert.deepEqual(flows(plan(layout, { masqueradeAll: true }), POD, '10.96.0.20', 80), ['DNAT 10.244.1.5:8080 +masq', 'DNAT 10.244.2.5:8080 +masq']);
  });
}

test('maps layout: DNAT rules do not grow with services, endpoints are map elements', () => {
  const dnatRules = (rs: Ruleset) => [...rs.chains.values()].flatMap((c) => c.rules)
    .filter((r) => r.stmts.some((s) => s.kind === 'dnat' || s.kind === 'dnatMap')).length;
  const { services, slices } = fixture();
  const small = planServiceRules({ services, endpointSlices: slices, node: NODE });
  for (let i = 0; i < 100; i++) {
    services.push(service('more', `s${i}`, { clusterIP: `10.97.0.${i + 1}`, ports: [{ port: 80 }] }));
    slices.push(endpointSlice('more', `s${i}`, [{ port: 80 }], [ready(`10.244.3.${i + 1}`, 'node-2'), ready(`10.244.4.${i + 1}`, 'node-3')]));
  }
  const big = planServiceRules({ services, endpointSlices: slices, node: NODE });
  assert.equal(dnatRules(big), dnatRules(small));
  assert.equal(big.sets.get('endpoints-tcp')!.elements.size - small.sets.get('endpoints-tcp')!.elements.size, 200);
  // Per-endpoint DNAT rules exist only for the ClientIP-affinity service.
  const fixed = [...big.chains.values()].filter((c) => c.rules.some((r) => r.stmts.some((s) => s.kind === 'dnat')));
  assert.deepEqual(fixed.map((c) => c.name.split('-').slice(2).join('-').split('__')[0]), ['default/sticky/tcp/80', 'default/sticky/tcp/80']);
});

test('the plan is deterministic whatever the input order', () => {
  const { services, slices } = fixture();
  const a = planServiceRules({ services, endpointSlices: slices, node: NODE });
  const b = planServiceRules({ services: [...services].reverse(), endpointSlices: [...slices].reverse(), node: NODE });
  assert.deepEqual([...a.chains.keys()], [...b.chains.keys()]);
  for (const [name, set] of a.sets) assert.deepEqual([...set.elements.keys()].sort(), [...b.sets.get(name)!.elements.keys()].sort());
});

test('two services claiming one external IP:port: the first keeps it and the conflict is reported', () => {
  const services = [
    service('a', 'one', { clusterIP: '10.96.1.1', externalIPs: ['203.0.113.9'], ports: [{ port: 80 }] }),
    service('b', 'two', { clusterIP: '10.96.1.2', externalIPs: ['203.0.113.9'], ports: [{ port: 80 }] }),
  ];
  const slices = [endpointSlice('a', 'one', [{ port: 80 }], [ready('10.244.2.1', 'n2')]), endpointSlice('b', 'two', [{ port: 80 }], [ready('10.244.2.2', 'n2')])];
  const rs = planServiceRules({ services, endpointSlices: slices, node: NODE });
  assert.deepEqual(flows(rs, POD, '203.0.113.9', 80), ['DNAT 10.244.2.1:80 +masq']);
  assert.equal(rs.warnings.length, 1);
  assert.match(rs.warnings[0], /b\/two.*203\.0\.113\.9.*a\/one/);
});

test('bad node configuration is refused with a message naming the field', () => {
  assert.throws(() => planServiceRules({ services: [], endpointSlices: [], node: { ...NODE, clusterCIDR: '10.244.0.0/33' } }), /clusterCIDR/);
  assert.throws(() => planServiceRules({ services: [], endpointSlices: [], node: NODE, options: { table: 'bad name' } }), /table/);
});

test('an address with leading zeros is never read as another address: no frontend, no endpoint, bad node config refused', () => {
  const services = [service('default', 'zeros', { clusterIP: '010.96.0.30', externalIPs: ['172.031.250.9'], ports: [{ port: 80, targetPort: 8080 }] }),
    service('default', 'ok', { clusterIP: '10.96.0.31', ports: [{ port: 80, targetPort: 8080 }] })];
  const slices = [endpointSlice('default', 'ok', [{ port: 8080, protocol: 'TCP' }], [ready('010.244.2.10', 'node-2'), ready('10.244.2.11', 'node-2')])];
  const text = renderRuleset(planServiceRules({ services, endpointSlices: slices, node: NODE }));
  assert.doesNotMatch(text, /10\.96\.0\.30|010\.96|172\.31\.250\.9\b|172\.031|10\.244\.2\.10\b/);
  assert.match(text, /10\.96\.0\.31/);
  assert.match(text, /10\.244\.2\.11/);
  assert.throws(() => planServiceRules({ services: [], endpointSlices: [], node: { ...NODE, podCIDR: '010.244.1.0/24' } }), /invalid proxy node podCIDR "010\.244\.1\.0\/24"/);
});
