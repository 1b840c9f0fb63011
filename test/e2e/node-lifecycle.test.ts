// End to end: a node that fails, as upstream handles it. `podnet node stop` freezes one node's agent; after
// the grace period (8 s here) the node is Ready=Unknown with the unreachable taints, its pods are not
// Ready so EndpointSlices drop them and a pod on the live node reaches the Service only through live
// endpoints, a LoadBalancer address it announced moves to the live node, and once the pods' tolerations
// (10 s here) run out they are evicted. `podnet node start` brings it back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { requireRoot } from '../../src/linux/exec.js';
import { e2eCluster } from '../support/e2e-cluster.js';

const cluster = 'pnlife';
const underlay = '172.31.233.0/24';
const { work, stateDir, podnet, kubectl, ok, apply, show, waitFor } = e2eCluster(cluster, { kubectlTimeoutMs: 60_000 });
const [live, victim] = [`${cluster}-node-1`, `${cluster}-node-2`];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const getJson = async (...args: string[]): Promise<Json> => JSON.parse(await ok('get', ...args, '-o', 'json'));
const readyStatus = async (node: string) => (await getJson('node', node)).status.conditions.find((c: Json) => c.type === 'Ready').status;

before(async () => {
  requireRoot('the node lifecycle end-to-end test');
  const up = await podnet('up', '--name', cluster, '--nodes', '2', '--underlay-cidr', underlay,
    '--node-monitor-grace-period', '8s', '--default-unreachable-toleration-seconds', '10');
  assert.equal(up.code, 0, show(up));
  // Two agnhost pods per node (pinned, so that each node surely has its own), a client on the live node,
  // a ClusterIP Service and a LoadBalancer Service over them.
  const pods = [live, live, victim, victim].map((node, i) => `apiVersion: v1
kind: Pod
metadata: { name: web-${i}, labels: { app: web } }
spec:
  nodeName: ${node}
  containers:
  - { name: agnhost, image: registry.k8s.io/e2e-test-images/agnhost:2.47, args: [serve-hostname] }
`).join('---\n');
  await apply(`${pods}---
apiVersion: v1
kind: Pod
metadata: { name: client }
spec:
  nodeName: ${live}
  containers:
  - { name: curl, image: curlimages/curl, command: [sleep, "3600"] }
---
apiVersion: v1
kind: Service
metadata: { name: web }
spec:
  selector: { app: web }
  ports: [{ port: 80, targetPort: 9376 }]
---
apiVersion: v1
kind: Service
metadata: { name: weblb }
spec:
  type: LoadBalancer
  selector: { app: web }
  ports: [{ port: 80, targetPort: 9376 }]
`);
  await ok('wait', '--for=condition=Ready', 'pod/web-0', 'pod/web-1', 'pod/web-2', 'pod/web-3', 'pod/client', '--timeout=120s');
});

after(async () => {
  if (existsSync(stateDir)) {
    await podnet('node', 'start', victim, '--name', cluster);
    await podnet('down', '--name', cluster);
  }
  rmSync(work, { recursive: true, force: true });
});

test('a frozen node: Unknown and tainted, endpoints not ready, traffic only to live pods, LB address moved, pods evicted; then back', async () => {
  const lb = await waitFor('an announced LoadBalancer address', async () => {
    const s = await getJson('service', 'weblb');
    return s.status?.loadBalancer?.ingress?.[0]?.ip && s.metadata.annotations?.['podnet.io/announcing-node'] ? s : undefined;
  });
  // Make the victim the announcing node, so that the address has to move.
  if (lb.metadata.annotations['podnet.io/announcing-node'] !== victim) {
    await ok('label', 'node', live, 'node.kubernetes.io/exclude-from-external-load-balancers=true');
    await waitFor('the address on the victim', async () =>
      (await getJson('service', 'weblb')).metadata.annotations['podnet.io/announcing-node'] === victim || undefined);
    await ok('label', 'node', live, 'node.kubernetes.io/exclude-from-external-load-balancers-');
  }

  const stop = await podnet('node', 'stop', victim, '--name', cluster);
  assert.equal(stop.code, 0, show(stop));
  assert.match(stop.stdout, /froze the agent of pnlife-node-2/);

  await waitFor('the victim to be Unknown', async () => (await readyStatus(victim)) === 'Unknown' || undefined, 60_000);
  assert.equal(await readyStatus(live), 'True');
  const node = await getJson('node', victim);
  assert.deepEqual(node.spec.taints.map((t: Json) => `${t.key}:${t.effect}`).sort(),
    ['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
  assert.equal(node.status.conditions.find((c: Json) => c.type === 'Ready').reason, 'NodeStatusUnknown');

  // The victim's endpoints are not ready in the slice; the live node's proxy sends only to live pods.
  await waitFor('the victim\'s endpoints not ready', async () => {
    const slices = (await getJson('endpointslices', '-l', 'kubernetes.io/service-name=web')).items as Json[];
    const eps = slices.flatMap((s) => s.endpoints ?? []);
    return eps.length === 4 && eps.every((e: Json) => (e.nodeName === victim) === (e.conditions.ready === false)) || undefined;
  }, 30_000);
  const liveNames = new Set(['web-0', 'web-1']);
  const answers = await waitFor('answers only from live pods', async () => {
    const r = await kubectl('exec', 'client', '--', 'sh', '-c', 'for i in $(seq 20); do curl -s --max-time 2 http://web/; echo; done');
    const got = r.stdout.trim().split('\n');
    return got.length === 20 && got.every((h) => liveNames.has(h)) ? got : undefined;
  }, 30_000);
  assert.equal(answers.length, 20);

  await waitFor('the LoadBalancer address to move to the live node', async () =>
    (await getJson('service', 'weblb')).metadata.annotations['podnet.io/announcing-node'] === live || undefined, 30_000);

  // The default unreachable toleration (10 s here) runs out: the victim's pods are evicted.
  await waitFor('the victim\'s pods evicted', async () => {
    const pods = (await getJson('pods', '-l', 'app=web')).items as Json[];
    const onVictim = pods.filter((p) => p.spec.nodeName === victim);
    return onVictim.every((p) => p.metadata.deletionTimestamp) || undefined;
  }, 60_000);
  const events = await ok('get', 'events', '--field-selector', 'reason=TaintManagerEviction', '-o', 'jsonpath={.items[*].involvedObject.name}');
  assert.match(events, /web-2/);

  const start = await podnet('node', 'start', victim, '--name', cluster);
  assert.equal(start.code, 0, show(start));
  await waitFor('the victim Ready again', async () => (await readyStatus(victim)) === 'True' || undefined, 60_000);
  await waitFor('its taints gone', async () => !((await getJson('node', victim)).spec.taints ?? []).length || undefined, 30_000);
});
