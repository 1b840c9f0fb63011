// Leader election on the real registry (a Lease in kube-system, 409 on a stale resourceVersion): one
// leader among candidates, the Lease's fields as client-go writes them, a graceful stop hands over at
// once, and a leader that can no longer reach the datastore stops its controllers while another takes
// over once the lease has run out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from '../apiserver/registry.js';
import { NamespaceLifecycle } from '../apiserver/namespace-lifecycle.js';
import { MemoryStore } from '../store/index.js';
import type { ApiClient } from '../../core/api/client.js';
import type { JsonObject, KubeObject } from '../../core/api/object.js';
import { LeaderElector, validateLeaderElection } from './leader-election.js';
import { waitFor } from './testing/wait.js';

// Short times so the test runs quickly; the relations client-go checks still hold.
const FAST = { leaseDurationSeconds: 1, renewDeadlineSeconds: 0.6, retryPeriodSeconds: 0.1 };

async function registry(): Promise<Registry> {
  const r = new Registry(new MemoryStore());
  r.use(new NamespaceLifecycle(r));
  await r.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } } as KubeObject);
  return r;
}

/** A candidate whose "controllers" record when they run; `cut` makes its datastore unreachable. */
function candidate(client: ApiClient, identity: string, log: string[]) {
  let cut = false;
  const reachable: Pick<ApiClient, 'get' | 'create' | 'update'> = {
    get: (...a) => cut ? Promise.reject(new Error('connection refused')) : client.get(...a),
    create: (...a) => cut ? Promise.reject(new Error('connection refused')) : client.create(...a),
    update: (...a) => cut ? Promise.reject(new Error('connection refused')) : client.update(...a),
  };
  const state = { running: false };
  const elector = new LeaderElector({
    client: reachable, identity, ...FAST,
    onStartedLeading: async () => { state.running = true; log.push(`${identity} started`); return { stop: async () => { state.running = false; log.push(`${identity} stopped`); } }; },
  });
  return { elector, state, cut: () => { cut = true; } };
}

const lease = async (r: Registry) => (await r.get('leases.coordination.k8s.io', 'kube-system', 'kube-controller-manager')) as JsonObject;

test('one leader at a time; a graceful stop hands over at once; a cut-off leader stops and another takes over', async () => {
  const r = await registry();
  const log: string[] = [];
  const a = candidate(r, 'server-1', log), b = candidate(r, 'server-2', log), c = candidate(r, 'server-3', log);
  await a.elector.start();
  await Promise.all([b.elector.start(), c.elector.start()]);
  try {
    assert.ok(a.state.running && !b.state.running && !c.state.running, 'the first candidate leads alone');
    let l = await lease(r);
    assert.equal(l.spec.holderIdentity, 'server-1');
    assert.equal(l.spec.leaseDurationSeconds, 1);
    assert.equal(l.spec.leaseTransitions, 0);
    assert.match(l.spec.acquireTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/, 'MicroTime');
    const acquired = l.spec.acquireTime;
    await waitFor(async () => (await lease(r)).spec.renewTime !== l.spec.renewTime, 'a renewal');
    l = await lease(r);
    assert.equal(l.spec.acquireTime, acquired, 'renewing keeps acquireTime');
    assert.equal(l.spec.leaseTransitions, 0);

    await a.elector.stop();
    assert.ok(!a.state.running);
    await waitFor(() => b.state.running || c.state.running, 'a new leader after the release');
    assert.ok(!(b.state.running && c.state.running), 'only one of the others leads');
    l = await lease(r);
    assert.equal(l.spec.leaseTransitions, 1, 'the takeover is a transition (the release keeps the count, as client-go)');
    const [leader, other] = b.state.running ? [b, c] : [c, b];

    leader.cut();
    await waitFor(() => !leader.state.running, 'the cut-off leader stops its controllers', 5000);
    await waitFor(() => other.state.running, 'the last candidate takes over once the lease ran out', 5000);
    assert.equal((await lease(r)).spec.holderIdentity, other === b ? 'server-2' : 'server-3');
    assert.equal((await lease(r)).spec.leaseTransitions, 2);
  } finally {
    await Promise.all([a.elector.stop(), b.elector.stop(), c.elector.stop()]);
  }
  const starts = log.filter((l) => l.endsWith('started')).length;
  assert.equal(starts, 3, log.join('\n'));
});

test('a restarted process with the same identity renews its own Lease at once', async () => {
  const r = await registry();
  const log: string[] = [];
  const first = candidate(r, 'server-1', log);
  await first.elector.start();
  first.cut(); // dies without releasing, as after kill -9
  const second = candidate(r, 'server-1', log);
  await second.elector.start();
  try {
    assert.ok(second.state.running, 'no wait for the lease to run out');
  } finally {
    await Promise.all([first.elector.stop(), second.elector.stop()]);
  }
});

test('the timing relations client-go requires', () => {
  assert.throws(() => validateLeaderElection({ leaseDurationSeconds: 10, renewDeadlineSeconds: 10, retryPeriodSeconds: 2 }), /greater than the renew deadline/);
  assert.throws(() => validateLeaderElection({ leaseDurationSeconds: 15, renewDeadlineSeconds: 2, retryPeriodSeconds: 2 }), /retry period × 1.2/);
  assert.throws(() => validateLeaderElection({ leaseDurationSeconds: 0, renewDeadlineSeconds: 2, retryPeriodSeconds: 1 }), /greater than zero/);
  validateLeaderElection({ leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2 });
});
