// End to end: the workload kinds real manifests use, through the real kubectl on one shared 3-node
// cluster (wl-e2e, underlay 172.31.230.0/24, private state root and kubeconfig). A DaemonSet lands one
// pod per node, follows a NoExecute taint, rolls an image node by node, and rolls back; a StatefulSet
// `web` behind the headless Service `nginx` starts in order and its pods resolve and answer by stable
// name from another pod, also after one is replaced; Jobs complete, fail at backoffLimit, log; a
// CronJob fires once. (Bad input, Tables and rollout history/undo without nodes: kubectl-workloads.test.ts.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { requireRoot } from '../../src/linux/exec.js';
import { e2eCluster } from '../support/e2e-cluster.js';

const cluster = 'wl-e2e';
const underlay = '172.31.230.0/24';
const { podnet, kubectl, show, ok, apply, waitFor } = e2eCluster(cluster);
const json = async (...args: string[]) => JSON.parse(await ok(...args, '-o', 'json'));

before(async () => {
  requireRoot('the workloads end-to-end test');
  const up = await podnet('up', '--name', cluster, '--nodes', '3', '--underlay-cidr', underlay);
  assert.equal(up.code, 0, show(up));
  // Started first: it fires at the next minute while the other tests run.
  await apply(`apiVersion: batch/v1
kind: CronJob
metadata: { name: tick }
spec:
  schedule: "* * * * *"
  successfulJobsHistoryLimit: 3
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{ name: c, image: busybox, command: [sh, -c, 'echo tick'] }]
`);
});

after(async () => {
  const down = await podnet('down', '--name', cluster);
  assert.equal(down.code, 0, show(down));
});

const nodesOf = async (selector: string) => ((await json('get', 'pods', '-l', selector)).items as any[])
  .filter((p) => !p.metadata.deletionTimestamp).map((p) => p.spec.nodeName as string).sort();

test('node agents are mirror pods in kube-system: listed per node, their logs, back after deletion', async () => {
  const nodes = ((await json('get', 'nodes')).items as any[]).map((n) => n.metadata.name as string).sort();
  const agents = await waitFor('one running agent pod per node', async () => {
    const pods = ((await json('get', 'pods', '-n', 'kube-system', '-l', 'k8s-app=podnet-agent')).items as any[]);
    return pods.length === nodes.length && pods.every((p) => p.status.phase === 'Running') ? pods : undefined;
  }, 60_000);
  for (const p of agents) {
    assert.equal(p.metadata.name, `podnet-agent-${p.spec.nodeName}`);
    assert.equal(p.spec.hostNetwork, true);
    assert.ok(p.metadata.annotations['kubernetes.io/config.mirror']);
    assert.deepEqual([p.metadata.ownerReferences[0].kind, p.metadata.ownerReferences[0].name], ['Node', p.spec.nodeName]);
  }
  const wide = await ok('get', 'pods', '-n', 'kube-system', '-o', 'wide');
  for (const n of nodes) assert.match(wide, new RegExp(`podnet-agent-${n}\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+[\\d.]+\\s+${n}`));
  assert.match(wide, /coredns-/);
  assert.match(await ok('logs', '-n', 'kube-system', `podnet-agent-${nodes[0]}`, '--tail=200'), new RegExp(`registered node ${nodes[0]}`));
  const uid = agents.find((p) => p.spec.nodeName === nodes[0]).metadata.uid;
  await ok('delete', 'pod', '-n', 'kube-system', `podnet-agent-${nodes[0]}`);
  await waitFor('the mirror pod back', async () => {
    const r = await kubectl('get', 'pod', '-n', 'kube-system', `podnet-agent-${nodes[0]}`, '-o', 'json');
    if (r.code !== 0) return undefined;
    const p = JSON.parse(r.stdout);
    return p.metadata.uid !== uid && !p.metadata.deletionTimestamp && p.status.phase === 'Running' ? true : undefined;
  }, 60_000);
});

test('DaemonSet: one pod per node, follows a taint, rolls an image one node at a time, rolls back', async () => {
  await apply(`apiVersion: apps/v1
kind: DaemonSet
metadata: { name: probe }
spec:
  selector: { matchLabels: { app: probe } }
  template:
    metadata: { labels: { app: probe } }
    spec:
      containers: [{ name: c, image: nginx, ports: [{ containerPort: 80 }] }]
`);
  await ok('rollout', 'status', 'ds/probe', '--timeout=120s');
  const nodes = ((await json('get', 'nodes')).items as any[]).map((n) => n.metadata.name as string).sort();
  assert.deepEqual(await nodesOf('app=probe'), nodes);
  const table = await ok('get', 'ds', 'probe', '-o', 'wide');
  assert.match(table.split('\n')[0], /^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR/);
  assert.match(table.split('\n')[1], /^probe\s+3\s+3\s+3\s+3\s+3\s+<none>/);

  // A NoExecute taint the pods do not tolerate removes the node's pod; removing the taint brings it back.
  await ok('taint', 'node', nodes[1], 'dedicated=db:NoExecute');
  await waitFor('pod off the tainted node', async () => ((await nodesOf('app=probe')).includes(nodes[1]) ? undefined : true));
  assert.equal((await json('get', 'ds', 'probe')).status.desiredNumberScheduled, 2);
  await ok('taint', 'node', nodes[1], 'dedicated=db:NoExecute-');
  await ok('rollout', 'status', 'ds/probe', '--timeout=120s');
  await waitFor('back on every node', async () => ((await nodesOf('app=probe')).length === 3 ? true : undefined));

  // A new image, node by node: at no moment are two nodes without a ready pod of the DaemonSet.
  await ok('set', 'image', 'ds/probe', 'c=nginx:1.27');
  let worst = 0;
  await waitFor('image rolled out', async () => {
    const pods = ((await json('get', 'pods', '-l', 'app=probe')).items as any[]);
    const readyNodes = new Set(pods.filter((p) => !p.metadata.deletionTimestamp &&
      (p.status.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True')).map((p) => p.spec.nodeName));
    worst = Math.max(worst, 3 - readyNodes.size);
    const done = pods.length === 3 && pods.every((p) => p.spec.containers[0].image === 'nginx:1.27' && readyNodes.has(p.spec.nodeName));
    return done ? true : undefined;
  }, 180_000);
  assert.ok(worst <= 1, `at most one node at a time (saw ${worst})`);
  await ok('rollout', 'status', 'ds/probe', '--timeout=60s');
  const history = await ok('rollout', 'history', 'ds/probe');
  assert.match(history, /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
  await ok('rollout', 'undo', 'ds/probe');
  await ok('rollout', 'status', 'ds/probe', '--timeout=180s');
  const images = ((await json('get', 'pods', '-l', 'app=probe')).items as any[]).filter((p) => !p.metadata.deletionTimestamp).map((p) => p.spec.containers[0].image);
  assert.deepEqual(images, ['nginx', 'nginx', 'nginx']);
  assert.match(await ok('get', 'controllerrevisions'), /probe-\w+\s+daemonset\.apps\/probe\s+3/);
  await ok('delete', 'ds', 'probe', '--wait=true');
});

test('StatefulSet web x3 behind headless nginx: ordered start, stable DNS names that answer, same name after deletion', async () => {
  await apply(`apiVersion: v1
kind: Service
metadata: { name: nginx, labels: { app: nginx } }
spec:
  clusterIP: None
  selector: { app: nginx }
  ports: [{ name: web, port: 80 }]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: web }
spec:
  serviceName: nginx
  replicas: 3
  selector: { matchLabels: { app: nginx } }
  template:
    metadata: { labels: { app: nginx } }
    spec:
      containers: [{ name: nginx, image: nginx, ports: [{ name: web, containerPort: 80 }] }]
---
apiVersion: v1
kind: Pod
metadata: { name: client }
spec:
  containers: [{ name: c, image: curlimages/curl, command: [sleep, '3600'] }]
`);
  await ok('rollout', 'status', 'sts/web', '--timeout=180s');
  await ok('wait', '--for=condition=Ready', 'pod/client', '--timeout=120s');
  const pods = new Map<string, any>(((await json('get', 'pods', '-l', 'app=nginx')).items as any[]).map((p) => [p.metadata.name, p]));
  assert.deepEqual([...pods.keys()].sort(), ['web-0', 'web-1', 'web-2']);
  // Ordered: each pod was created only once the one before it was Ready.
  for (const [prev, next] of [['web-0', 'web-1'], ['web-1', 'web-2']]) {
    // creationTimestamp has whole seconds; the Ready transition may carry more.
    const readyAt = Math.floor(Date.parse(pods.get(prev).status.conditions.find((c: any) => c.type === 'Ready').lastTransitionTime) / 1000) * 1000;
    const created = Date.parse(pods.get(next).metadata.creationTimestamp);
    assert.ok(created >= readyAt, `${next} created ${pods.get(next).metadata.creationTimestamp}, ${prev} Ready at ${new Date(readyAt).toISOString()}`);
  }
  assert.equal(pods.get('web-1').spec.hostname, 'web-1');
  assert.equal(pods.get('web-1').spec.subdomain, 'nginx');
  assert.equal(pods.get('web-1').metadata.labels['apps.kubernetes.io/pod-index'], '1');
  assert.match((await ok('get', 'sts', 'web')).split('\n')[1], /^web\s+3\/3\s+/);

  const resolve = async (name: string) => (await kubectl('exec', 'client', '--', 'getent', 'hosts', name)).stdout.trim().split(/\s+/)[0];
  // The headless Service's records follow the EndpointSlice, which follows readiness: look until they match.
  await waitFor('web-0.nginx', async () => ((await resolve('web-0.nginx')) === pods.get('web-0').status.podIP ? true : undefined), 60_000);
  await waitFor('web-1 FQDN', async () => ((await resolve('web-1.nginx.default.svc.cluster.local')) === pods.get('web-1').status.podIP ? true : undefined), 60_000);
  // A built-in nginx is reported Ready when its process starts and listens a moment later (on a loaded
  // machine, seconds later: the agent does not yet wait for the listen, see the report of issue 12), as
  // services.test.ts allows for agnhost; connection refused is waited out, anything else fails.
  const get = async (url: string) => {
    let r = await kubectl('exec', 'client', '--', 'curl', '-sS', '--max-time', '10', url);
    for (let i = 0; i < 60 && r.code === 7 && /Connection refused|Couldn't connect/.test(r.stderr); i++) {
      await new Promise((res) => setTimeout(res, 1000));
      r = await kubectl('exec', 'client', '--', 'curl', '-sS', '--max-time', '10', url);
    }
    if (r.code !== 0) {
      const diag = await kubectl('exec', 'client', '--', 'sh', '-c', `getent ahosts ${new URL(url).hostname}; curl -v --max-time 5 ${url} 2>&1 | head -20; cat /etc/resolv.conf`);
      const wide = await kubectl('get', 'pods', '-o', 'wide');
      assert.fail(`curl ${url}: ${show(r)}\n${diag.stdout}${diag.stderr}\n${wide.stdout}`);
    }
    return r.stdout;
  };
  assert.match(await get('http://web-0.nginx/'), /Welcome to nginx/);
  assert.match(await get('http://web-1.nginx.default.svc.cluster.local/'), /Welcome to nginx/);
  const srv = await ok('exec', 'client', '--', 'sh', '-c', 'dig +short SRV _web._tcp.nginx.default.svc.cluster.local @10.96.0.10 2>/dev/null || nslookup -type=SRV _web._tcp.nginx.default.svc.cluster.local');
  assert.match(srv, /web-1\.nginx\.default\.svc\.cluster\.local/);

  // Deleted, web-1 comes back under the same name and DNS name, with a new IP.
  const oldUid = pods.get('web-1').metadata.uid;
  await ok('delete', 'pod', 'web-1');
  const fresh = await waitFor('web-1 again', async () => {
    const p = (await json('get', 'pods', '-l', 'app=nginx')).items.find((x: any) => x.metadata.name === 'web-1');
    return p && p.metadata.uid !== oldUid && (p.status.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True') ? p : undefined;
  }, 120_000);
  await waitFor('web-1 resolves to its new IP', async () => ((await resolve('web-1.nginx')) === fresh.status.podIP ? true : undefined), 60_000);
  assert.match(await get('http://web-1.nginx/'), /Welcome to nginx/);

  // scale (the scale subresource): highest ordinal goes first.
  await ok('scale', 'sts', 'web', '--replicas=2');
  await waitFor('web-2 gone', async () => ((await json('get', 'pods', '-l', 'app=nginx')).items.length === 2 ? true : undefined), 120_000);
  assert.match(await ok('rollout', 'status', 'sts/web', '--timeout=60s'), /partitioned roll out complete: 2 new pods have been updated/);
});

test('Jobs: 5 completions 2 at a time complete; a failing Job stops at backoffLimit; logs; create --from=cronjob', async () => {
  await apply(`apiVersion: batch/v1
kind: Job
metadata: { name: five }
spec:
  completions: 5
  parallelism: 2
  template:
    spec:
      restartPolicy: Never
      containers: [{ name: c, image: busybox, command: [sh, -c, 'echo done'] }]
---
apiVersion: batch/v1
kind: Job
metadata: { name: broken }
spec:
  backoffLimit: 1
  template:
    spec:
      restartPolicy: Never
      containers: [{ name: c, image: busybox, command: [sh, -c, 'exit 3'] }]
`);
  await ok('wait', '--for=condition=complete', 'job/five', '--timeout=180s');
  const five = await json('get', 'job', 'five');
  assert.equal(five.status.succeeded, 5);
  assert.deepEqual(five.status.conditions.map((c: any) => c.type), ['SuccessCriteriaMet', 'Complete']);
  assert.match(await ok('logs', 'job/five'), /^done$/m);
  assert.match((await ok('get', 'job', 'five')).split('\n')[1], /^five\s+Complete\s+5\/5\s+/);

  await ok('wait', '--for=condition=failed', 'job/broken', '--timeout=180s');
  const broken = await json('get', 'job', 'broken');
  assert.equal(broken.status.failed, 2);
  const failed = broken.status.conditions.find((c: any) => c.type === 'Failed');
  assert.equal(failed.reason, 'BackoffLimitExceeded');
  assert.equal(failed.message, 'Job has reached the specified backoff limit');

  await ok('create', 'job', 'by-hand', '--from=cronjob/tick');
  await ok('wait', '--for=condition=complete', 'job/by-hand', '--timeout=120s');
  assert.match(await ok('logs', 'job/by-hand'), /tick/);
  await ok('create', 'job', 'plain', '--image=busybox', '--', 'sh', '-c', 'echo plain');
  await ok('wait', '--for=condition=complete', 'job/plain', '--timeout=120s');
});

test('CronJob fires at the minute and records it', async () => {
  const fired = await waitFor('a scheduled Job', async () => {
    const jobs = ((await json('get', 'jobs')).items as any[]).filter((j) => /^tick-\d+$/.test(j.metadata.name));
    return jobs.length ? jobs[0] : undefined;
  }, 75_000);
  assert.equal(fired.metadata.ownerReferences[0].kind, 'CronJob');
  await ok('wait', '--for=condition=complete', `job/${fired.metadata.name}`, '--timeout=120s');
  const row = (await ok('get', 'cronjob', 'tick')).split('\n');
  assert.match(row[0], /^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE/);
  assert.match(row[1], /^tick\s+\* \* \* \* \*\s+<none>\s+False\s+\d\s+\d+s\s+/);
});
