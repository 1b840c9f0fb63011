// NetworkPolicy benchmarks (issue 10).
// bench: cluster
//   kernel parts (throwaway namespaces, no cluster):
//     sync — full sync of 1,000 policies over 1,000 pods: plan time, `nft -f` input size and apply time,
//       and one policy change afterwards (diff size and time);
//     rate — connection rate and latency between two pods on one node (wrk, a new TCP connection per
//       request, against Debian's nginx) with no enforcement (no table), and with 0, 100, 1,000 policies
//       all selecting the server pod — same run, ratios against no enforcement;
//   cluster part (`podnet up --nodes 3`, name pol-bench, underlay 172.31.223.0/24; run it under the shared
//     cluster lock, as scripts/bench.mjs does for the whole file):
//     cluster — policy created → enforced on every node, measured by connections from a client pod
//       (see enforcementLatency). p50/p99 over --runs.
//
//   flock /tmp/podnet-e2e.lock node --import tsx bench/policy.ts [--part sync|rate|kernel|cluster|all]
//       [--runs 50] [--seconds 1] [--rounds 15] [--no-rt] [--short]
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireRoot } from '../src/linux/exec.js';
import { nftApply } from '../src/linux/nft.js';
import { IncrementalPolicyPlanner, PolicyIndex, planPolicyRuleset } from '../src/core/policy/index.js';
import { synthetic } from './support/policy-synthetic.js';
import { diffRulesets, renderRuleset } from '../src/core/nft/index.js';
import { e2eCluster } from '../test/support/e2e-cluster.js';
import { sized } from './support/short.js';
import { KubeConfig, NetworkingV1Api } from '@kubernetes/client-node';

const args = process.argv.slice(2);
const flag = (name: string, dflt: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const PART = flag('--part', 'all');
const RUNS = Number(flag('--runs', sized('50', '10')));
const SECONDS = Number(flag('--seconds', '1'));
const ROUNDS = Number(flag('--rounds', sized('15', '4')));
// wrk and nginx run on one CPU at a real-time priority (see connectionRate); --no-rt runs them as usual.
const RT = !args.includes('--no-rt');
const P = `polb${process.pid}`;
const NODE = `${P}-node`;
const sh = (argv: string[], input?: string) => execFileSync(argv[0], argv.slice(1), { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]; };
const now = () => performance.now();

function cleanupKernel(): void {
  for (const ns of [NODE, `${P}-cli`, `${P}-srv`]) { try { sh(['ip', 'netns', 'delete', ns]); } catch { /* absent */ } }
}

async function fullSync(): Promise<void> {
  console.log('\n## Full sync: 1,000 policies over 1,000 pods (all on one node: 250 on each of 4 nodes is the real case; both shown)');
  const input = synthetic(1000);
  for (const node of [undefined, 'node-0']) {
    const planner = new IncrementalPolicyPlanner(node);
    const t0 = now();
    const rs = planPolicyRuleset(planner.plan(input).plans);
    const t1 = now();
    const text = renderRuleset(rs);
    const t2 = now();
    const nftMs = await nftApply(text, { netns: NODE });
    const total = now() - t0;
    console.log(`| ${node ? '250 local pods (one node of 4)' : 'all 1,000 pods local'} | plan ${(t1 - t0).toFixed(0)} ms | render ${(t2 - t1).toFixed(0)} ms | nft -f ${nftMs.toFixed(0)} ms | total **${total.toFixed(0)} ms** | ${(text.length / 1024).toFixed(0)} KiB, ${text.split('\n').length} lines |`);
    // One policy changes (its peers move to another app label), as an informer delivers it: a new object
    // for that policy, the same objects for everything else. Only the pod it selects is planned again,
    // and the transaction is the diff.
    const np7 = structuredClone(input.policies[7]);
    (np7.spec!.ingress![0].from![0].podSelector as { matchLabels: Record<string, string> }).matchLabels.app = 'app-42';
    const changed = { ...input, policies: input.policies.map((np, i) => (i === 7 ? np7 : np)) };
    const t3 = now();
    const second = planner.plan(changed);
    const d = diffRulesets(rs, planPolicyRuleset(second.plans));
    const t4 = now();
    const diffMs = await nftApply(d.text, { netns: NODE });
    console.log(`|   one policy changed | plan+diff ${(t4 - t3).toFixed(0)} ms (${second.replanned} pod planned again) | nft -f ${diffMs.toFixed(0)} ms | ${d.text.split('\n').length - 1} lines (full: ${d.full}) |`);
  }
  sh(['ip', 'netns', 'exec', NODE, 'nft', 'delete', 'table', 'ip', 'podnet-policy']);
}

// Pinned to CPU 1 at SCHED_FIFO priority 10 (the kernel's RT throttling still leaves 5 % of that CPU to
// everything else): on this shared 2-core machine, load from other work otherwise decides the rate (runs
// of one configuration varied 2× at load 10). The client and server then share one CPU, as two pods of
// one node often do; softirq work runs in their context. What is compared is the CPU cost per connection.
const pinned = (argv: string[]) => (RT ? ['chrt', '-f', '10', 'taskset', '-c', '1', ...argv] : argv);

function wrk(url: string): { rps: number; p50: number; p99: number } {
  const out = sh(pinned(['ip', 'netns', 'exec', `${P}-cli`, 'wrk', '-t1', '-c8', `-d${SECONDS}s`, '--latency', '-H', 'Connection: close', url]));
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const toMs = (v: string, unit: string) => Number(v) * (unit === 'us' ? 0.001 : unit === 's' ? 1000 : 1);
  const lat = (p: string) => { const m = new RegExp(`${p}%\\s+([\\d.]+)(us|ms|s)`).exec(out); return m ? toMs(m[1], m[2]) : NaN; };
  return { rps, p50: lat('50'), p99: lat('99') };
}

async function connectionRate(): Promise<void> {
  console.log(`\n## Connection rate, client → server pod on one node (wrk -c8, Connection: close, ${SECONDS} s × ${ROUNDS} rounds${RT ? ', pinned to CPU 1 at SCHED_FIFO' : ''})`);
  // Two pods on the node's cni0 (bridged: br_netfilter on, as the agent sets it); nginx in the server pod.
  // Their addresses are outside the synthetic cluster's (10.244.0-3.x): a pod sharing its IP with a
  // synthetic pod would not be planned at all (one plan per address) and the rows would measure nothing.
  sh(['ip', '-n', NODE, 'link', 'add', 'cni0', 'type', 'bridge']);
  sh(['ip', '-n', NODE, 'addr', 'add', '10.244.9.1/24', 'dev', 'cni0']);
  sh(['ip', '-n', NODE, 'link', 'set', 'cni0', 'up']);
  sh(['ip', 'netns', 'exec', NODE, 'sysctl', '-qw', 'net.bridge.bridge-nf-call-iptables=1', 'net.ipv4.ip_forward=1']);
  const pods = { cli: '10.244.9.2', srv: '10.244.9.3' } as const;
  for (const [n, addr] of Object.entries(pods)) {
    const ns = `${P}-${n}`;
    sh(['ip', 'netns', 'add', ns]);
    sh(['ip', '-n', NODE, 'link', 'add', `v${n}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    sh(['ip', '-n', NODE, 'link', 'set', `v${n}`, 'master', 'cni0', 'up']);
    sh(['ip', '-n', ns, 'addr', 'add', `${addr}/24`, 'dev', 'eth0']);
    sh(['ip', '-n', ns, 'link', 'set', 'eth0', 'up']);
    sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
  }
  // A real node always has the service proxy's NAT table, so conntrack already tracks every connection
  // there; the baseline has it too, so that the rows differ only by the policy table.
  sh(['ip', 'netns', 'exec', NODE, 'nft', '-f', '-'], `add table ip bench-nat\nadd chain ip bench-nat pre { type nat hook prerouting priority -100 ; }\nadd rule ip bench-nat pre ip daddr 10.96.0.99 tcp dport 80 dnat to ${pods.srv}:80\n`);
  const dir = mkdtempSync(join(tmpdir(), `${P}-nginx-`));
  writeFileSync(join(dir, 'nginx.conf'), `daemon off; worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 4096; }
http { access_log off; server { listen ${pods.srv}:80 reuseport; location / { return 200 "ok\\n"; } } }\n`);
  // chrt, taskset and ip netns exec each exec the next: the child's pid is nginx's.
  const [cmd, ...rest] = pinned(['ip', 'netns', 'exec', `${P}-srv`, '/usr/sbin/nginx', '-c', join(dir, 'nginx.conf'), '-p', dir]);
  const nginx: ChildProcess = spawn(cmd, rest, { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 500));
  try {
    const url = `http://${pods.srv}/`;
    const del = 'add table ip podnet-policy\ndelete table ip podnet-policy\n';
    const configs: Array<{ what: string; text: string }> = [
      { what: 'no enforcement (no policy table; the NAT table as on a node)', text: del },
      // Where the per-packet cost is: a base chain on the forward hook, even without a rule, makes every
      // bridged packet take br_netfilter's IPv4 forward path through nf_tables.
      { what: 'diagnostic: an empty filter chain on the forward hook, nothing else', text: `${del}add table ip podnet-policy\nadd chain ip podnet-policy forward { type filter hook forward priority 0 ; }\n` },
    ];
    for (const n of [0, 100, 1000]) {
      // n policies all selecting the server pod (the worst case for per-rule designs); one more lets
      // the client in on port 80, the others allow other peers and ports.
      const input = synthetic(n, { allSelect: 'server' });
      input.pods.push(
        { metadata: { namespace: 'bench', name: 'server', labels: { role: 'server' } }, spec: { nodeName: 'bench' }, status: { phase: 'Running', podIP: pods.srv } },
        { metadata: { namespace: 'bench', name: 'client', labels: { role: 'client', app: 'app-0' } }, spec: { nodeName: 'bench' }, status: { phase: 'Running', podIP: pods.cli } },
      );
      input.policies.push({ metadata: { namespace: 'bench', name: 'allow-client' }, spec: { podSelector: { matchLabels: { role: 'server' } }, ingress: [{ from: [{ podSelector: { matchLabels: { role: 'client' } } }], ports: [{ port: 80 }] }] } });
      const plans = new PolicyIndex(input).planNode('bench');
      if (!plans.some((p) => p.ip === pods.srv && p.ingress)) throw new Error(`bench: the server ${pods.srv} is not isolated in the ${n}-policy table`);
      configs.push({ what: `${n} policies selecting the server (+1 allowing the client)`, text: del + renderRuleset(planPolicyRuleset(plans)) });
    }
    // Every round runs each configuration once, in a new random order (a burst of load, or whatever the
    // previous run left behind, hits every configuration alike); a row's ratio is the median of its
    // per-round ratios to that round's no-enforcement run.
    const results = configs.map(() => [] as Array<ReturnType<typeof wrk>>);
    const ratios = configs.map(() => [] as number[]);
    for (let round = 0; round < ROUNDS; round++) {
      const order = configs.map((_, i) => i).sort(() => Math.random() - 0.5);
      const got: number[] = [];
      for (const i of order) {
        await nftApply(configs[i].text, { netns: NODE });
        const r = wrk(url);
        results[i].push(r);
        got[i] = r.rps;
      }
      got.forEach((rps, i) => ratios[i].push(rps / got[0]));
    }
    const med = (xs: number[]) => pct(xs, 50);
    console.log(`| (medians of ${ROUNDS} rounds) | connections/s | ratio | ratio range (middle half) | p50 | p99 |\n|---|---|---|---|---|---|`);
    configs.forEach((cfg, i) => {
      const rs = results[i];
      console.log(`| ${cfg.what} | ${med(rs.map((r) => r.rps)).toFixed(0)} | ${med(ratios[i]).toFixed(2)}× | ${pct(ratios[i], 25).toFixed(2)}–${pct(ratios[i], 75).toFixed(2)} | ${med(rs.map((r) => r.p50)).toFixed(2)} ms | ${med(rs.map((r) => r.p99)).toFixed(2)} ms |`);
    });
  } finally {
    nginx.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The probe in the client pod (pods run the host's binaries; one Node.js process for the whole run, driven
 * over `kubectl exec -i`). `open` → it starts a new TCP connection to every server every PROBE_MS (each
 * attempt given up after 300 ms) and answers `open <target> <epoch ms>` with the start time of the first
 * attempt that connected, per server; `closed` → one attempt per server with a 1 s timeout, answered
 * `closed <n that did not connect>`. Times are performance.timeOrigin + now(): the same clock as the bench's.
 */
const PROBER = `const net = require('net'); const rl = require('readline').createInterface({ input: process.stdin });
const targets = JSON.parse(process.argv[1]); const PROBE_MS = 2; const t = () => performance.timeOrigin + performance.now();
// Source ports are never reused within a bench: a new connection on the 4-tuple of an old one whose end
// conntrack did not see would pass as established, whatever the policy says.
let port = 20000; const nextPort = () => (port = port >= 60999 ? 20000 : port + 1);
const attempt = (ip, timeout, cb) => { const s = net.connect({ port: 80, host: ip, localPort: nextPort() }); const timer = setTimeout(() => { s.destroy(); cb(false, 'timeout'); }, timeout);
  s.on('connect', () => { clearTimeout(timer); s.destroy(); cb(true, 'connected'); }); s.on('error', (e) => { clearTimeout(timer); cb(false, e.code); }); };
rl.on('line', (line) => {
  if (line === 'open') {
    const left = new Set(targets);
    const iv = setInterval(() => { for (const ip of left) { const at = t(); attempt(ip, 300, (ok) => { if (ok && left.delete(ip)) { console.log('open ' + ip + ' ' + at); if (!left.size) clearInterval(iv); } }); } }, PROBE_MS);
  } else if (line === 'closed') {
    const how = []; let n = 0, done = 0;
    for (const ip of targets) attempt(ip, 1000, (ok, why) => { if (!ok) n++; how.push(ip + ':' + why); if (++done === targets.length) console.log('closed ' + n + ' ' + how.join(',')); });
  }
});
console.log('ready');`;

/**
 * Policy created → enforced on every node, as a user sees it: a connection that the policy allows gets
 * through. Servers (nginx) on each of the 3 nodes sit under a default-deny ingress policy; a client pod on
 * node 1 probes all of them; each run creates a policy allowing the client on port 80 and measures, per
 * server, from just before the create request to the start of the first connection attempt that got
 * through (the rules of the server's node were in its kernel by then; resolution: the 2 ms probe period).
 * Then the policy is deleted and the bench checks every server is closed again before the next run.
 * Where the time goes: the create request's own duration, and each node's policy sync (plan + nft) from
 * its /metrics histogram; the rest is watch delivery and the programmer's coalescing window.
 */
async function enforcementLatency(): Promise<void> {
  console.log(`\n## Policy created → enforced on every node (podnet up --nodes 3, ${RUNS} runs)`);
  const c = e2eCluster('pol-bench');
  const nodes = [1, 2, 3].map((i) => `pol-bench-node-${i}`);
  let prober: ChildProcess | undefined;
  try {
    const up = await c.podnet('up', '--name', 'pol-bench', '--nodes', '3', '--underlay-cidr', '172.31.223.0/24');
    if (up.code !== 0) throw new Error(c.show(up));
    await c.apply(`apiVersion: v1\nkind: Namespace\nmetadata: { name: bench }\n` + nodes.map((n, i) => `---
apiVersion: v1
kind: Pod
metadata: { name: s${i + 1}, namespace: bench, labels: { app: web } }
spec: { nodeName: ${n}, containers: [{ name: c, image: nginx }] }`).join('\n') + `
---
apiVersion: v1
kind: Pod
metadata: { name: client, namespace: bench, labels: { role: client } }
spec: { nodeName: ${nodes[0]}, containers: [{ name: c, image: registry.k8s.io/pause:3.10 }] }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: deny, namespace: bench }
spec: { podSelector: { matchLabels: { app: web } }, policyTypes: [Ingress] }
`);
    await c.ok('wait', '-n', 'bench', '--for=condition=Ready', 'pod', '--all', '--timeout=120s');
    const pods = JSON.parse(await c.ok('get', 'pods', '-n', 'bench', '-o', 'json')).items as any[];
    const servers = new Map<string, string>(pods.filter((p) => p.metadata.name !== 'client').map((p) => [p.status.podIP, p.spec.nodeName]));
    console.log(`servers: ${[...servers].map(([ip, n]) => `${ip} on ${n}`).join(', ')}; client on ${nodes[0]}`);

    prober = spawn('kubectl', ['--kubeconfig', c.kubeconfig, 'exec', '-i', '-n', 'bench', 'client', '--', process.execPath, '-e', PROBER, JSON.stringify([...servers.keys()])], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines: string[] = [];
    let proberGone = '';
    prober.on('exit', (code, signal) => { proberGone = `the prober (kubectl exec) exited: code ${code}, signal ${signal}`; console.log(proberGone); });
    let wake: (() => void) | undefined;
    let rest = '';
    prober.stdout!.on('data', (d) => {
      const all = (rest + String(d)).split('\n');
      rest = all.pop() ?? '';
      lines.push(...all.filter(Boolean));
      wake?.();
    });
    const next = async (prefix: string, timeoutMs: number): Promise<string | undefined> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const i = lines.findIndex((l) => l.startsWith(prefix));
        if (i >= 0) return lines.splice(i, 1)[0];
        if (Date.now() > deadline) return undefined;
        await new Promise<void>((r) => { wake = r; setTimeout(r, 50); });
      }
    };
    if (!(await next('ready', 30_000))) throw new Error('the prober in bench/client did not start');
    let lastClosed = '';
    const closed = async () => {
      lines.length = 0;
      prober!.stdin!.write('closed\n');
      lastClosed = (await next('closed ', 10_000)) ?? `no answer in 10 s${proberGone ? ` (${proberGone})` : ''}`;
      return lastClosed.startsWith(`closed ${servers.size} `);
    };
    if (!(await closed())) throw new Error('a server answers under the default-deny policy');

    const kc = new KubeConfig();
    kc.loadFromFile(c.kubeconfig);
    const api = kc.makeApiClient(NetworkingV1Api);
    const syncs = async () => Promise.all(nodes.map(async (_, i) => {
      const text = await (await fetch(`http://172.31.223.${11 + i}:10256/metrics`)).text();
      const num = (name: string) => Number(new RegExp(`^${name} ([\\d.e+-]+)$`, 'm').exec(text)?.[1] ?? NaN);
      return { sum: num('podnet_networkpolicy_sync_duration_seconds_sum'), count: num('podnet_networkpolicy_sync_duration_seconds_count') };
    }));
    const before = await syncs();
    const lat: number[] = [];
    const perNode = new Map<string, number[]>(nodes.map((n) => [n, []]));
    const createMs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      lines.length = 0;
      prober.stdin!.write('open\n');
      await new Promise((r) => setTimeout(r, 20)); // the prober is probing (and failing) before the create
      const start = performance.timeOrigin + performance.now();
      await api.createNamespacedNetworkPolicy({ namespace: 'bench', body: { metadata: { name: `allow-${i}` }, spec: {
        podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'],
        ingress: [{ _from: [{ podSelector: { matchLabels: { role: 'client' } } }], ports: [{ protocol: 'TCP', port: 80 }] }],
      } } as any });
      createMs.push(performance.timeOrigin + performance.now() - start);
      const got = new Map<string, number>();
      while (got.size < servers.size) {
        const l = await next('open ', 10_000);
        if (!l) break;
        const [, ip, at] = l.split(' ');
        got.set(ip, Number(at) - start);
      }
      await api.deleteNamespacedNetworkPolicy({ namespace: 'bench', name: `allow-${i}` });
      if (got.size < servers.size) {
        console.log(`run ${i}: not every server was reachable within 10 s (${[...got.keys()].join(', ') || 'none'} of ${[...servers.keys()].join(', ')})`);
      } else {
        lat.push(Math.max(...got.values()));
        for (const [ip, ms] of got) perNode.get(servers.get(ip)!)!.push(ms);
        // Each run as it comes, so that a run that goes wrong later leaves the earlier ones on record.
        console.log(`run ${i}: ${[...got].map(([ip, ms]) => `${servers.get(ip)} ${ms.toFixed(0)} ms`).join(', ')} (create request ${createMs[createMs.length - 1].toFixed(0)} ms)`);
      }
      // The next run starts from default deny everywhere (its connections must not pass by accident).
      // The agents take some tens of ms to apply the delete; checks that connect return at once, so they
      // are spaced, for up to 10 s.
      const until = Date.now() + 10_000;
      while (!(await closed())) {
        if (Date.now() < until) { await new Promise((r) => setTimeout(r, 100)); continue; }
        // What each node holds, and what its agent said: the bench's numbers mean nothing past this.
        console.log(`last check: ${lastClosed}`);
        for (const n of nodes) {
          try { console.log(`--- ${n}: conntrack to port 80\n${sh(['ip', 'netns', 'exec', n, 'conntrack', '-L', '-p', 'tcp', '--dport', '80'])}`); } catch (e) { console.log(`${n}: ${(e as Error).message}`); }
          try { console.log(`--- ${n}: nft list table ip podnet-policy\n${sh(['ip', 'netns', 'exec', n, 'nft', 'list', 'table', 'ip', 'podnet-policy'])}`); } catch (e) { console.log(`${n}: ${(e as Error).message}`); }
        }
        const logs = join(c.stateDir, 'logs');
        for (const f of readdirSync(logs).filter((f) => f.startsWith('agent'))) console.log(`--- ${f} (last 40 lines)\n${readFileSync(join(logs, f), 'utf8').split('\n').slice(-40).join('\n')}`);
        throw new Error(`run ${i}: 10 s after allow-${i} was deleted, not every server was closed again (last check: ${lastClosed})`);
      }
    }
    const after = await syncs();
    const f = (x: number) => `${x.toFixed(0)} ms`;
    console.log(`| (${lat.length} runs) | p50 | p90 | p99 | max |\n|---|---|---|---|---|`);
    console.log(`| policy created → enforced on every node | **${f(pct(lat, 50))}** | ${f(pct(lat, 90))} | **${f(pct(lat, 99))}** | ${f(Math.max(...lat))} |`);
    for (const [n, xs] of perNode) console.log(`| ${n} | ${f(pct(xs, 50))} | ${f(pct(xs, 90))} | ${f(pct(xs, 99))} | ${f(Math.max(...xs))} |`);
    console.log(`| the create request (API server: validate, store, answer) | ${f(pct(createMs, 50))} | ${f(pct(createMs, 90))} | ${f(pct(createMs, 99))} | ${f(Math.max(...createMs))} |`);
    nodes.forEach((n, i) => {
      const count = after[i].count - before[i].count;
      console.log(`${n}: ${count} policy syncs during the runs, mean ${(1000 * (after[i].sum - before[i].sum) / count).toFixed(1)} ms each (plan + nft, from /metrics)`);
    });
  } finally {
    prober?.kill();
    if (existsSync(c.stateDir)) await c.podnet('down', '--name', 'pol-bench');
    rmSync(c.work, { recursive: true, force: true });
  }
}

requireRoot('bench/policy.ts');
console.log(`# NetworkPolicy benchmarks (load ${sh(['cat', '/proc/loadavg']).split(' ').slice(0, 3).join(' ')})`);
const part = (name: string) => PART === name || PART === 'all' || (PART === 'kernel' && (name === 'sync' || name === 'rate'));
if (!['sync', 'rate', 'kernel', 'cluster', 'all'].includes(PART)) throw new Error(`--part ${PART}: give sync, rate, kernel, cluster or all`);
if (part('sync') || part('rate')) {
  cleanupKernel();
  sh(['ip', 'netns', 'add', NODE]);
  try {
    if (part('sync')) await fullSync();
    if (part('rate')) await connectionRate();
  } finally {
    cleanupKernel();
  }
}
if (part('cluster')) await enforcementLatency();
