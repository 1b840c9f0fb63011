// Network programming latency (the Kubernetes SLI): from the change that an EndpointSlice carries (its
// endpoints.kubernetes.io/last-change-trigger-time, set by the EndpointSlice controller from the pod
// change) to the rules of every node holding it, during a rollout of a 100-pod Deployment behind one
// Service on `podnet up --nodes 3`. Two measurements side by side:
//   - timestamps: the bench watches the Service's EndpointSlices and polls each node's endpoint map
//     (`nft list map ip podnet endpoints-tcp`, every --poll-ms) until the node holds that state or a
//     later one; latency = first poll showing it − trigger time (and − when the bench saw the slice);
//   - metrics: each node's kubeproxy_network_programming_duration_seconds histogram (before/after
//     difference), quantiles interpolated within buckets as Prometheus' histogram_quantile does
//     (what clusterloader2's NetworkProgrammingLatency reports).
// Before the rollout, on the otherwise idle cluster, two one-change-at-a-time measurements:
//   - idle: a selectorless Service whose EndpointSlice the bench itself updates (one new address per
//     change, --idle-changes of them, 200 ms apart); `nft monitor` in every node timestamps the moment
//     the new element reaches that node's kernel; latency = that − the moment the bench sent the update;
//   - DNS: --dns-services Services created one at a time; a poller inside node 1's namespace asks every
//     cluster DNS pod every 2 ms until it answers with the ClusterIP; latency = answer − create request.
// Runs its own cluster (pns-bench, underlay 172.31.237.0/24, private state root and kubeconfig) and
// removes it. No peer runs side by side: there is no kube-proxy on this machine to compare with.
//
//   node --import tsx bench/programming-latency.ts [--replicas 100] [--poll-ms 50] [--idle-changes 30] [--dns-services 30] [--dist] [--short]
// bench: cluster
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, DiscoveryV1Api, KubeConfig, ListWatch, Watch, type V1EndpointSlice } from '@kubernetes/client-node';
import { requireRoot } from '../src/linux/exec.js';
import { sized } from './support/short.js';

const args = process.argv.slice(2);
const flag = (name: string, dflt: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const REPLICAS = Number(flag('--replicas', sized('100', '20')));
const IDLE_CHANGES = Number(flag('--idle-changes', sized('30', '10')));
const DNS_SERVICES = Number(flag('--dns-services', sized('30', '10')));
const POLL_MS = Number(flag('--poll-ms', '50'));
const DIST = args.includes('--dist');
const CLUSTER = 'pns-bench';
const UNDERLAY = '172.31.237.0/24';
const NODES = [1, 2, 3].map((i) => ({ name: `${CLUSTER}-node-${i}`, ip: `172.31.237.${10 + i}` }));

const repo = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'pns-bench-'));
const stateRoot = join(work, 'state');
const kubeconfigPath = join(work, 'kube', 'config');
const env = { ...process.env, PODNET_STATE_ROOT: stateRoot, KUBECONFIG: kubeconfigPath };

interface Result { code: number; out: string }
function run(argv: string[]): Promise<Result> {
  return new Promise((resolve) => {
    const p = spawn(argv[0], argv.slice(1), { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}
const podnet = (...a: string[]) => run([process.execPath, ...(DIST ? [join(repo, 'dist/cli/main.js')] : ['--import', 'tsx', join(repo, 'src/cli/main.ts')]), ...a]);
async function kubectl(...a: string[]): Promise<string> {
  const r = await run(['kubectl', '--kubeconfig', kubeconfigPath, ...a]);
  if (r.code !== 0) throw new Error(`kubectl ${a.join(' ')} failed: ${r.out}`);
  return r.out;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
const ms = (x: number) => (Number.isNaN(x) ? '-' : x < 100 ? `${x.toFixed(1)} ms` : `${Math.round(x)} ms`);

/** The endpoint IPs a node's table holds for ClusterIP:80 (the maps layout's endpoint map). */
async function nodeEndpoints(node: string, clusterIP: string): Promise<string | undefined> {
  const r = await run(['ip', 'netns', 'exec', node, 'nft', 'list', 'map', 'ip', 'podnet', 'endpoints-tcp']);
  if (r.code !== 0) return undefined;
  // Elements read `10.96.0.12 . tcp . 80 . 3 comment "default/lat" : 10.244.1.7 . 80`.
  const re = new RegExp(`${clusterIP.replaceAll('.', '\\.')} \\. tcp \\. 80 \\. \\d+ (?:comment "[^"]*" )?: (\\d+\\.\\d+\\.\\d+\\.\\d+) \\. 80`, 'g');
  return [...r.out.matchAll(re)].map((m) => m[1]).sort().join(',');
}

/** kubeproxy_network_programming_duration_seconds buckets (le → cumulative count) of one node. */
async function histogram(node: { ip: string }): Promise<Map<number, number>> {
  const r = await run(['curl', '-s', '--max-time', '3', `http://${node.ip}:10256/metrics`]);
  const out = new Map<number, number>();
  for (const m of r.out.matchAll(/^kubeproxy_network_programming_duration_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm)) {
    out.set(m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2]));
  }
  return out;
}

/** Prometheus' histogram_quantile over cumulative buckets. */
function histogramQuantile(q: number, buckets: Map<number, number>): number {
  const les = [...buckets.keys()].sort((a, b) => a - b);
  const total = buckets.get(Infinity) ?? 0;
  if (!total) return NaN;
  const rank = q * total;
  let prevLe = 0, prevCount = 0;
  for (const le of les) {
    const c = buckets.get(le)!;
    if (c >= rank) {
      if (le === Infinity) return prevLe;
      return prevLe + (le - prevLe) * ((rank - prevCount) / Math.max(1, c - prevCount));
    }
    prevLe = le; prevCount = c;
  }
  return NaN;
}

/** `nft monitor` in each node: every line with the moment it arrived. */
function monitorNodes(): { lines: Map<string, Array<{ at: number; line: string }>>; stop(): void } {
  const lines = new Map<string, Array<{ at: number; line: string }>>();
  const procs = NODES.map((n) => {
    const got: Array<{ at: number; line: string }> = [];
    lines.set(n.name, got);
    const p = spawn('ip', ['netns', 'exec', n.name, 'nft', 'monitor', 'new', 'elements'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let partial = '';
    p.stdout.on('data', (d: Buffer) => {
      const at = performance.timeOrigin + performance.now();
      const parts = (partial + d.toString()).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) got.push({ at, line });
    });
    return p;
  });
  return { lines, stop: () => { for (const p of procs) p.kill('SIGTERM'); } };
}

/** EndpointSlice change → element in every node's kernel, one change at a time on an idle cluster (ms per node). */
async function idleLatency(kc: KubeConfig): Promise<number[]> {
  writeFileSync(join(work, 'idle.yaml'), `apiVersion: v1
kind: Service
metadata: { name: idle }
spec: { ports: [{ port: 80 }] }
`);
  await kubectl('apply', '-f', join(work, 'idle.yaml'));
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  const sliceFor = (ip: string) => ({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
    metadata: { name: 'idle-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'idle' } },
    ports: [{ name: '', port: 80, protocol: 'TCP' }], endpoints: [{ addresses: [ip], conditions: { ready: true } }],
  });
  await discovery.createNamespacedEndpointSlice({ namespace: 'default', body: sliceFor('10.244.250.1') });
  const mon = monitorNodes();
  await sleep(500); // the monitors are listening, the first slice is programmed
  const out: number[] = [];
  try {
    for (let i = 2; i < 2 + IDLE_CHANGES; i++) {
      const ip = `10.244.250.${i}`;
      const sent = performance.timeOrigin + performance.now();
      await discovery.replaceNamespacedEndpointSlice({ name: 'idle-1', namespace: 'default', body: sliceFor(ip) });
      const needle = `: ${ip} . 80`;
      for (const n of NODES) {
        const got = mon.lines.get(n.name)!;
        const t0 = Date.now();
        let hit;
        while (!(hit = got.find((l) => l.at >= sent && l.line.includes(needle)))) {
          if (Date.now() - t0 > 10_000) throw new Error(`${n.name} did not program ${ip} within 10 s`);
          await sleep(2);
        }
        out.push(hit.at - sent);
      }
      await sleep(200);
    }
  } finally {
    mon.stop();
  }
  return out;
}

// Inside node 1's namespace: reads "name ip" lines; asks every server (argv) every 2 ms until each
// answers name A with ip; prints "name epoch-ms" when all have.
const DNS_POLLER = `
const dgram = require('node:dgram');
const servers = process.argv.slice(1);
const sock = dgram.createSocket('udp4');
let id = 0; const waiting = new Map();
function query(name) {
  const labels = name.split('.').flatMap((l) => [Buffer.from([l.length]), Buffer.from(l)]);
  const h = Buffer.alloc(12); id = (id + 1) & 0xffff; h.writeUInt16BE(id, 0); h[2] = 1; h.writeUInt16BE(1, 4);
  return { id, buf: Buffer.concat([h, ...labels, Buffer.from([0, 0, 1, 0, 1])]) };
}
sock.on('message', (m, r) => {
  for (const [name, w] of waiting) {
    if (!w.ids.has(m.readUInt16BE(0))) continue;
    if (m.readUInt16BE(6) > 0 && m.subarray(m.length - 4).join('.') === w.ip) w.done.add(r.address);
    if (w.done.size === servers.length) { waiting.delete(name); clearInterval(w.timer); process.stdout.write(name + ' ' + (performance.timeOrigin + performance.now()) + '\\n'); }
  }
});
let buf = '';
process.stdin.on('data', (d) => {
  buf += d; let i;
  while ((i = buf.indexOf('\\n')) >= 0) {
    const [name, ip] = buf.slice(0, i).split(' '); buf = buf.slice(i + 1);
    const w = { ip, ids: new Set(), done: new Set() };
    w.timer = setInterval(() => { for (const s of servers) if (!w.done.has(s)) { const q = query(name); w.ids.add(q.id); sock.send(q.buf, 53, s); } }, 2);
    waiting.set(name, w);
  }
});
`;

/** Service created (API request sent) → answered with its ClusterIP by every cluster DNS pod (ms). */
async function dnsLatency(kc: KubeConfig): Promise<number[]> {
  const servers = (await kubectl('get', 'pods', '-n', 'kube-system', '-l', 'k8s-app=kube-dns', '-o', 'jsonpath={.items[*].status.podIP}')).trim().split(/\s+/).filter(Boolean);
  if (!servers.length) throw new Error('no cluster DNS pods found (kube-system, k8s-app=kube-dns)');
  const poller = spawn('ip', ['netns', 'exec', NODES[0].name, process.execPath, '-e', DNS_POLLER, ...servers], { stdio: ['pipe', 'pipe', 'inherit'] });
  const answered = new Map<string, number>();
  poller.stdout.on('data', (d: Buffer) => { for (const l of d.toString().split('\n')) { const [n, t] = l.split(' '); if (t) answered.set(n, Number(t)); } });
  const core = kc.makeApiClient(CoreV1Api);
  const out: number[] = [];
  try {
    for (let i = 0; i < DNS_SERVICES; i++) {
      const name = `dnslat-${i}`;
      const sent = performance.timeOrigin + performance.now();
      const svc = await core.createNamespacedService({ namespace: 'default', body: { metadata: { name }, spec: { ports: [{ port: 80 }] } } });
      const fqdn = `${name}.default.svc.cluster.local`;
      poller.stdin.write(`${fqdn} ${svc.spec?.clusterIP}\n`);
      const t0 = Date.now();
      while (!answered.has(fqdn)) {
        if (Date.now() - t0 > 10_000) throw new Error(`${fqdn} not answered by ${servers.join(', ')} within 10 s`);
        await sleep(2);
      }
      out.push(answered.get(fqdn)! - sent);
      await sleep(100);
    }
  } finally {
    poller.kill('SIGTERM');
  }
  return out;
}

async function main(): Promise<void> {
  requireRoot('bench/programming-latency.ts');
  const up = await podnet('up', '--name', CLUSTER, '--nodes', '3', '--underlay-cidr', UNDERLAY);
  if (up.code !== 0) throw new Error(`podnet up failed:\n${up.out}`);
  writeFileSync(join(work, 'lat.yaml'), `apiVersion: apps/v1
kind: Deployment
metadata: { name: lat }
spec:
  replicas: ${REPLICAS}
  selector: { matchLabels: { app: lat } }
  template:
    metadata: { labels: { app: lat } }
    spec:
      terminationGracePeriodSeconds: 1
      containers: [{ name: c, image: busybox, command: ["sleep", "3600"] }]
---
apiVersion: v1
kind: Service
metadata: { name: lat }
spec:
  selector: { app: lat }
  ports: [{ port: 80 }]
`);
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  await kubectl('rollout', 'status', '-n', 'kube-system', 'deployment/coredns', '--timeout=120s');
  const idle = await idleLatency(kc);
  console.log(`idle cluster, one EndpointSlice change at a time → element in every node's kernel (nft monitor): p50 ${ms(pct(idle, 50))}  p90 ${ms(pct(idle, 90))}  p99 ${ms(pct(idle, 99))}  max ${ms(pct(idle, 100))}  (n=${idle.length}: ${IDLE_CHANGES} changes × ${NODES.length} nodes)`);
  const dns = await dnsLatency(kc);
  console.log(`idle cluster, Service created → answered by every cluster DNS pod: p50 ${ms(pct(dns, 50))}  p90 ${ms(pct(dns, 90))}  p99 ${ms(pct(dns, 99))}  max ${ms(pct(dns, 100))}  (n=${dns.length})`);

  await kubectl('apply', '-f', join(work, 'lat.yaml'));
  await kubectl('rollout', 'status', 'deployment/lat', '--timeout=600s');
  const clusterIP = (await kubectl('get', 'service', 'lat', '-o', 'jsonpath={.spec.clusterIP}')).trim();

  // The Service's slices as the API has them: every change is a target state for the nodes.
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  const selector = 'kubernetes.io/service-name=lat';
  const slices = new ListWatch<V1EndpointSlice>('/apis/discovery.k8s.io/v1/endpointslices', new Watch(kc),
    () => discovery.listEndpointSliceForAllNamespaces({ labelSelector: selector }), false, selector);
  const states: Array<{ seen: number; trigger: number; set: string }> = [];
  const stateOf = () => slices.list().flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready !== false).map((e) => e.addresses[0])).sort().join(',');
  const record = (s: V1EndpointSlice) => {
    const set = stateOf();
    if (states.length && states[states.length - 1].set === set) return;
    const raw = s.metadata?.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'];
    states.push({ seen: Date.now(), trigger: raw ? Date.parse(raw) : NaN, set });
  };
  for (const ev of ['add', 'update', 'delete'] as const) slices.on(ev, record);
  await slices.start();
  const steady = stateOf();
  // Every node holds the steady state before the rollout starts.
  for (const n of NODES) {
    for (let i = 0; (await nodeEndpoints(n.name, clusterIP)) !== steady; i++) {
      if (i > 600) throw new Error(`${n.name} never programmed the ${REPLICAS} endpoints`);
      await sleep(100);
    }
  }
  states.length = 0;
  states.push({ seen: Date.now(), trigger: NaN, set: steady });
  const before = await Promise.all(NODES.map(histogram));

  // Poll every node's endpoint map while the rollout runs.
  const polls = new Map<string, Array<{ at: number; set: string }>>(NODES.map((n) => [n.name, []]));
  let polling = true;
  const pollers = NODES.map(async (n) => {
    while (polling) {
      const t0 = Date.now();
      const set = await nodeEndpoints(n.name, clusterIP);
      if (set !== undefined) polls.get(n.name)!.push({ at: Date.now(), set });
      await sleep(Math.max(0, POLL_MS - (Date.now() - t0)));
    }
  });
  const started = Date.now();
  await kubectl('rollout', 'restart', 'deployment/lat');
  await kubectl('rollout', 'status', 'deployment/lat', '--timeout=900s');
  // Until the old pods are gone from the slices and every node holds the final state.
  for (;;) {
    await sleep(500);
    const final = stateOf();
    const pods = (await kubectl('get', 'pods', '-l', 'app=lat', '--no-headers')).trim().split('\n').filter(Boolean).length;
    const last = NODES.map((n) => polls.get(n.name)!.at(-1)?.set);
    if (pods === REPLICAS && last.every((s) => s === final)) break;
    if (Date.now() - started > 900_000) throw new Error('the rollout did not settle in 15 minutes');
  }
  polling = false;
  await Promise.all(pollers);
  const rolloutMs = Date.now() - started;
  const after = await Promise.all(NODES.map(histogram));
  await slices.stop();

  // Per (state, node): the first poll showing that state or a later one.
  const fromTrigger: number[] = [], fromSeen: number[] = [];
  let unmatched = 0;
  const changes = states.slice(1);
  for (const n of NODES) {
    const ps = polls.get(n.name)!;
    changes.forEach((st, k) => {
      const later = new Set(changes.slice(k).map((s) => s.set));
      const hit = ps.find((p) => p.at >= st.seen - 1000 && later.has(p.set));
      if (!hit) { unmatched++; return; }
      if (!Number.isNaN(st.trigger)) fromTrigger.push(hit.at - st.trigger);
      fromSeen.push(hit.at - st.seen);
    });
  }
  const metric = NODES.map((_, i) => {
    const diff = new Map<number, number>();
    for (const [le, c] of after[i]) diff.set(le, c - (before[i].get(le) ?? 0));
    return diff;
  });
  const merged = new Map<number, number>();
  for (const m of metric) for (const [le, c] of m) merged.set(le, (merged.get(le) ?? 0) + c);

  console.log(`rollout of ${REPLICAS} pods behind one Service on 3 nodes: ${(rolloutMs / 1000).toFixed(1)} s, ${changes.length} EndpointSlice states, `
    + `${changes.length * NODES.length} (state, node) pairs, polled every ${POLL_MS} ms${DIST ? ' (dist)' : ' (tsx)'}`);
  console.log(`  timestamps  trigger → rules in node: p50 ${ms(pct(fromTrigger, 50))}  p90 ${ms(pct(fromTrigger, 90))}  p99 ${ms(pct(fromTrigger, 99))}  max ${ms(pct(fromTrigger, 100))}  (n=${fromTrigger.length})`);
  console.log(`              slice seen by the bench → rules in node: p50 ${ms(pct(fromSeen, 50))}  p99 ${ms(pct(fromSeen, 99))}  (states skipped by coalescing are counted at the later state; ${unmatched} unmatched)`);
  console.log(`  metrics     kubeproxy_network_programming_duration_seconds over ${merged.get(Infinity) ?? 0} observations: `
    + `p50 ${ms(histogramQuantile(0.5, merged) * 1000)}  p99 ${ms(histogramQuantile(0.99, merged) * 1000)} (bucket-interpolated)`);
  NODES.forEach((n, i) => console.log(`              ${n.name}: n=${metric[i].get(Infinity) ?? 0} p50 ${ms(histogramQuantile(0.5, metric[i]) * 1000)} p99 ${ms(histogramQuantile(0.99, metric[i]) * 1000)}`));
}

main().catch((e) => { console.error(e); process.exitCode = 1; }).finally(async () => {
  if (existsSync(join(stateRoot, CLUSTER))) {
    const down = await podnet('down', '--name', CLUSTER);
    // podnet down keeps the state directory when something could not be removed: keep it for a retry.
    if (down.code !== 0 || existsSync(join(stateRoot, CLUSTER))) {
      console.error(`podnet down did not finish; retry with: PODNET_STATE_ROOT=${stateRoot} podnet down --name ${CLUSTER}\n${down.out}`);
      process.exitCode = 1;
      return;
    }
  }
  rmSync(work, { recursive: true, force: true });
});
