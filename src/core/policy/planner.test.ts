// Truth tables written by hand from the API documentation (network-policies concept page, API reference):
// rows are the client pod, columns the server pod, in the order x/a x/b x/c y/a ... z/c; '.' = connection
// allowed, 'X' = blocked. A pod to itself is always allowed (the API: a pod cannot block access to itself).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { explain, ipBlockRanges, PolicyIndex, planPolicyRuleset, type Protocol } from './index.js';
import { renderRuleset } from '../nft/index.js';
import { model, modelIP, modelNamespace, modelPod, NAMESPACES, PODS, policy } from './fixtures.js';
import type { NetworkPolicy, PolicyInput } from './types.js';

const ALL = NAMESPACES.flatMap((ns) => PODS.map((p) => `${ns}/${p}`));

function matrix(input: PolicyInput, port: number, protocol: Protocol = 'TCP'): string {
  const index = new PolicyIndex(input);
  return ALL.map((from) => ALL.map((to) => {
    const [fns, fp] = from.split('/'), [tns, tp] = to.split('/');
    return explain(index, { src: modelIP(fns, fp), dst: modelIP(tns, tp), port, protocol }).allowed ? '.' : 'X';
  }).join('')).join('\n');
}

/** A table from rows written as `x/a ...XXX...` (the label is for the reader). */
const table = (rows: string) => rows.trim().split('\n').map((l) => l.trim().split(/\s+/)[1]).join('\n');

const allowAll = table(ALL.map((p) => `${p} .........`).join('\n'));

/** x/a isolated for ingress with nothing allowed: only x/a itself reaches it. */
const nothingReachesXA = table(`
  x/a .........
  x/b X........
  x/c X........
  y/a X........
  y/b X........
  y/c X........
  z/a X........
  z/b X........
  z/c X........`);

describe('policy planner: canonical patterns', () => {
  it('no policy: everything is allowed', () => {
    assert.equal(matrix(model([]), 80), allowAll);
  });

  it('default deny ingress in x: nothing reaches x pods, except from themselves', () => {
    const m = model([policy('x', 'default-deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] })]);
    const want = table(`
      x/a .XX......
      x/b X.X......
      x/c XX.......
      y/a XXX......
      y/b XXX......
      y/c XXX......
      z/a XXX......
      z/b XXX......
      z/c XXX......`);
    assert.equal(matrix(m, 80), want);
    assert.equal(matrix(m, 80, 'UDP'), want);
  });

  it('allow all ingress beside a default deny: everything is allowed again', () => {
    const m = model([
      policy('x', 'default-deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] }),
      policy('x', 'allow-all-ingress', { podSelector: {}, ingress: [{}], policyTypes: ['Ingress'] }),
    ]);
    assert.equal(matrix(m, 81), allowAll);
  });

  it('default deny egress in x: x pods reach nothing but themselves', () => {
    const m = model([policy('x', 'default-deny-egress', { podSelector: {}, policyTypes: ['Egress'] })]);
    assert.equal(matrix(m, 80), table(`
      x/a .XXXXXXXX
      x/b X.XXXXXXX
      x/c XX.XXXXXX
      y/a .........
      y/b .........
      y/c .........
      z/a .........
      z/b .........
      z/c .........`));
  });

  it('allow all egress beside a default deny all', () => {
    const m = model([
      policy('x', 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
      policy('x', 'allow-all-egress', { podSelector: {}, egress: [{}], policyTypes: ['Egress'] }),
    ]);
    // Egress is open again; ingress of x stays denied.
    assert.equal(matrix(m, 80), table(`
      x/a .XX......
      x/b X.X......
      x/c XX.......
      y/a XXX......
      y/b XXX......
      y/c XXX......
      z/a XXX......
      z/b XXX......
      z/c XXX......`));
  });

  it('allow x/a ingress from namespace y only (namespaceSelector)', () => {
    const m = model([policy('x', 'from-y', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }] }] })]);
    assert.equal(matrix(m, 80), table(`
      x/a .........
      x/b X........
      x/c X........
      y/a .........
      y/b .........
      y/c .........
      z/a X........
      z/b X........
      z/c X........`));
  });

  it('namespace by name (kubernetes.io/metadata.name) with matchExpressions', () => {
    const m = model([policy('x', 'from-z', {
      podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['a', 'b'] }] },
      ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['x', 'y'] }] } }] }],
    })]);
    assert.equal(matrix(m, 80), table(`
      x/a .X.......
      x/b X........
      x/c XX.......
      y/a XX.......
      y/b XX.......
      y/c XX.......
      z/a .........
      z/b .........
      z/c .........`));
  });

  it('from pods b in namespace y (namespaceSelector AND podSelector in one peer)', () => {
    const m = model([policy('x', 'from-y-b', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } }, podSelector: { matchLabels: { pod: 'b' } } }] }] })]);
    assert.equal(matrix(m, 80), table(`
      x/a .........
      x/b X........
      x/c X........
      y/a X........
      y/b .........
      y/c X........
      z/a X........
      z/b X........
      z/c X........`));
  });

  it('namespace y OR pods b of the policy namespace (two peers)', () => {
    const m = model([policy('x', 'y-or-b', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }, { podSelector: { matchLabels: { pod: 'b' } } }] }] })]);
    assert.equal(matrix(m, 80), table(`
      x/a .........
      x/b .........
      x/c X........
      y/a .........
      y/b .........
      y/c .........
      z/a X........
      z/b X........
      z/c X........`));
  });

  it('ipBlock with except: x/a allows 10.244.0.0/16 except node 2 (10.244.2.0/24, namespace y)', () => {
    const m = model([policy('x', 'cidr', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ ipBlock: { cidr: '10.244.0.0/16', except: ['10.244.2.0/24'] } }] }] })]);
    assert.equal(matrix(m, 80), table(`
      x/a .........
      x/b .........
      x/c .........
      y/a X........
      y/b X........
      y/c X........
      z/a .........
      z/b .........
      z/c .........`));
    // Outside the pod network: 192.168.1.1 is not in the block.
    const e = explain(m, { src: '192.168.1.1', dst: modelIP('x', 'a'), port: 80, protocol: 'TCP' });
    assert.equal(e.allowed, false);
    assert.equal(explain(m, { src: '10.244.3.200', dst: modelIP('x', 'a'), port: 80, protocol: 'TCP' }).allowed, true);
  });

  it('port range (endPort): 80-81 TCP from anywhere; UDP and 82 stay closed', () => {
    const m = model([policy('x', 'range', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ ports: [{ protocol: 'TCP', port: 80, endPort: 81 }] }] })]);
    const q = (port: number, protocol: Protocol) => explain(m, { src: modelIP('y', 'a'), dst: modelIP('x', 'a'), port, protocol }).allowed;
    assert.deepEqual([q(79, 'TCP'), q(80, 'TCP'), q(81, 'TCP'), q(82, 'TCP'), q(80, 'UDP'), q(80, 'SCTP')], [false, true, true, false, false, false]);
  });

  it('egress to DNS only: x pods reach kube-dns on 53 UDP/TCP and nothing else', () => {
    const dns = modelPod('kube-system', 'coredns', '10.244.3.53');
    dns.metadata!.labels = { 'k8s-app': 'kube-dns' };
    const m = model([policy('x', 'dns-only', {
      podSelector: {}, policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }],
    })], { pods: [dns], namespaces: [modelNamespace('kube-system', {})] });
    const q = (dst: string, port: number, protocol: Protocol) => explain(m, { src: modelIP('x', 'b'), dst, port, protocol }).allowed;
    assert.deepEqual([q('10.244.3.53', 53, 'UDP'), q('10.244.3.53', 53, 'TCP'), q('10.244.3.53', 80, 'TCP'), q(modelIP('y', 'a'), 53, 'UDP'), q(modelIP('x', 'a'), 80, 'TCP')],
      [true, true, false, false, false]);
    assert.equal(matrix(m, 80), table(`
      x/a .XXXXXXXX
      x/b X.XXXXXXX
      x/c XX.XXXXXX
      y/a .........
      y/b .........
      y/c .........
      z/a .........
      z/b .........
      z/c .........`));
  });

  it('named ports: ingress resolves on the selected pod, egress on the destination pod, protocol included', () => {
    const m = model([
      policy('x', 'ingress-named', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ ports: [{ protocol: 'TCP', port: 'serve-81-tcp' }] }] }),
      policy('y', 'egress-named', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'], egress: [{ ports: [{ protocol: 'UDP', port: 'serve-80-udp' }] }] }),
    ]);
    const q = (src: string, dst: string, port: number, protocol: Protocol) => explain(m, { src, dst, port, protocol }).allowed;
    assert.deepEqual([q(modelIP('z', 'a'), modelIP('x', 'a'), 81, 'TCP'), q(modelIP('z', 'a'), modelIP('x', 'a'), 80, 'TCP')], [true, false]);
    assert.deepEqual([q(modelIP('y', 'a'), modelIP('z', 'c'), 80, 'UDP'), q(modelIP('y', 'a'), modelIP('z', 'c'), 80, 'TCP'), q(modelIP('y', 'a'), '192.168.9.9', 80, 'UDP')], [true, false, false]);
  });

  it('policyTypes defaulting: a policy with only egress rules and no policyTypes isolates ingress too', () => {
    const np: NetworkPolicy = policy('x', 'egress-rules', { podSelector: { matchLabels: { pod: 'a' } }, egress: [{}] });
    const e = explain(model([np]), { src: modelIP('y', 'a'), dst: modelIP('x', 'a'), port: 80, protocol: 'TCP' });
    assert.equal(e.allowed, false);
    assert.equal(e.ingress.isolated, true);
    assert.equal(e.egress.isolated, false);
  });

  it('both ends must allow: client egress deny beats server ingress allow', () => {
    const m = model([
      policy('x', 'deny-egress', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'] }),
      policy('y', 'allow-all', { podSelector: {}, ingress: [{}] }),
    ]);
    const e = explain(m, { src: modelIP('x', 'a'), dst: modelIP('y', 'b'), port: 80, protocol: 'TCP' });
    assert.equal(e.allowed, false);
    assert.equal(e.ingress.allowed, true);
    assert.deepEqual(e.ingress.allowedBy, [{ policy: 'y/allow-all', rule: 0 }]);
    assert.deepEqual(e.egress.policies, ['x/deny-egress']);
    assert.match(e.egress.reason, /isolated for egress by x\/deny-egress/);
  });

  it('the pod\'s node is always allowed; hostNetwork pods are their node and never selected', () => {
    const host = modelPod('x', 'host', '172.31.250.11', { hostNetwork: true, nodeName: 'node-1' });
    const m = model([policy('x', 'deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })], { pods: [host] });
    assert.equal(explain(m, { src: '172.31.250.11', dst: modelIP('x', 'a'), port: 80, protocol: 'TCP' }).allowed, true);
    assert.equal(explain(m, { src: '172.31.250.12', dst: modelIP('x', 'a'), port: 80, protocol: 'TCP' }).allowed, false);
    assert.equal(new PolicyIndex(m).planPod(host), undefined);
  });
});

describe('policy planner: bad input behaves as the API says', () => {
  it('a policy selecting nothing changes nothing', () => {
    const m = model([policy('x', 'nobody', { podSelector: { matchLabels: { pod: 'nobody' } }, policyTypes: ['Ingress', 'Egress'] })]);
    assert.equal(matrix(m, 80), allowAll);
  });

  it('an unknown named port isolates the selected pod and allows nothing; other pods are untouched', () => {
    const m = model([policy('x', 'unknown-port', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ ports: [{ protocol: 'TCP', port: 'no-such-port' }] }] })]);
    assert.equal(matrix(m, 80), nothingReachesXA);
  });

  it('an ipBlock covering the pod network allows every pod, and only for the selected pod', () => {
    const m = model([
      policy('x', 'deny', { podSelector: {}, policyTypes: ['Ingress'] }),
      policy('x', 'cover', { podSelector: { matchLabels: { pod: 'b' } }, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] }),
    ]);
    assert.equal(matrix(m, 80), table(`
      x/a ..X......
      x/b X.X......
      x/c X........
      y/a X.X......
      y/b X.X......
      y/c X.X......
      z/a X.X......
      z/b X.X......
      z/c X.X......`));
  });

  it('terminal pods and pods without an IP are neither targets nor peers', () => {
    const gone = modelPod('x', 'old', modelIP('x', 'a'));
    gone.status!.phase = 'Succeeded';
    const m = model([policy('x', 'from-old', { podSelector: { matchLabels: { pod: 'b' } }, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'old' } } }] }] })], { pods: [gone] });
    assert.equal(new PolicyIndex(m).podAt(modelIP('x', 'a'))?.metadata?.name, 'a');
    assert.equal(explain(m, { src: modelIP('x', 'a'), dst: modelIP('x', 'b'), port: 80, protocol: 'TCP' }).allowed, false);
  });
});

describe('policy planner: IPv6 ipBlocks in the IPv4-only cluster', () => {
  it('an IPv6 block alone allows no IPv4 traffic; its policy still isolates the pod', () => {
    for (const cidr of ['::/0', 'fd00::/8']) {
      const m = model([policy('x', 'v6-only', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ ipBlock: { cidr } }] }] })]);
      assert.equal(matrix(m, 80), nothingReachesXA, cidr);
      const why = explain(m, { src: modelIP('y', 'b'), dst: modelIP('x', 'a'), port: 80, protocol: 'TCP' }).ingress;
      assert.deepEqual([why.isolated, why.allowed, why.policies], [true, false, ['x/v6-only']]);
    }
  });

  it('an IPv6 block beside IPv4 peers neither opens nor closes anything', () => {
    const v4 = { podSelector: { matchLabels: { pod: 'b' } } };
    const v6 = { ipBlock: { cidr: 'fd00::/8', except: ['fd00:1::/32'] } };
    const alone = model([policy('x', 'p', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [v4] }] })]);
    const mixed = model([policy('x', 'p', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [v6, v4] }] })]);
    assert.equal(matrix(mixed, 80), matrix(alone, 80));
    assert.deepEqual(new PolicyIndex(mixed).planNode('node-1'), new PolicyIndex(alone).planNode('node-1'));
  });

  it('egress to ::/0 allows no IPv4 destination; an IPv4 block with except still works beside it', () => {
    const m = model([policy('x', 'egress', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'], egress: [
      { to: [{ ipBlock: { cidr: '::/0' } }] },
      { to: [{ ipBlock: { cidr: '10.244.2.0/24', except: ['10.244.2.11/32'] } }] },
    ] })]);
    // x/a's row: itself, y/a and y/c (10.244.2.0/24 but .11); every other row is untouched.
    assert.equal(matrix(m, 80).split('\n')[0], '.XX.X.XXX');
    assert.deepEqual(matrix(m, 80).split('\n').slice(1), allowAll.split('\n').slice(1));
    assert.deepEqual(ipBlockRanges({ cidr: '::/0' }), []);
    assert.deepEqual(ipBlockRanges({ cidr: '10.0.0.0/8', except: ['fd00::/8', '10.1.0.0/16'] }).length, 2, 'an IPv6 except removes nothing from an IPv4 block');
  });

  it('the node table for an IPv6-only rule holds no IPv6 element (nft would refuse one in an ipv4_addr set)', () => {
    const m = model([policy('x', 'v6', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '2001:db8::/32' } }], ports: [{ port: 80 }] }] })]);
    const text = renderRuleset(planPolicyRuleset(new PolicyIndex(m).planNode('node-1')));
    assert.match(text, /add chain ip podnet-policy ingress-10\.244\.1\.10 /);
    assert.doesNotMatch(text, /2001:db8/);
    assert.doesNotMatch(text, /ingress-ports-/, 'no allow-list set: the pods are isolated with nothing allowed');
  });
});

describe('policy planner: address reuse', () => {
  it('a dying pod and the new pod holding its IP: one plan, the new pod\'s', () => {
    const dying = modelPod('x', 'old', modelIP('x', 'a'));
    dying.metadata!.deletionTimestamp = '2026-12-07T20:00:00Z';
    dying.metadata!.labels = { pod: 'old' };
    const m = model([policy('x', 'deny-old', { podSelector: { matchLabels: { pod: 'old' } }, policyTypes: ['Ingress'] })], { pods: [dying] });
    const plans = new PolicyIndex(m).planNode('node-1').filter((p) => p.ip === modelIP('x', 'a'));
    assert.deepEqual(plans.map((p) => `${p.name} ${p.ingress ? 'isolated' : 'open'}`), ['a open']);
  });
});
