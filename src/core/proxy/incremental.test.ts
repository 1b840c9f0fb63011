// IncrementalPlanner must produce exactly what planning from scratch produces, and a change that is
// exactly the diff between the two full plans, for any sequence of Service and EndpointSlice changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffRulesets } from '../nft/diff.js';
import { endpoint, endpointSlice, offsetIP, service, syntheticCluster } from './fixtures.js';
import { IncrementalPlanner, planServiceRules } from './planner.js';
import { renderElement, renderRuleBody, renderRuleset } from '../nft/render.js';
import type { Ruleset } from '../nft/ruleset.js';
import type { EndpointSlice, ProxyOptions, Service } from './types.js';

const NODE = { name: 'node-0', ips: ['172.31.250.11'], podCIDR: '10.244.0.0/24', clusterCIDR: '10.244.0.0/16' };

/** The table as sorted text, independent of insertion order. */
function canonical(rs: Ruleset): string[] {
  const out: string[] = [];
  for (const s of rs.sets.values()) {
    out.push(`set ${s.name} ${s.type} ${s.flags ?? ''} ${s.timeout ?? ''}`);
    for (const e of s.elements.values()) out.push(`  ${s.name} ${renderElement(e)}`);
  }
  for (const c of rs.chains.values()) {
    out.push(`chain ${c.name} ${JSON.stringify(c.base ?? null)} ${c.comment ?? ''}`);
    c.rules.forEach((r, i) => out.push(`  ${c.name} #${i} ${renderRuleBody(r)}`));
  }
  return out.sort();
}

/** A deterministic pseudo-random sequence (no flaky tests). */
function rng(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

function mutate(random: () => number, services: Service[], slices: EndpointSlice[], step: number): [Service[], EndpointSlice[]] {
  const i = Math.floor(random() * services.length);
  const name = services[i]?.metadata.name;
  const sliceIdx = slices.findIndex((s) => s.metadata.labels?.['kubernetes.io/service-name'] === name && s.metadata.namespace === services[i].metadata.namespace);
  const eps = (n: number, base: number) => Array.from({ length: n }, (_, k) => endpoint(offsetIP('10.244', base + k + 1), `node-${(base + k) % 3}`));
  switch (Math.floor(random() * 8)) {
    case 0: { // new service, sometimes with affinity or a NodePort with policy Local
      const n = `new-${step}`;
      const spec: Service['spec'] = { clusterIP: offsetIP('10.100', step + 1), ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }] };
      if (step % 3 === 0) Object.assign(spec, { sessionAffinity: 'ClientIP' });
      if (step % 3 === 1) Object.assign(spec, { type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30000 + step }] });
      return [[...services, service('inc', n, spec)], [...slices, endpointSlice('inc', n, [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }], eps(1 + step % 4, 5000 + step * 8))]];
    }
    case 1: // delete a service (its slice stays, as during a controller lag)
      return [services.filter((_, k) => k !== i), slices];
    case 2: case 3: // endpoints change: scale to 0..5, sometimes local, sometimes terminating
      if (sliceIdx < 0) return [services, slices];
      return [services, slices.map((s, k) => k !== sliceIdx ? s : { ...s, endpoints: eps(Math.floor(random() * 6), 9000 + step * 8)
        .map((e, j) => j === 0 && step % 2 ? { ...e, conditions: { ready: false, serving: true, terminating: true } } : e) })];
    case 4: // a service object replaced without change (informer resync)
      return [services.map((s, k) => k === i ? { ...s } : s), slices];
    case 5: // internal traffic policy flip
      return [services.map((s, k) => k === i ? { ...s, spec: { ...s.spec, internalTrafficPolicy: s.spec?.internalTrafficPolicy === 'Local' ? 'Cluster' : 'Local' } } : s), slices];
    case 6: { // two services claiming one externalIP (a conflict: full re-plans until it is resolved), or the fix
      const conflict = services.some((s) => s.spec?.externalIPs?.length);
      return [services.map((s, k) => conflict ? (s.spec?.externalIPs?.length ? { ...s, spec: { ...s.spec, externalIPs: [] } } : s)
        : (k === i || k === (i + 1) % services.length) ? { ...s, spec: { ...s.spec, externalIPs: ['203.0.113.7'] } } : s), slices];
    }
    default: // slice deleted
      return [services, slices.filter((_, k) => k !== sliceIdx)];
  }
}

for (const layout of ['maps', 'chains'] as const) {
  test(`${layout}: 150 random changes: incremental plan == full plan, change == diff of full plans`, () => {
    const options: ProxyOptions = { layout, serviceCIDRs: ['10.96.0.0/12'] };
    const base = syntheticCluster(60, 3);
    let services = base.services;
    let slices = base.endpointSlices;
    const planner = new IncrementalPlanner();
    const random = rng(layout === 'maps' ? 7 : 11);
    let prevFull = planServiceRules({ services, endpointSlices: slices, node: NODE, options });
    const first = planner.plan({ services, endpointSlices: slices, node: NODE, options });
    assert.equal(first.change.full, true);
    assert.equal(first.change.text, renderRuleset(first.ruleset));
    let partial = 0;
    for (let step = 0; step < 150; step++) {
      [services, slices] = mutate(random, services, slices, step);
      const inc = planner.plan({ services, endpointSlices: slices, node: NODE, options });
      const full = planServiceRules({ services, endpointSlices: slices, node: NODE, options });
      assert.deepEqual(canonical(inc.ruleset), canonical(full), `step ${step}`);
      assert.deepEqual(inc.ruleset.warnings, full.warnings);
      const want = diffRulesets(prevFull, full);
      assert.equal(inc.change.full, want.full, `step ${step}`);
      assert.deepEqual(inc.change.text.split('\n').sort(), want.text.split('\n').sort(), `step ${step}`);
      if (inc.change.replanned < services.length) partial++;
      prevFull = full;
    }
    assert.ok(partial > 50, `only ${partial} of 150 plans were partial`);
  });
}

test('a change of node or options re-plans everything; generations chain', () => {
  const { services, endpointSlices } = syntheticCluster(20, 2);
  const planner = new IncrementalPlanner();
  const a = planner.plan({ services, endpointSlices, node: NODE });
  const b = planner.plan({ services, endpointSlices, node: NODE });
  assert.deepEqual([b.change.from, b.change.to, b.change.text, b.change.replanned], [a.change.to, a.change.to + 1, '', 0]);
  const c = planner.plan({ services, endpointSlices, node: { ...NODE, ips: ['172.31.250.99'] } });
  assert.equal(c.change.replanned, 20);
  assert.match(c.change.text, /172\.31\.250\.99/);
  assert.equal(c.change.full, false, 'still a minimal transaction, computed by diffing two full plans');
});
