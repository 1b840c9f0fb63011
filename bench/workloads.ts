// Workload controllers: time to all pods Ready for a DaemonSet over 3 nodes (create, then a template
// roll-out node by node) and for a StatefulSet scaled 0→10 (OrderedReady: one pod at a time, and
// Parallel), each against a Deployment of the same pods in the same run (the peer: the controller every
// podnet user already has). Runs its own cluster (wlb-bench, underlay 172.31.229.0/24, private state
// root and kubeconfig) and removes it.
//
//   node --import tsx bench/workloads.ts [--dist] [--runs 3]
//
// Pods run busybox `sleep` (the cost is the sandbox, not a workload). Times are from the API call to the
// controller's status saying every pod is Ready (polled every 50 ms).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { requireRoot } from '../src/linux/exec.js';

const args = process.argv.slice(2);
const DIST = args.includes('--dist');
const RUNS = Number(args[args.indexOf('--runs') + 1] ?? 3) || 3;
const CLUSTER = 'wlb-bench';
const repo = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'wlb-bench-'));
const stateRoot = join(work, 'state');
const env = { ...process.env, PODNET_STATE_ROOT: stateRoot, KUBECONFIG: join(work, 'kube', 'config') };

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

const template = (app: string, env = '1') => ({
  metadata: { labels: { app } },
  spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'], env: [{ name: 'V', value: env }] }] },
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function until(check: () => Promise<boolean>): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    if (await check()) return performance.now() - t0;
    if (performance.now() - t0 > 300_000) throw new Error('timed out after 300 s');
    await sleep(50);
  }
}

async function main(): Promise<void> {
  requireRoot('bench/workloads.ts');
  const up = await podnet('up', '--name', CLUSTER, '--nodes', '3', '--underlay-cidr', '172.31.229.0/24');
  if (up.code !== 0) throw new Error(`podnet up failed:\n${up.out}`);
  const kc = new KubeConfig();
  kc.loadFromFile(join(stateRoot, CLUSTER, 'kubeconfig'));
  const apps = kc.makeApiClient(AppsV1Api);
  const namespace = 'default';
  const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  const rows: Array<[string, number[], number[]]> = [];
  const measure = async (what: string, ours: () => Promise<number>, peer: () => Promise<number>) => {
    const a: number[] = [], b: number[] = [];
    for (let i = 0; i < RUNS; i++) { a.push(await ours()); b.push(await peer()); }
    rows.push([what, a, b]);
  };
  const deploymentReady = async (name: string, n: number) => {
    const d = await apps.readNamespacedDeploymentStatus({ name, namespace });
    return d.status?.observedGeneration === d.metadata?.generation && d.status?.updatedReplicas === n && d.status?.availableReplicas === n && (d.status?.replicas ?? 0) === n;
  };
  const cleanup = async () => {
    for (const name of ['ds', 'deploy', 'sts']) {
      await apps.deleteNamespacedDaemonSet({ name, namespace, propagationPolicy: 'Foreground' }).catch(() => undefined);
      await apps.deleteNamespacedDeployment({ name, namespace, propagationPolicy: 'Foreground' }).catch(() => undefined);
      await apps.deleteNamespacedStatefulSet({ name, namespace, propagationPolicy: 'Foreground' }).catch(() => undefined);
    }
    await until(async () => (await apps.listNamespacedReplicaSet({ namespace })).items.length === 0 &&
      (await apps.listNamespacedDaemonSet({ namespace })).items.length === 0 && (await apps.listNamespacedStatefulSet({ namespace })).items.length === 0);
    await sleep(2000);
  };

  // 1. DaemonSet over 3 nodes vs Deployment of 3, from creation to all Ready; then a template roll-out.
  const dsReady = async () => {
    const d = await apps.readNamespacedDaemonSetStatus({ name: 'ds', namespace });
    const s = d.status;
    return s?.observedGeneration === d.metadata?.generation && s?.desiredNumberScheduled === 3 && s?.updatedNumberScheduled === 3 && s?.numberAvailable === 3;
  };
  const rollDs: number[] = [], rollDeploy: number[] = [];
  await measure('DaemonSet create, 3 nodes → all Ready', async () => {
    await apps.createNamespacedDaemonSet({ namespace, body: { metadata: { name: 'ds' }, spec: { selector: { matchLabels: { app: 'ds' } }, template: template('ds') } } });
    const t = await until(dsReady);
    await sleep(500);
    await apps.patchNamespacedDaemonSet({ name: 'ds', namespace, body: { spec: { template: template('ds', '2') } } }, merge);
    rollDs.push(await until(dsReady));
    await cleanup();
    return t;
  }, async () => {
    await apps.createNamespacedDeployment({ namespace, body: { metadata: { name: 'deploy' }, spec: { replicas: 3, selector: { matchLabels: { app: 'deploy' } }, template: template('deploy') } } });
    const t = await until(() => deploymentReady('deploy', 3));
    await sleep(500);
    await apps.patchNamespacedDeployment({ name: 'deploy', namespace, body: { spec: { template: template('deploy', '2') } } }, merge);
    rollDeploy.push(await until(() => deploymentReady('deploy', 3)));
    await cleanup();
    return t;
  });
  rows.push(['template roll-out over 3 pods (DS maxUnavailable 1; Deployment 25%/25%)', rollDs, rollDeploy]);

  // 2. StatefulSet 0→10 vs Deployment 0→10.
  const stsScale = (policy: 'OrderedReady' | 'Parallel') => async () => {
    await apps.createNamespacedStatefulSet({ namespace, body: { metadata: { name: 'sts' }, spec: { replicas: 0, serviceName: 'sts', podManagementPolicy: policy, selector: { matchLabels: { app: 'sts' } }, template: template('sts') } } });
    await sleep(500);
    const t0 = performance.now();
    await apps.patchNamespacedStatefulSetScale({ name: 'sts', namespace, body: { spec: { replicas: 10 } } }, merge);
    await until(async () => (await apps.readNamespacedStatefulSetStatus({ name: 'sts', namespace })).status?.readyReplicas === 10);
    const t = performance.now() - t0;
    await cleanup();
    return t;
  };
  const deployScale = async () => {
    await apps.createNamespacedDeployment({ namespace, body: { metadata: { name: 'deploy' }, spec: { replicas: 0, selector: { matchLabels: { app: 'deploy' } }, template: template('deploy') } } });
    await sleep(500);
    const t0 = performance.now();
    await apps.patchNamespacedDeploymentScale({ name: 'deploy', namespace, body: { spec: { replicas: 10 } } }, merge);
    await until(() => deploymentReady('deploy', 10));
    const t = performance.now() - t0;
    await cleanup();
    return t;
  };
  await measure('StatefulSet OrderedReady scale 0→10 → all Ready', stsScale('OrderedReady'), deployScale);
  await measure('StatefulSet Parallel scale 0→10 → all Ready', stsScale('Parallel'), deployScale);

  console.log(`\nworkload controllers, ${RUNS} runs each, median (all runs), ${DIST ? 'dist/' : 'tsx sources'}\n`);
  console.log('| what | podnet workload | Deployment, same pods | ratio |');
  console.log('|---|---|---|---|');
  for (const [what, a, b] of rows) {
    const fmt = (xs: number[]) => `${(median(xs) / 1000).toFixed(2)} s (${xs.map((x) => (x / 1000).toFixed(2)).join(', ')})`;
    console.log(`| ${what} | ${fmt(a)} | ${fmt(b)} | ${(median(a) / median(b)).toFixed(2)}× |`);
  }
}

main().catch((e) => { console.error(e); process.exitCode = 1; }).finally(async () => {
  if (existsSync(join(stateRoot, CLUSTER))) await podnet('down', '--name', CLUSTER);
  rmSync(work, { recursive: true, force: true });
});
