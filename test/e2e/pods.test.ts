// End to end: pods as real processes in their own namespaces, driven by the real kubectl against
// `podnet up --nodes 2`. The seeds' nginx pods get IPs from their node's podCIDR and answer; a pod on
// node-1 reaches agnhost on node-2 and is seen with its own IP; two containers of a pod share
// localhost (and cannot both listen on one port); logs, exec, port-forward and `run -it --rm` work;
// restartPolicy, probes and hostPort refusal behave as kubelet's; deleting a pod ends its processes and
// frees its IP; an agent killed with -9 and started again adopts its pods (same IP, same processes), also
// when it dies in the middle of 200 pod creations and deletions, and nothing leaks.
// Private state root, kubeconfig, cluster name (pna-e2e) and underlay (172.31.244.0/24).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { requireRoot } from '../../src/linux/exec.js';
import { e2eCluster, type Result } from '../support/e2e-cluster.js';
import { CIDR } from '../../src/core/net/index.js';

const cluster = 'pna-e2e';
const underlay = '172.31.244.0/24';
const { repo, work, stateDir, kubeconfig, env, run, podnet, kubectl, show, sleep, ok, apply, waitFor } = e2eCluster(cluster);
const node1 = `${cluster}-node-1`, node2 = `${cluster}-node-2`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const getPod = async (name: string): Promise<Json> => JSON.parse(await ok('get', 'pod', name, '-o', 'json'));
const ready = (...pods: string[]) => ok('wait', '--for=condition=Ready', ...pods.map((p) => `pod/${p}`), '--timeout=90s');

const inCIDR = (ip: string, cidr: string) => CIDR.parse(cidr).contains(ip);

/** One GET from a node's network namespace, no retry: a built-in image is Ready only once it listens. */
const curlFromNode = async (netns: string, url: string) => {
  const r = await run(['ip', 'netns', 'exec', netns, 'curl', '-sS', '--max-time', '5', url], 10_000);
  assert.equal(r.code, 0, `curl ${url} from ${netns}: ${show(r)}`);
  return r.stdout;
};
const reservedIPs = (node: string) => {
  try { return readdirSync(join(stateDir, 'nodes', node, 'cni', 'networks', 'podnet')).filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f)); } catch { return []; }
};
const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const podRecord = (node: string, uid: string) => JSON.parse(readFileSync(join(stateDir, 'nodes', node, 'pods', uid, 'sandbox.json'), 'utf8'));

before(async () => {
  requireRoot('the pods end-to-end test');
  const up = await podnet('up', '--name', cluster, '--nodes', '2', '--underlay-cidr', underlay);
  assert.equal(up.code, 0, show(up));
});

after(async () => {
  if (existsSync(stateDir)) await podnet('down', '--name', cluster);
  rmSync(work, { recursive: true, force: true });
});

test('the seeds\' nginx pods get IPs from their node\'s podCIDR and serve nginx\'s page', async () => {
  await ok('apply', '-f', join(repo, 'test/fixtures/seeds/my-nginx-pods.yaml'), '-f', join(repo, 'test/fixtures/seeds/nginx-pod.yaml'));
  await ready('my-nginx-pod-1', 'my-nginx-pod-2', 'nginx-pod');
  for (const name of ['my-nginx-pod-1', 'my-nginx-pod-2', 'nginx-pod']) {
    const pod = await getPod(name);
    const node = JSON.parse(await ok('get', 'node', pod.spec.nodeName, '-o', 'json'));
    assert.ok(inCIDR(pod.status.podIP, node.spec.podCIDR), `${name}: ${pod.status.podIP} is not in ${node.spec.podCIDR}`);
    assert.equal(pod.status.hostIP, node.status.addresses.find((a: Json) => a.type === 'InternalIP').address);
    assert.match(pod.status.containerStatuses[0].containerID, /^podnet:\/\/[0-9a-f]{64}$/);
    assert.equal(pod.status.containerStatuses[0].image, 'docker.io/library/nginx:latest');
    // From its node, over cni0: nginx's welcome page on port 80.
    assert.match(await curlFromNode(pod.spec.nodeName, `http://${pod.status.podIP}/`), /Welcome to nginx!/);
  }
  const events = await ok('get', 'events', '--field-selector', 'involvedObject.name=nginx-pod', '-o', 'jsonpath={range .items[*]}{.reason}:{.message}{"\\n"}{end}');
  assert.match(events, /^Pulled:Container image "nginx:latest" already present on machine$/m);
  assert.match(events, /^Created:Created container: nginx-container$/m);
  assert.match(events, /^Started:Started container nginx-container$/m);
});

test('a pod on node-1 reaches agnhost on node-2 and /clientip shows its own pod IP', async () => {
  await apply(`apiVersion: v1
kind: Pod
metadata: { name: netexec }
spec:
  nodeName: ${node2}
  containers:
  - { name: agnhost, image: registry.k8s.io/e2e-test-images/agnhost:2.52, args: ["netexec", "--http-port=8080"] }
---
apiVersion: v1
kind: Pod
metadata: { name: client }
spec:
  nodeName: ${node1}
  containers:
  - { name: curl, image: curlimages/curl, command: ["sleep", "3600"] }
`);
  await ready('netexec', 'client');
  const server = await getPod('netexec'), client = await getPod('client');
  // The first request after Ready, no retry: agnhost listens before it is reported started.
  const r = await kubectl('exec', 'client', '--', 'curl', '-sS', '--max-time', '5', `http://${server.status.podIP}:8080/clientip`);
  assert.equal(r.code, 0, show(r));
  const seen = r.stdout.trim();
  assert.equal(seen.split(':')[0], client.status.podIP);
  assert.equal(await ok('exec', 'netexec', '--', 'hostname'), 'netexec\n');
});

test('two containers of a pod talk over localhost; a second listener on the same port crash-loops', async () => {
  await apply(`apiVersion: v1
kind: Pod
metadata: { name: duo }
spec:
  containers:
  - { name: web, image: nginx }
  - { name: probe, image: busybox, command: ["sh", "-c", "wget -q -O- http://localhost:80/; sleep 3600"] }
  - { name: second, image: nginx }
`);
  const logs = await waitFor('the busybox container to fetch nginx over localhost', async () => {
    const r = await kubectl('logs', 'duo', '-c', 'probe');
    return /Welcome to nginx!/.test(r.stdout) ? r.stdout : undefined;
  });
  assert.match(logs, /Welcome to nginx!/);
  // Both nginx containers want port 80 of the one network namespace: whichever comes second fails.
  const loser = await waitFor('one nginx to fail on port 80', async () => {
    const statuses = (await getPod('duo')).status.containerStatuses ?? [];
    return statuses.find((c: Json) => (c.name === 'web' || c.name === 'second') && c.lastState?.terminated);
  });
  assert.notEqual(loser.lastState.terminated.exitCode, 0);
  assert.match(await ok('logs', 'duo', '-c', loser.name, '--previous'), /EADDRINUSE/);
});

test('kubectl logs (--timestamps, --tail, -f), exec (exit codes, stdin, -it) and port-forward', async () => {
  await apply(`apiVersion: v1
kind: Pod
metadata: { name: talker }
spec:
  containers:
  - { name: c, image: busybox, command: ["sh", "-c", "for i in 1 2 3; do echo line $i; done; echo oops >&2; exec sleep 3600"] }
`);
  await ready('talker');
  await waitFor('three lines of log', async () => ((await kubectl('logs', 'talker')).stdout.includes('oops') ? true : undefined));
  assert.equal(await ok('logs', 'talker'), 'line 1\nline 2\nline 3\noops\n');
  assert.equal(await ok('logs', 'talker', '--tail=2'), 'line 3\noops\n');
  assert.match(await ok('logs', 'talker', '--timestamps', '--tail=1'), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z oops\n$/);
  const follow = await run(['timeout', '3', 'kubectl', '--kubeconfig', kubeconfig, 'logs', '-f', 'talker'], 10_000);
  assert.equal(follow.stdout, 'line 1\nline 2\nline 3\noops\n');

  assert.equal(await ok('exec', 'talker', '--', 'hostname'), 'talker\n');
  assert.match(await ok('exec', 'talker', '--', 'cat', '/etc/resolv.conf'), /^search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local/m);
  const failing = await kubectl('exec', 'talker', '--', 'sh', '-c', 'exit 7');
  assert.equal(failing.code, 7, show(failing));
  const piped = await run(['kubectl', '--kubeconfig', kubeconfig, 'exec', '-i', 'talker', '--', 'cat'], 30_000, 'through stdin\n');
  assert.equal(piped.stdout, 'through stdin\n');
  const tty = await run(['script', '-qfec', `kubectl --kubeconfig ${kubeconfig} exec -it talker -- sh -c 'tty; echo done'`, '/dev/null'], 30_000);
  // (kubectl may send a NUL on stdin, which the terminal echoes as ^@.)
  assert.match(tty.stdout, /\/dev\/pts\/\d+\r\n(\^@)?done\r\n/);

  // port-forward to nginx in my-nginx-pod-1.
  const pf = spawn('kubectl', ['--kubeconfig', kubeconfig, 'port-forward', 'pod/my-nginx-pod-1', ':80'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let out = '';
    pf.stdout.on('data', (d) => (out += d));
    const port = await waitFor('kubectl port-forward to listen', async () => /127\.0\.0\.1:(\d+) -> 80/.exec(out)?.[1], 20_000);
    const body = execFileSync('curl', ['-s', '--max-time', '5', `http://127.0.0.1:${port}/`], { encoding: 'utf8' });
    assert.match(body, /Welcome to nginx!/);
  } finally {
    pf.kill();
  }
});

test('kubectl run -it --rm --image=busybox gives a shell in the pod and removes it', async () => {
  const cmd = `kubectl --kubeconfig ${kubeconfig} run -it --rm --restart=Never --image=busybox shell -- sh`;
  // The input waits until kubectl has attached (it prints its prompt hint first).
  const p = spawn('script', ['-qfec', cmd, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.on('data', (d) => (out += d));
  await waitFor('kubectl to attach', async () => (/If you don't see a command prompt/.test(out) ? true : undefined), 60_000);
  p.stdin.write('echo in-$(hostname)\n');
  await waitFor('the shell to answer', async () => (/in-shell\r\n/.test(out) ? true : undefined), 20_000);
  p.stdin.write('exit\n');
  await new Promise((r) => p.on('close', r));
  assert.match(out, /pod "shell" deleted/);
  assert.equal((await kubectl('get', 'pod', 'shell')).code, 1);
});

test('deleting a pod ends its processes, deletes its netns and frees its IP', async () => {
  await apply(`apiVersion: v1
kind: Pod
metadata: { name: doomed }
spec:
  nodeName: ${node1}
  terminationGracePeriodSeconds: 5
  containers:
  - { name: c, image: busybox, command: ["sleep", "3600"] }
`);
  await ready('doomed');
  const pod = await getPod('doomed');
  const rec = podRecord(node1, pod.metadata.uid);
  assert.ok(reservedIPs(node1).includes(pod.status.podIP));
  assert.ok(alive(rec.shim.pid) && alive(rec.containers.c.pid));
  assert.ok(existsSync(`/run/netns/${rec.netns}`) && existsSync(join(stateDir, 'netns', rec.netns)));
  await ok('delete', 'pod', 'doomed', '--timeout=60s');
  assert.ok(!alive(rec.shim.pid), 'the shim is gone');
  assert.ok(!alive(rec.containers.c.pid), 'the container is gone');
  assert.ok(!existsSync(`/run/netns/${rec.netns}`), 'the netns is gone');
  assert.ok(!existsSync(join(stateDir, 'netns', rec.netns)), 'the netns record is gone');
  assert.ok(!reservedIPs(node1).includes(pod.status.podIP), 'the IP is free');
});

test('restartPolicy: Never fails, OnFailure succeeds, Always crash-loops with back-off', async () => {
  await apply(`apiVersion: v1
kind: Pod
metadata: { name: never }
spec:
  restartPolicy: Never
  containers: [{ name: c, image: busybox, command: ["sh", "-c", "exit 3"] }]
---
apiVersion: v1
kind: Pod
metadata: { name: onfailure }
spec:
  restartPolicy: OnFailure
  containers: [{ name: c, image: busybox, command: ["sh", "-c", "echo done"] }]
---
apiVersion: v1
kind: Pod
metadata: { name: always }
spec:
  containers: [{ name: c, image: busybox, command: ["sh", "-c", "exit 1"] }]
`);
  const never = await waitFor('pod never to fail', async () => { const p = await getPod('never'); return p.status.phase === 'Failed' ? p : undefined; });
  assert.equal(never.status.containerStatuses[0].state.terminated.exitCode, 3);
  assert.equal(never.status.containerStatuses[0].state.terminated.reason, 'Error');
  const done = await waitFor('pod onfailure to succeed', async () => { const p = await getPod('onfailure'); return p.status.phase === 'Succeeded' ? p : undefined; });
  assert.equal(done.status.containerStatuses[0].state.terminated.reason, 'Completed');
  assert.equal(done.status.conditions.find((c: Json) => c.type === 'Ready').reason, 'PodCompleted');
  const looping = await waitFor('pod always to crash-loop', async () => {
    const s = (await getPod('always')).status.containerStatuses?.[0];
    return s?.state?.waiting?.reason === 'CrashLoopBackOff' && s.restartCount >= 1 ? s : undefined;
  });
  assert.equal(looping.lastState.terminated.exitCode, 1);
  assert.match(looping.state.waiting.message, /^back-off (10|20)s restarting failed container=c pod=always_default\(/);
  assert.match(await ok('get', 'pod', 'always'), /CrashLoopBackOff/);
});

test('probes: readiness keeps a pod out of Ready, a failed liveness probe restarts the container', async () => {
  await apply(`apiVersion: v1
kind: Pod
metadata: { name: probed }
spec:
  terminationGracePeriodSeconds: 2
  containers:
  - name: web
    image: registry.k8s.io/e2e-test-images/agnhost:2.52
    args: ["netexec", "--http-port=8080"]
    ports: [{ name: http, containerPort: 8080 }]
    readinessProbe: { httpGet: { path: /nope, port: http }, periodSeconds: 1 }
  - name: sick
    image: busybox
    command: ["sleep", "3600"]
    livenessProbe: { exec: { command: ["cat", "/no/such/file"] }, periodSeconds: 1, failureThreshold: 2 }
`);
  const restarted = await waitFor('the sick container to be restarted', async () => {
    const s = (await getPod('probed')).status.containerStatuses?.find((c: Json) => c.name === 'sick');
    return s?.restartCount >= 1 ? s : undefined;
  });
  assert.equal(restarted.restartCount >= 1, true);
  const pod = await getPod('probed');
  const web = pod.status.containerStatuses.find((c: Json) => c.name === 'web');
  assert.equal(web.ready, false);
  assert.ok(web.state.running);
  assert.equal(pod.status.conditions.find((c: Json) => c.type === 'Ready').status, 'False');
  // The first readiness failures may be "connection refused" while agnhost starts listening: wait for the 404.
  const events = await waitFor('the readiness probe to see the 404', async () => {
    const text = await ok('get', 'events', '--field-selector', 'involvedObject.name=probed', '-o', 'jsonpath={range .items[*]}{.reason}:{.message}{"\\n"}{end}');
    return /^Unhealthy:Readiness probe failed: HTTP probe failed with statuscode: 404$/m.test(text) ? text : undefined;
  }, 30_000);
  assert.match(events, /^Unhealthy:Liveness probe failed: /m);
  assert.match(events, /^Killing:Container sick failed liveness probe, will be restarted$/m);
});

test('hostPort: the second pod asking for a taken port on the node is refused with NodePorts', async () => {
  await apply(`apiVersion: v1
kind: Pod
metadata: { name: hp-a }
spec:
  nodeName: ${node2}
  containers: [{ name: c, image: nginx, ports: [{ containerPort: 80, hostPort: 8088 }] }]
`);
  await ready('hp-a');
  const nodeIP = (await getPod('hp-a')).status.hostIP;
  assert.match(await curlFromNode(node2, `http://${nodeIP}:8088/`), /Welcome to nginx!/);
  await apply(`apiVersion: v1
kind: Pod
metadata: { name: hp-b }
spec:
  nodeName: ${node2}
  containers: [{ name: c, image: nginx, ports: [{ containerPort: 80, hostPort: 8088 }] }]
`);
  const refused = await waitFor('hp-b to be refused', async () => { const p = await getPod('hp-b'); return p.status.phase === 'Failed' ? p : undefined; });
  assert.equal(refused.status.reason, 'NodePorts');
  assert.match(refused.status.message, /hostPort 8088\/TCP is already used on this node by pod default\/hp-a/);
});

test('an unknown image without a command waits with ErrImagePull and says what podnet runs', async () => {
  await apply(`apiVersion: v1
kind: Pod
metadata: { name: mystery }
spec:
  containers: [{ name: c, image: example.com/mystery:1.0 }]
`);
  const s = await waitFor('ErrImagePull', async () => {
    const c = (await getPod('mystery')).status.containerStatuses?.[0];
    return c?.state?.waiting?.reason === 'ErrImagePull' ? c : undefined;
  });
  assert.match(s.state.waiting.message, /podnet runs built-in images/);
});

test('an agent killed with -9 and started again adopts its pods: same IP, same processes', async () => {
  const pod = await getPod('my-nginx-pod-1');
  const node = pod.spec.nodeName;
  const rec = podRecord(node, pod.metadata.uid);
  const pidFile = join(stateDir, 'pids', `agent-${node}.json`);
  const agent = JSON.parse(readFileSync(pidFile, 'utf8'));
  process.kill(agent.pid, 'SIGKILL');
  await waitFor('the agent to die', async () => (alive(agent.pid) ? undefined : true), 10_000);
  assert.ok(alive(rec.containers['nginx-container'].pid), 'the container survives its agent');
  const log = join(stateDir, 'logs', `agent-${node}-restarted.log`);
  const argv = [...agent.argv];
  const restarted = spawn('sh', ['-c', 'exec "$@" >>"$0" 2>&1', log, 'ip', 'netns', 'exec', node, ...argv], { cwd: stateDir, detached: true, stdio: 'ignore', env });
  restarted.unref();
  await waitFor('the new agent to adopt the pod', async () => (existsSync(log) && /adopted pod default\/my-nginx-pod-1/.test(readFileSync(log, 'utf8')) ? true : undefined), 60_000);
  const after = await getPod('my-nginx-pod-1');
  assert.equal(after.status.podIP, pod.status.podIP);
  assert.equal(after.status.containerStatuses[0].restartCount, pod.status.containerStatuses[0].restartCount);
  assert.equal(after.status.containerStatuses[0].containerID, pod.status.containerStatuses[0].containerID);
  assert.equal(podRecord(node, pod.metadata.uid).shim.pid, rec.shim.pid);
  // It runs pods again too.
  await apply(`apiVersion: v1
kind: Pod
metadata: { name: after-restart }
spec:
  nodeName: ${node}
  containers: [{ name: c, image: nginx }]
`);
  await ready('after-restart');
});

test('kill -9 of the agents during 200 pod creations and deletions, then restart: pods keep their IPs, nothing leaks', async () => {
  const kc = new KubeConfig();
  kc.loadFromFile(join(stateDir, 'kubeconfig'));
  const core = kc.makeApiClient(CoreV1Api);
  const CREATE = 120, DELETE = 80; // 200 operations
  const body = (i: number): V1Pod => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: `churn-${i}`, labels: { churn: 'yes' } },
    spec: { terminationGracePeriodSeconds: 2, containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] },
  });
  const agents = [node1, node2].map((node) => ({ node, id: JSON.parse(readFileSync(join(stateDir, 'pids', `agent-${node}.json`), 'utf8')) }));
  const ipsBefore = new Map<string, string>();
  let ops = 0;
  let killed = false;
  const killAgents = () => {
    if (killed) return;
    killed = true;
    for (const a of agents) { try { process.kill(a.id.pid, 'SIGKILL'); } catch { /* already gone */ } }
  };
  const op = async (fn: () => Promise<unknown>) => {
    await fn();
    // The agents die in the middle of the churn (about 30 operations before its end), while sandboxes
    // are being made and torn down, once a few pods that will survive it run: their IPs must not change.
    if (++ops === 170) {
      const survivorsRunning = async () => (await core.listNamespacedPod({ namespace: 'default', labelSelector: 'churn=yes' })).items
        .filter((p) => Number(p.metadata!.name!.slice('churn-'.length)) >= DELETE && p.status?.podIP && p.status.phase === 'Running');
      await waitFor('a few surviving churn pods to run', async () => ((await survivorsRunning()).length >= 3 ? true : undefined), 60_000);
      for (const p of await survivorsRunning()) ipsBefore.set(p.metadata!.name!, p.status!.podIP!);
      killAgents();
    }
  };
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    for (let i = next++; i < CREATE; i = next++) {
      await op(() => core.createNamespacedPod({ namespace: 'default', body: body(i) }));
      if (i < DELETE) {
        await sleep(100 + (i % 7) * 60);
        await op(() => core.deleteNamespacedPod({ name: `churn-${i}`, namespace: 'default' }));
      }
    }
  }));
  killAgents();
  assert.ok(ipsBefore.size >= 3, 'surviving pods were running before the agents died');

  // Start the agents again, as podnet up does.
  for (const a of agents) {
    await waitFor(`the agent of ${a.node} to die`, async () => (alive(a.id.pid) ? undefined : true), 10_000);
    const log = join(stateDir, 'logs', `agent-${a.node}-after-kill.log`);
    spawn('sh', ['-c', 'exec "$@" >>"$0" 2>&1', log, 'ip', 'netns', 'exec', a.node, ...a.id.argv], { cwd: stateDir, detached: true, stdio: 'ignore', env }).unref();
  }

  const survivors = Array.from({ length: CREATE - DELETE }, (_, k) => `churn-${DELETE + k}`);
  await waitFor('the deleted churn pods to be gone and the others Ready', async () => {
    const items = (await core.listNamespacedPod({ namespace: 'default', labelSelector: 'churn=yes' })).items;
    const names = new Set(items.map((p) => p.metadata!.name!));
    const readyOnes = items.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    return names.size === survivors.length && survivors.every((n) => names.has(n)) && readyOnes.length === survivors.length ? true : undefined;
  }, 180_000);

  const pods = (await core.listPodForAllNamespaces({})).items;
  for (const [name, ip] of ipsBefore) {
    const p = pods.find((x) => x.metadata!.name === name);
    assert.ok(p, `${name} survived the churn`);
    assert.equal(p.status?.podIP, ip, `${name} kept its IP`);
  }
  // Nothing leaked: per node, IP reservations, pod netns, host-side veths and shims match the pods that run.
  await waitFor('the kernel state to match the pods that run', async () => {
    const now = (await core.listPodForAllNamespaces({})).items
      .filter((p) => p.status?.podIP && p.status.phase !== 'Succeeded' && p.status.phase !== 'Failed' && !p.spec?.hostNetwork);
    for (const node of [node1, node2]) {
      const mine = now.filter((p) => p.spec?.nodeName === node);
      const want = mine.map((p) => p.status!.podIP!).sort();
      if (JSON.stringify(reservedIPs(node).sort()) !== JSON.stringify(want)) return undefined;
      const records = readdirSync(join(stateDir, 'nodes', node, 'pods'));
      if (records.length !== mine.length) return undefined;
      const veths = JSON.parse(execFileSync('ip', ['-n', node, '-j', 'link', 'show', 'master', 'cni0'], { encoding: 'utf8' })) as unknown[];
      if (veths.length !== mine.length) return undefined;
    }
    const netns = readdirSync('/run/netns').filter((n) => n.startsWith(`${cluster}-pod-`));
    if (netns.length !== now.length) return undefined;
    const shims = readdirSync('/proc').filter((e) => /^\d+$/.test(e)).filter((pid) => {
      try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(join(stateDir, 'nodes')) && readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1][0] !== 'Z'; } catch { return false; }
    });
    return shims.length === now.length ? true : undefined;
  }, 60_000);
});
