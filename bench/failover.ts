// Controller failover with several API servers: on a `podnet up --servers 3 --datastore etcd` cluster
// (default lease times: 15 s lease, 10 s renew deadline, 2 s retry period), the server holding the
// kube-controller-manager Lease is killed, a Deployment is scaled at once through the one address, and
// the bench times (from the kill) until another server holds the Lease and until the ReplicaSet
// controller has created the new pod. The peer in the same run is the same measurement with the leader
// stopped gracefully (SIGTERM: it releases the Lease, as client-go's ReleaseOnCancel). In both modes the
// scale is sent once the old leader's process is gone, so the pod is the new leader's work. The killed server
// is started again after each run, so every run has three servers. Runs its own cluster (pnfo-bench,
// underlay 172.31.242.0/24, private state root and kubeconfig) and removes it.
//
//   flock /tmp/podnet-e2e.lock node --import tsx bench/failover.ts [--runs 3] [--short]
// bench: cluster
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, CoordinationV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { requireRoot } from '../src/linux/exec.js';
import { sized } from './support/short.js';
import { Inventory } from '../src/components/cluster/inventory.js';
import { startSupervised } from '../src/components/cluster/supervisor.js';
import { readClusterConfig } from '../src/components/cluster/state.js';
import { podnetCommand } from '../src/cli/self.js';

const args = process.argv.slice(2);
const flag = (name: string, dflt: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const RUNS = Number(flag('--runs', sized('3', '1')));
const CLUSTER = 'pnfo-bench';

const repo = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'pnfo-bench-'));
const stateRoot = join(work, 'state');
const stateDir = join(stateRoot, CLUSTER);
const env = { ...process.env, PODNET_STATE_ROOT: stateRoot, KUBECONFIG: join(work, 'kube', 'config') };
const cli = [process.execPath, '--import', 'tsx', join(repo, 'src/cli/main.ts')];

function podnet(...a: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(cli[0]!, [...cli.slice(1), ...a], { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function main(): Promise<void> {
  requireRoot('bench/failover.ts');
  const up = await podnet('up', '--name', CLUSTER, '--nodes', '1', '--underlay-cidr', '172.31.242.0/24', '--datastore', 'etcd',
    '--servers', '3', '--no-ingress', '--no-wait');
  if (up.code !== 0) throw new Error(`podnet up failed:\n${up.out}`);
  const config = readClusterConfig(join(stateDir, 'cluster.json'));
  const inventory = new Inventory(stateDir);
  const kc = new KubeConfig();
  kc.loadFromFile(config.paths.kubeconfig);
  const leases = kc.makeApiClient(CoordinationV1Api), apps = kc.makeApiClient(AppsV1Api), core = kc.makeApiClient(CoreV1Api);
  const holder = async () => (await leases.readNamespacedLease({ namespace: 'kube-system', name: 'kube-controller-manager' })).spec?.holderIdentity ?? '';
  const pods = async () => (await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=web' })).items.filter((p) => !p.metadata?.deletionTimestamp).length;

  await apps.createNamespacedDeployment({ namespace: 'default', body: {
    metadata: { name: 'web' },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: {
      containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }], terminationGracePeriodSeconds: 1 } } },
  } });
  let replicas = 1;
  await until('the first pod', async () => (await pods()) === 1 ? true : undefined);

  const results: Record<'kill -9' | 'SIGTERM', { lease: number[]; pod: number[] }> = { 'kill -9': { lease: [], pod: [] }, 'SIGTERM': { lease: [], pod: [] } };
  console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}, ${RUNS} runs each, lease ${config.leaderElection?.leaseDurationSeconds ?? 15} s`);
  for (let run = 0; run < RUNS; run++) {
    for (const mode of ['kill -9', 'SIGTERM'] as const) {
      const old = await until('a Lease holder', async () => (await holder()) || undefined);
      const name = old.split('_').pop()!;
      const id = inventory.processes().find((p) => p.name === name)!.id;
      const t0 = performance.now();
      process.kill(id.pid, mode === 'kill -9' ? 'SIGKILL' : 'SIGTERM');
      // A server stopping gracefully runs its controllers until it has stopped them: scale only once it
      // is gone, in both modes, so that the new pod is the new leader's work.
      await until(`${name} to exit`, async () => { try { process.kill(id.pid, 0); return undefined; } catch { return true; } });
      replicas++;
      // Through the one address: a request that met the dying server is sent again.
      await until('the scale write', async () => {
        await apps.replaceNamespacedDeploymentScale({ namespace: 'default', name: 'web', body: { metadata: { name: 'web', namespace: 'default' }, spec: { replicas } } });
        return true;
      });
      const [leaseMs, podMs] = await Promise.all([
        until('a new Lease holder', async () => { const h = await holder(); return h && h !== old ? performance.now() - t0 : undefined; }),
        until('the ReplicaSet to create the pod', async () => (await pods()) >= replicas ? performance.now() - t0 : undefined),
      ]);
      results[mode].lease.push(leaseMs);
      results[mode].pod.push(podMs);
      console.log(`run ${run + 1} ${mode.padEnd(8)} ${name}: new Lease holder after ${(leaseMs / 1000).toFixed(2)} s, new pod after ${(podMs / 1000).toFixed(2)} s`);
      // Back to three servers for the next run (podnetCommand: the loader by absolute path, as podnet up does).
      await startSupervised(config, inventory, name, [...podnetCommand(), 'server', '--config', join(stateDir, 'cluster.json'), '--id', name]);
      await sleep(5000);
    }
  }
  const k = results['kill -9'], t = results['SIGTERM'];
  console.log(`median: kill -9 → new holder ${(median(k.lease) / 1000).toFixed(2)} s, pod ${(median(k.pod) / 1000).toFixed(2)} s; ` +
    `SIGTERM → new holder ${(median(t.lease) / 1000).toFixed(2)} s, pod ${(median(t.pod) / 1000).toFixed(2)} s`);
  console.log(`kill -9 / SIGTERM (new pod): ${(median(k.pod) / median(t.pod)).toFixed(1)}x; kill -9 new holder / lease duration: ${(median(k.lease) / 1000 / (config.leaderElection?.leaseDurationSeconds ?? 15)).toFixed(2)}`);
  console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
}

try {
  await main();
} finally {
  const down = await podnet('down', '--name', CLUSTER);
  if (down.code !== 0) console.error(down.out);
  rmSync(work, { recursive: true, force: true });
}
