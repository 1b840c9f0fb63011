// podnet trace benchmark: how long the model takes to answer with 1,000 Services and 1,000 pods (a fresh
// snapshot per answer, as each `podnet trace` reads one: the proxy plan of the entry node, the DNS index
// and the overlay plan are built every time), and the web page with 1,000 pods in headless Chromium:
// first paint (navigation → every pod drawn) and the update after a scale event (server push → the new
// pods drawn). The page is served by the real `podnet ui` server with a synthetic cluster view, so no
// cluster is needed. --prove timings need a cluster: see the e2e test's runs and BENCHMARKS.md.
//
// The model runs with the CLI's plugins (NetworkPolicy, Ingress); one case adds N NetworkPolicies (one
// per bench pod, plus a namespace-wide deny) so the policy planner's explain() is on the path.
//
//   node --import tsx bench/trace.ts [--services 1000] [--runs 20] [--short]
import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { largeCluster, pod } from '../src/core/trace/fixtures.js';
import { planTrace, type ClusterSnapshot } from '../src/core/trace/index.js';
import { tracePlugins } from '../src/components/trace/plugins.js';
import type { NetworkPolicy } from '../src/core/policy/index.js';
import { sized } from './support/short.js';
import { startUi } from '../src/components/ui/server.js';
import type { LiveCluster } from '../src/components/ui/sources.js';

const { values: args } = parseArgs({ options: { services: { type: 'string', default: sized('1000', '1000') }, runs: { type: 'string', default: sized('20', '5') }, page: { type: 'boolean', default: true }, short: { type: 'boolean' } } });
const N = Number(args.services);
const RUNS = Number(args.runs);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const f1 = (x: number) => x.toFixed(1);

// 1. Model only.
/** N policies in namespace bench: a deny-all, and one per pod admitting the seed client on port 80. */
function withPolicies(snap: ClusterSnapshot): ClusterSnapshot {
  const policies: NetworkPolicy[] = [{ metadata: { namespace: 'bench', name: 'deny-all' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } }];
  for (let i = 0; i < N; i++) {
    policies.push({ metadata: { namespace: 'bench', name: `allow-${i}` }, spec: {
      podSelector: { matchLabels: { app: `a-${i}` } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'default' } }, podSelector: { matchLabels: { app: 'client' } } }], ports: [{ protocol: 'TCP', port: 80 }] }],
    } });
  }
  return { ...snap, networkPolicies: policies };
}
const plugins = tracePlugins();
const cases: Array<[string, string, boolean?]> = [['client', 'svc/bench/s-500'], ['client', 'svc/bench/s-500', true], ['client', 'web.my-app'], ['client', 'bench/p-700'], ['host', '172.31.250.12:30080'], ['client', 'svc/lonely']];
process.stdout.write(`trace model, ${N} Services + ${N} pods (+ the seed cluster), fresh snapshot per answer, ${RUNS} runs each\n`);
process.stdout.write('case                                            median ms   max ms\n');
for (const [from, to, policies] of cases) {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const snap = policies ? withPolicies(largeCluster(N)) : largeCluster(N);
    const t0 = performance.now();
    const t = planTrace(snap, from, to, { plugins });
    times.push(performance.now() - t0);
    if (policies && !t.branches[0]?.hops.some((h) => h.kind === 'policy' && h.ok)) throw new Error(`expected an allowing policy hop: ${t.verdict}`);
  }
  process.stdout.write(`${`${from} → ${to}${policies ? ` (${N + 1} NetworkPolicies)` : ''}`.padEnd(48)}${f1(median(times)).padStart(9)}${f1(Math.max(...times)).padStart(9)}\n`);
}

// 2. The page with N pods in Chromium.
if (args.page) {
  let snap: ClusterSnapshot = largeCluster(N);
  let notify: () => void = () => {};
  const live: LiveCluster = { start: async (cb) => { notify = cb; }, snapshot: () => snap, stop: async () => {} };
  const ui = await startUi({ config: {} as never, kc: {} as never }, { port: 0, live });
  const profile = mkdtempSync(join(tmpdir(), 'trace-bench-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', headless: true, viewport: { width: 1600, height: 1000 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const pods = snap.pods.length;
    const firsts: number[] = [], updates: number[] = [];
    for (let r = 0; r < 5; r++) {
      const page = await browser.newPage();
      const t0 = performance.now();
      await page.goto(ui.url);
      await page.waitForFunction(`document.querySelectorAll('[data-pod]').length >= ${pods}`, undefined, { timeout: 60_000 });
      firsts.push(performance.now() - t0);
      // A scale event: 10 more pods of one Deployment arrive through the watch.
      const before = snap.pods.length;
      const more = Array.from({ length: 10 }, (_, i) => pod('bench', `scaled-${r}-${i}`, 1 + (i % 3), 250, { app: 'scaled' }));
      snap = { ...snap, pods: [...snap.pods, ...more] };
      const t1 = performance.now();
      notify();
      await page.waitForFunction(`document.querySelectorAll('[data-pod]').length >= ${before + 10}`, undefined, { timeout: 60_000 });
      updates.push(performance.now() - t1);
      await page.close();
    }
    process.stdout.write(`\npage with ${pods} pods and ${snap.services.length} Services in headless Chromium (5 runs)\n`);
    process.stdout.write(`first paint (navigation → all pods drawn)   median ${f1(median(firsts))} ms, max ${f1(Math.max(...firsts))} ms\n`);
    process.stdout.write(`update after a scale event (push → drawn)   median ${f1(median(updates))} ms, max ${f1(Math.max(...updates))} ms (includes the server's 100 ms coalescing)\n`);
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
    await ui.close();
  }
}
