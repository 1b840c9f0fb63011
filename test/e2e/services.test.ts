// End to end: Services through the real kubectl against `podnet up --nodes 3`. The seeds' frontend and
// backend (3 replicas each) behind ClusterIP, NodePort and LoadBalancer Services: requests to the
// ClusterIP reach every backend, every node's NodePort answers from the host, the LoadBalancer address
// answers from the host and is announced by one node only (and moves when that node is excluded); the
// `db` example; `nft list table ip podnet` names the services; ClientIP affinity; a Service without
// endpoints refuses at once; hairpin and same-node pod → ClusterIP → pod; source IP kept with
// externalTrafficPolicy Local and its healthCheckNodePort; UDP keeps working after its endpoint is
// replaced (stale conntrack entries deleted); scaling and a rollout leave no rule pointing at a deleted
// pod; a Service selecting nothing or naming a port no pod has breaks nothing; Service environment
// variables (enableServiceLinks); proxy /healthz and /metrics. Private state root, kubeconfig, cluster
// name (pns-e2e) and underlay (172.31.238.0/24).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireRoot } from '../../src/linux/exec.js';
import { e2eCluster, type Result } from '../support/e2e-cluster.js';

const cluster = 'pns-e2e';
const underlay = '172.31.238.0/24';
const hostIP = '172.31.238.1';
const { repo, work, stateDir, kubeconfig, env, run, podnet, kubectl, show, sleep, ok, apply, waitFor } = e2eCluster(cluster, { kubectlTimeoutMs: 120_000 });
const nodes = [1, 2, 3].map((i) => ({ name: `${cluster}-node-${i}`, ip: `172.31.238.${10 + i}` }));

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const getJson = async (...args: string[]): Promise<Json> => JSON.parse(await ok('get', ...args, '-o', 'json'));
const ready = (...pods: string[]) => ok('wait', '--for=condition=Ready', ...pods.map((p) => `pod/${p}`), '--timeout=120s');
const podsOf = async (app: string): Promise<Json[]> =>
  (await getJson('pods', '-l', `app=${app}`)).items.filter((p: Json) => !p.metadata.deletionTimestamp);
const clusterIP = async (svc: string): Promise<string> => (await getJson('service', svc)).spec.clusterIP;
const inNode = (node: string, ...argv: string[]) => run(['ip', 'netns', 'exec', node, ...argv], 30_000);
const nftTable = async (node: string) => (await inNode(node, 'nft', 'list', 'table', 'ip', 'podnet')).stdout;
/** curl from the host (root namespace): exit code and body. */
const curlHost = async (url: string, maxTime = 3) => run(['curl', '-sS', '--max-time', String(maxTime), url], 30_000);

/** Runs a shell command in a pod (the client pods run the host's tools: curl, socat). */
async function sh(pod: string, script: string): Promise<Result> {
  return kubectl('exec', pod, '--', 'sh', '-c', script);
}

/**
 * 20 GETs through the client pod, every one answered: a built-in agnhost is Ready only once it listens, and
 * the callers first wait for the rules of every node to drop the old endpoints, so a failed request here is
 * a race a user would hit (`kubectl rollout status`, then curl). Answers must all come from live pods.
 */
async function answered(url: string): Promise<string[]> {
  const got = await hostnamesFrom('client', url, 20);
  assert.ok(got.every(Boolean), `every request to ${url} answered: ${JSON.stringify(got)}`);
  return got;
}

/** `count` GETs of url from `pod`, one line per answer (empty line for a failure). */
async function hostnamesFrom(pod: string, url: string, count: number): Promise<string[]> {
  const r = await sh(pod, `for i in $(seq ${count}); do curl -s --max-time 2 ${url}; echo; done`);
  return r.stdout.split('\n').slice(0, count);
}

/** Waits until the rules of every node stop mentioning `ips` (the EndpointSlice update has reached them). */
async function rulesForget(ips: string[], what: string): Promise<void> {
  for (const n of nodes) {
    await waitFor(`${what}: rules of ${n.name} without ${ips.join(', ')}`, async () => {
      const table = await nftTable(n.name);
      return ips.some((ip) => table.includes(`${ip} `) || table.includes(`${ip}\n`) || table.includes(`${ip}:`)) ? undefined : true;
    }, 30_000);
  }
}

before(async () => {
  requireRoot('the Services end-to-end test');
  const up = await podnet('up', '--name', cluster, '--nodes', '3', '--underlay-cidr', underlay);
  assert.equal(up.code, 0, show(up));
  await apply(`apiVersion: v1
kind: Pod
metadata: { name: client, labels: { role: client } }
spec:
  nodeName: ${nodes[0].name}
  containers:
  - { name: curl, image: curlimages/curl, command: ["sleep", "3600"] }
`);
  await ok('apply', '-f', join(repo, 'examples/frontend-backend.yaml'));
  await ok('rollout', 'status', 'deployment/frontend', 'deployment/backend', '--timeout=180s');
  await ready('client');
});

after(async () => {
  if (existsSync(stateDir)) await podnet('down', '--name', cluster);
  rmSync(work, { recursive: true, force: true });
});

test('ClusterIP spreads requests over all 3 backends; the rules name the services', async () => {
  const backends = (await podsOf('backend')).map((p) => p.metadata.name).sort();
  assert.equal(backends.length, 3);
  const ip = await clusterIP('backend');
  const seen = await waitFor('answers from all three backends', async () => {
    const answers = await hostnamesFrom('client', `http://${ip}:5000/hostname`, 30);
    const set = [...new Set(answers.filter(Boolean))].sort();
    return set.length === 3 ? set : undefined;
  }, 60_000);
  assert.deepEqual(seen, backends);
  for (const n of nodes) {
    const table = await nftTable(n.name);
    assert.match(table, /default\/backend/, `nft list table ip podnet in ${n.name}`);
    assert.match(table, /default\/frontend/);
    assert.match(table, new RegExp(`${ip.replaceAll('.', '\\.')} \\. tcp \\. 5000`));
  }
});

test('NodePort: curl <nodeIP>:<nodePort> from the host reaches nginx on every node', async () => {
  const svc = await getJson('service', 'frontend');
  const nodePort = svc.spec.ports[0].nodePort;
  assert.ok(nodePort >= 30000 && nodePort <= 32767, String(nodePort));
  for (const n of nodes) {
    const body = await waitFor(`NodePort on ${n.name}`, async () => {
      const r = await curlHost(`http://${n.ip}:${nodePort}/`);
      return r.code === 0 ? r.stdout : undefined;
    }, 30_000);
    assert.match(body, /Welcome to nginx!/);
  }
});

test('LoadBalancer: an address from the pool, answered from the host by one announcing node; it moves when that node is excluded', async () => {
  const svc = await waitFor('frontendlb to get an address', async () => {
    const s = await getJson('service', 'frontendlb');
    return s.status?.loadBalancer?.ingress?.[0]?.ip && s.metadata.annotations?.['podnet.io/announcing-node'] ? s : undefined;
  });
  const lbIP: string = svc.status.loadBalancer.ingress[0].ip;
  const announcer: string = svc.metadata.annotations['podnet.io/announcing-node'];
  const table = await ok('get', 'service', 'frontendlb');
  assert.match(table, new RegExp(`frontendlb\\s+LoadBalancer\\s+\\S+\\s+${lbIP.replaceAll('.', '\\.')}\\s+80:\\d+/TCP`));
  const body = await waitFor('the LoadBalancer address to answer from the host', async () => {
    const r = await curlHost(`http://${lbIP}/`);
    return r.code === 0 ? r.stdout : undefined;
  }, 30_000);
  assert.match(body, /Welcome to nginx!/);
  const holders = async () => {
    const out: string[] = [];
    for (const n of nodes) if ((await inNode(n.name, 'ip', '-4', 'addr', 'show', 'dev', 'eth0')).stdout.includes(`${lbIP}/32`)) out.push(n.name);
    return out;
  };
  assert.deepEqual(await holders(), [announcer]);

  // Exclude the announcing node from load balancers: another node takes the address over.
  const started = Date.now();
  await ok('label', 'node', announcer, 'node.kubernetes.io/exclude-from-external-load-balancers=true');
  try {
    const next = await waitFor('the address to move', async () => {
      const h = await holders();
      return h.length === 1 && h[0] !== announcer ? h[0] : undefined;
    }, 30_000);
    const moved = Date.now() - started;
    const again = await waitFor('the moved address to answer from the host', async () => {
      const r = await curlHost(`http://${lbIP}/`);
      return r.code === 0 ? r.stdout : undefined;
    }, 30_000);
    const answered = Date.now() - started;
    assert.match(again, /Welcome to nginx!/);
    const neigh = (await run(['ip', '-j', 'neigh', 'show', lbIP])).stdout;
    const nextMac = JSON.parse((await inNode(next, 'ip', '-j', 'link', 'show', 'dev', 'eth0')).stdout)[0].address;
    assert.equal(JSON.parse(neigh)[0]?.lladdr, nextMac, 'the host neighbour entry points at the new announcing node');
    console.log(`LoadBalancer ${lbIP} moved from ${announcer} to ${next}: announced after ${moved} ms, answering the host after ${answered} ms`);
  } finally {
    await ok('label', 'node', announcer, 'node.kubernetes.io/exclude-from-external-load-balancers-');
  }
});

test('the db example: ClusterIP:3306 is DNATed to the db pod', async () => {
  await ok('apply', '-f', join(repo, 'examples/db.yaml'));
  await ready('db');
  const ip = await clusterIP('db');
  const answer = await waitFor('db through its ClusterIP', async () => {
    const r = await sh('client', `curl -s --max-time 2 http://${ip}:3306/hostname`);
    return r.code === 0 && r.stdout ? r.stdout : undefined;
  }, 30_000);
  assert.equal(answer, 'db');
  const pod = (await getJson('pod', 'db')).status.podIP;
  assert.match(await nftTable(nodes[0].name), new RegExp(`default/db`));
  assert.match(await nftTable(nodes[0].name), new RegExp(pod.replaceAll('.', '\\.')));
});

test('sessionAffinity ClientIP: every request from one client reaches the same backend', async () => {
  await apply(`apiVersion: v1
kind: Service
metadata: { name: sticky }
spec:
  selector: { app: backend }
  sessionAffinity: ClientIP
  ports: [{ port: 5000, targetPort: 5000 }]
`);
  const ip = await clusterIP('sticky');
  const answers = await waitFor('sticky answers', async () => {
    const a = await hostnamesFrom('client', `http://${ip}:5000/hostname`, 20);
    return a.every(Boolean) ? a : undefined;
  }, 30_000);
  assert.equal(new Set(answers).size, 1, answers.join(','));
});

test('a Service without endpoints refuses at once; one selecting nothing or naming a missing port breaks no other', async () => {
  await apply(`apiVersion: v1
kind: Service
metadata: { name: nomatch }
spec:
  selector: { app: nothing-has-this }
  ports: [{ port: 80 }]
---
apiVersion: v1
kind: Service
metadata: { name: badport }
spec:
  selector: { app: backend }
  ports: [{ port: 80, targetPort: no-such-port }]
`);
  for (const svc of ['nomatch', 'badport']) {
    const ip = await clusterIP(svc);
    // curl exit 7 is "connection refused" (a TCP reset from the reject rule); 28 would be a timeout.
    const r = await waitFor(`${svc} to be refused`, async () => {
      const res = await sh('client', `curl -s --max-time 5 http://${ip}/; echo "exit=$?"`);
      return /exit=7/.test(res.stdout) ? res : undefined;
    }, 30_000);
    assert.match(r.stdout, /exit=7/);
  }
  const ip = await clusterIP('backend');
  const answers = await hostnamesFrom('client', `http://${ip}:5000/hostname`, 10);
  assert.ok(answers.every(Boolean), `backend still answers: ${answers.join(',')}`);
});

test('hairpin: a pod reaches itself through its Service; a pod reaches a same-node backend through a ClusterIP', async () => {
  await apply(`apiVersion: v1
kind: Pod
metadata: { name: loner, labels: { app: loner } }
spec:
  nodeName: ${nodes[0].name}
  containers:
  - { name: agnhost, image: registry.k8s.io/e2e-test-images/agnhost:2.52, args: ["netexec", "--http-port=8080"] }
---
apiVersion: v1
kind: Service
metadata: { name: loner }
spec:
  selector: { app: loner }
  ports: [{ port: 80, targetPort: 8080 }]
`);
  await ready('loner');
  const ip = await clusterIP('loner');
  const self = await waitFor('loner to reach itself', async () => {
    const r = await sh('loner', `curl -s --max-time 2 http://${ip}/hostname`);
    return r.code === 0 && r.stdout ? r.stdout : undefined;
  }, 30_000);
  assert.equal(self, 'loner');
  // client runs on the same node (cni0 bridge both ways): bridge-nf-call-iptables makes the reply un-DNAT.
  const fromClient = await waitFor('client to reach loner on the same node', async () => {
    const r = await sh('client', `curl -s --max-time 2 http://${ip}/clientip`);
    return r.code === 0 && r.stdout ? r.stdout : undefined;
  }, 30_000);
  const clientIP = (await getJson('pod', 'client')).status.podIP;
  assert.equal(fromClient.split(':')[0], clientIP, 'pod → ClusterIP keeps the client pod IP');
});

test('externalTrafficPolicy Local keeps the client source IP; its healthCheckNodePort answers 200 only where the endpoint runs', async () => {
  await apply(`apiVersion: v1
kind: Pod
metadata: { name: srcip, labels: { app: srcip } }
spec:
  nodeName: ${nodes[1].name}
  containers:
  - { name: agnhost, image: registry.k8s.io/e2e-test-images/agnhost:2.52, args: ["netexec", "--http-port=8080"] }
---
apiVersion: v1
kind: Service
metadata: { name: srcip }
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local
  selector: { app: srcip }
  ports: [{ port: 80, targetPort: 8080 }]
`);
  await ready('srcip');
  const svc = await waitFor('srcip to get an address', async () => {
    const s = await getJson('service', 'srcip');
    return s.status?.loadBalancer?.ingress?.[0]?.ip && s.spec.healthCheckNodePort ? s : undefined;
  });
  const nodePort = svc.spec.ports[0].nodePort;
  const seen = await waitFor('NodePort on the endpoint node', async () => {
    const r = await curlHost(`http://${nodes[1].ip}:${nodePort}/clientip`);
    return r.code === 0 ? r.stdout : undefined;
  }, 30_000);
  assert.equal(seen.split(':')[0], hostIP, 'the pod sees the host, not the node');
  // Through the LoadBalancer address: announced by the node with the endpoint.
  assert.equal(svc.metadata.annotations['podnet.io/announcing-node'], nodes[1].name);
  const viaLB = await waitFor('LoadBalancer address', async () => {
    const r = await curlHost(`http://${svc.status.loadBalancer.ingress[0].ip}/clientip`);
    return r.code === 0 ? r.stdout : undefined;
  }, 30_000);
  assert.equal(viaLB.split(':')[0], hostIP);
  // Other nodes drop (no local endpoint): a timeout, not an answer from elsewhere.
  const other = await curlHost(`http://${nodes[0].ip}:${nodePort}/clientip`, 2);
  assert.equal(other.code, 28, show(other));
  for (const n of nodes) {
    const hc = await waitFor(`healthCheckNodePort on ${n.name}`, async () => {
      const r = await run(['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '3', `http://${n.ip}:${svc.spec.healthCheckNodePort}/healthz`]);
      return r.stdout === '200' || r.stdout === '503' ? r.stdout : undefined;
    }, 30_000);
    assert.equal(hc, n === nodes[1] ? '200' : '503', n.name);
  }
  const body = JSON.parse((await curlHost(`http://${nodes[1].ip}:${svc.spec.healthCheckNodePort}/healthz`)).stdout);
  assert.deepEqual(body, { service: { namespace: 'default', name: 'srcip' }, localEndpoints: 1, serviceProxyHealthy: true });
});

test('UDP: a client that keeps its source port reaches the new pod after its endpoint is replaced', async () => {
  await apply(`apiVersion: apps/v1
kind: Deployment
metadata: { name: udp }
spec:
  replicas: 1
  selector: { matchLabels: { app: udp } }
  template:
    metadata: { labels: { app: udp } }
    spec:
      containers:
      - { name: agnhost, image: registry.k8s.io/e2e-test-images/agnhost:2.52, args: ["netexec", "--http-port=8080", "--udp-port=8081"] }
---
apiVersion: v1
kind: Service
metadata: { name: udp }
spec:
  selector: { app: udp }
  ports: [{ port: 53, targetPort: 8081, protocol: UDP }]
`);
  await ok('rollout', 'status', 'deployment/udp', '--timeout=120s');
  const ip = await clusterIP('udp');
  // socat from a fixed source port: the same conntrack entry for every datagram.
  const ask = async () => (await sh('client', `echo hostname | socat -T1 - UDP4:${ip}:53,sourceport=40053,reuseaddr`)).stdout.trim();
  const first = (await podsOf('udp'))[0];
  assert.equal(await waitFor('a UDP answer', async () => (await ask()) || undefined, 30_000), first.metadata.name);
  await ok('delete', 'pod', first.metadata.name, '--wait=false');
  // Keep sending (the entry would never time out) until the new pod answers.
  const answer = await waitFor('the replacement pod to answer the same client', async () => {
    const a = await ask();
    return a && a !== first.metadata.name ? a : undefined;
  }, 60_000);
  const now = (await podsOf('udp')).map((p) => p.metadata.name);
  assert.ok(now.includes(answer), `${answer} is one of ${now.join(',')}`);
});

test('scaling up and down and a rollout: answers only from live pods, and no rule points at a deleted pod once its slice is updated', async () => {
  const ip = await clusterIP('backend');
  await ok('scale', 'deployment/backend', '--replicas=5');
  await ok('rollout', 'status', 'deployment/backend', '--timeout=120s');
  const five = (await podsOf('backend')).map((p) => p.metadata.name).sort();
  assert.equal(five.length, 5);
  await waitFor('answers from all 5 backends', async () => {
    const set = new Set((await hostnamesFrom('client', `http://${ip}:5000/hostname`, 40)).filter(Boolean));
    return set.size === 5 ? true : undefined;
  }, 60_000);

  const before5 = await podsOf('backend');
  await ok('scale', 'deployment/backend', '--replicas=2');
  await waitFor('2 backends', async () => ((await podsOf('backend')).length === 2 ? true : undefined));
  const kept = new Set((await podsOf('backend')).map((p) => p.metadata.name));
  const gone = before5.filter((p) => !kept.has(p.metadata.name)).map((p) => p.status.podIP);
  await rulesForget(gone, 'scale down');
  const answers = await answered(`http://${ip}:5000/hostname`);
  assert.ok(answers.every((a) => kept.has(a)), `answers only from ${[...kept].join(',')}: ${answers.join(',')}`);

  // A rollout (new pods, old ones deleted): requests keep being answered, and once done, only by new pods.
  const old = await podsOf('backend');
  await ok('rollout', 'restart', 'deployment/backend');
  await ok('rollout', 'status', 'deployment/backend', '--timeout=180s');
  await waitFor('old pods to be gone', async () => {
    const names = new Set((await podsOf('backend')).map((p) => p.metadata.name));
    return old.some((p) => names.has(p.metadata.name)) ? undefined : true;
  });
  await rulesForget(old.map((p) => p.status.podIP), 'rollout');
  const fresh = new Set((await podsOf('backend')).map((p) => p.metadata.name));
  const after = await answered(`http://${ip}:5000/hostname`);
  assert.ok(after.every((a) => fresh.has(a)), `answers only from the new pods ${[...fresh].join(',')}: ${after.join(',')}`);
});

test('Service environment variables: a pod started after the Services gets them; enableServiceLinks: false only the kubernetes ones', async () => {
  await apply(`apiVersion: v1
kind: Pod
metadata: { name: envy }
spec:
  containers:
  - { name: c, image: busybox, command: ["sleep", "3600"] }
---
apiVersion: v1
kind: Pod
metadata: { name: nolinks }
spec:
  enableServiceLinks: false
  containers:
  - { name: c, image: busybox, command: ["sleep", "3600"] }
`);
  await ready('envy', 'nolinks');
  const ip = await clusterIP('backend');
  const envOf = async (pod: string) => Object.fromEntries((await ok('exec', pod, '--', 'env')).trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  const env = await envOf('envy');
  assert.equal(env.BACKEND_SERVICE_HOST, ip);
  assert.equal(env.BACKEND_SERVICE_PORT, '5000');
  assert.equal(env.BACKEND_PORT, `tcp://${ip}:5000`);
  assert.equal(env.BACKEND_PORT_5000_TCP_ADDR, ip);
  assert.equal(env.KUBERNETES_SERVICE_HOST, '10.96.0.1');
  assert.equal(env.KUBERNETES_SERVICE_PORT_HTTPS, '443');
  const none = await envOf('nolinks');
  assert.equal(none.BACKEND_SERVICE_HOST, undefined);
  assert.equal(none.KUBERNETES_SERVICE_HOST, '10.96.0.1');
  // The seeds' containers reach the backend through what the variables say.
  const r = await sh('client', `curl -s --max-time 3 http://${env.BACKEND_SERVICE_HOST}:${env.BACKEND_SERVICE_PORT}/hostname`);
  assert.ok((await podsOf('backend')).some((p) => p.metadata.name === r.stdout), r.stdout);
});

test('the proxy of every node: /healthz 200 on :10256 and kubeproxy metrics with programming latency', async () => {
  for (const n of nodes) {
    const hz = await curlHost(`http://${n.ip}:10256/healthz`);
    assert.equal(hz.code, 0, show(hz));
    const body = JSON.parse(hz.stdout);
    assert.equal(body.nodeName, n.name);
    assert.equal(body.nodeHealthy, true);
    const metrics = (await curlHost(`http://${n.ip}:10256/metrics`)).stdout;
    assert.match(metrics, /^kubeproxy_sync_proxy_rules_duration_seconds_count [1-9]\d*$/m, n.name);
    assert.match(metrics, /^kubeproxy_network_programming_duration_seconds_count [1-9]\d*$/m, n.name);
    assert.match(metrics, /^kubeproxy_sync_proxy_rules_last_timestamp_seconds \d/m, n.name);
  }
});
