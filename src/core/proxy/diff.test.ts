import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffRulesets } from '../nft/diff.js';
import { endpoint, endpointSlice, service, syntheticCluster } from './fixtures.js';
import { planServiceRules } from './planner.js';
import { renderRuleset } from '../nft/render.js';
import type { EndpointSlice, ProxyOptions, Service } from './types.js';

const NODE = { name: 'node-0', ips: ['172.31.250.11'], podCIDR: '10.244.0.0/24', clusterCIDR: '10.244.0.0/16' };
const plan = (services: Service[], slices: EndpointSlice[], options?: ProxyOptions) =>
  planServiceRules({ services, endpointSlices: slices, node: NODE, options });
const lines = (text: string) => text.split('\n').filter(Boolean);

for (const layout of ['maps', 'chains'] as const) {
  const base = syntheticCluster(1000, 3);

  test(`${layout}: no change, no transaction; first sync is the full table`, () => {
    const a = plan(base.services, base.endpointSlices, { layout });
    const b = plan(base.services, base.endpointSlices, { layout });
    assert.deepEqual(diffRulesets(a, b), { text: '', full: false });
    const first = diffRulesets(undefined, a);
    assert.equal(first.full, true);
    assert.equal(first.text, renderRuleset(a));
    assert.match(first.text, /^add table ip podnet\ndelete table ip podnet\nadd table ip podnet\n/);
  });

  test(`${layout}: one new Service among 1,000 is a few lines that name only it`, () => {
    const a = plan(base.services, base.endpointSlices, { layout });
    const svc = service('bench', 'new', { clusterIP: '10.100.0.1', ports: [{ name: 'http', port: 80 }] });
    const slice = endpointSlice('bench', 'new', [{ name: 'http', port: 80 }], [endpoint('10.250.0.1', 'node-1'), endpoint('10.250.0.2', 'node-1'), endpoint('10.250.0.3', 'node-2')]);
    const b = plan([...base.services, svc], [...base.endpointSlices, slice], { layout });
    const d = diffRulesets(a, b);
    assert.equal(d.full, false);
    const l = lines(d.text);
    assert.ok(l.length <= (layout === 'maps' ? 4 : 16), d.text);
    assert.ok(l.every((x) => !x.startsWith('delete') && !x.startsWith('flush')), d.text);
    assert.match(d.text, /10\.100\.0\.1 \. tcp \. 80/);
    // And back: removing it deletes exactly what was added.
    const back = lines(diffRulesets(b, a).text);
    assert.ok(back.every((x) => x.startsWith('delete') || x.startsWith('flush')), back.join('\n'));
  });

  test(`${layout}: an endpoint change touches only that service`, () => {
    const a = plan(base.services, base.endpointSlices, { layout });
    const slices = base.endpointSlices.map((s, i) => i !== 7 ? s : { ...s, endpoints: s.endpoints!.slice(1) });
    const d = diffRulesets(a, plan(base.services, slices, { layout }));
    const svcIP = base.services[7].spec!.clusterIP!;
    const removed = base.endpointSlices[7].endpoints![0].addresses[0];
    assert.ok(d.text.includes(svcIP) || d.text.includes('bench/svc-7/'), d.text);
    assert.ok(lines(d.text).length <= 8, d.text);
    assert.ok(!d.text.includes('svc-8'), d.text);
    if (layout === 'chains') assert.match(d.text, new RegExp(`delete chain ip podnet endpoint-\\w+-bench/svc-7/tcp/http__${removed.replace(/\./g, '\\.')}/8080`));
    else assert.match(d.text, /goto clusterip-tcp-2/);
  });
}

test('transaction order: chains and sets exist before use, are unreferenced before deletion', () => {
  const svc = (timeout: number) => service('d', 's', { clusterIP: '10.96.0.5', sessionAffinity: 'ClientIP',
    sessionAffinityConfig: { clientIP: { timeoutSeconds: timeout } }, ports: [{ port: 80 }] });
  const slices = [endpointSlice('d', 's', [{ port: 80 }], [endpoint('10.244.1.2', 'node-1')])];
  const a = plan([svc(60)], slices);
  const b = plan([svc(120)], slices);
  const l = lines(diffRulesets(a, b).text);
  const idx = (re: RegExp) => l.findIndex((x) => re.test(x));
  // The affinity set is renamed (timeout is part of its name): new set added first, old deleted last.
  assert.ok(idx(/^add set .*affinity-/) < idx(/^add rule .*update @affinity-/));
  assert.ok(idx(/^flush chain .*endpoint-/) < idx(/^delete set .*affinity-/));
  assert.equal(idx(/^delete set/), l.length - 1);
});

test('a changed set definition or base chain falls back to the full table', () => {
  const { services, endpointSlices } = syntheticCluster(3, 2);
  const a = plan(services, endpointSlices);
  const b = plan(services, endpointSlices);
  b.sets.get('cluster-ips')!.comment = 'changed';
  assert.equal(diffRulesets(a, b).full, true);
  const c = plan(services, endpointSlices);
  c.chains.get('nat-output')!.base!.priority = -99;
  assert.equal(diffRulesets(a, c).full, true);
  assert.equal(diffRulesets(a, plan(services, endpointSlices, { table: 'other' })).full, true);
});

test('a changed map value is a delete and an add of that element', () => {
  const { services, endpointSlices } = syntheticCluster(2, 2);
  const a = plan(services, endpointSlices);
  const moved = endpointSlices.map((s, i) => i ? s : { ...s, endpoints: [endpoint('10.244.9.9', 'node-1'), ...s.endpoints!.slice(1)] });
  const l = lines(diffRulesets(a, plan(services, moved)).text);
  assert.deepEqual(l.filter((x) => x.includes(' endpoints-tcp ')).map((x) => x.split(' {')[0]), [
    'delete element ip podnet endpoints-tcp', 'add element ip podnet endpoints-tcp',
  ]);
});
