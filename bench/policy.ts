// NetworkPolicy benchmarks (issue 10).
//   kernel part (throwaway namespaces, no cluster):
//     - full sync of 1,000 policies over 1,000 pods: plan time, `nft -f` input size and apply time, and
//       one policy change afterwards (diff size and time);
//     - connection rate and latency between two pods on one node (wrk, a new TCP connection per request,
//       against Debian's nginx) with no enforcement (no table), and with 0, 100, 1,000 policies all
//       selecting the server pod — same run, ratios against no enforcement;
//   cluster part (`podnet up --nodes 3`, name pol-bench, underlay 172.31.223.0/24):
//     - policy created → enforced on every node: a default-deny policy over pods on all three nodes;
//       each node's `nft monitor` reports when its table holds the pods' chains; latency = last node's
//       report − the moment before the create request. p50/p99 over --runs.
//
//   node --import tsx bench/policy.ts [--part kernel|cluster|all] [--runs 50] [--seconds 3] [--rounds 5]
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireRoot } from '../src/linux/exec.js';
import { nftApply } from '../src/linux/nft.js';
import { PolicyIndex, planPolicyRuleset } from '../src/core/policy/index.js';
import { synthetic } from './policy-synthetic.js';
import { diffRulesets, renderRuleset } from '../src/core/nft/index.js';
import { e2eCluster } from '../test/support/e2e-cluster.js';
import { KubeConfig, NetworkingV1Api } from '@kubernetes/client-node';

const args = process.argv.slice(2);
const flag = (name: string, dflt: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const PART = flag('--part', 'all');
const RUNS = Number(flag('--runs', '50'));
const SECONDS = Number(flag('--seconds', '3'));
const ROUNDS = Number(flag('--rounds', '5'));
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
    const t0 = now();
    const plans = new PolicyIndex(input).planNode(node);
    const rs = planPolicyRuleset(plans);
    const t1 = now();
    const text = renderRuleset(rs);
    const t2 = now();
    const nftMs = await nftApply(text, { netns: NODE });
    const total = now() - t0;
    console.log(`| ${node ? '250 local pods (one node of 4)' : 'all 1,000 pods local'} | plan ${(t1 - t0).toFixed(0)} ms | render ${(t2 - t1).toFixed(0)} ms | nft -f ${nftMs.toFixed(0)} ms | total **${total.toFixed(0)} ms** | ${(text.length / 1024).toFixed(0)} KiB, ${text.split('\n').length} lines |`);
    // One policy changes (its peers move to another app label): the transaction is the diff.
    const changed = synthetic(1000);
    (changed.policies[7].spec!.ingress![0].from![0].podSelector as { matchLabels: Record<string, string> }).matchLabels.app = 'app-42';
    const t3 = now();
    const next = planPolicyRuleset(new PolicyIndex(changed).planNode(node));
    const d = diffRulesets(rs, next);
    const t4 = now();
    const diffMs = await nftApply(d.text, { netns: NODE });
    console.log(`|   one policy changed | plan+diff ${(t4 - t3).toFixed(0)} ms | nft -f ${diffMs.toFixed(0)} ms | ${d.text.split('\n').length - 1} lines (full: ${d.full}) |`);
  }
  sh(['ip', 'netns', 'exec', NODE, 'nft', 'delete', 'table', 'ip', 'podnet-policy']);
}

function wrk(url: string): { rps: number; p50: number; p99: number } {
  const out = sh(['ip', 'netns', 'exec', `${P}-cli`, 'wrk', '-t1', '-c8', `-d${SECONDS}s`, '--latency', '-H', 'Connection: close', url]);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const toMs = (v: string, unit: string) => Number(v) * (unit === 'us' ? 0.001 : unit === 's' ? 1000 : 1);
  const lat = (p: string) => { const m = new RegExp(`${p}%\\s+([\\d.]+)(us|ms|s)`).exec(out); return m ? toMs(m[1], m[2]) : NaN; };
  return { rps, p50: lat('50'), p99: lat('99') };
}

async function connectionRate(): Promise<void> {
  console.log(`\n## Connection rate, client → server pod on one node (wrk -c8, Connection: close, ${SECONDS} s each)`);
  // Two pods on the node's cni0 (bridged: br_netfilter on, as the agent sets it); nginx in the server pod.
  sh(['ip', '-n', NODE, 'link', 'add', 'cni0', 'type', 'bridge']);
  sh(['ip', '-n', NODE, 'addr', 'add', '10.244.0.1/24', 'dev', 'cni0']);
  sh(['ip', '-n', NODE, 'link', 'set', 'cni0', 'up']);
  sh(['ip', 'netns', 'exec', NODE, 'sysctl', '-qw', 'net.bridge.bridge-nf-call-iptables=1', 'net.ipv4.ip_forward=1']);
  const pods = { cli: '10.244.0.2', srv: '10.244.0.3' } as const;
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
  sh(['ip', 'netns', 'exec', NODE, 'nft', '-f', '-'], 'add table ip bench-nat\nadd chain ip bench-nat pre { type nat hook prerouting priority -100 ; }\nadd rule ip bench-nat pre ip daddr 10.96.0.99 tcp dport 80 dnat to 10.244.0.3:80\n');
  const dir = mkdtempSync(join(tmpdir(), `${P}-nginx-`));
  writeFileSync(join(dir, 'nginx.conf'), `daemon off; worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 4096; }
http { access_log off; server { listen ${pods.srv}:80 reuseport; location / { return 200 "ok\\n"; } } }\n`);
  const nginx: ChildProcess = spawn('ip', ['netns', 'exec', `${P}-srv`, '/usr/sbin/nginx', '-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 500));
  try {
    const url = `http://${pods.srv}/`;
    // Each configuration's table, rendered once; the rounds interleave them so that a burst of load on
    // the shared machine hits every configuration alike; each row is the median of its rounds.
    const configs: Array<{ what: string; text: string }> = [{ what: 'no enforcement (no policy table; the NAT table as on a node)', text: 'add table ip podnet-policy\ndelete table ip podnet-policy\n' }];
    for (const n of [0, 100, 1000]) {
      // n policies all selecting the server pod (the worst case for per-rule designs); one more lets
      // the client in on port 80, the others allow other peers and ports.
      const input = synthetic(n, { allSelect: 'server' });
      input.pods.push(
        { metadata: { namespace: 'bench', name: 'server', labels: { role: 'server' } }, spec: { nodeName: 'bench' }, status: { phase: 'Running', podIP: pods.srv } },
        { metadata: { namespace: 'bench', name: 'client', labels: { role: 'client', app: 'app-0' } }, spec: { nodeName: 'bench' }, status: { phase: 'Running', podIP: pods.cli } },
      );
      input.policies.push({ metadata: { namespace: 'bench', name: 'allow-client' }, spec: { podSelector: { matchLabels: { role: 'server' } }, ingress: [{ from: [{ podSelector: { matchLabels: { role: 'client' } } }], ports: [{ port: 80 }] }] } });
      configs.push({ what: `${n} policies selecting the server (+1 allowing the client)`, text: renderRuleset(planPolicyRuleset(new PolicyIndex(input).planNode('bench'))) });
    }
    const results = configs.map(() => [] as Array<ReturnType<typeof wrk>>);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, cfg] of configs.entries()) {
        await nftApply(cfg.text, { netns: NODE });
        results[i].push(wrk(url));
      }
    }
    const med = (xs: number[]) => pct(xs, 50);
    const rows = configs.map((cfg, i) => ({ what: cfg.what, rps: med(results[i].map((r) => r.rps)), p50: med(results[i].map((r) => r.p50)), p99: med(results[i].map((r) => r.p99)) }));
    console.log(`| (median of ${ROUNDS} interleaved rounds) | connections/s | ratio | p50 | p99 |\n|---|---|---|---|---|`);
    for (const r of rows) console.log(`| ${r.what} | ${r.rps.toFixed(0)} | ${(r.rps / rows[0].rps).toFixed(2)}× | ${r.p50.toFixed(2)} ms | ${r.p99.toFixed(2)} ms |`);
  } finally {
    nginx.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function enforcementLatency(): Promise<void> {
  console.log(`\n## Policy created → enforced on every node (podnet up --nodes 3, ${RUNS} runs)`);
  const c = e2eCluster('pol-bench');
  const nodes = [1, 2, 3].map((i) => `pol-bench-node-${i}`);
  try {
    const up = await c.podnet('up', '--name', 'pol-bench', '--nodes', '3', '--underlay-cidr', '172.31.223.0/24');
    if (up.code !== 0) throw new Error(c.show(up));
    await c.apply(`apiVersion: v1\nkind: Namespace\nmetadata: { name: bench }\n` + nodes.map((n, i) => `---
apiVersion: v1
kind: Pod
metadata: { name: p${i}, namespace: bench, labels: { app: web } }
spec: { nodeName: ${n}, containers: [{ name: c, image: registry.k8s.io/pause:3.10 }] }`).join('\n') + '\n');
    await c.ok('wait', '-n', 'bench', '--for=condition=Ready', 'pod', '--all', '--timeout=120s');
    const ips: string[] = JSON.parse(await c.ok('get', 'pods', '-n', 'bench', '-o', 'json')).items.map((p: any) => p.status.podIP);
    console.log(`pods: ${ips.join(', ')}`);
    // nft monitor in every node: the moment the node's ingress-pods map gains its pod.
    const seen = new Map<string, number>();
    const monitors = nodes.map((n) => {
      const m = spawn('ip', ['netns', 'exec', n, 'nft', 'monitor', 'elements'], { stdio: ['ignore', 'pipe', 'ignore'] });
      let rest = '';
      m.stdout.on('data', (d) => {
        const at = now();
        const lines = (rest + String(d)).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) {
          if (!line.startsWith('add element ip podnet-policy ingress-pods')) continue;
          for (const ip of ips) if (line.includes(`${ip} `)) seen.set(ip, at);
        }
      });
      return m;
    });
    await new Promise((r) => setTimeout(r, 500));
    const kc = new KubeConfig();
    kc.loadFromFile(join(c.work, 'kube', 'config'));
    const api = kc.makeApiClient(NetworkingV1Api);
    const lat: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      seen.clear();
      // The clock starts just before the create request (in-process client: no kubectl start-up).
      const start = now();
      await api.createNamespacedNetworkPolicy({ namespace: 'bench', body: { metadata: { name: `deny-${i}` }, spec: { podSelector: {}, policyTypes: ['Ingress'] } } });
      const deadline = start + 10_000;
      while (seen.size < ips.length && now() < deadline) await new Promise((r) => setTimeout(r, 1));
      if (seen.size < ips.length) {
        console.log(`run ${i}: not every node reported within 10 s (seen ${[...seen.keys()].join(', ') || 'none'} of ${ips.join(', ')})`);
        await api.deleteNamespacedNetworkPolicy({ namespace: 'bench', name: `deny-${i}` });
        continue;
      }
      lat.push(Math.max(...seen.values()) - start);
      await api.deleteNamespacedNetworkPolicy({ namespace: 'bench', name: `deny-${i}` });
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const m of monitors) m.kill();
    console.log(`| policy created → enforced on every node | p50 **${pct(lat, 50).toFixed(0)} ms** | p99 **${pct(lat, 99).toFixed(0)} ms** | max ${Math.max(...lat).toFixed(0)} ms | API create → last node's nft monitor |`);
  } finally {
    if (existsSync(c.stateDir)) await c.podnet('down', '--name', 'pol-bench');
    rmSync(c.work, { recursive: true, force: true });
  }
}

requireRoot('bench/policy.ts');
console.log(`# NetworkPolicy benchmarks (load ${sh(['cat', '/proc/loadavg']).split(' ').slice(0, 3).join(' ')})`);
if (PART === 'kernel' || PART === 'all') {
  cleanupKernel();
  sh(['ip', 'netns', 'add', NODE]);
  try {
    await fullSync();
    await connectionRate();
  } finally {
    cleanupKernel();
  }
}
if (PART === 'cluster' || PART === 'all') await enforcementLatency();
