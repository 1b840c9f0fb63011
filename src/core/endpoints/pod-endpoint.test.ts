import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressTypesFor, endpointKey, endpointsEqual, podToEndpoint, shouldPodBeInEndpoints } from './pod-endpoint.js';
import { pod, service } from './fixtures.js';

test('conditions matrix: ready, serving, terminating from pod readiness, deletion and publishNotReadyAddresses', () => {
  // [pod Ready, terminating, publishNotReadyAddresses] → [ready, serving, terminating], as upstream's podToEndpoint.
  const cases: Array<[boolean, boolean, boolean, [boolean, boolean, boolean]]> = [
    [true, false, false, [true, true, false]],
    [false, false, false, [false, false, false]],
    [true, true, false, [false, true, true]],
    [false, true, false, [false, false, true]],
    [true, false, true, [true, true, false]],
    [false, false, true, [true, false, false]],
    [true, true, true, [true, true, true]],
    [false, true, true, [true, false, true]],
  ];
  for (const [ready, terminating, pnra, want] of cases) {
    const s = service('web', { spec: { publishNotReadyAddresses: pnra } });
    const ep = podToEndpoint(pod('p', 1, { ready, terminating }), undefined, s, 'IPv4');
    assert.deepEqual([ep.conditions.ready, ep.conditions.serving, ep.conditions.terminating], want,
      `ready=${ready} terminating=${terminating} publishNotReadyAddresses=${pnra}`);
  }
});

test('which pods are endpoints: an IP, not finished; terminating only when asked', () => {
  assert.equal(shouldPodBeInEndpoints(pod('p', 1), false), true);
  assert.equal(shouldPodBeInEndpoints(pod('p', 1, { ip: null }), true), false);
  assert.equal(shouldPodBeInEndpoints(pod('p', 1, { phase: 'Succeeded' }), true), false);
  assert.equal(shouldPodBeInEndpoints(pod('p', 1, { phase: 'Failed' }), true), false);
  assert.equal(shouldPodBeInEndpoints(pod('p', 1, { terminating: true }), true), true);
  assert.equal(shouldPodBeInEndpoints(pod('p', 1, { terminating: true }), false), false);
  const onlyPodIP = pod('p', 1);
  delete onlyPodIP.status.podIPs;
  assert.equal(shouldPodBeInEndpoints(onlyPodIP, false), true, 'status.podIP alone is enough');
});

test('address types follow ipFamilies, else the ClusterIP, else both for headless', () => {
  assert.deepEqual(addressTypesFor(service('a')), ['IPv4']);
  assert.deepEqual(addressTypesFor(service('a', { spec: { ipFamilies: ['IPv6', 'IPv4'] } })), ['IPv6', 'IPv4']);
  assert.deepEqual(addressTypesFor(service('a', { spec: { ipFamilies: undefined, clusterIP: 'fd00::1' } })), ['IPv6']);
  assert.deepEqual(addressTypesFor(service('a', { spec: { ipFamilies: undefined, clusterIP: 'None' } })), ['IPv4', 'IPv6']);
  const dual = pod('p', 1);
  dual.status.podIPs.push({ ip: 'fd00::5' });
  assert.deepEqual(podToEndpoint(dual, undefined, service('a'), 'IPv6').addresses, ['fd00::5']);
});

test('endpoint identity is addresses, hostname and pod; equality sees every field', () => {
  const s = service('web');
  const a = podToEndpoint(pod('p', 1), undefined, s, 'IPv4');
  const b = podToEndpoint(pod('p', 1, { ready: false }), undefined, s, 'IPv4');
  assert.equal(endpointKey(a), endpointKey(b));
  assert.equal(endpointsEqual(a, b), false);
  assert.equal(endpointsEqual(a, structuredClone(a)), true);
  assert.notEqual(endpointKey(a), endpointKey(podToEndpoint(pod('q', 1), undefined, s, 'IPv4')));
  assert.equal(endpointsEqual(a, { ...structuredClone(a), zone: 'z' }), false);
});
