import { test } from 'node:test';
import assert from 'node:assert/strict';
import { all, testRegistry } from './testing/registry-cluster.js';
import type { Registry } from '../apiserver/registry.js';
import { EventTTLController, lastWrite } from './event-ttl.js';
import type { KubeObject } from '../../core/api/object.js';
import { planCluster } from '../../core/topology/plan.js';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString().replace('.000Z', 'Z');

function event(name: string, fields: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Event', metadata: { name, namespace: 'default' },
    involvedObject: { kind: 'Pod', namespace: 'default', name: 'p' }, reason: 'Test', message: name, type: 'Normal', ...fields,
  } as KubeObject;
}

test('events whose last write is older than the TTL are deleted; recently updated ones stay', async () => {
  const c = await testRegistry();
  // The memory client stamps creationTimestamp with the real clock; the sweeper gets its own clock.
  const ttl = 30_000;
  await c.create('events', event('old', { firstTimestamp: at(0), lastTimestamp: at(1), count: 1 }));
  await c.create('events', event('repeated', { firstTimestamp: at(0), lastTimestamp: at(50), count: 7 }));
  const createdAt = Date.parse((await c.get('events', 'default', 'old'))!.metadata.creationTimestamp!);
  const sweeper = new EventTTLController({ client: c, informers: undefined as never, log: () => undefined }, ttl, () => createdAt + ttl + 5_000);
  // Both were created "now" (creationTimestamp): a fresh write keeps an Event, whatever its own times say.
  assert.equal(await sweeper.sweep(), 2, 'created more than the TTL before the sweeper\'s clock');
  assert.equal((await c.list('events')).items.length, 0);

  await c.create('events', event('fresh', { lastTimestamp: new Date(createdAt + 20_000).toISOString() }));
  assert.equal(await sweeper.sweep(), 0, 'written 15 s before the sweeper\'s clock, under the 30 s TTL');
  assert.equal((await c.list('events')).items.length, 1);
});

test('lastWrite is the latest of the times an Event carries', () => {
  assert.equal(lastWrite({ metadata: { creationTimestamp: at(1) }, lastTimestamp: at(9), eventTime: '2026-01-01T00:00:05.000000Z' }), Date.parse(at(9)));
  assert.equal(lastWrite({ metadata: {}, series: { lastObservedTime: '2026-01-01T00:00:30.123456Z' } }), Date.parse('2026-01-01T00:00:30.123Z'));
  assert.ok(Number.isNaN(lastWrite({ metadata: {} })));
});

test('--event-ttl is checked by the cluster planner', () => {
  const plan = (eventTTL?: string) => planCluster({ name: 'ttl', eventTTL, underlayCIDR: '172.31.200.0/24', stateRoot: '/tmp/x' }, [], []);
  assert.equal(plan('90s').eventTTL, '90s');
  assert.equal(plan().eventTTL, undefined);
  assert.throws(() => plan('soon'), /invalid event TTL "soon": use --event-ttl/);
  assert.throws(() => plan('10ms'), /at least 1s/);
});
