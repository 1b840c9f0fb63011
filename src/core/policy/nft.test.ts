import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffRulesets, renderRuleset } from '../nft/index.js';
import { disjointBoxes, addrRangeText, subtractRanges } from './ranges.js';
import { PolicyIndex, planPolicyRuleset } from './index.js';
import { model, modelIP, policy } from './fixtures.js';

describe('policy ranges', () => {
  it('CIDR minus except, and nft range text', () => {
    const r = subtractRanges([[0x0af40000, 0x0af4ffff]], [[0x0af40200, 0x0af402ff]]);
    assert.deepEqual(r.map(addrRangeText), ['10.244.0.0/23', '10.244.3.0-10.244.255.255']);
    assert.equal(addrRangeText([0x0af40000, 0x0af401ff]), '10.244.0.0/23');
  });

  it('overlapping boxes become disjoint ones covering the same union', () => {
    const out = disjointBoxes([{ addrs: [10, 20], ports: [80, 80] }, { addrs: [0, 100], ports: [0, 65535] }, { addrs: [15, 30], ports: [80, 90] }]);
    assert.deepEqual(out, [{ addrs: [0, 100], ports: [0, 65535] }]);
    const two = disjointBoxes([{ addrs: [10, 20], ports: [80, 81] }, { addrs: [15, 30], ports: [81, 90] }]);
    assert.deepEqual(two, [{ addrs: [10, 20], ports: [80, 80] }, { addrs: [10, 30], ports: [81, 81] }, { addrs: [15, 30], ports: [82, 90] }]);
  });
});

describe('policy nft table', () => {
  const np = [
    policy('x', 'deny', { podSelector: {}, policyTypes: ['Ingress'] }),
    policy('x', 'web', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 80 }, { port: 'serve-81-tcp' }] }, { from: [{ ipBlock: { cidr: '10.244.2.0/24' } }] }] }),
  ];

  it('plans only the isolated pods of the node, with verdict maps and per-pod sets', () => {
    const rs = planPolicyRuleset(new PolicyIndex(model(np)).planNode('node-1'));
    const text = renderRuleset(rs);
    assert.match(text, /add element ip podnet-policy ingress-pods \{ 10\.244\.1\.10 comment "x\/a" : goto ingress-10\.244\.1\.10/);
    assert.match(text, /add element ip podnet-policy ingress-ports-[0-9a-f]{16} \{ 10\.244\.1\.10-10\.244\.1\.12 \. tcp \. 80-81, /);
    assert.match(text, /add element ip podnet-policy ingress-any-[0-9a-f]{16} \{ 10\.244\.2\.0\/24 \}/);
    assert.doesNotMatch(text, /10\.244\.2\.10 comment "y\/a" : goto/);
    assert.equal([...rs.sets.get('egress-pods')!.elements.keys()].length, 0);
  });

  it('no forward chain while no local pod is isolated (no per-packet cost); it comes and goes in a diff', () => {
    const none = planPolicyRuleset(new PolicyIndex(model(np)).planNode('node-2'));
    assert.deepEqual([...none.chains.keys()], []);
    assert.deepEqual([...none.sets.keys()], ['egress-pods', 'ingress-pods']);
    const some = planPolicyRuleset(new PolicyIndex(model([...np, policy('y', 'deny', { podSelector: {}, policyTypes: ['Ingress'] })])).planNode('node-2'));
    const on = diffRulesets(none, some);
    assert.equal(on.full, false);
    assert.match(on.text, /add chain ip podnet-policy forward \{ type filter hook forward priority 0 ;/);
    const off = diffRulesets(some, none);
    assert.equal(off.full, false);
    assert.match(off.text, /delete chain ip podnet-policy forward/);
  });

  it('pods with the same allow-list share its sets', () => {
    const rs = planPolicyRuleset(new PolicyIndex(model([policy('x', 'ns-wide', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 80 }] }] })])).planNode('node-1'));
    assert.deepEqual([...rs.sets.keys()].filter((k) => k.startsWith('ingress-ports-')).length, 1);
    assert.equal(rs.chains.size, 4);
  });

  it('a policy change on one pod is a diff of that pod\'s objects only', () => {
    const before = planPolicyRuleset(new PolicyIndex(model(np)).planNode('node-1'));
    const extra = policy('x', 'b-from-c', { podSelector: { matchLabels: { pod: 'b' } }, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'c' } } }] }] });
    const after = planPolicyRuleset(new PolicyIndex(model([...np, extra])).planNode('node-1'));
    const d = diffRulesets(before, after);
    assert.equal(d.full, false);
    const set = /add set ip podnet-policy (ingress-any-[0-9a-f]{16}) /.exec(d.text)?.[1];
    assert.deepEqual(d.text.trim().split('\n'), [
      `add set ip podnet-policy ${set} { type ipv4_addr ; flags interval ; }`,
      'flush chain ip podnet-policy ingress-10.244.1.11',
      'add rule ip podnet-policy ingress-10.244.1.11 ip saddr 10.244.1.11 accept comment "self"',
      `add rule ip podnet-policy ingress-10.244.1.11 ip saddr @${set} accept`,
      'add rule ip podnet-policy ingress-10.244.1.11 counter name "drop-ingress-10.244.1.11" drop',
      `add element ip podnet-policy ${set} { ${modelIP('x', 'c')} }`,
    ]);
  });
});
