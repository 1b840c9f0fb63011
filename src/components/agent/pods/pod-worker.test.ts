// Kernel test of the pod worker's deletion path: a real sandbox (netns, shim, a pause container) whose
// CNI DEL fails on purpose a few times — as portmap's did under load ("command timed out after 30000 ms:
// nft -j list 'tables'") — through a fake plugin invoker (the runtime's PluginInvoker seam, recording
// every call). The pod must not stay Terminating: every failure is an event on the pod (kubelet's
// FailedKillPod with KillPodSandboxError), the step is retried with back-off, and once DEL succeeds the
// netns is gone and the pod is deleted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';
import { requireRoot, run } from '../../../linux/exec.js';
import { addNetns, deleteNetns, listNetns, netnsExists } from '../../../linux/netns.js';
import { NodePaths } from './paths.js';
import { writeConflist } from './cni-config.js';
import { CniRuntime, loadDefaultNetwork, type CniEnvVars } from '../../cni/index.js';
import { CniError } from '../../../core/cni/errors.js';
import { CrashLoopBackoff } from './backoff.js';
import { PodWorker, teardownBackoffMs } from './pod-worker.js';
import type { PodEventRecorder } from './events.js';

const NODE = `pna-pw-${process.pid}`;
const CLUSTER = `pna-pw${process.pid}`;
let stateDir: string;

before(async () => {
  requireRoot('the pod worker kernel test');
  stateDir = mkdtempSync(join(tmpdir(), 'pna-pw-'));
  await addNetns(NODE);
  await run(['ip', '-n', NODE, 'link', 'set', 'lo', 'up']);
});

after(async () => {
  for (const ns of await listNetns()) if (ns.startsWith(`${CLUSTER}-`)) await deleteNetns(ns).catch(() => undefined);
  await deleteNetns(NODE).catch(() => undefined);
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

test('the back-off doubles from 500 ms up to 30 s', () => {
  assert.deepEqual([1, 2, 3, 4, 7, 20].map(teardownBackoffMs), [500, 1000, 2000, 4000, 30_000, 30_000]);
});

test('a sandbox teardown that fails N times is retried, each failure an event, and the pod goes once it succeeds', async () => {
  // More than the five tries the worker used to make before giving up for good.
  const FAILURES = 6;
  const paths = new NodePaths(stateDir, NODE);
  writeConflist(paths.conflist, { podCIDR: '10.250.9.0/24', overlay: 'host-gw', ipamDataDir: paths.ipamDataDir, cniVersion: '1.0.0' });
  // The fake plugin invoker: ADD gives an address, DEL fails the first FAILURES times.
  const calls: string[] = [];
  let dels = 0;
  const invoke = async (type: string, env: CniEnvVars): Promise<string> => {
    calls.push(`${env.CNI_COMMAND} ${type}`);
    if (env.CNI_COMMAND === 'ADD') return JSON.stringify({ cniVersion: '1.0.0', ips: [{ address: '10.250.9.2/24' }] });
    if (env.CNI_COMMAND === 'DEL' && type === 'portmap' && dels++ < FAILURES) {
      throw new CniError(999, "command timed out after 30000 ms: nft -j list 'tables'");
    }
    return '';
  };
  const events: Array<{ reason: string; message: string }> = [];
  const recorder: PodEventRecorder = { pod: (_p, _t, reason, message) => { events.push({ reason, message }); } };
  const statuses: string[] = [];
  let deleted: (() => void) | undefined;
  const gone = new Promise<void>((r) => (deleted = r));
  const core = {
    patchNamespacedPodStatus: async (req: { body: { status: { phase?: string } } }) => { statuses.push(req.body.status.phase ?? ''); return {}; },
    deleteNamespacedPod: async () => { deleted!(); return {}; },
  } as unknown as CoreV1Api;

  const uid = randomUUID();
  const pod: V1Pod = {
    metadata: { name: 'stuck', namespace: 'default', uid },
    spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }], terminationGracePeriodSeconds: 1 },
  };
  let done!: () => void;
  const workerGone = new Promise<void>((r) => (done = r));
  const worker = new PodWorker(pod, {
    sandbox: {
      clusterName: CLUSTER, nodeName: NODE, paths,
      cni: new CniRuntime({ cacheDir: paths.cniCacheDir, invoke, cniPath: ['/usr/lib/cni'] }),
      network: () => loadDefaultNetwork(paths.netDir), log: () => undefined,
    },
    core, events: recorder,
    node: { nodeName: NODE, hostIP: '172.31.250.11', allocatableCpu: 2, allocatableMemoryBytes: 1 << 30 },
    clusterDomain: 'cluster.local', clusterDNS: ['10.96.0.10'], apiKubeconfig: '',
    hostResolv: () => ({ servers: ['10.96.0.10'], searches: [], options: [] }), hostHosts: () => '',
    envSources: { configMap: async () => undefined, secret: async () => undefined, serviceEnv: async () => ({}) },
    backoff: new CrashLoopBackoff(), activePods: () => [], log: () => undefined,
    onGone: () => done(),
    teardownBackoff: (n) => 20 * n,
  });
  worker.trigger();
  for (let i = 0; i < 200 && !statuses.includes('Running'); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(statuses.includes('Running'), `the pod runs (statuses ${statuses.join(',')}; events ${events.map((e) => e.reason).join(',')})`);
  const netns = worker.record!.netns!;
  assert.ok(netnsExists(netns));

  // The worker's retry timers do not hold the process (unref'd, as in the agent): this test does.
  const keepAlive = setInterval(() => undefined, 1000);
  worker.update({ ...pod, metadata: { ...pod.metadata, deletionTimestamp: new Date(), deletionGracePeriodSeconds: 1 } });
  await gone;
  const failures = events.filter((e) => e.reason === 'FailedKillPod');
  assert.equal(failures.length, FAILURES, 'one event per failed teardown');
  assert.match(failures[0].message, /KillPodSandbox.*KillPodSandboxError.*plugin type="portmap" name="podnet" failed \(del\): command timed out after 30000 ms/);
  assert.equal(calls.filter((c) => c === 'DEL portmap').length, FAILURES + 1);
  assert.ok(!netnsExists(netns), 'the pod netns is gone once DEL succeeded');

  // The API's DELETE event ends the worker.
  worker.remove();
  await workerGone;
  clearInterval(keepAlive);
});
