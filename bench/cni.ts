// CNI latency benchmark, side by side in one run: ADD and DEL of N bridge + host-local attachments
// (each in its own network namespace) with
//   reference   the Debian reference plugins (/usr/lib/cni/bridge + host-local)
//   bin         bin/podnet-cni stand-alone (a Node.js process per call, compiled JS from dist/)
//   socket      bin/podnet-cni with a podnet agent serving the socket (compiled shim -> agent)
//   inproc      cniInvoke() in-process: one plugin call, no runtime around it
//   runtime     CniRuntime.add/del (components/cni/runtime.ts) with the same configuration as a
//               one-plugin list: what the node agent runs per pod, result cache included
// Calls are interleaved (attachment i on every side, then i+1) so machine load hits all sides
// alike. Executables are started from an already running /bin/sh, the way a Go runtime forks a
// plugin; Node's own spawn costs 4-7 ms more here and would blur the comparison.
// A second table shows what each kind of thin client costs for a VERSION round trip.
//
// Run (root): node --import tsx bench/cni.ts [--n 50] [--short: 10]
// bench: root
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cniInvoke } from '../src/components/cni/plugin.js';
import { CniRuntime } from '../src/components/cni/runtime.js';
import { parseConfList } from '../src/core/cni/conflist.js';
import { serveCni } from '../src/components/cni/server.js';
import { PODNET_ROOT, ensureShim } from '../src/components/cni/shim-build.js';
import { closeExecutor, requireRoot, run } from '../src/linux/exec.js';
import { sized } from './support/short.js';

requireRoot('bench/cni.ts');
const argN = process.argv.indexOf('--n');
const N = argN > 0 ? Number(process.argv[argN + 1]) : sized(50, 10);
const SIDES = ['reference', 'bin', 'socket', 'inproc', 'runtime'] as const;
type Side = (typeof SIDES)[number];
const BIN = join(PODNET_ROOT, 'bin', 'podnet-cni');

/** Compiles only the CNI entry points' import graph into dist/ (what bin/podnet-cni runs stand-alone). */
async function buildStandalone(): Promise<void> {
  const main = join(PODNET_ROOT, 'dist', 'components', 'cni', 'main.js');
  const newest = ['src/components/cni', 'src/core/cni', 'src/linux']
    .flatMap((d) => readdirSync(join(PODNET_ROOT, d)).filter((f) => f.endsWith('.ts')).map((f) => statSync(join(PODNET_ROOT, d, f)).mtimeMs))
    .reduce((a, b) => Math.max(a, b), 0);
  if (existsSync(main) && statSync(main).mtimeMs > newest) return;
  process.stderr.write('compiling the stand-alone plugin into dist/ ...\n');
  await run([join(PODNET_ROOT, 'node_modules', '.bin', 'tsc'), '--outDir', join(PODNET_ROOT, 'dist'), '--rootDir', join(PODNET_ROOT, 'src'),
    '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2022', '--types', 'node', '--skipLibCheck', '--strict',
    join(PODNET_ROOT, 'src', 'components', 'cni', 'main.ts'), join(PODNET_ROOT, 'src', 'components', 'cni', 'index.ts')], { timeoutMs: 300_000 });
}

const pct = (xs: number[], p: number) => { const a = [...xs].sort((x, y) => x - y); return a[Math.min(a.length - 1, Math.ceil(p * a.length) - 1)]; };

async function timedExec(file: string, env: Record<string, string>, stdin: string): Promise<number> {
  const t = performance.now();
  const r = await run([file], { input: stdin.endsWith('\n') ? stdin : `${stdin}\n`, setEnv: env, okExitCodes: 'any' });
  const ms = performance.now() - t;
  if (r.exitCode !== 0) throw new Error(`${file} ${env.CNI_COMMAND} failed: ${r.stdout} ${r.stderr}`);
  return ms;
}

const tmp = mkdtempSync(join(tmpdir(), 'pnc-bench-'));
const netnsNames: string[] = [];
const bridges = SIDES.map((_, k) => `pnc-brb${k}`);
let stop = async () => {};

try {
  await buildStandalone();
  const shim = await ensureShim();
  if (!shim.path) throw new Error(`cannot build the shim: ${shim.reason}`);
  const server = await serveCni(join(tmp, 'cni.sock'));
  const runtime = new CniRuntime({ cacheDir: join(tmp, 'cache'), cniPath: ['/usr/lib/cni'] });
  stop = () => server.close();

  const conf = (k: number) => JSON.stringify({
    cniVersion: '1.0.0', name: `pnc-bench-${k}`, type: SIDES[k] === 'reference' ? 'bridge' : 'podnet-bridge', bridge: bridges[k],
    isGateway: true, isDefaultGateway: true, hairpinMode: true,
    ipam: { type: 'host-local', ranges: [[{ subnet: `10.99.${60 + k}.0/24` }]], dataDir: join(tmp, 'ipam') },
  });
  const envOf = (side: Side, cmd: string, i: number): Record<string, string> => ({
    CNI_COMMAND: cmd, CNI_CONTAINERID: `pnc-bench-${side}-${i}`, CNI_NETNS: `/run/netns/pnc-b-${side}-${i}`, CNI_IFNAME: 'eth0',
    CNI_PATH: '/usr/lib/cni', CNI_ARGS: 'IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=bench',
    ...(side === 'bin' ? { PODNET_CNI_SHIM: '/nonexistent' } : {}),
    ...(side === 'socket' ? { PODNET_CNI_SOCKET: server.path } : {}),
  });
  const once = async (side: Side, cmd: string, i: number): Promise<number> => {
    const k = SIDES.indexOf(side);
    if (side === 'runtime') {
      const e = envOf(side, cmd, i);
      const a = { containerID: e.CNI_CONTAINERID, ifname: 'eth0', netns: e.CNI_NETNS, args: [['IgnoreUnknown', '1'], ['K8S_POD_NAMESPACE', 'default'], ['K8S_POD_NAME', 'bench']] as Array<[string, string]>, capabilityArgs: {} };
      const t = performance.now();
      if (cmd === 'ADD') await runtime.add(parseConfList(conf(k)), a); else await runtime.del(parseConfList(conf(k)), a);
      return performance.now() - t;
    }
    if (side === 'inproc') {
      const t = performance.now();
      const o = await cniInvoke(envOf(side, cmd, i), conf(k));
      const ms = performance.now() - t;
      if (o.exitCode !== 0) throw new Error(`inproc ${cmd} failed: ${o.stdout}`);
      return ms;
    }
    return timedExec(side === 'reference' ? '/usr/lib/cni/bridge' : BIN, envOf(side, cmd, i), conf(k));
  };

  process.stderr.write(`creating ${N * SIDES.length} network namespaces ...\n`);
  for (const side of SIDES) for (let i = 0; i < N; i++) { const n = `pnc-b-${side}-${i}`; await run(['ip', 'netns', 'add', n]); netnsNames.push(n); }
  // Warm-up: one attachment per side (first bridge creation, page cache, the helper shells).
  for (const side of SIDES) { await once(side, 'ADD', N - 1); await once(side, 'DEL', N - 1); }

  const add: Record<Side, number[]> = { reference: [], bin: [], socket: [], inproc: [], runtime: [] };
  const del: Record<Side, number[]> = { reference: [], bin: [], socket: [], inproc: [], runtime: [] };
  for (let i = 0; i < N; i++) for (const side of SIDES) add[side].push(await once(side, 'ADD', i));
  for (let i = 0; i < N; i++) for (const side of SIDES) del[side].push(await once(side, 'DEL', i));

  const f = (x: number) => x.toFixed(1).padStart(6);
  const refAdd = pct(add.reference, 0.5), refDel = pct(del.reference, 0.5);
  console.log(`\nCNI bridge + host-local, ${N} attachments per side, ms (load average ${(await run(['cat', '/proc/loadavg'])).stdout.split(' ').slice(0, 3).join(' ')})`);
  console.log('side        ADD p50  ADD p99  DEL p50  DEL p99   ADD p50 / ref  DEL p50 / ref');
  for (const side of SIDES) {
    console.log(`${side.padEnd(10)} ${f(pct(add[side], 0.5))}   ${f(pct(add[side], 0.99))}   ${f(pct(del[side], 0.5))}   ${f(pct(del[side], 0.99))}   ${(pct(add[side], 0.5) / refAdd).toFixed(2).padStart(11)}x  ${(pct(del[side], 0.5) / refDel).toFixed(2).padStart(11)}x`);
  }

  // Thin-client costs: the bare start of each candidate, and a VERSION round trip through each path.
  const M = 20;
  const clientRows: [string, string[], Record<string, string>][] = [
    ['sh -c true (fork+exec floor)', ['sh', '-c', 'true'], {}],
    ['curl to a unix socket (no server)', ['curl', '-s', '--unix-socket', join(tmp, 'none.sock'), 'http://x/'], {}],
    ['node -e 0 (bare Node start)', ['node', '-e', '0'], {}],
    ['compiled shim -> agent socket', [shim.path!], { PODNET_CNI_SOCKET: server.path, CNI_COMMAND: 'VERSION' }],
    ['bin/podnet-cni -> shim -> agent', [BIN], { PODNET_CNI_SOCKET: server.path, CNI_COMMAND: 'VERSION' }],
    ['bin/podnet-cni stand-alone (node)', [BIN], { PODNET_CNI_SHIM: '/nonexistent', CNI_COMMAND: 'VERSION' }],
    ['reference bridge VERSION (Go start)', ['/usr/lib/cni/bridge'], { CNI_COMMAND: 'VERSION' }],
  ];
  console.log(`\nthin-client candidates, ${M} runs each, ms`);
  console.log('client                                 p50     p99');
  for (const [name, argv, env] of clientRows) {
    const xs: number[] = [];
    for (let i = 0; i < M; i++) { const t = performance.now(); await run(argv, { setEnv: env, okExitCodes: 'any' }); xs.push(performance.now() - t); }
    console.log(`${name.padEnd(36)} ${f(pct(xs, 0.5))}  ${f(pct(xs, 0.99))}`);
  }
} finally {
  await stop();
  closeExecutor();
  for (const n of netnsNames) await run(['ip', 'netns', 'del', n]).catch(() => undefined);
  for (const b of bridges) await run(['ip', 'link', 'del', b]).catch(() => undefined);
  rmSync(tmp, { recursive: true, force: true });
}
