// The incremental planner must give exactly what the plain planner gives on the same snapshot: random
// sequences of changes (policies, pod labels and addresses, pods coming and going, namespace labels) on
// the x/y/z model, compared after every step; and a one-policy change plans only the pods it selects.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffRulesets } from '../nft/index.js';
import { IncrementalPolicyPlanner, PolicyIndex, planPolicyRuleset } from './index.js';
import { model, modelNamespace, modelPod, NAMESPACES, PODS, policy } from './fixtures.js';
import type { NetworkPolicy, Pod, PolicyInput } from './types.js';
import { seededRandom } from '../ipam/index.js';

const SHAPES: Array<(ns: string, name: string, pick: (n: number) => number) => NetworkPolicy> = [
  (ns, name) => policy(ns, name, { podSelector: {}, policyTypes: ['Ingress'] }),
  (ns, name, pick) => policy(ns, name, { podSelector: { matchLabels: { pod: PODS[pick(3)] } }, ingress: [{ from: [{ podSelector: { matchLabels: { pod: PODS[pick(3)] } } }], ports: [{ port: 80 }] }] }),
  (ns, name, pick) => policy(ns, name, { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: NAMESPACES[pick(3)] } }, podSelector: { matchLabels: { role: 'client' } } }] }] }),
  (ns, name, pick) => policy(ns, name, { podSelector: { matchLabels: { pod: PODS[pick(3)] } }, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {} }], ports: [{ port: 'serve-81-tcp' }] }] }),
  (ns, name, pick) => policy(ns, name, { podSelector: { matchExpressions: [{ key: 'role', operator: 'Exists' }] }, policyTypes: ['Ingress', 'Egress'],
    ingress: [{ from: [{ ipBlock: { cidr: '10.244.0.0/16', except: [`10.244.${1 + pick(3)}.0/24`] } }] }], egress: [{ to: [{ podSelector: { matchLabels: { role: 'server' } }, namespaceSelector: {} }] }] }),
];

function mutate(input: PolicyInput, pick: (n: number) => number, step: number): PolicyInput {
  const policies = [...input.policies];
  const pods = [...input.pods];
  const namespaces = [...input.namespaces];
  const ns = NAMESPACES[pick(3)];
  switch (pick(7)) {
    case 0: policies.push(SHAPES[pick(SHAPES.length)](ns, `p${step}`, pick)); break;
    case 1: if (policies.length) policies.splice(pick(policies.length), 1); break;
    case 2: if (policies.length) { const i = pick(policies.length); policies[i] = SHAPES[pick(SHAPES.length)](policies[i].metadata!.namespace!, policies[i].metadata!.name!, pick); } break;
    case 3: { // relabel a pod (a new object, as an informer delivers an update)
      const i = pick(pods.length);
      const roles = [undefined, 'client', 'server'];
      const role = roles[pick(3)];
      pods[i] = { ...pods[i], metadata: { ...pods[i].metadata, labels: { ...pods[i].metadata!.labels, ...(role ? { role } : {}) } } };
      if (!role) delete pods[i].metadata!.labels!.role;
      break;
    }
    case 4: { // a pod comes (sometimes reusing the address of one that is dying) or goes
      if (pick(2) === 0 && pods.length > 6) { pods.splice(pick(pods.length), 1); break; }
      const n = pick(3) + 1;
      const ip = pick(3) === 0 ? pods[pick(pods.length)].status!.podIP! : `10.244.${n}.${100 + step}`;
      const pod: Pod = modelPod(ns, `new${step}`, ip);
      pod.metadata!.labels = { pod: PODS[pick(3)], ...(pick(2) ? { role: 'client' } : {}) };
      pod.spec!.nodeName = `node-${n}`;
      const owner = pods.findIndex((p) => p.status?.podIP === ip);
      if (owner >= 0) pods[owner] = { ...pods[owner], metadata: { ...pods[owner].metadata, deletionTimestamp: '2026-12-07T00:00:00Z' } };
      pods.push(pod);
      break;
    }
    case 5: { // a pod loses its address (terminal)
      const i = pick(pods.length);
      pods[i] = { ...pods[i], status: { ...pods[i].status, phase: 'Succeeded' } };
      break;
    }
    case 6: { const i = pick(namespaces.length); namespaces[i] = modelNamespace(namespaces[i].metadata!.name!, { ns: pick(2) ? 'other' : namespaces[i].metadata!.name! }); break; }
  }
  return { policies, pods, namespaces };
}

describe('incremental policy planner', () => {
  it('equals the plain planner after every step of random change sequences', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const r = seededRandom(seed);
      const pick = (n: number) => Math.floor(r() * n);
      let input = model([]);
      const planners = ['node-1', 'node-2', 'node-3'].map((n) => new IncrementalPolicyPlanner(n));
      for (let step = 0; step < 60; step++) {
        input = mutate(input, pick, step);
        for (const inc of planners) {
          const got = inc.plan(input).plans;
          assert.deepEqual(got, new PolicyIndex(input).planNode(inc.node), `seed ${seed}, step ${step}, ${inc.node}`);
        }
      }
    }
  });

  it('a one-policy change plans only the pods it selects, and its nft transaction is a few lines', () => {
    const pods = NAMESPACES.flatMap((ns) => Array.from({ length: 60 }, (_, i) => {
      const p = modelPod(ns, `p${i}`, `10.244.1.${10 + NAMESPACES.indexOf(ns) * 60 + i}`);
      p.metadata!.labels = { pod: `p${i}` };
      return p;
    }));
    const base: PolicyInput = {
      namespaces: NAMESPACES.map((n) => modelNamespace(n)), pods,
      policies: NAMESPACES.flatMap((ns) => Array.from({ length: 60 }, (_, i) => policy(ns, `np${i}`, { podSelector: { matchLabels: { pod: `p${i}` } }, ingress: [{ from: [{ podSelector: { matchLabels: { pod: `p${(i + 1) % 60}` } } }], ports: [{ port: 80 }] }] }))),
    };
    const inc = new IncrementalPolicyPlanner('node-1');
    const first = inc.plan(base);
    assert.deepEqual([first.full, first.replanned], [true, 180]);
    const before = planPolicyRuleset(first.plans);
    // x/np7 now lets p9 in instead of p8: only x/p7's plan changes.
    const changed = { ...base, policies: base.policies.map((np) => (np.metadata!.namespace === 'x' && np.metadata!.name === 'np7'
      ? policy('x', 'np7', { podSelector: { matchLabels: { pod: 'p7' } }, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'p9' } } }], ports: [{ port: 80 }] }] }) : np)) };
    const second = inc.plan(changed);
    assert.deepEqual([second.full, second.replanned], [false, 1]);
    assert.deepEqual(second.plans, new PolicyIndex(changed).planNode('node-1'));
    const d = diffRulesets(before, planPolicyRuleset(second.plans));
    assert.equal(d.full, false);
    assert.ok(d.text.trim().split('\n').length <= 8, d.text);
    assert.match(d.text, /ingress-10\.244\.1\.17 /);
  });
});
