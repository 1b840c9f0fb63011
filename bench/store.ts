// Store benchmark: create 10,000 objects, list them, fan one write out to 100 watchers, and the memory
// it all takes, for the SQLite store (synchronous=NORMAL, the default, and FULL), a 3-member etcd cluster
// (Debian's etcd, data on disk, as `podnet up --datastore etcd` runs it) and the in-memory store.
// Each variant runs in its own child process so that RSS means that variant alone (etcd's own
// processes are reported beside it).
//
//   node --import tsx bench/store.ts            all variants, then a table
//   node --import tsx bench/store.ts sqlite     one variant (sqlite | sqlite-full | etcd | memory), JSON out
//   node --import tsx bench/store.ts --short    2,000 objects
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeObject } from '../src/core/api/object.js';
import { EtcdStore, MemoryStore, SqliteStore, type Store } from '../src/components/store/index.js';
import { startLocalEtcd, type LocalEtcd } from '../src/components/cluster/etcd.js';
import { readFileSync } from 'node:fs';
import { SHORT, sized } from './support/short.js';

const OBJECTS = sized(10_000, 2_000);
const WATCHERS = 100;
const FANOUT_WRITES = 500;
const LIST_RUNS = 10;

interface Result {
  variant: string;
  created: number;
  createPerSec: number;
  listMs: number;
  getUs: number;
  updatePerSec: number;
  fanoutP50Ms: number;
  fanoutP99Ms: number;
  /** RSS and heap of the process before the store holds anything, and with the 10,000 objects in it. */
  baseRssMiB: number;
  rssMiB: number;
  heapMiB: number;
  /** RSS of the datastore's own processes (etcd), with the 10,000 objects in it. */
  externalRssMiB?: number;
}

/** VmRSS of a process in MiB (0 when it is gone). */
function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch { return 0; }
}

function memory(): { rss: number; heap: number } {
  global.gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss / 2 ** 20, heap: m.heapUsed / 2 ** 20 };
}

/** A pod about the size of one kubectl creates (~1.3 KB of JSON), with a few varying fields. */
function pod(i: number): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name: `web-${i}`, namespace: `ns-${i % 10}`, uid: `6f1c2b1e-0000-4000-8000-${String(i).padStart(12, '0')}`,
      creationTimestamp: '2025-01-01T00:00:00Z', labels: { app: 'web', 'pod-template-hash': '5d8f7c9b4' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d8f7c9b4', uid: '0c6e3a52-1111-4222-8333-444455556666', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      containers: [{
        name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80, protocol: 'TCP' }],
        resources: {}, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: 'IfNotPresent',
      }],
      restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', nodeName: `node-${i % 3 + 1}`,
      serviceAccountName: 'default', securityContext: {}, schedulerName: 'default-scheduler', enableServiceLinks: true,
      tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
    },
    status: {
      phase: 'Running', podIP: `10.244.${i % 3 + 1}.${i % 250 + 2}`, hostIP: `172.31.250.${11 + i % 3}`,
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2025-01-01T00:00:01Z' }],
      startTime: '2025-01-01T00:00:00Z',
    },
  };
}

const key = (i: number) => `/registry/pods/ns-${i % 10}/web-${i}`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

async function runVariant(variant: string): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'podnet-bench-store-'));
  const objects = Array.from({ length: OBJECTS }, (_, i) => pod(i));
  const base = memory();
  let store: Store;
  let etcd: LocalEtcd | undefined;
  if (variant === 'etcd') {
    etcd = await startLocalEtcd(join(dir, 'etcd'), 3);
    store = new EtcdStore({ endpoints: etcd.endpoints });
  } else if (variant === 'memory') store = new MemoryStore();
  else if (variant === 'sqlite') store = new SqliteStore(join(dir, 'store.db'));
  else if (variant === 'sqlite-full') store = new SqliteStore(join(dir, 'store.db'), { synchronous: 'FULL' });
  else throw new Error(`unknown variant ${variant}: use sqlite, sqlite-full, etcd or memory`);
  try {
    let t = performance.now();
    for (let i = 0; i < OBJECTS; i++) await store.create(key(i), objects[i]!);
    const createPerSec = OBJECTS / ((performance.now() - t) / 1000);
    const loaded = memory();
    const externalRssMiB = etcd ? etcd.ids.reduce((sum, id) => sum + rssOf(id.pid), 0) : undefined;

    const listTimes: number[] = [];
    for (let r = 0; r < LIST_RUNS; r++) {
      t = performance.now();
      const { items } = await store.list('/registry/pods/');
      listTimes.push(performance.now() - t);
      if (items.length !== OBJECTS) throw new Error(`list returned ${items.length} objects, not ${OBJECTS}`);
    }
    listTimes.sort((a, b) => a - b);

    t = performance.now();
    for (let i = 0; i < 2000; i++) await store.get(key((i * 7919) % OBJECTS));
    const getUs = ((performance.now() - t) / 2000) * 1000;

    // Fan-out: 100 watchers on all pods; latency = from the start of a write to each watcher's callback
    // for it (the event names its write by the label `round`; etcd delivers after the write returns).
    const latencies: number[] = [];
    const writeStarts: number[] = [];
    const watchers = [];
    for (let w = 0; w < WATCHERS; w++) {
      watchers.push(await store.watch('/registry/pods/', await store.currentRevision(), (e) => {
        latencies.push(performance.now() - writeStarts[Number(e.object.metadata.labels?.round)]!);
      }));
    }
    t = performance.now();
    for (let i = 0; i < FANOUT_WRITES; i++) {
      const o = objects[i]!;
      o.metadata.labels = { ...o.metadata.labels, round: String(i) };
      writeStarts[i] = performance.now();
      await store.update(key(i), o);
    }
    const updatePerSec = FANOUT_WRITES / ((performance.now() - t) / 1000);
    const deadline = Date.now() + 60_000;
    while (latencies.length < WATCHERS * FANOUT_WRITES && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    for (const w of watchers) w.stop();
    if (latencies.length !== WATCHERS * FANOUT_WRITES) throw new Error(`watchers saw ${latencies.length} events, not ${WATCHERS * FANOUT_WRITES}`);
    latencies.sort((a, b) => a - b);

    return {
      variant, created: OBJECTS, createPerSec, listMs: percentile(listTimes, 0.5), getUs, updatePerSec,
      fanoutP50Ms: percentile(latencies, 0.5), fanoutP99Ms: percentile(latencies, 0.99),
      baseRssMiB: base.rss, rssMiB: loaded.rss, heapMiB: loaded.heap - base.heap, externalRssMiB,
    };
  } finally {
    await store.close();
    await etcd?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function table(results: Result[]): string {
  const rows = [
    ['variant', 'create/s', 'list 10k (ms, p50)', 'get (µs)', 'update/s, 100 watchers', 'fan-out p50 (ms)', 'fan-out p99 (ms)', 'RSS empty → 10k (MiB)', 'heap for 10k (MiB)', 'etcd RSS (MiB)'],
    ...results.map((r) => [
      r.variant, r.createPerSec.toFixed(0), r.listMs.toFixed(1), r.getUs.toFixed(1), r.updatePerSec.toFixed(0),
      r.fanoutP50Ms.toFixed(2), r.fanoutP99Ms.toFixed(2), `${r.baseRssMiB.toFixed(0)} → ${r.rssMiB.toFixed(0)}`, r.heapMiB.toFixed(0),
      r.externalRssMiB === undefined ? '' : r.externalRssMiB.toFixed(0),
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  return rows.map((row) => '| ' + row.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ') + ' |').join('\n');
}

const variant = process.argv.slice(2).find((a) => !a.startsWith('--'));
if (variant) {
  process.stdout.write(JSON.stringify(await runVariant(variant)) + '\n');
} else {
  const results: Result[] = [];
  for (const v of ['sqlite', 'sqlite-full', 'etcd', 'memory']) {
    const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), v], {
      encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 300_000, env: { ...process.env, ...(SHORT ? { BENCH_SHORT: '1' } : {}) },
    });
    if (child.status !== 0) throw new Error(`variant ${v} failed (exit ${child.status}, signal ${child.signal})`);
    results.push(JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Result);
  }
  console.log(`Store benchmark: ${OBJECTS} pods (~${JSON.stringify(pod(1)).length} bytes of JSON each), ${WATCHERS} watchers, ${FANOUT_WRITES} updates fanned out; node ${process.version}`);
  console.log(table(results));
}
