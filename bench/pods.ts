// Pod start-up throughput: N pods (100 by default) created at once through the API on a `podnet up
// --nodes 3` cluster, timed from the first create to every pod Ready, then deleted and timed until all
// are gone, with a check that no pod netns, IP reservation or shim process is left. Runs its own
// cluster (pna-bench, underlay 172.31.243.0/24, private state root and kubeconfig) and removes it.
//
//   node --import tsx bench/pods.ts [--pods 100] [--nodes 3] [--image busybox|nginx] [--concurrency 20] [--dist]
//
// With --dist the cluster runs the compiled podnet (dist/, `npm run build`), as installed; without it,
// from the TypeScript sources through tsx, which adds ~0.25 s of CPU to every Node.js process (agent,
// pod shim, built-in workload) and is the slower, development set-up.
// busybox pods run the host's `sleep` (the cost is the sandbox: netns, CNI ADD, shim); nginx pods add
// a built-in Node.js workload per pod. Memory per running pod: every process in the cluster's node and
// pod network namespaces (agents, shims, containers), summed from /proc before the pods are created
// and once all are Ready; the difference divided by the pod count, as PSS (shared pages split between
// their users) and RSS (shared pages counted in every process). No peer runs side by side: there is no containerd or kind on
// this machine to compare with.
// bench: cluster
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, Watch, type V1Pod } from '@kubernetes/client-node';
import { requireRoot } from '../src/linux/exec.js';
import { sized } from './support/short.js';

const args = process.argv.slice(2);
const flag = (name: string, dflt: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const PODS = Number(flag('--pods', sized('100', '30')));
const NODES = Number(flag('--nodes', '3'));
const IMAGE = flag('--image', 'busybox');
const CONCURRENCY = Number(flag('--concurrency', '20'));
const DIST = args.includes('--dist');
const CLUSTER = 'pna-bench';
const NAMESPACE = 'default';

const repo = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'pna-bench-'));
const stateRoot = join(work, 'state');
const kubeconfigPath = join(work, 'kube', 'config');
const env = { ...process.env, PODNET_STATE_ROOT: stateRoot, KUBECONFIG: kubeconfigPath };

function podnet(...a: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const cli = DIST ? [join(repo, 'dist/cli/main.js')] : ['--import', 'tsx', join(repo, 'src/cli/main.ts')];
    const p = spawn(process.execPath, [...cli, ...a], { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

function podSpec(i: number): V1Pod {
  const container = IMAGE === 'nginx'
    ? { name: 'c', image: 'nginx' }
    : { name: 'c', image: 'busybox', command: ['sleep', '3600'] };
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: `bench-${i}`, labels: { bench: 'pods' } }, spec: { terminationGracePeriodSeconds: 5, containers: [container] } };
}

const isReady = (p: V1Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => { while (next < items.length) await fn(items[next++]); }));
}

/** Processes in the cluster's node and pod network namespaces, with their summed RSS and PSS (KiB). */
function clusterMemory(): { processes: number; podProcesses: number; rssKiB: number; pssKiB: number } {
  const inodes = new Map<number, 'node' | 'pod'>();
  for (const n of readdirSync('/run/netns')) {
    if (!n.startsWith(`${CLUSTER}-`)) continue;
    try { inodes.set(statSync(join('/run/netns', n)).ino, n.startsWith(`${CLUSTER}-pod-`) ? 'pod' : 'node'); } catch { /* just removed */ }
  }
  let processes = 0, podProcesses = 0, rssKiB = 0, pssKiB = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const ino = Number(/\[(\d+)\]/.exec(readlinkSync(`/proc/${pid}/ns/net`))?.[1]);
      const kind = inodes.get(ino);
      if (!kind) continue;
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      const field = (f: string) => Number(new RegExp(`^${f}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0);
      processes++;
      if (kind === 'pod') podProcesses++;
      rssKiB += field('Rss');
      pssKiB += field('Pss');
    } catch { /* exited meanwhile, or a kernel thread */ }
  }
  return { processes, podProcesses, rssKiB, pssKiB };
}

async function main(): Promise<void> {
  requireRoot('bench/pods.ts');
  const up = await podnet('up', '--name', CLUSTER, '--nodes', String(NODES), '--underlay-cidr', '172.31.243.0/24');
  if (up.code !== 0) throw new Error(`podnet up failed:\n${up.out}`);
  const kc = new KubeConfig();
  kc.loadFromFile(join(stateRoot, CLUSTER, 'kubeconfig'));
  const core = kc.makeApiClient(CoreV1Api);

  const created = new Map<string, number>();
  const readyAt = new Map<string, number>();
  const gone = new Set<string>();
  let allReady!: () => void, allGone!: () => void;
  const readyP = new Promise<void>((r) => (allReady = r));
  const goneP = new Promise<void>((r) => (allGone = r));
  const watch = await new Watch(kc).watch(`/api/v1/namespaces/${NAMESPACE}/pods`, { labelSelector: 'bench=pods' }, (type, pod: V1Pod) => {
    const name = pod.metadata!.name!;
    if (type === 'DELETED') { gone.add(name); if (gone.size === PODS) allGone(); return; }
    if (!readyAt.has(name) && isReady(pod)) { readyAt.set(name, performance.now()); if (readyAt.size === PODS) allReady(); }
  }, () => undefined);

  const memBefore = clusterMemory();
  const t0 = performance.now();
  await pool([...Array(PODS).keys()], CONCURRENCY, async (i) => {
    created.set(`bench-${i}`, performance.now());
    await core.createNamespacedPod({ namespace: NAMESPACE, body: podSpec(i) });
  });
  const tCreated = performance.now();
  await readyP;
  const tReady = performance.now();
  const latencies = [...readyAt].map(([n, t]) => t - created.get(n)!);
  const memReady = clusterMemory();

  const pods = (await core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: 'bench=pods' })).items;
  const perNode = new Map<string, number>();
  for (const p of pods) perNode.set(p.spec!.nodeName!, (perNode.get(p.spec!.nodeName!) ?? 0) + 1);

  const d0 = performance.now();
  await pool(pods, CONCURRENCY, async (p) => { await core.deleteNamespacedPod({ name: p.metadata!.name!, namespace: NAMESPACE }); });
  await goneP;
  const tGone = performance.now();
  (watch as { abort?: () => void }).abort?.();

  const stateDir = join(stateRoot, CLUSTER);
  const leftNetns = readdirSync('/run/netns').filter((n) => n.startsWith(`${CLUSTER}-pod-`));
  const leftIPs = readdirSync(join(stateDir, 'nodes')).flatMap((n) => {
    const dir = join(stateDir, 'nodes', n, 'cni', 'networks', 'podnet');
    return existsSync(dir) ? readdirSync(dir).filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f)) : [];
  });

  const s = (ms: number) => (ms / 1000).toFixed(2);
  console.log(`\n## Pods to Ready: ${PODS} ${IMAGE} pods over ${NODES} nodes (${[...perNode.values()].join('/')}), podnet from ${DIST ? 'dist/' : 'sources (tsx)'}\n`);
  console.log('| measure | value |');
  console.log('|---|---|');
  console.log(`| create requests (concurrency ${CONCURRENCY}) | ${s(tCreated - t0)} s |`);
  console.log(`| first create → all Ready | ${s(tReady - t0)} s |`);
  console.log(`| throughput | ${(PODS / ((tReady - t0) / 1000)).toFixed(1)} pods/s |`);
  console.log(`| create → Ready per pod p50 / p90 / max | ${s(pct(latencies, 50))} / ${s(pct(latencies, 90))} / ${s(Math.max(...latencies))} s |`);
  const mib = (kib: number) => (kib / 1024 / PODS).toFixed(1);
  console.log(`| memory per running pod, PSS / RSS | ${mib(memReady.pssKiB - memBefore.pssKiB)} / ${mib(memReady.rssKiB - memBefore.rssKiB)} MiB `
    + `(${memReady.processes - memBefore.processes} more processes, ${memReady.podProcesses} of them in pod namespaces; cluster total ${(memReady.pssKiB / 1024).toFixed(0)} MiB PSS) |`);
  console.log(`| delete all → all gone | ${s(tGone - d0)} s (${(PODS / ((tGone - d0) / 1000)).toFixed(1)} pods/s) |`);
  console.log(`| left behind | ${leftNetns.length} netns, ${leftIPs.length} IP reservations |`);
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
