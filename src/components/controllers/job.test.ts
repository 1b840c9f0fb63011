// The Job and CronJob controllers against the real registry with every controller running. No nodes:
// the test plays the kubelet (pods succeed or fail when it says), and moves the controllers' clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject, KubeObject } from '../../core/api/object.js';
import { podTemplate } from './testing/fixtures.js';
import { registryCluster, setPodPhase } from './testing/registry-cluster.js';
import { settle, waitFor } from './testing/wait.js';

function job(name: string, spec: JsonObject = {}): KubeObject {
  const template = podTemplate({ app: name }, 'busybox');
  template.spec.restartPolicy = 'Never';
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: 'default' }, spec: { template, ...spec } } as KubeObject;
}

const conditionTypes = (j: JsonObject) => (j.status?.conditions ?? []).filter((c: JsonObject) => c.status === 'True').map((c: JsonObject) => c.type);

test('Job: 5 completions 2 at a time; a failing Job stops at backoffLimit; Indexed; suspend; deadline; TTL', async () => {
  // The controllers' clock runs with real time (pods finish in real time), moved ahead by `offset`.
  let offset = 0;
  const c = await registryCluster([], { jobs: { now: () => Date.now() + offset, backoffBaseMs: 20 } });
  const r = c.registry;
  const get = async (name: string) => await r.get('jobs.batch', 'default', name) as JsonObject;
  const running = async (name: string) => c.pods('default', (p) => p.metadata.labels?.['job-name'] === name && !p.status.phase?.match(/Succeeded|Failed/) && !p.metadata.deletionTimestamp);
  try {
    await r.create('jobs.batch', job('five', { completions: 5, parallelism: 2 }));
    let maxActive = 0;
    await waitFor(async () => {
      const pods = await running('five');
      maxActive = Math.max(maxActive, pods.length);
      if (pods.length) await setPodPhase(r, pods[0] as KubeObject, 'Succeeded');
      return conditionTypes(await get('five')).includes('Complete');
    }, 'five completions');
    const five = await get('five');
    assert.equal(maxActive, 2, 'parallelism 2');
    assert.equal(five.status.succeeded, 5);
    assert.deepEqual(conditionTypes(five), ['SuccessCriteriaMet', 'Complete']);
    assert.equal(five.status.conditions[1].reason, 'CompletionsReached');
    assert.ok(five.status.completionTime);
    assert.deepEqual(five.status.uncountedTerminatedPods, {});
    const pods = await c.pods('default', (p) => p.metadata.labels?.['job-name'] === 'five');
    assert.equal(pods.length, 5);
    assert.ok(pods.every((p) => !(p.metadata.finalizers ?? []).includes('batch.kubernetes.io/job-tracking')), 'counted pods let go');
    assert.equal(pods[0].metadata.labels['batch.kubernetes.io/controller-uid'], five.metadata.uid);

    // backoffLimit 1: the second failure fails the Job.
    await r.create('jobs.batch', job('fail', { backoffLimit: 1 }));
    await waitFor(async () => {
      const p = await running('fail');
      if (p.length) await setPodPhase(r, p[0] as KubeObject, 'Failed');
      return conditionTypes(await get('fail')).includes('Failed');
    }, 'backoff limit');
    const failed = await get('fail');
    assert.equal(failed.status.failed, 2);
    assert.deepEqual(conditionTypes(failed), ['FailureTarget', 'Failed']);
    const cond = failed.status.conditions.find((x: JsonObject) => x.type === 'Failed');
    assert.equal(cond.reason, 'BackoffLimitExceeded');
    assert.equal(cond.message, 'Job has reached the specified backoff limit');

    // Indexed: one pod per index, with JOB_COMPLETION_INDEX.
    await r.create('jobs.batch', job('idx', { completions: 3, parallelism: 3, completionMode: 'Indexed' }));
    await waitFor(async () => (await running('idx')).length === 3, 'three indexed pods');
    const idxPods = await running('idx');
    assert.deepEqual(idxPods.map((p) => p.metadata.annotations['batch.kubernetes.io/job-completion-index']).sort(), ['0', '1', '2']);
    assert.deepEqual(idxPods[0].spec.containers[0].env, [{ name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } }]);
    assert.equal(idxPods[0].spec.hostname, `idx-${idxPods[0].metadata.labels['batch.kubernetes.io/job-completion-index']}`);
    for (const p of idxPods.slice(0, 2)) await setPodPhase(r, p as KubeObject, 'Succeeded');
    await waitFor(async () => (await get('idx')).status.succeeded === 2, 'two indexes');
    assert.match((await get('idx')).status.completedIndexes, /^(0-1|0,2|1-2)$/);

    // Suspended: no pods; resumed: pods.
    await r.create('jobs.batch', job('later', { suspend: true }));
    await waitFor(async () => conditionTypes(await get('later')).includes('Suspended'), 'suspended');
    assert.equal((await running('later')).length, 0);
    await r.patch('jobs.batch', 'default', 'later', { spec: { suspend: false } }, 'merge');
    await waitFor(async () => (await running('later')).length === 1, 'resumed');

    // activeDeadlineSeconds, with the clock moved past it.
    await r.create('jobs.batch', job('slow', { activeDeadlineSeconds: 60, ttlSecondsAfterFinished: 30 }));
    await waitFor(async () => (await running('slow')).length === 1, 'slow running');
    offset += 61_000;
    await r.patch('jobs.batch', 'default', 'slow', { metadata: { labels: { poke: '1' } } }, 'merge');
    await waitFor(async () => conditionTypes(await get('slow')).includes('Failed'), 'deadline');
    assert.equal((await get('slow')).status.conditions.find((x: JsonObject) => x.type === 'Failed').reason, 'DeadlineExceeded');
    assert.equal((await running('slow')).length, 0, 'its pod is stopped');
    // ttlSecondsAfterFinished: gone once the clock passes it.
    offset += 31_000;
    await r.patch('jobs.batch', 'default', 'slow', { metadata: { labels: { poke: '2' } } }, 'merge');
    await waitFor(async () => !(await get('slow')), 'TTL deletion');
  } finally {
    await c.stop();
  }
});

test('CronJob: every minute a Job, history limits, Forbid', async () => {
  const start = Date.parse('2026-12-07T10:00:30Z');
  let clock = start;
  const c = await registryCluster([], { cronJobs: { now: () => clock }, jobs: { now: () => clock } });
  const r = c.registry;
  try {
    const template = podTemplate({ app: 'tick' }, 'busybox');
    template.spec.restartPolicy = 'OnFailure';
    await r.create('cronjobs.batch', { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'tick', namespace: 'default' },
      spec: { schedule: '* * * * *', timeZone: 'Etc/UTC', successfulJobsHistoryLimit: 2, concurrencyPolicy: 'Forbid', jobTemplate: { spec: { template } } } } as KubeObject);
    const jobs = async () => ((await r.list('jobs.batch', { namespace: 'default' })).items as JsonObject[]).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    const cj = async () => await r.get('cronjobs.batch', 'default', 'tick') as JsonObject;
    await settle(100);
    assert.equal((await jobs()).length, 0, 'nothing before the first activation');
    // Creation time is the real clock; activations count from it. Move to the minutes after.
    const created = Date.parse((await cj()).metadata.creationTimestamp);
    clock = Math.ceil((created + 1) / 60_000) * 60_000 + 1_000;
    for (let i = 0; i < 4; i++) {
      await r.patch('cronjobs.batch', 'default', 'tick', { metadata: { labels: { minute: String(i) } } }, 'merge');
      const name = `tick-${Math.floor((clock - 1_000) / 60_000)}`;
      await waitFor(async () => (await jobs()).some((j) => j.metadata.name === name), `job ${name}`);
      const st = (await cj()).status;
      assert.deepEqual(st.active.map((a: JsonObject) => a.name), [name]);
      assert.equal(st.lastScheduleTime, new Date(clock - 1_000).toISOString().replace(/\.\d{3}Z$/, 'Z'));
      const j = (await jobs()).find((x) => x.metadata.name === name)!;
      assert.equal(j.metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp'], st.lastScheduleTime);
      await waitFor(async () => (await c.pods('default', (p) => p.metadata.labels?.['job-name'] === name)).length === 1, 'its pod');
      const pod = (await c.pods('default', (p) => p.metadata.labels?.['job-name'] === name))[0];
      await setPodPhase(r, pod as KubeObject, 'Succeeded');
      await waitFor(async () => conditionTypes((await jobs()).find((x) => x.metadata.name === name) ?? {}).includes('Complete'), 'complete');
      clock += 60_000;
    }
    await r.patch('cronjobs.batch', 'default', 'tick', { metadata: { labels: { minute: 'last' } } }, 'merge');
    await waitFor(async () => (await jobs()).filter((j) => conditionTypes(j).includes('Complete')).length === 2, 'history limit 2');
    assert.ok((await cj()).status.lastSuccessfulTime);
    // Forbid: the next minute comes while the last Job still runs; nothing new starts.
    await waitFor(async () => (await cj()).status.active?.length === 1, 'one running');
    clock += 60_000;
    await r.patch('cronjobs.batch', 'default', 'tick', { metadata: { labels: { minute: 'forbid' } } }, 'merge');
    await settle(200);
    assert.equal((await jobs()).filter((j) => !conditionTypes(j).includes('Complete')).length, 1, 'Forbid skips while a Job runs');
  } finally {
    await c.stop();
  }
});
