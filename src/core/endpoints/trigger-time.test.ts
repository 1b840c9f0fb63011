import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TriggerTimeTracker, formatTriggerTime } from './trigger-time.js';
import { labelsChanged, podEndpointChanged, selectsPod } from './membership.js';
import { pod, service } from './fixtures.js';

test('first sync reports the Service creation; later ones the earliest pod change since the last sync; none when nothing changed', () => {
  const t = new TriggerTimeTracker();
  const s = service('web');
  const p1 = pod('a', 1, { readySince: '2025-01-01T00:10:00Z' });
  assert.equal(t.compute('default/web', s, [p1]), '2025-01-01T00:00:00Z');
  assert.equal(t.compute('default/web', s, [p1]), undefined);
  const p2 = pod('b', 2, { readySince: '2025-01-01T00:20:00Z' });
  const p1b = pod('a', 1, { readySince: '2025-01-01T00:15:00Z' });
  assert.equal(t.compute('default/web', s, [p1b, p2]), '2025-01-01T00:15:00Z');
  t.delete('default/web');
  assert.equal(t.compute('default/web', s, [p1b, p2]), '2025-01-01T00:00:00Z');
});

test('trigger times print as Go RFC3339Nano', () => {
  assert.equal(formatTriggerTime(Date.parse('2025-01-01T00:00:00.000Z')), '2025-01-01T00:00:00Z');
  assert.equal(formatTriggerTime(Date.parse('2025-01-01T00:00:00.120Z')), '2025-01-01T00:00:00.12Z');
});

test('selectors: none selects nothing, {} selects the whole namespace, otherwise every label must match', () => {
  const p = pod('a', 1, { labels: { app: 'web', tier: 'front' } });
  assert.equal(selectsPod(service('web'), p), true);
  assert.equal(selectsPod(service('x', { spec: { selector: { app: 'web', tier: 'back' } } }), p), false);
  assert.equal(selectsPod(service('x', { spec: { selector: undefined } }), p), false);
  assert.equal(selectsPod(service('x', { spec: { selector: {} } }), p), true);
  assert.equal(selectsPod(service('web', { metadata: { namespace: 'other' } }), p), false);
});

test('only changes that matter to endpoints count', () => {
  const a = pod('a', 1);
  const annotated = structuredClone(a);
  annotated.metadata.annotations = { x: 'y' };
  annotated.status.containerStatuses = [{ name: 'c', restartCount: 1 }];
  assert.equal(podEndpointChanged(a, annotated), false);
  assert.equal(podEndpointChanged(a, pod('a', 1, { ready: false })), true);
  assert.equal(podEndpointChanged(a, pod('a', 1, { terminating: true })), true);
  assert.equal(podEndpointChanged(a, pod('a', 2)), true);
  assert.equal(podEndpointChanged(a, pod('a', 1, { ports: [{ name: 'w', containerPort: 1 }] })), true);
  assert.equal(labelsChanged(a, pod('a', 1, { labels: { app: 'other' } })), true);
  assert.equal(labelsChanged(a, annotated), false);
});
