// podnet trace --prove benchmark (root, brings up a cluster: run it under the shared e2e lock):
// `podnet up --nodes 2` with 1,000 Services (all selecting one remote nginx pod, so every node's proxy
// table holds 1,000 Services) plus a client pod; then runTrace (the component behind `podnet trace`)
// answers client → svc/far, model only and with --prove, `--runs` times each, in-process so Node's
// start-up is not counted. Also times the whole CLI once.
//
// Each --prove answer's own timings (API list, kernel facts, model, prove) say where the time goes.
//
//   flock /tmp/podnet-e2e.lock node --import tsx bench/trace-prove.ts [--services 1000] [--runs 10] [--short]
import { parseArgs } from 'node:util';
import { existsSync, rmSync } from 'node:fs';
import { e2eCluster } from '../test/support/e2e-cluster.js';
import { requireRoot } from '../src/linux/exec.js';
import { sized } from './support/short.js';

const { values: args } = parseArgs({ options: { services: { type: 'string', default: sized('1000', '1000') }, runs: { type: 'string', default: sized('10', '5') }, short: { type: 'boolean' } } });
const N = Number(args.services), RUNS = Number(args.runs);
requireRoot('the trace --prove benchmark');
const cluster = 'trace-bench';
const c = e2eCluster(cluster, { kubectlTimeoutMs: 300_000 });
process.env.PODNET_STATE_ROOT = c.stateRoot;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  const up = await c.podnet('up', '--name', cluster, '--nodes', '2', '--underlay-cidr', '172.31.214.0/24');
  if (up.code !== 0) throw new Error(c.show(up));
  await c.apply(`apiVersion: v1
kind: Pod
metadata: { name: client }
spec:
  nodeName: ${cluster}-node-1
  containers: [{ name: curl, image: curlimages/curl, command: ["sleep", "3600"] }]
---
apiVersion: v1
kind: Pod
metadata: { name: far, labels: { app: far } }
spec:
  nodeName: ${cluster}-node-2
  containers: [{ name: nginx, image: nginx, ports: [{ containerPort: 80 }] }]
`);
  const svcs = Array.from({ length: N }, (_, i) => `apiVersion: v1
kind: Service
metadata: { name: s-${i} }
spec: { selector: { app: far }, ports: [{ port: 80, targetPort: 80 }] }`).join('\n---\n');
  await c.apply(svcs);
  await c.ok('wait', '--for=condition=Ready', 'pod/client', 'pod/far', '--timeout=180s');
  const { openCluster, runTrace } = await import('../src/components/trace/index.js');
  const h = openCluster(cluster);
  // Until every node's proxy has the last Service, a trace to it would be refused: wait for the rules.
  await c.waitFor('the last Service in the proxy rules', async () => {
    const t = await runTrace(h, 'client', `svc/s-${N - 1}`, { prove: true });
    return t.proved?.bugs.length === 0 && t.ok ? true : undefined;
  }, 300_000);
  const model: number[] = [], prove: number[] = [], api: number[] = [], bugs: string[] = [];
  const parts = { snapshotMs: [] as number[], factsMs: [] as number[], modelMs: [] as number[], proveMs: [] as number[] };
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const m = await runTrace(h, 'client', `svc/s-${i}`);
    model.push(performance.now() - t0);
    api.push(m.timings!.snapshotMs);
    const t1 = performance.now();
    const p = await runTrace(h, 'client', `svc/s-${i}`, { prove: true });
    prove.push(performance.now() - t1);
    bugs.push(...p.proved!.bugs);
    for (const k of Object.keys(parts) as Array<keyof typeof parts>) parts[k].push(p.timings![k] ?? 0);
  }
  const t2 = performance.now();
  const cli = await c.podnet('trace', '--name', cluster, '--prove', 'client', 'svc/s-1');
  const cliMs = performance.now() - t2;
  const f1 = (x: number) => x.toFixed(0);
  process.stdout.write(`podnet trace with ${N} Services, 2 nodes, client → svc/s-i (remote endpoint over VXLAN), ${RUNS} runs\n`);
  process.stdout.write(`answer, model only (API list + kernel facts + model)   median ${f1(median(model))} ms (API list alone ${f1(median(api))} ms)\n`);
  process.stdout.write(`answer with --prove                                    median ${f1(median(prove))} ms, max ${f1(Math.max(...prove))} ms\n`);
  process.stdout.write(`  of which (medians): API list ${f1(median(parts.snapshotMs))} ms, kernel facts (and --prove set-up meanwhile) ${f1(median(parts.factsMs))} ms, model ${f1(median(parts.modelMs))} ms, prove after the model ${f1(median(parts.proveMs))} ms\n`);
  process.stdout.write(`whole CLI incl. Node+tsx start-up, --prove             ${f1(cliMs)} ms (exit ${cli.code})\n`);
  process.stdout.write(`model/kernel disagreements over all runs: ${bugs.length}${bugs.length ? `: ${bugs.join('; ')}` : ''}\n`);
} finally {
  if (existsSync(c.stateDir)) await c.podnet('down', '--name', cluster);
  rmSync(c.work, { recursive: true, force: true });
}
