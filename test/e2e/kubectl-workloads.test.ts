// The real kubectl against podnet's API server alone (no nodes: pods stay Pending) for what the workload
// kinds add to the API: discovery and short names, Tables with upstream's columns, defaulting,
// `kubectl rollout history|undo` through ControllerRevisions, `kubectl scale sts`, `kubectl create job
// [--from=cronjob/x]`, and the upstream errors for bad input, nothing stored.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.js';

let s: TestServer;
before(async () => { s = await startTestServer('kubectl-workloads'); });
after(async () => { await s?.cleanup(); });

async function ok(args: string[], input?: string): Promise<string> {
  const r = await s.kubectl(args, input);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}\n${r.stdout}\nserver log:\n${s.logs().slice(-2000)}`);
  return r.stdout;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function eventually<T>(what: string, f: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 200; i++) { const v = await f(); if (v !== undefined) return v; await sleep(100); }
  throw new Error(`timed out waiting for ${what}`);
}

test('discovery: short names and categories of the workload kinds', async () => {
  const out = await ok(['api-resources', '--api-group=apps', '-o', 'wide']);
  assert.match(out, /daemonsets\s+ds\s+apps\/v1\s+true\s+DaemonSet\s+create,delete,deletecollection,get,list,patch,update,watch\s+all/);
  assert.match(out, /statefulsets\s+sts\s+apps\/v1\s+true\s+StatefulSet/);
  assert.match(out, /controllerrevisions\s+apps\/v1\s+true\s+ControllerRevision/);
  const batch = await ok(['api-resources', '--api-group=batch']);
  assert.match(batch, /cronjobs\s+cj\s+batch\/v1\s+true\s+CronJob/);
  assert.match(batch, /jobs\s+batch\/v1\s+true\s+Job/);
});

test('DaemonSet and StatefulSet: rollout history and undo through ControllerRevisions; scale', async () => {
  await ok(['apply', '-f', '-'], `apiVersion: apps/v1
kind: DaemonSet
metadata: { name: agent }
spec:
  selector: { matchLabels: { app: agent } }
  template:
    metadata: { labels: { app: agent } }
    spec: { containers: [{ name: c, image: nginx }] }
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: web }
spec:
  serviceName: nginx
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: c, image: nginx }] }
`);
  // No nodes: the DaemonSet wants no pod and is rolled out at once.
  assert.match(await ok(['rollout', 'status', 'ds/agent', '--timeout=30s']), /daemon set "agent" successfully rolled out/);
  await ok(['set', 'image', 'ds/agent', 'c=nginx:1.27']);
  await eventually('revision 2', async () => ((await ok(['get', 'controllerrevisions', '-l', 'app=agent', '-o', 'name'])).trim().split('\n').length === 2 ? true : undefined));
  assert.match(await ok(['rollout', 'history', 'ds/agent']), /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
  assert.match(await ok(['rollout', 'history', 'ds/agent', '--revision=1']), /Image:\s+nginx\n/);
  assert.match(await ok(['rollout', 'undo', 'ds/agent']), /daemonset.apps\/agent rolled back/);
  assert.equal(await ok(['get', 'ds', 'agent', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']), 'nginx');
  await eventually('revision 1 renumbered 3', async () => (/agent-\w+\s+daemonset\.apps\/agent\s+3\s/.test(await ok(['get', 'controllerrevisions'])) ? true : undefined));
  const ds = await ok(['get', 'ds', 'agent', '-o', 'wide']);
  assert.match(ds, /^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR\nagent\s+0\s+0\s+0\s+0\s+0\s+<none>\s+\S+\s+c\s+nginx\s+app=agent\n$/);

  // StatefulSet: web-0 is created, web-1 waits for it (no node will ever run it).
  await eventually('web-0', async () => ((await ok(['get', 'pods', '-o', 'name'])).includes('pod/web-0') ? true : undefined));
  await sleep(500);
  assert.doesNotMatch(await ok(['get', 'pods', '-o', 'name']), /web-1/);
  assert.equal(await ok(['get', 'pod', 'web-0', '-o', 'jsonpath={.spec.hostname}.{.spec.subdomain} {.metadata.labels.statefulset\\.kubernetes\\.io/pod-name}']), 'web-0.nginx web-0');
  assert.match(await ok(['get', 'sts', '-o', 'wide']), /^NAME\s+READY\s+AGE\s+CONTAINERS\s+IMAGES\nweb\s+0\/2\s+\S+\s+c\s+nginx\n$/);
  assert.match(await ok(['scale', 'sts', 'web', '--replicas=5']), /statefulset.apps\/web scaled/);
  assert.equal(await ok(['get', 'sts', 'web', '-o', 'jsonpath={.spec.replicas}']), '5');
  assert.match(await ok(['rollout', 'history', 'sts/web']), /REVISION\s+CHANGE-CAUSE\n1\s+<none>/);
  await ok(['delete', 'sts/web', 'ds/agent']);
});

test('Job and CronJob: create job, create job --from=cronjob, Tables, defaults', async () => {
  await ok(['create', 'cronjob', 'tick', '--image=busybox', '--schedule=*/5 * * * *', '--', 'echo', 'tick']);
  const cj = JSON.parse(await ok(['get', 'cj', 'tick', '-o', 'json']));
  assert.deepEqual([cj.spec.concurrencyPolicy, cj.spec.suspend, cj.spec.successfulJobsHistoryLimit, cj.spec.failedJobsHistoryLimit], ['Allow', false, 3, 1]);
  assert.match(await ok(['get', 'cronjobs', '-o', 'wide']), /^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR\ntick\s+\*\/5 \* \* \* \*\s+<none>\s+False\s+0\s+<none>\s+\S+\s+tick\s+busybox\s+<none>\n$/);
  await ok(['create', 'job', 'manual', '--from=cronjob/tick']);
  const job = JSON.parse(await ok(['get', 'job', 'manual', '-o', 'json']));
  assert.equal(job.metadata.ownerReferences[0].kind, 'CronJob');
  assert.equal(job.metadata.annotations['cronjob.kubernetes.io/instantiate'], 'manual');
  assert.deepEqual(job.spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': job.metadata.uid } });
  assert.equal(job.spec.template.metadata.labels['job-name'], 'manual');
  assert.deepEqual([job.spec.completions, job.spec.parallelism, job.spec.backoffLimit, job.spec.completionMode], [1, 1, 6, 'NonIndexed']);
  await ok(['create', 'job', 'plain', '--image=busybox', '--', 'true']);
  await eventually('a pod of job plain', async () => ((await ok(['get', 'pods', '-l', 'job-name=plain', '-o', 'name'])).trim() ? true : undefined));
  assert.match(await ok(['get', 'jobs', '-o', 'wide']), /^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR\n/);
  assert.match(await ok(['get', 'job', 'plain']), /\nplain\s+Running\s+0\/1\s+\S+\s+\S+\n$/);
});

test('bad input: upstream validation errors for each kind, nothing stored', async () => {
  const cases: Array<[string, string, string, RegExp]> = [
    ['ds', 'bad-ds', `apiVersion: apps/v1
kind: DaemonSet
metadata: { name: bad-ds }
spec:
  selector: { matchLabels: { app: a } }
  template: { metadata: { labels: { app: b } }, spec: { containers: [{ name: c, image: nginx }] } }`,
    /The DaemonSet "bad-ds" is invalid: spec.template.metadata.labels: Invalid value: map\[string\]string\{"app":"b"\}: `selector` does not match template `labels`/],
    ['sts', 'bad-sts', `apiVersion: apps/v1
kind: StatefulSet
metadata: { name: bad-sts }
spec:
  replicas: -1
  selector: { matchLabels: { app: a } }
  template: { metadata: { labels: { app: a } }, spec: { containers: [{ name: c, image: nginx }] } }`,
    /spec.replicas: Invalid value: -1: must be greater than or equal to 0/],
    ['job', 'bad-job', `apiVersion: batch/v1
kind: Job
metadata: { name: bad-job }
spec:
  parallelism: -1
  template: { spec: { restartPolicy: Never, containers: [{ name: c, image: busybox }] } }`,
    /The Job "bad-job" is invalid: spec.parallelism: Invalid value: -1: must be greater than or equal to 0/],
    ['job', 'bad-restart', `apiVersion: batch/v1
kind: Job
metadata: { name: bad-restart }
spec:
  template: { spec: { containers: [{ name: c, image: busybox }] } }`,
    /spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"/],
    ['cronjob', 'bad-cron', `apiVersion: batch/v1
kind: CronJob
metadata: { name: bad-cron }
spec:
  schedule: "61 * * * *"
  jobTemplate: { spec: { template: { spec: { restartPolicy: Never, containers: [{ name: c, image: busybox }] } } } }`,
    /The CronJob "bad-cron" is invalid: spec.schedule: Invalid value: "61 \* \* \* \*": end of range \(61\) above maximum \(59\): 61/],
    ['cronjob', 'bad-tz', `apiVersion: batch/v1
kind: CronJob
metadata: { name: bad-tz }
spec:
  schedule: "@hourly"
  timeZone: Mars/Olympus
  jobTemplate: { spec: { template: { spec: { restartPolicy: Never, containers: [{ name: c, image: busybox }] } } } }`,
    /spec.timeZone: Invalid value: "Mars\/Olympus": unknown time zone Mars\/Olympus/],
    ['sts', 'db', `apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db }
spec:
  serviceName: db
  selector: { matchLabels: { app: db } }
  template: { metadata: { labels: { app: db } }, spec: { containers: [{ name: c, image: nginx }] } }
  volumeClaimTemplates: [{ metadata: { name: data }, spec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 1Gi } } } }]`,
    /spec.volumeClaimTemplates: Forbidden: podnet has no storage/],
  ];
  for (const [kind, name, yaml, message] of cases) {
    const r = await s.kubectl(['apply', '-f', '-'], yaml);
    assert.notEqual(r.code, 0, name);
    assert.match(r.stderr, message, r.stderr);
    const get = await s.kubectl(['get', kind, name]);
    assert.match(get.stderr, /NotFound/, name);
  }
});
