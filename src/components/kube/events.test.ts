import { test } from 'node:test';
import assert from 'node:assert/strict';
import { all, testRegistry } from '../controllers/testing/registry-cluster.js';
import type { Registry } from '../apiserver/registry.js';
import { EventRecorder, recordEvent } from './events.js';
import type { JsonObject, KubeObject } from '../../core/api/object.js';

const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'team', uid: 'u-1', resourceVersion: '7' } };

test('an event is named <object>.<hex>, lives in the object namespace and references it', async () => {
  const c = await testRegistry({ namespaces: ['default', 'team'] });
  await recordEvent(c, pod, 'Warning', 'FailedScheduling', 'no nodes available to schedule pods', { component: 'default-scheduler' });
  const [e] = (await all(c, 'events')) as JsonObject[];
  assert.match(e.metadata.name, /^web-1\.[0-9a-f]{16,}$/);
  assert.equal(e.metadata.namespace, 'team');
  assert.deepEqual(e.involvedObject, { kind: 'Pod', apiVersion: 'v1', name: 'web-1', namespace: 'team', uid: 'u-1', resourceVersion: '7' });
  assert.equal(e.type, 'Warning');
  assert.equal(e.reason, 'FailedScheduling');
  assert.equal(e.count, 1);
  assert.equal(e.firstTimestamp, e.lastTimestamp);
  assert.deepEqual(e.source, { component: 'default-scheduler' });
  assert.equal(e.reportingComponent, 'default-scheduler');
});

test('repeats are aggregated into count and lastTimestamp; different messages are separate events', async () => {
  const c = await testRegistry({ namespaces: ['default', 'team'] });
  const r = new EventRecorder(c, { component: 'x' });
  for (let i = 0; i < 3; i++) r.event(pod, 'Normal', 'Pulled', 'same');
  r.event(pod, 'Normal', 'Pulled', 'other');
  await r.flush();
  const events = (await all(c, 'events')) as JsonObject[];
  assert.equal(events.length, 2);
  assert.equal(events.find((e) => e.message === 'same')!.count, 3);
  assert.equal(events.find((e) => e.message === 'other')!.count, 1);
  // A deleted event is recreated rather than lost.
  const same = events.find((e) => e.message === 'same')!;
  await c.delete('events', same.metadata.namespace, same.metadata.name);
  r.event(pod, 'Normal', 'Pulled', 'same');
  await r.flush();
  assert.equal(((await all(c, 'events')) as JsonObject[]).find((e) => e.message === 'same')!.count, 1);
});

test('cluster-scoped objects: events go to default; node events carry the node name as uid', async () => {
  const c = await testRegistry({ namespaces: ['default', 'team'] });
  await recordEvent(c, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', uid: 'real-uid' } }, 'Normal', 'CIDRNotAvailable', 'm', { component: 'cidrAllocator' });
  const [e] = (await all(c, 'events')) as JsonObject[];
  assert.equal(e.metadata.namespace, 'default');
  assert.equal(e.involvedObject.uid, 'node-1');
  assert.equal(e.involvedObject.namespace, undefined);
});

test('a failed write is logged and dropped, never thrown', async () => {
  const c = await testRegistry({ namespaces: ['default', 'team'] });
  await c.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gone' } });
  const logs: string[] = [];
  const r = new EventRecorder(c, { component: 'x' }, (l) => logs.push(l));
  r.event({ kind: 'Pod', name: 'p', namespace: 'gone', uid: 'u' }, 'Normal', 'R', 'm');
  await r.flush();
  assert.equal(logs.length, 0);
  const bad = { ...c, create: async () => { throw new Error('store down'); }, get: c.get.bind(c) } as unknown as Registry;
  const r2 = new EventRecorder(bad, { component: 'x' }, (l) => logs.push(l));
  r2.event(pod, 'Normal', 'R', 'm');
  await r2.flush();
  assert.match(logs[0], /event R for Pod team\/web-1 dropped: store down/);
});
